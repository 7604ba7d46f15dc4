/* library_routes.c - media and music library routes (library_routes.h). */
#include "api/library_routes.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "api/music_vocab.h"
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

/* A positive integer query parameter (page, pageSize) into *v (def when absent). */
static int parse_uint(const char *s, const char *name, int lo, int hi, int def, int *v, sr_err *err)
{
    *v = def;
    if (!s || !*s) return 0;
    char *end;
    long x = strtol(s, &end, 10);
    if (*end || x < lo || x > hi)
        return sr_err_set(err, SR_EINVALID_FIELD, name, "%s must be %d to %d", name, lo, hi);
    *v = (int)x;
    return 0;
}

/* A stable numeric id for a library file (Pictory's ids are numbers). */
static json_int_t asset_id(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = (h ^ *p) * 16777619u;
    return (json_int_t)(h & 0x7fffffff);
}

/* Whether category filter f ("Nature" or Pictory's "Nature/Landscapes") names cat. */
static int category_matches(const char *f, const char *cat)
{
    size_t n = strcspn(f, "/");
    return strlen(cat) == n && strncasecmp(f, cat, n) == 0;
}

int sr_api_media_search(const sr_svc_cfg *cfg, const sr_media_query *mq, json_t **out, sr_err *err)
{
    int mask = SR_LIB_VISUAL, limit, page, rc;
    const char *type = mq->type, *keyword = mq->keyword;
    if (type && *type) {
        if (!strcasecmp(type, "image"))
            mask = SR_LIB_IMAGE;
        else if (!strcasecmp(type, "video"))
            mask = SR_LIB_VIDEO;
        else
            return sr_err_set(err, SR_EINVALID_FIELD, "mediaType",
                              "mediaType must be \"image\" or \"video\"");
    }
    if (keyword && strlen(keyword) > SR_LIB_MAX_QUERY)
        return sr_err_set(err, SR_ELIMIT, "keyword", "keyword is longer than %d bytes",
                          SR_LIB_MAX_QUERY);
    if (mq->category && strlen(mq->category) > 200)
        return sr_err_set(err, SR_ELIMIT, "category", "category is longer than 200 bytes");
    if ((rc = parse_uint(mq->limit, "pageSize", 1, SR_LIB_MAX_RESULTS, DEFAULT_LIMIT, &limit, err)) ||
        (rc = parse_uint(mq->page, "page", 1, SR_LIB_MAX_RESULTS, 1, &page, err)))
        return rc;
    sr_library *lib;
    if ((rc = open_lib(cfg->library, "library", &lib, err))) return rc;
    json_t *res = json_array();
    sr_lib_item *it = NULL;
    int n = lib && res ? sr_library_search(lib, keyword ? keyword : "", mask, NULL, NULL,
                                           SR_LIB_MAX_RESULTS, &it, err)
                       : 0;
    int skip = (page - 1) * limit;
    for (int i = 0; i < n && res && (int)json_array_size(res) < limit; i++) {
        if (mq->category && *mq->category && !category_matches(mq->category, it[i].category)) continue;
        if (skip > 0) {
            skip--;
            continue;
        }
        int img = it[i].kind == SR_LIB_IMAGE;
        const char *desc = it[i].description[0] ? it[i].description : it[i].keywords;
        json_t *thumb = img ? json_string(it[i].path) : json_null();
        json_t *o = json_pack(
            "{s:I,s:I,s:s,s:s,s:s,s:f,s:{s:s,s:O},s:{s:s,s:O},s:s,s:s,s:s,s:o,s:s,s:i,s:i,s:f}", "assetId",
            asset_id(it[i].name), "id", asset_id(it[i].name), "keyword", keyword ? keyword : "",
            "mediaDescription", desc, "mediaType", img ? "image" : "video", "duration", it[i].duration,
            "preview", "url", it[i].path, "jpg", thumb, "thumbnail", "url", it[i].path, "jpg", thumb,
            "searchLibrary", "library", "url", it[i].path, "name", it[i].name, "keywords",
            words(it[i].keywords), "category", it[i].category, "width", it[i].width, "height",
            it[i].height, "score", it[i].score);
        json_decref(thumb);
        if (!o || json_array_append_new(res, o)) {
            json_decref(res);
            res = NULL;
        }
    }
    sr_library_items_free(it, n > 0 ? n : 0);
    sr_library_close(lib);
    if (n < 0) {
        json_decref(res);
        return n;
    }
    return answer(res ? json_pack("{s:i,s:o}", "page", page, "searchResults", res) : NULL, out, err);
}

