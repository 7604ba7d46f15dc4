/* pick.c - visuals and music from the libraries (pick.h). */
#include "compiler/pick.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "compiler/fields.h"
#include "compiler/subs.h"
#include "library/library.h"

#define MAX_STORY_TERMS 24
#define CANDIDATES 10

struct sr_picker {
    const char *dir[2]; /* media, music */
    sr_library *lib[2];
    int tried[2];
    char palette[3][8]; /* brand colours as #RRGGBB; palette[0][0] 0: the default */
};

int sr_picker_create(const char *media_dir, const char *music_dir, sr_picker **out, sr_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    (*out)->dir[0] = media_dir;
    (*out)->dir[1] = music_dir;
    return 0;
}

void sr_picker_destroy(sr_picker *p)
{
    if (!p) return;
    for (int i = 0; i < 2; i++)
        sr_library_close(p->lib[i]);
    free(p);
}

/* The library k (0 media, 1 music), opened and refreshed once; NULL with
 * *rc 0 when there is none. */
static sr_library *lib_of(sr_picker *p, int k, const char *field, int *rc, sr_err *err)
{
    *rc = 0;
    if (!p || !p->dir[k]) return NULL;
    if (!p->tried[k]) {
        p->tried[k] = 1;
        sr_library *l = NULL;
        if ((*rc = sr_library_open(p->dir[k], NULL, field, &l, err))) return NULL;
        int n = sr_library_refresh(l, err);
        if (n < 0) {
            *rc = n;
            sr_library_close(l);
            return NULL;
        }
        p->lib[k] = l;
    }
    return p->lib[k];
}

int sr_pick_visual(sr_picker *p, const char *query, int mask, const char *avoid, int allow_avoid,
                   const char *field, char **path, int *kind, sr_err *err)
{
    int rc;
    *path = NULL;
    sr_library *l = lib_of(p, 0, field, &rc, err);
    if (!l) return rc;
    if (!query || !*query) return 0;
    sr_lib_item *it = NULL;
    int n = sr_library_search(l, query, mask, NULL, NULL, CANDIDATES, &it, err);
    if (n < 0) return n;
    int pick = -1;
    for (int i = 0; i < n && pick < 0; i++)
        if (!avoid || strcmp(it[i].path, avoid)) pick = i;
    if (pick < 0 && n > 0 && allow_avoid) pick = 0;
    if (pick >= 0) {
        *path = strdup(it[pick].path);
        *kind = it[pick].kind;
    }
    sr_library_items_free(it, n);
    if (pick >= 0 && !*path) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    return pick >= 0;
}

int sr_pick_music(sr_picker *p, const char *query, const char *mood, const char *field, char **path,
                  sr_err *err)
{
    int rc;
    *path = NULL;
    sr_library *l = lib_of(p, 1, field, &rc, err);
    if (!l) return rc;
    sr_lib_item *it = NULL;
    /* the mood is a filter when given; with no match under it, the query alone */
    int n = sr_library_search(l, query, SR_LIB_AUDIO, mood, NULL, 1, &it, err);
    if (n == 0 && query && *query && mood && *mood)
        n = sr_library_search(l, query, SR_LIB_AUDIO, NULL, NULL, 1, &it, err);
    if (n == 0 && mood && *mood)
        n = sr_library_search(l, mood, SR_LIB_AUDIO, NULL, NULL, 1, &it, err);
    if (n == 0 && (!query || !*query) && (!mood || !*mood))
        n = sr_library_search(l, "", SR_LIB_AUDIO, NULL, NULL, 1, &it, err);
    if (n <= 0) return n;
    *path = strdup(it[0].path);
    sr_library_items_free(it, n);
    return *path ? 1 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
}

char *sr_pick_story_query(const char *text)
{
    sr_buf b;
    sr_buf_init(&b, 4096);
    sr_buf_append(&b, "", 0);
    int terms = 0;
    const char *s = text ? text : "";
    while (*s && terms < MAX_STORY_TERMS) {
        while (*s && !isalpha((unsigned char)*s) && !((unsigned char)*s & 0x80))
            s++;
        const char *e = s;
        while (*e && (isalnum((unsigned char)*e) || ((unsigned char)*e & 0x80) || *e == '\''))
            e++;
        size_t n = (size_t)(e - s);
        if (n >= 3 && n < 48) {
            char w[56];
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (s[i] != '\'') w[k++] = (char)tolower((unsigned char)s[i]);
            w[k] = 0;
            /* "mountain's" -> "mountains": the stemmer matches either */
            char pad[64];
            snprintf(pad, sizeof pad, " %s ", w);
            char have[4096 + 2];
            snprintf(have, sizeof have, " %s ", b.p ? b.p : "");
            if (k >= 3 && !sr_subs_is_stopword(w) && !strstr(have, pad)) {
                if (b.len) sr_buf_append(&b, " ", 1);
                sr_buf_append(&b, w, k);
                terms++;
            }
        }
        s = e;
    }
    if (b.failed) {
        sr_buf_free(&b);
        return NULL;
    }
    char *r = strdup(b.p ? b.p : "");
    sr_buf_free(&b);
    return r;
}

