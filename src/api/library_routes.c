/* library_routes.c - media and music library routes (library_routes.h). */
#include "api/library_routes.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library/library.h"

#define DEFAULT_LIMIT 20

int sr_api_library_configure(sr_svc_cfg *c, sr_err *err)
{
    char *dirs[] = {c->library, c->music_library};
    static const char *const names[] = {"--library", "--music-library"};
    for (int i = 0; i < 2; i++) {
        char real[PATH_MAX];
        if (!dirs[i][0]) continue;
        size_t n = realpath(dirs[i], real) ? strlen(real) : 0;
        if (!n || n >= sizeof c->library || n >= sizeof c->media_roots[0])
            return sr_err_set(err, SR_EINVALID_FIELD, names[i], "%s: the folder %s does not exist",
                              names[i], dirs[i]);
        memcpy(dirs[i], real, n + 1); /* lengths checked above */
        int have = 0;
        for (int k = 0; k < c->n_media_roots; k++)
            have |= !strcmp(c->media_roots[k], real);
        if (have) continue;
        if (c->n_media_roots >= SR_MAX_MEDIA_ROOTS)
            return sr_err_set(err, SR_ELIMIT, names[i],
                              "at most %d media roots (with the libraries)", SR_MAX_MEDIA_ROOTS);
        memcpy(c->media_roots[c->n_media_roots++], real, n + 1);
    }
    return 0;
}

/* Opens and refreshes the library at dir; *lib NULL when dir is "". */
static int open_lib(const char *dir, const char *field, sr_library **lib, sr_err *err)
{
    *lib = NULL;
    if (!dir[0]) return 0;
    int rc = sr_library_open(dir, NULL, field, lib, err);
    if (!rc && (rc = sr_library_refresh(*lib, err)) > 0) rc = 0;
    if (rc) {
        sr_library_close(*lib);
        *lib = NULL;
    }
    return rc;
}

/* "a b c" as ["a","b","c"]. */
static json_t *words(const char *s)
{
    json_t *a = json_array();
    while (a && s && *s) {
        size_t n = strcspn(s, " ");
        if (n) json_array_append_new(a, json_stringn(s, n));
        s += n;
        while (*s == ' ')
            s++;
    }
    return a;
}

static int answer(json_t *data, json_t **out, sr_err *err)
{
    *out = data ? json_pack("{s:b,s:o}", "success", 1, "data", data) : NULL;
    return *out ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
}

static int parse_limit(const char *s, int *limit, sr_err *err)
{
    *limit = DEFAULT_LIMIT;
    if (!s || !*s) return 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 1 || v > SR_LIB_MAX_RESULTS)
        return sr_err_set(err, SR_EINVALID_FIELD, "limit", "limit must be 1 to %d",
                          SR_LIB_MAX_RESULTS);
    *limit = (int)v;
    return 0;
}

/* Frees a search's items and library, and answers data (or the error n < 0). */
static int finish_search(sr_library *lib, sr_lib_item *it, int n, json_t *data, json_t **out, sr_err *err)
{
    sr_library_items_free(it, n > 0 ? n : 0);
    sr_library_close(lib);
    if (n < 0) {
        json_decref(data);
        return n;
    }
    return answer(data, out, err);
}

int sr_api_media_search(const sr_svc_cfg *cfg, const char *keyword, const char *type,
                        const char *limit_s, json_t **out, sr_err *err)
{
    int mask = SR_LIB_VISUAL, limit, rc;
    if (type && *type) {
        if (!strcmp(type, "image"))
            mask = SR_LIB_IMAGE;
        else if (!strcmp(type, "video"))
            mask = SR_LIB_VIDEO;
        else
            return sr_err_set(err, SR_EINVALID_FIELD, "type",
                              "type must be \"image\" or \"video\"");
    }
    if (keyword && strlen(keyword) > SR_LIB_MAX_QUERY)
        return sr_err_set(err, SR_ELIMIT, "keyword", "keyword is longer than %d bytes",
                          SR_LIB_MAX_QUERY);
    if ((rc = parse_limit(limit_s, &limit, err))) return rc;
    sr_library *lib;
    if ((rc = open_lib(cfg->library, "library", &lib, err))) return rc;
    json_t *data = json_array();
    sr_lib_item *it = NULL;
    int n = lib && data
                ? sr_library_search(lib, keyword ? keyword : "", mask, NULL, NULL, limit, &it, err)
                : 0;
    for (int i = 0; i < n && data; i++) {
        int img = it[i].kind == SR_LIB_IMAGE;
        json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:i,s:i,s:f,s:f}", "url", it[i].path,
                              "type", img ? "image" : "video", "name", it[i].name, "keywords",
                              words(it[i].keywords), "description", it[i].description, "category",
                              it[i].category, "width", it[i].width, "height", it[i].height,
                              "duration", it[i].duration, "score", it[i].score);
        if (o && img) json_object_set_new(o, "thumbnail", json_string(it[i].path));
        if (!o || json_array_append_new(data, o)) {
            json_decref(data);
            data = NULL;
        }
    }
    return finish_search(lib, it, n, data, out, err);
}