/* --- music search (Pictory's body) ---------------------------------------- */

#define MAX_FILTER_TERMS 20

/* Pictory's filters: each takes a string or a list of strings; the not* form excludes. */
enum { F_GENRE_GROUP, F_GENRE, F_MOOD, F_INSTRUMENT, F_PURPOSE, NFILTERS };
static const char *const filter_names[NFILTERS][2] = {
    {"genreGroup", "notGenreGroup"}, {"genre", "notGenre"}, {"mood", "notMood"},
    {"instrument", "notInstrument"}, {"purpose", "notPurpose"}};

/* body[name] as a list of terms (a string is one term): its array (or a new
 * one holding the string) in *terms (caller decrefs), NULL when absent. */
static int filter_terms(const json_t *body, const char *name, json_t **terms, sr_err *err)
{
    const json_t *j = json_object_get(body, name);
    *terms = NULL;
    /* absent, null, [] or {} (the placeholder of Pictory's reference example): no filter */
    if (!j || json_is_null(j) || (json_is_array(j) && !json_array_size(j)) ||
        (json_is_object(j) && !json_object_size(j)))
        return 0;
    if (json_is_string(j)) {
        if (json_string_length(j) > 100)
            return sr_err_set(err, SR_EINVALID_FIELD, name, "%s is longer than 100 bytes", name);
        *terms = json_pack("[O]", j);
        return 0;
    }
    if (!json_is_array(j) || json_array_size(j) > MAX_FILTER_TERMS)
        return sr_err_set(err, SR_EINVALID_FIELD, name,
                          "%s must be a string or a list of at most %d strings", name,
                          MAX_FILTER_TERMS);
    size_t i;
    const json_t *v;
    json_array_foreach(j, i, v) if (!json_is_string(v) || json_string_length(v) > 100) return sr_err_set(
        err, SR_EINVALID_FIELD, name, "%s[%zu] must be a string of at most 100 bytes", name, i);
    *terms = json_incref((json_t *)j);
    return 0;
}

/* Whether any term of terms matches the track words w[0..nw). */
static int any_matches(const json_t *terms, const char *const *w, int nw)
{
    size_t i;
    const json_t *t;
    json_array_foreach(terms, i, t) if (sr_music_term_matches(json_string_value(t), w, nw)) return 1;
    return 0;
}

/* The terms of vocabulary v that match the track words w[0..nw), as a list. */
static json_t *vocab_of(enum sr_music_vocab v, const char *const *w, int nw)
{
    json_t *a = json_array();
    for (const char *const *t = sr_music_vocab(v); a && *t; t++)
        if (sr_music_term_matches(*t, w, nw)) json_array_append_new(a, json_string(*t));
    return a;
}

typedef struct music_query {
    char q[4 * SR_LIB_MAX_QUERY];
    json_t *f[NFILTERS][2]; /* terms to match / to exclude */
    double min_dur, max_dur;
    int page, page_size, shuffle;
} music_query;

static void music_query_free(music_query *m)
{
    for (int i = 0; i < NFILTERS; i++) {
        json_decref(m->f[i][0]);
        json_decref(m->f[i][1]);
    }
}

/* An integer body field in lo..hi into *v (unchanged when absent). */
static int body_int(const json_t *body, const char *name, int lo, int hi, int *v, sr_err *err)
{
    const json_t *j = json_object_get(body, name);
    if (!j || json_is_null(j)) return 0;
    if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi)
        return sr_err_set(err, SR_EINVALID_FIELD, name, "%s must be an integer from %d to %d", name, lo,
                          hi);
    *v = (int)json_integer_value(j);
    return 0;
}

static int body_dur(const json_t *body, const char *name, double *v, sr_err *err)
{
    const json_t *j = json_object_get(body, name);
    if (!j || json_is_null(j)) return 0;
    if (!json_is_number(j) || json_number_value(j) < 0)
        return sr_err_set(err, SR_EINVALID_FIELD, name, "%s must be a number of seconds >= 0", name);
    *v = json_number_value(j);
    return 0;
}