int sr_picker_set_palette(sr_picker *p, const json_t *colors, const char *field, sr_err *err)
{
    char f[SR_FIELD_MAX];
    uint8_t rgba[3][4];
    size_t n = json_array_size(colors);
    if (!colors || json_is_null(colors) || (json_is_array(colors) && n == 0)) return 0;
    if (!json_is_array(colors) || n > 3)
        return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be a list of 1 to 3 colours", field);
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(colors, i));
        if (!s || sr_parse_color(s, rgba[i]))
            return sr_err_set(err, SR_EINVALID_FIELD, sr_fpath_idx(f, field, (int)i),
                              "%s must be a colour such as \"#1E3A8A\"", f);
    }
    for (size_t k = 0; k < 3; k++) {
        double scale = k < n ? 1.0 : ldexp(1.0, -(int)(k / n)); /* darker copies fill up to three */
        const uint8_t *c = rgba[k % n];
        snprintf(p->palette[k], sizeof p->palette[k], "#%02X%02X%02X", (unsigned)(c[0] * scale + 0.5),
                 (unsigned)(c[1] * scale + 0.5), (unsigned)(c[2] * scale + 0.5));
    }
    return 0;
}

json_t *sr_pick_gradient(const sr_picker *p, int i)
{
    static const char *const defaults[] = {"#1E2A78", "#6A3FA0", "#0F8B8D"};
    static const double angles[] = {135, 45, 315};
    const char *palette[3];
    for (int j = 0; j < 3; j++)
        palette[j] = p && p->palette[0][0] ? p->palette[j] : defaults[j];
    int k = i % 3;
    return json_pack("{s:s,s:[s,s,s],s:f,s:f}", "type", "gradient", "colors", palette[k],
                     palette[(k + 1) % 3], palette[(k + 2) % 3], "angle", angles[k], "motion", 6.0);
}

/* Appends a string or an array of 1..max strings at key to b. */
static int add_terms(const json_t *o, const char *key, const char *pfx, size_t max, sr_buf *b,
                     sr_err *err)
{
    char f[SR_FIELD_MAX];
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return 0;
    sr_fpath(f, pfx, key);
    if (json_is_string(v)) {
        if (json_string_length(v) > SR_LIB_MAX_QUERY)
            return sr_err_set(err, SR_ELIMIT, f, "%s is too long", f);
        if (b->len) sr_buf_append(b, " ", 1);
        sr_buf_append(b, json_string_value(v), json_string_length(v));
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > max)
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a list of 1 to %zu words", f, max);
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_string(e) || json_string_length(e) > 100)
            return sr_err_set(err, SR_EINVALID_FIELD, f,
                              "%s[%zu] must be a word (at most 100 bytes)", f, i);
        if (b->len) sr_buf_append(b, " ", 1);
        sr_buf_append(b, json_string_value(e), json_string_length(e));
    }
    return 0;
}

int sr_pick_filter_query(const json_t *sf, const char *field, char **query, sr_err *err)
{
    static const char *const keys[] = {"query", "keywords", "category"};
    sr_buf b;
    int rc = 0;
    *query = NULL;
    if (!json_is_object(sf))
        return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be an object", field);
    sr_buf_init(&b, 4 * SR_LIB_MAX_QUERY);
    for (size_t i = 0; i < 3 && !rc; i++) {
        const json_t *v = json_object_get(sf, keys[i]);
        char f[SR_FIELD_MAX];
        if (i != 1 && v && !json_is_null(v) && !json_is_string(v))
            rc = sr_err_set(err, SR_EINVALID_FIELD, sr_fpath(f, field, keys[i]),
                            "%s must be a string", f);
        else
            rc = add_terms(sf, keys[i], field, 10, &b, err);
    }
    if (!rc && !b.len)
        rc = sr_err_set(err, SR_EINVALID_FIELD, field, "%s needs a query, keywords or a category",
                        field);
    if (!rc && b.failed) rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    if (!rc && !(*query = strdup(b.p))) rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    sr_buf_free(&b);
    return rc;
}

int sr_pick_ai_query(const json_t *av, const char *field, char **query, sr_err *err)
{
    *query = NULL;
    if (!json_is_object(av)) return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be an object", field);
    const json_t *pr = json_object_get(av, "prompt"), *ms = json_object_get(av, "mediaStyle");
    char f[SR_FIELD_MAX];
    if (pr && !json_is_null(pr) && (!json_is_string(pr) || json_string_length(pr) > 500))
        return sr_err_set(err, SR_EINVALID_FIELD, sr_fpath(f, field, "prompt"), "%s must be a string of at most 500 bytes",
                          f);
    if (ms && !json_is_null(ms) && (!json_is_string(ms) || json_string_length(ms) > 100))
        return sr_err_set(err, SR_EINVALID_FIELD, sr_fpath(f, field, "mediaStyle"), "%s must be a string", f);
    const char *p = json_string_value(pr), *m = json_string_value(ms);
    if (!p || !*p) return 0;
    size_t n = strlen(p) + (m ? strlen(m) : 0) + 2;
    if (!(*query = malloc(n))) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    snprintf(*query, n, "%s%s%s", p, m ? " " : "", m ? m : "");
    return 0;
}

int sr_pick_auto_music(const json_t *am, const char *field, int *on, char **query, char **mood,
                       sr_err *err)
{
    *on = 0;
    *query = *mood = NULL;
    if (!am || json_is_null(am) || json_is_false(am)) return 0;
    *on = 1;
    if (json_is_true(am)) return 0;
    if (!json_is_object(am))
        return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be true or {keywords, mood}",
                          field);
    sr_buf b;
    sr_buf_init(&b, 4 * SR_LIB_MAX_QUERY);
    int rc = add_terms(am, "keywords", field, 10, &b, err);
    const char *m;
    if (!rc) rc = sr_fstr(am, "mood", field, 40, &m, err);
    if (!rc && b.len && !(*query = strdup(b.p)))
        rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    if (!rc && m && !(*mood = strdup(m))) rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    sr_buf_free(&b);
    if (rc) {
        free(*query);
        free(*mood);
        *query = *mood = NULL;
    }
    return rc;
}
