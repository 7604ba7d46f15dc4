/* fields.c - typed, range-checked storyboard field access. */
#include "compiler/fields.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "compiler/split.h"

const char *sr_fpath(char *out, const char *pfx, const char *key)
{
    if (!pfx || !*pfx) snprintf(out, SR_FIELD_MAX, "%s", key);
    else snprintf(out, SR_FIELD_MAX, "%s.%s", pfx, key);
    return out;
}

const char *sr_fpath_idx(char *out, const char *pfx, int i)
{
    snprintf(out, SR_FIELD_MAX, "%s[%d]", pfx, i);
    return out;
}

static const json_t *get(const json_t *o, const char *key)
{
    if (!o || !json_is_object(o)) return NULL;
    const json_t *v = json_object_get(o, key);
    return json_is_null(v) ? NULL : v;
}

int sr_fhas(const json_t *o, const char *key) { return get(o, key) != NULL; }

static int bad_type(const char *pfx, const char *key, const char *what, sr_err *err)
{
    char f[SR_FIELD_MAX];
    sr_fpath(f, pfx, key);
    return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be %s", f, what);
}

int sr_fnum(const json_t *o, const char *key, const char *pfx, double lo, double hi, double def, double *out,
            sr_err *err)
{
    const json_t *v = get(o, key);
    *out = def;
    if (!v) return 0;
    if (!json_is_number(v)) return bad_type(pfx, key, "a number", err);
    double d = json_number_value(v);
    if (!isfinite(d) || d < lo || d > hi) {
        char f[SR_FIELD_MAX];
        sr_fpath(f, pfx, key);
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be between %g and %g (it is %g)", f, lo, hi, d);
    }
    *out = d;
    return 0;
}

int sr_fint(const json_t *o, const char *key, const char *pfx, int lo, int hi, int def, int *out, sr_err *err)
{
    const json_t *v = get(o, key);
    *out = def;
    if (!v) return 0;
    if (!json_is_number(v) || (json_is_real(v) && json_real_value(v) != floor(json_real_value(v))))
        return bad_type(pfx, key, "a whole number", err);
    double d = json_number_value(v);
    if (d < lo || d > hi) {
        char f[SR_FIELD_MAX];
        sr_fpath(f, pfx, key);
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be between %d and %d (it is %g)", f, lo, hi, d);
    }
    *out = (int)d;
    return 0;
}

int sr_fbool(const json_t *o, const char *key, const char *pfx, int def, int *out, sr_err *err)
{
    const json_t *v = get(o, key);
    *out = def;
    if (!v) return 0;
    if (!json_is_boolean(v)) return bad_type(pfx, key, "true or false", err);
    *out = json_is_true(v);
    return 0;
}

int sr_fstr(const json_t *o, const char *key, const char *pfx, int maxcp, const char **out, sr_err *err)
{
    const json_t *v = get(o, key);
    *out = NULL;
    if (!v) return 0;
    if (!json_is_string(v)) return bad_type(pfx, key, "a string", err);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n) return bad_type(pfx, key, "a string without NUL characters", err);
    if (n > (size_t)maxcp * 4 || sr_utf8_count(s, n) > maxcp) {
        char f[SR_FIELD_MAX];
        sr_fpath(f, pfx, key);
        return sr_err_set(err, SR_ELIMIT, f, "%s is longer than %d characters", f, maxcp);
    }
    *out = s;
    return 0;
}

int sr_fenum(const json_t *o, const char *key, const char *pfx, const char *const *names, int def, int *out,
             sr_err *err)
{
    const json_t *v = get(o, key);
    *out = def;
    if (!v) return 0;
    if (json_is_string(v))
        for (int i = 0; names[i]; i++)
            if (strcasecmp(names[i], json_string_value(v)) == 0) {
                *out = i;
                return 0;
            }
    char list[400] = "";
    for (int i = 0; names[i]; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
    }
    char f[SR_FIELD_MAX];
    sr_fpath(f, pfx, key);
    return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be one of: %s", f, list);
}

int sr_fpct(const json_t *o, const char *key, const char *pfx, double lo, double hi, double def, double *out,
            sr_err *err)
{
    const json_t *v = get(o, key);
    *out = def;
    if (!v) return 0;
    double d;
    if (sr_parse_percent(v, &d) != 0 || !isfinite(d))
        return bad_type(pfx, key, "a percentage such as \"10%\"", err);
    if (d < lo - 1e-9 || d > hi + 1e-9) {
        char f[SR_FIELD_MAX];
        sr_fpath(f, pfx, key);
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be between %g%% and %g%%", f, lo * 100, hi * 100);
    }
    *out = d;
    return 0;
}

int sr_fcolor(const json_t *o, const char *key, const char *pfx, const char **out, sr_err *err)
{
    const json_t *v = get(o, key);
    uint8_t rgba[4];
    *out = NULL;
    if (!v) return 0;
    if (!json_is_string(v) || sr_parse_color(json_string_value(v), rgba) != 0)
        return bad_type(pfx, key, "a colour (#RRGGBB, #RGB, #RRGGBBAA, rgb() or rgba())", err);
    *out = json_string_value(v);
    return 0;
}

int sr_fobj(const json_t *o, const char *key, const char *pfx, const json_t **out, sr_err *err)
{
    const json_t *v = get(o, key);
    *out = NULL;
    if (!v) return 0;
    if (!json_is_object(v)) return bad_type(pfx, key, "an object", err);
    *out = v;
    return 0;
}

int sr_farr(const json_t *o, const char *key, const char *pfx, size_t max, const json_t **out, sr_err *err)
{
    const json_t *v = get(o, key);
    *out = NULL;
    if (!v) return 0;
    if (!json_is_array(v)) return bad_type(pfx, key, "an array", err);
    if (json_array_size(v) > max) {
        char f[SR_FIELD_MAX];
        sr_fpath(f, pfx, key);
        return sr_err_set(err, SR_ELIMIT, f, "%s has %zu entries; at most %zu are allowed", f, json_array_size(v),
                          max);
    }
    *out = v;
    return 0;
}