/* Appends the string body[name] (or each of the list body[name]) to m->q. */
static int add_query(music_query *m, const json_t *body, const char *name, size_t max, sr_err *err)
{
    const json_t *j = json_object_get(body, name);
    if (!j || json_is_null(j)) return 0;
    if (json_is_string(j) && json_string_length(j) <= SR_LIB_MAX_QUERY) {
        size_t l = strlen(m->q);
        snprintf(m->q + l, sizeof m->q - l, "%s%s", l ? " " : "", json_string_value(j));
        return 0;
    }
    if (!json_is_array(j) || json_array_size(j) > max)
        return sr_err_set(err, SR_EINVALID_FIELD, name, "%s must be a string of at most %d bytes%s",
                          name, SR_LIB_MAX_QUERY, max ? " or a list of words" : "");
    size_t i;
    const json_t *w;
    json_array_foreach(j, i, w)
    {
        if (!json_is_string(w) || json_string_length(w) > 100)
            return sr_err_set(err, SR_EINVALID_FIELD, name, "%s[%zu] must be a word", name, i);
        size_t l = strlen(m->q);
        snprintf(m->q + l, sizeof m->q - l, "%s%s", l ? " " : "", json_string_value(w));
    }
    return 0;
}

static int parse_music_query(const json_t *body, music_query *m, sr_err *err)
{
    int rc;
    memset(m, 0, sizeof *m);
    m->page = 1;
    m->page_size = DEFAULT_LIMIT;
    m->max_dur = -1;
    if (!body) return 0;
    if (!json_is_object(body))
        return sr_err_set(err, SR_EINVALID_FIELD, "body", "the body must be an object");
    if ((rc = add_query(m, body, "query", 0, err)) || (rc = add_query(m, body, "keyword", 0, err)) ||
        (rc = add_query(m, body, "keywords", 10, err)))
        return rc;
    for (int i = 0; i < NFILTERS; i++)
        for (int k = 0; k < 2; k++)
            if ((rc = filter_terms(body, filter_names[i][k], &m->f[i][k], err))) return rc;
    if ((rc = body_int(body, "limit", 1, SR_LIB_MAX_RESULTS, &m->page_size, err)) ||
        (rc = body_int(body, "pageSize", 1, SR_LIB_MAX_RESULTS, &m->page_size, err)) ||
        (rc = body_int(body, "page", 1, SR_LIB_MAX_RESULTS, &m->page, err)) ||
        (rc = body_dur(body, "minDuration", &m->min_dur, err)) ||
        (rc = body_dur(body, "maxDuration", &m->max_dur, err)))
        return rc;
    const json_t *sort = json_object_get(body, "sort");
    if (sort && !json_is_null(sort)) {
        const char *s = json_string_value(sort);
        if (!s || (strcmp(s, "latest") && strcmp(s, "shuffle") && strcmp(s, "featured")))
            return sr_err_set(err, SR_EINVALID_FIELD, "sort",
                              "sort must be \"latest\", \"shuffle\" or \"featured\"");
        m->shuffle = !strcmp(s, "shuffle");
    }
    return 0;
}

/* Whether track it passes m's filters. */
static int music_keep(const music_query *m, const sr_lib_item *it)
{
    const char *w[4] = {it->keywords, it->moods, it->genres, it->category};
    if (it->duration < m->min_dur || (m->max_dur >= 0 && it->duration > m->max_dur)) return 0;
    for (int i = 0; i < NFILTERS; i++) {
        if (m->f[i][0] && !any_matches(m->f[i][0], w, 4)) return 0;
        if (m->f[i][1] && any_matches(m->f[i][1], w, 4)) return 0;
    }
    return 1;
}

static json_t *music_item(const sr_lib_item *it)
{
    const char *w[4] = {it->keywords, it->moods, it->genres, it->category};
    const char *base = strrchr(it->name, '/');
    base = base ? base + 1 : it->name;
    const char *dot = strrchr(base, '.');
    return json_pack("{s:I,s:s%,s:s,s:f,s:o,s:o,s:o,s:o,s:s,s:s,s:o}", "id", asset_id(it->name), "title",
                     base, (size_t)(dot ? dot - base : (long)strlen(base)), "audioUrl", it->path,
                     "duration", it->duration, "moods", words(it->moods), "genres", words(it->genres),
                     "purposes", vocab_of(SR_VOCAB_PURPOSES, w, 4), "instruments",
                     vocab_of(SR_VOCAB_INSTRUMENTS, w, 4), "url", it->path, "name", it->name,
                     "keywords", words(it->keywords));
}

