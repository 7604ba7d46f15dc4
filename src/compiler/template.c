/* template.c - {{name}} placeholders in a stored storyboard (template.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "compiler/template.h"

#define PATH_MAX_LEN 160

typedef struct tctx {
    const json_t *vars;
    size_t used, max; /* bytes of string data produced, bound */
    sr_err *err;
} tctx;

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

/* Finds the next placeholder in s[0..n) from *pos: 1 with [*b, *e) the whole
 * "{{ name }}" and name copied; 0 when none is left. s[n] is readable (a NUL
 * or a JSON text's closing quote: neither continues a name or a "}}").
 * Linear in the string:
 * each "{{" is followed only through spaces and name characters, which hold
 * no '{', so no byte is looked at from two starts. */
static int next_placeholder(const char *s, size_t n, size_t *pos, size_t *b, size_t *e,
                            char name[SR_TEMPLATE_NAME_MAX + 1])
{
    for (const char *p = s + *pos; p + 1 < s + n; p++) {
        if (p[0] != '{' || p[1] != '{') continue; /* no strstr: its length checks would make this quadratic */
        const char *q = p + 2;
        while (*q == ' ') q++;
        const char *ne = q;
        while (name_char(*ne)) ne++;
        const char *t = ne;
        while (*t == ' ') t++;
        size_t nl = (size_t)(ne - q);
        if (t + 1 < s + n && t[0] == '}' && t[1] == '}' && nl >= 1 && nl <= SR_TEMPLATE_NAME_MAX) {
            memcpy(name, q, nl);
            name[nl] = 0;
            *b = (size_t)(p - s);
            *e = (size_t)(t + 2 - s);
            *pos = *e;
            return 1;
        }
        p++; /* with the loop's p++: past the "{{" */
    }
    return 0;
}

static const json_t *lookup(tctx *c, const char *name, const char *path)
{
    const json_t *v = json_object_get(c->vars, name);
    if (!v) {
        char f[PATH_MAX_LEN];
        snprintf(f, sizeof f, "variables.%s", name);
        sr_err_set(c->err, SR_EINVALID_FIELD, f, "variables.%s is missing (the template uses it in %s)", name,
                   *path ? path : "its body");
    }
    return v;
}

static int charge(tctx *c, size_t n)
{
    c->used += n;
    if (c->used <= c->max) return 0;
    return sr_err_set(c->err, SR_ELIMIT, "variables", "the expanded template exceeds %zu bytes", c->max);
}

/* The text of a variable's value inside a longer string, into b. */
static void value_text(const json_t *v, sr_buf *b)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING: sr_buf_append(b, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), sr_buf_append(b, num, strlen(num)); break;
    case JSON_REAL: snprintf(num, sizeof num, "%.15g", json_real_value(v)), sr_buf_append(b, num, strlen(num)); break;
    case JSON_TRUE: sr_buf_append(b, "true", 4); break;
    case JSON_FALSE: sr_buf_append(b, "false", 5); break;
    case JSON_NULL: break;
    default: {
        char *d = json_dumps(v, JSON_COMPACT);
        if (d) sr_buf_append(b, d, strlen(d));
        else b->failed = 1;
        free(d);
    }
    }
}

static json_t *expand_string(tctx *c, const json_t *s, const char *path)
{
    const char *str = json_string_value(s);
    size_t pos = 0, b, e;
    char name[SR_TEMPLATE_NAME_MAX + 1];
    size_t slen = strlen(str); /* as ever: a string's placeholders end at a NUL in it */
    if (!next_placeholder(str, slen, &pos, &b, &e, name)) {
        if (charge(c, json_string_length(s))) return NULL;
        return json_deep_copy(s);
    }
    if (b == 0 && e == json_string_length(s)) { /* the whole string: keep the value's type */
        const json_t *v = lookup(c, name, path);
        if (!v) return NULL;
        size_t n = json_is_string(v) ? json_string_length(v) : json_dumpb(v, NULL, 0, JSON_COMPACT);
        if (charge(c, n)) return NULL;
        return json_deep_copy(v);
    }
    sr_buf out;
    sr_buf_init(&out, c->max - (c->used < c->max ? c->used : c->max) + 1);
    size_t done = 0;
    pos = 0;
    while (next_placeholder(str, slen, &pos, &b, &e, name)) {
        const json_t *v = lookup(c, name, path);
        if (!v) {
            sr_buf_free(&out);
            return NULL;
        }
        sr_buf_append(&out, str + done, b - done);
        value_text(v, &out);
        done = e;
    }
    sr_buf_append(&out, str + done, strlen(str + done));
    if (out.failed || charge(c, out.len)) {
        sr_buf_free(&out);
        if (!c->err || !c->err->code) charge(c, c->max + 1);
        return NULL;
    }
    json_t *r = json_stringn(out.p ? out.p : "", out.len);
    sr_buf_free(&out);
    if (!r) sr_err_set(c->err, SR_ENOMEM, NULL, "out of memory");
    return r;
}

static json_t *expand(tctx *c, const json_t *v, const char *path, int depth)
{
    char sub[PATH_MAX_LEN];
    if (depth > 64) {
        sr_err_set(c->err, SR_ELIMIT, path, "%s is nested too deeply", path);
        return NULL;
    }
    if (json_is_string(v)) return expand_string(c, v, path);
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
            json_t *y = expand(c, x, sub, depth + 1);
            if (!y || json_object_set_new(o, k, y)) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            json_t *y = expand(c, x, sub, depth + 1);
            if (!y || json_array_append_new(a, y)) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    return json_deep_copy(v);
}