int sr_api_music_search(const sr_svc_cfg *cfg, const json_t *body, json_t **out, sr_err *err)
{
    static const char *const keys[] = {"keyword", "mood", "genre"};
    const char *v[3] = {NULL, NULL, NULL};
    char q[4 * SR_LIB_MAX_QUERY] = "";
    int limit = DEFAULT_LIMIT, rc;
    if (body && !json_is_object(body))
        return sr_err_set(err, SR_EINVALID_FIELD, "body", "the body must be an object");
    for (int i = 0; i < 3 && body; i++) {
        const json_t *j = json_object_get(body, keys[i]);
        if (j && !json_is_null(j) &&
            (!json_is_string(j) || json_string_length(j) > SR_LIB_MAX_QUERY))
            return sr_err_set(err, SR_EINVALID_FIELD, keys[i],
                              "%s must be a string of at most %d bytes", keys[i], SR_LIB_MAX_QUERY);
        v[i] = json_string_value(j);
    }
    if (v[0]) snprintf(q, sizeof q, "%s", v[0]);
    const json_t *kw = body ? json_object_get(body, "keywords") : NULL;
    if (kw && !json_is_null(kw)) {
        if (!json_is_array(kw) || json_array_size(kw) > 10)
            return sr_err_set(err, SR_EINVALID_FIELD, "keywords",
                              "keywords must be a list of at most 10 words");
        for (size_t i = 0; i < json_array_size(kw); i++) {
            const char *w = json_string_value(json_array_get(kw, i));
            if (!w || strlen(w) > 100)
                return sr_err_set(err, SR_EINVALID_FIELD, "keywords",
                                  "keywords[%zu] must be a word", i);
            size_t l = strlen(q);
            snprintf(q + l, sizeof q - l, "%s%s", l ? " " : "", w);
        }
    }
    const json_t *lj = body ? json_object_get(body, "limit") : NULL;
    if (lj && !json_is_null(lj)) {
        if (!json_is_integer(lj) || json_integer_value(lj) < 1 ||
            json_integer_value(lj) > SR_LIB_MAX_RESULTS)
            return sr_err_set(err, SR_EINVALID_FIELD, "limit", "limit must be 1 to %d",
                              SR_LIB_MAX_RESULTS);
        limit = (int)json_integer_value(lj);
    }
    sr_library *lib;
    if ((rc = open_lib(cfg->music_library, "music-library", &lib, err))) return rc;
    json_t *data = json_array();
    sr_lib_item *it = NULL;
    int n = lib && data ? sr_library_search(lib, q, SR_LIB_AUDIO, v[1], v[2], limit, &it, err) : 0;
    for (int i = 0; i < n && data; i++) {
        const char *base = strrchr(it[i].name, '/');
        base = base ? base + 1 : it[i].name;
        const char *dot = strrchr(base, '.');
        json_t *o = json_pack(
            "{s:s,s:s,s:s%,s:o,s:o,s:o,s:f}", "url", it[i].path, "name", it[i].name, "title", base,
            (size_t)(dot ? dot - base : (long)strlen(base)), "keywords", words(it[i].keywords),
            "moods", words(it[i].moods), "genres", words(it[i].genres), "duration", it[i].duration);
        if (!o || json_array_append_new(data, o)) {
            json_decref(data);
            data = NULL;
        }
    }
    return finish_search(lib, it, n, data, out, err);
}

int sr_api_music_terms(const sr_svc_cfg *cfg, const char *which, json_t **out, sr_err *err)
{
    sr_library *lib;
    int rc;
    if ((rc = open_lib(cfg->music_library, "music-library", &lib, err))) return rc;
    char **t = NULL;
    int n = lib ? sr_library_terms(lib, which, &t, err) : 0;
    sr_library_close(lib);
    if (n < 0) return n;
    json_t *data = json_array();
    for (int i = 0; i < n && data; i++)
        if (json_array_append_new(data, json_pack("{s:s}", "name", t[i]))) {
            json_decref(data);
            data = NULL;
        }
    sr_library_terms_free(t, n);
    return answer(data, out, err);
}