int sr_api_music_search(const sr_svc_cfg *cfg, const json_t *body, json_t **out, sr_err *err)
{
    music_query m;
    int rc = parse_music_query(body, &m, err);
    sr_library *lib = NULL;
    if (!rc) rc = open_lib(cfg->music_library, "music-library", &lib, err);
    if (rc) {
        music_query_free(&m);
        return rc;
    }
    sr_lib_item *it = NULL;
    int n = lib ? sr_library_search(lib, m.q, SR_LIB_AUDIO, NULL, NULL, SR_LIB_MAX_RESULTS, &it, err) : 0;
    int *keep = n > 0 ? malloc((size_t)n * sizeof *keep) : NULL, nk = 0;
    for (int i = 0; keep && i < n; i++)
        if (music_keep(&m, &it[i])) keep[nk++] = i;
    for (int i = nk - 1; m.shuffle && i > 0; i--) { /* "shuffle": a fresh order each time */
        int j = rand() % (i + 1), t = keep[i];
        keep[i] = keep[j];
        keep[j] = t;
    }
    json_t *items = json_array();
    for (int i = (m.page - 1) * m.page_size; items && i < nk && i < m.page * m.page_size; i++)
        if (json_array_append_new(items, music_item(&it[keep[i]]))) {
            json_decref(items);
            items = NULL;
        }
    free(keep);
    sr_library_items_free(it, n > 0 ? n : 0);
    sr_library_close(lib);
    music_query_free(&m);
    if (n < 0) {
        json_decref(items);
        return n;
    }
    if (n > 0 && !keep) {
        json_decref(items);
        items = NULL;
    }
    /* Pictory's body is {items, ...}; data.items for clients that read the envelope */
    *out = items ? json_pack("{s:b,s:O,s:i,s:i,s:i,s:{s:O,s:i,s:i,s:i}}", "success", 1, "items", items, "page",
                             m.page, "pageSize", m.page_size, "total", nk, "data", "items", items, "page",
                             m.page, "pageSize", m.page_size, "total", nk)
                 : NULL;
    json_decref(items);
    return *out ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
}

/* --- term lists -------------------------------------------------------------- */

static const struct {
    const char *name;
    int vocab; /* sr_music_vocab, or -1: the library's own words */
} term_lists[] = {
    {"moods", -1}, {"genres", -1}, {"purposes", SR_VOCAB_PURPOSES},
    {"instruments", SR_VOCAB_INSTRUMENTS}, {"genres/groups", SR_VOCAB_GENRE_GROUPS},
};

int sr_api_music_terms(const sr_svc_cfg *cfg, const char *which, json_t **out, sr_err *err)
{
    int li = -1;
    for (size_t i = 0; i < sizeof term_lists / sizeof term_lists[0]; i++)
        if (!strcmp(which, term_lists[i].name)) li = (int)i;
    if (li < 0) return sr_err_set(err, SR_ENOT_FOUND, "list", "no such music list");
    sr_library *lib;
    int rc;
    if ((rc = open_lib(cfg->music_library, "music-library", &lib, err))) return rc;
    json_t *data = json_array();
    if (term_lists[li].vocab < 0) {
        char **t = NULL;
        int n = lib ? sr_library_terms(lib, which, &t, err) : 0;
        for (int i = 0; i < n && data; i++)
            if (json_array_append_new(data, json_string(t[i]))) {
                json_decref(data);
                data = NULL;
            }
        if (n > 0) sr_library_terms_free(t, n);
        if (n < 0) rc = n;
    } else { /* the vocabulary's terms that some track of the library matches */
        sr_lib_item *it = NULL;
        int n = lib ? sr_library_search(lib, "", SR_LIB_AUDIO, NULL, NULL, SR_LIB_MAX_RESULTS, &it, err) : 0;
        for (const char *const *t = sr_music_vocab(term_lists[li].vocab); data && n >= 0 && *t; t++) {
            int hit = 0;
            for (int i = 0; i < n && !hit; i++) {
                const char *w[4] = {it[i].keywords, it[i].moods, it[i].genres, it[i].category};
                hit = sr_music_term_matches(*t, w, 4);
            }
            if (hit && json_array_append_new(data, json_string(*t))) {
                json_decref(data);
                data = NULL;
            }
        }
        sr_library_items_free(it, n > 0 ? n : 0);
        if (n < 0) rc = n;
    }
    sr_library_close(lib);
    if (rc) {
        json_decref(data);
        return rc;
    }
    *out = data; /* Pictory answers a bare list of names */
    return data ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
}