int sr_template_expand(const json_t *tpl, const json_t *vars, size_t max_bytes, json_t **out, sr_err *err)
{
    *out = NULL;
    if (vars && !json_is_null(vars) && !json_is_object(vars))
        return sr_err_set(err, SR_EINVALID_FIELD, "variables", "variables must be an object of name: value");
    sr_err local = {0};
    tctx c = {.vars = json_is_object(vars) ? vars : NULL, .max = max_bytes ? max_bytes : SR_TEMPLATE_MAX_BYTES,
              .err = &local};
    json_t *r = expand(&c, tpl, "", 0);
    if (!r) {
        if (!local.code) sr_err_set(&local, SR_ENOMEM, NULL, "out of memory");
        if (err) *err = local;
        return local.code;
    }
    *out = r;
    return 0;
}

typedef struct names {
    json_t *list, *seen; /* in order of first use; the same as a set */
    size_t count, max;   /* placeholders met, bound */
    sr_err *err;
} names;

/* Adds the placeholders of s[0..n) to ns: 0, or -1 past the bound
 * (ns->err names path). */
static int scan_string(names *ns, const char *s, size_t n, const char *path)
{
    size_t pos = 0, b, e;
    char name[SR_TEMPLATE_NAME_MAX + 1];
    while (next_placeholder(s, n, &pos, &b, &e, name)) {
        if (++ns->count > ns->max) {
            sr_err_set(ns->err, SR_ELIMIT, *path ? path : "storyboard", "%s: a template has at most %zu placeholders",
                       *path ? path : "storyboard", ns->max);
            return -1;
        }
        if (json_object_get(ns->seen, name)) continue;
        json_object_set_new(ns->seen, name, json_true());
        json_array_append_new(ns->list, json_string(name));
    }
    return 0;
}

/* Adds v's placeholders to ns: 0, or -1 past the bound (ns->err names path). */
static int collect(const json_t *v, names *ns, const char *path, int depth)
{
    char sub[PATH_MAX_LEN];
    if (depth > 64) return 0;
    if (json_is_string(v)) {
        const char *str = json_string_value(v);
        return scan_string(ns, str, strlen(str), path);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
            if (collect(x, ns, sub, depth + 1)) return -1;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (collect(x, ns, sub, depth + 1)) return -1;
        }
    }
    return 0;
}

/* The placeholders of the string values of compact JSON text[0..len) as
 * json_dumps writes it: keys skipped, strings nested deeper than 64 skipped
 * (as collect does), a string's scan ending at an escaped NUL (as
 * strlen ends it). Such text escapes no '{', '}', space or name character,
 * so each string's raw bytes hold the same placeholders as its value. */
static int collect_text(const char *text, size_t len, names *ns)
{
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
        if (c != '"') continue;
        size_t b = ++i, cut = 0;
        for (; i < len && text[i] != '"'; i++)
            if (text[i] == '\\') {
                if (!cut && i + 5 < len && !memcmp(text + i + 1, "u0000", 5)) cut = i;
                i++;
            }
        int key = i + 1 < len && text[i + 1] == ':';
        if (!key && depth <= 64 && scan_string(ns, text + b, (cut ? cut : i) - b, "")) return -1;
    }
    return 0;
}

/* 0 with *vars (when asked) the list of ns, or the error of rc. */
static int names_done(names *ns, int rc, json_t **vars, sr_err *err)
{
    json_decref(ns->seen);
    if (rc) {
        json_decref(ns->list);
        if (err) *err = *ns->err;
        return ns->err->code;
    }
    if (vars) *vars = ns->list;
    else json_decref(ns->list);
    return 0;
}

int sr_template_check(const json_t *tpl, json_t **vars, sr_err *err)
{
    sr_err local = {0};
    names ns = {json_array(), json_object(), 0, SR_TEMPLATE_MAX_PLACEHOLDERS, &local};
    int rc = ns.list && ns.seen ? collect(tpl, &ns, "", 0) : sr_err_set(&local, SR_ENOMEM, NULL, "out of memory");
    return names_done(&ns, rc, vars, err);
}

json_t *sr_template_variables_text(const char *text)
{
    sr_err local = {0};
    json_t *vars = NULL;
    names ns = {json_array(), json_object(), 0, SR_TEMPLATE_MAX_PLACEHOLDERS, &local};
    int rc = ns.list && ns.seen ? collect_text(text, strlen(text), &ns)
                                : sr_err_set(&local, SR_ENOMEM, NULL, "out of memory");
    if (!names_done(&ns, rc, &vars, NULL)) return vars;
    return rc == SR_ENOMEM ? NULL : json_array();
}

json_t *sr_template_variables(const json_t *tpl)
{
    json_t *vars = NULL;
    if (!sr_template_check(tpl, &vars, NULL)) return vars;
    return json_array(); /* past the bound (refused when it was stored) */
}

int sr_template_apply(const json_t *tpl, const json_t *req, size_t max_bytes, json_t **out, sr_err *err)
{
    *out = NULL;
    if (!json_is_object(tpl))
        return sr_err_set(err, SR_EINVALID_FIELD, "templateId", "the template is not a storyboard object");
    int rc = sr_template_expand(tpl, json_object_get(req, "variables"), max_bytes, out, err);
    if (rc) return rc;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)req, k, v)
    {
        if (strcmp(k, "templateId") && strcmp(k, "variables")) json_object_set(*out, k, v);
    }
    return 0;
}
