/* fields.h - reading storyboard fields with their types, defaults and
 * ranges checked, every error naming the field ("scenes[0].minimumDuration
 * must be a number"). Private to the compiler.
 *
 * Each getter reads o[key] (o may be NULL); pfx is the path of o ("scenes[2]",
 * "" at the top level). A missing key or a JSON null leaves the default and
 * returns 0. A wrong type or a value out of range returns SR_EINVALID_FIELD
 * with err filled. */
#ifndef SR_FIELDS_H
#define SR_FIELDS_H

#include <jansson.h>

#include "common/err.h"

#define SR_FIELD_MAX 160

/* Writes "pfx.key" (or "key" when pfx is empty) into out (SR_FIELD_MAX bytes); returns out. */
const char *sr_fpath(char *out, const char *pfx, const char *key);
/* Writes "pfx[i]" into out; returns out. */
const char *sr_fpath_idx(char *out, const char *pfx, int i);

/* 1 when o has key with a non-null value. */
int sr_fhas(const json_t *o, const char *key);

int sr_fnum(const json_t *o, const char *key, const char *pfx, double lo, double hi, double def, double *out,
            sr_err *err);
/* An integer (a JSON number with no fraction). */
int sr_fint(const json_t *o, const char *key, const char *pfx, int lo, int hi, int def, int *out, sr_err *err);
int sr_fbool(const json_t *o, const char *key, const char *pfx, int def, int *out, sr_err *err);
/* A string of at most maxcp code points; *out is NULL when absent (borrowed from o). */
int sr_fstr(const json_t *o, const char *key, const char *pfx, int maxcp, const char **out, sr_err *err);
/* One of names (NULL-terminated, compared case-insensitively); *out is its index, def when absent. */
int sr_fenum(const json_t *o, const char *key, const char *pfx, const char *const *names, int def, int *out,
             sr_err *err);
/* A percentage ("10%" or a number taken as percent) stored as a fraction in lo..hi. */
int sr_fpct(const json_t *o, const char *key, const char *pfx, double lo, double hi, double def, double *out,
            sr_err *err);
/* A colour string (sr_parse_color); *out NULL when absent. */
int sr_fcolor(const json_t *o, const char *key, const char *pfx, const char **out, sr_err *err);
/* An object; *out NULL when absent. */
int sr_fobj(const json_t *o, const char *key, const char *pfx, const json_t **out, sr_err *err);
/* An array of at most max entries (more: SR_ELIMIT); *out NULL when absent. */
int sr_farr(const json_t *o, const char *key, const char *pfx, size_t max, const json_t **out, sr_err *err);

#endif
