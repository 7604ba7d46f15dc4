/* util.h - small helpers shared by every layer: colours, percentages, paths,
 * a growable string buffer, time. Nothing here allocates hidden state. */
#ifndef SR_UTIL_H
#define SR_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/err.h"

/* Parses a colour: rgb(r,g,b), rgba(r,g,b,a) (a 0..1), #RGB, #RRGGBB, #RRGGBBAA,
 * or one of: white black red green blue yellow transparent. Returns 0 and fills
 * rgba (alpha 255 = opaque), or -1 when s is not a colour. */
int sr_parse_color(const char *s, uint8_t rgba[4]);

/* Parses a percentage: the string "10%" / "10.5%" or a JSON number (taken as a
 * percentage too: 10 -> 0.10). Stores the fraction (0.10). Returns 0, or -1
 * when v is neither. Range is not checked. */
int sr_parse_percent(const json_t *v, double *frac);

/* A malloc'd absolute-or-as-given path: p itself when absolute or a URL
 * (contains "://"), else base_dir/p. base_dir may be NULL ("."). NULL on OOM. */
char *sr_path_resolve(const char *base_dir, const char *p);
/* A malloc'd copy of path's folder ("." when it has none). */
char *sr_dirname_dup(const char *path);
/* mkdir -p: makes dir and the folders above it that are missing, with mode.
 * 0, or -1 with errno set (ENAMETOOLONG for a name over 4095 bytes). */
int sr_mkdirs(const char *dir, int mode);
/* The same for the folder path lies in (nothing when path has no folder). */
int sr_mkdirs_for(const char *path, int mode);
/* Writes data to path through path.tmp-XXXXXX + rename. 0 or SR_EIO (err filled). */
int sr_write_file_atomic(const char *path, const void *data, size_t len, sr_err *err);
/* Reads a whole file, at most max bytes. *out is malloc'd and NUL-terminated.
 * Returns 0, SR_EMEDIA_NOT_FOUND, SR_EMEDIA_UNREADABLE or SR_ELIMIT. */
int sr_read_file(const char *path, size_t max, char **out, size_t *len, sr_err *err);

/* Monotonic seconds. */
double sr_now(void);

/* A growable NUL-terminated string with a hard cap; on overflow or OOM it sets
 * failed and stops growing. */
typedef struct sr_buf {
    char *p;
    size_t len, cap, max;
    int failed;
} sr_buf;
void sr_buf_init(sr_buf *b, size_t max);
void sr_buf_append(sr_buf *b, const char *s, size_t n);
void sr_buf_printf(sr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sr_buf_free(sr_buf *b);

/* UTF-8: the number of bytes of the code point starting at s (1 for invalid bytes),
 * and its value in *cp. */
int sr_utf8_next(const char *s, uint32_t *cp);

#endif
