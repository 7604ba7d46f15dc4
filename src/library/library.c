/* library.c - the media library index (library.h): a folder walk, keyword
 * extraction from names and sidecars, and an SQLite FTS5 index. */
#include "library/library.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/util.h"
#include "render/media.h"

#define INDEX_NAME ".storyreel-index.sqlite"
#define SCHEMA_VERSION 1

const char *const sr_library_mood_words[] = {
    "happy",     "calm",          "sad",       "epic",       "upbeat",    "dramatic",
    "inspiring", "inspirational", "relaxing",  "relaxed",    "energetic", "dark",
    "romantic",  "playful",       "hopeful",   "mysterious", "uplifting", "chill",
    "peaceful",  "motivational",  "emotional", "suspense",   "tense",     "funny",
    "angry",     "dreamy",        "serious",   "bright",     NULL};

static const char *const genre_words[] = {
    "rock",      "pop",     "jazz",  "classical", "electronic", "ambient", "acoustic",
    "cinematic", "hiphop",  "folk",  "piano",     "orchestral", "lofi",    "corporate",
    "blues",     "country", "funk",  "reggae",    "edm",        "house",   "techno",
    "soul",      "metal",   "indie", "world",     "latin",      NULL};

/* Extensions by kind: a table, not code. */
static const struct {
    const char *ext;
    int kind;
} exts[] = {
    {"jpg", SR_LIB_IMAGE},  {"jpeg", SR_LIB_IMAGE}, {"png", SR_LIB_IMAGE}, {"webp", SR_LIB_IMAGE},
    {"bmp", SR_LIB_IMAGE},  {"gif", SR_LIB_IMAGE},  {"mp4", SR_LIB_VIDEO}, {"mov", SR_LIB_VIDEO},
    {"webm", SR_LIB_VIDEO}, {"mkv", SR_LIB_VIDEO},  {"m4v", SR_LIB_VIDEO}, {"mp3", SR_LIB_AUDIO},
    {"wav", SR_LIB_AUDIO},  {"ogg", SR_LIB_AUDIO},  {"m4a", SR_LIB_AUDIO}, {"flac", SR_LIB_AUDIO},
    {"aac", SR_LIB_AUDIO},  {"opus", SR_LIB_AUDIO},
};

struct sr_library {
    char dir[PATH_MAX];
    sqlite3 *db;
    int nfiles; /* files seen by the current refresh */
    sr_err *err;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS item(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, kind "
    "INTEGER NOT NULL,"
    " mtime INTEGER NOT NULL, size INTEGER NOT NULL, width INTEGER, height INTEGER, duration REAL,"
    " keywords TEXT, description TEXT, category TEXT, moods TEXT, genres TEXT, seen INTEGER "
    "DEFAULT 0);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS item_fts USING fts5(keywords, description, category, "
    "moods, genres,"
    " tokenize='porter unicode61');";

static int db_err(sr_library *lib, sr_err *err, const char *what)
{
    return sr_err_set(err, SR_EDB, lib->dir, "media library %s: %s: %s", lib->dir, what,
                      sqlite3_errmsg(lib->db));
}

/* The index of a read-only library: CACHE/library-HASH.sqlite where CACHE is
 * $STORYREEL_CACHE, else $XDG_CACHE_HOME/storyreel, else ~/.cache/storyreel
 * (made if missing). -1 when there is no such folder. */
static int fallback_index(const char *real, char *out, size_t n)
{
    const char *c = getenv("STORYREEL_CACHE"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    char base[PATH_MAX];
    if (c && *c)
        snprintf(base, sizeof base, "%s", c);
    else if (x && *x)
        snprintf(base, sizeof base, "%s/storyreel", x);
    else if (h && *h) {
        snprintf(base, sizeof base, "%s/.cache", h);
        mkdir(base, 0755);
        snprintf(base, sizeof base, "%s/.cache/storyreel", h);
    } else
        return -1;
    mkdir(base, 0755);
    uint64_t hash = 1469598103934665603ull; /* FNV-1a of the library's path */
    for (const char *p = real; *p; p++)
        hash = (hash ^ (unsigned char)*p) * 1099511628211ull;
    return (size_t)snprintf(out, n, "%s/library-%016llx.sqlite", base, (unsigned long long)hash) < n
               ? 0
               : -1;
}

int sr_library_open(const char *dir, const char *index_path, const char *field, sr_library **out,
                    sr_err *err)
{
    struct stat st;
    char real[PATH_MAX];
    *out = NULL;
    if (!dir || !realpath(dir, real) || stat(real, &st) || !S_ISDIR(st.st_mode))
        return sr_err_set(err, SR_EMEDIA_NOT_FOUND, field ? field : "library",
                          "the media library %s is not a folder", dir ? dir : "(none)");
    sr_library *lib = calloc(1, sizeof *lib);
    if (!lib) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    snprintf(lib->dir, sizeof lib->dir, "%s", real);
    char ip[PATH_MAX + 64];
    if (index_path)
        snprintf(ip, sizeof ip, "%s", index_path);
    else if (access(real, W_OK) == 0 || fallback_index(real, ip, sizeof ip))
        snprintf(ip, sizeof ip, "%s/" INDEX_NAME, real);
    int rc = 0;
    if (sqlite3_open_v2(ip, &lib->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = sr_err_set(err, SR_EDB, field ? field : "library",
                        "cannot open the library index %s: %s", ip,
                        lib->db ? sqlite3_errmsg(lib->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(lib->db, 10000);
    char *msg = NULL;
    if (sqlite3_exec(lib->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        rc = sr_err_set(err, SR_EDB, field ? field : "library",
                        "cannot create the library index %s: %s", ip, msg ? msg : "?");
        sqlite3_free(msg);
        goto fail;
    }
    *out = lib;
    return 0;
fail:
    sr_library_close(lib);
    return rc;
}

void sr_library_close(sr_library *lib)
{
    if (!lib) return;
    sqlite3_close(lib->db);
    free(lib);
}

const char *sr_library_dir(const sr_library *lib)
{
    return lib->dir;
}

/* ------------------------------------------------------------- keywords */

static int in_list(const char *w, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(w, list[i])) return 1;
    return 0;
}

/* Appends the words of s (split at anything not a letter or digit; lowered;
 * pure numbers and one-letter words skipped) to b, and the mood and genre
 * words among them to moods / genres (when not NULL). */
static void add_words(sr_buf *b, sr_buf *moods, sr_buf *genres, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && !isalnum((unsigned char)s[i]) && !((unsigned char)s[i] & 0x80))
            i++;
        size_t j = i;
        int digits = 1;
        while (j < n && (isalnum((unsigned char)s[j]) || ((unsigned char)s[j] & 0x80))) {
            if (!isdigit((unsigned char)s[j])) digits = 0;
            j++;
        }
        if (j - i >= 2 && !digits && j - i < 64) {
            char w[64];
            for (size_t k = i; k < j; k++)
                w[k - i] = (char)tolower((unsigned char)s[k]);
            w[j - i] = 0;
            if (b->len) sr_buf_append(b, " ", 1);
            sr_buf_append(b, w, j - i);
            if (moods && in_list(w, sr_library_mood_words)) {
                if (moods->len) sr_buf_append(moods, " ", 1);
                sr_buf_append(moods, w, j - i);
            }
            if (genres && in_list(w, genre_words)) {
                if (genres->len) sr_buf_append(genres, " ", 1);
                sr_buf_append(genres, w, j - i);
            }
        }
        i = j;
    }
}

/* Appends a sidecar value (a string or an array of strings) as words. */
static void add_json_words(sr_buf *b, const json_t *v)
{
    if (json_is_string(v))
        add_words(b, NULL, NULL, json_string_value(v), json_string_length(v));
    else if (json_is_array(v))
        for (size_t i = 0; i < json_array_size(v) && i < 100; i++) {
            const json_t *e = json_array_get(v, i);
            if (json_is_string(e))
                add_words(b, NULL, NULL, json_string_value(e), json_string_length(e));
        }
}

/* The sidecar of full path p: STEM.json, else NAME.json. Fills sc (path)
 * and *st; returns 1 when one exists. */
static int sidecar_of(const char *p, char *sc, size_t n, struct stat *st)
{
    const char *dot = strrchr(p, '.'), *slash = strrchr(p, '/');
    if (dot && (!slash || dot > slash)) {
        snprintf(sc, n, "%.*s.json", (int)(dot - p), p);
        if (!stat(sc, st) && S_ISREG(st->st_mode)) return 1;
    }
    snprintf(sc, n, "%s.json", p);
    return !stat(sc, st) && S_ISREG(st->st_mode);
}

/* ---------------------------------------------------------------- refresh */

static int kind_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (!strcasecmp(dot + 1, exts[i].ext)) return exts[i].kind;
    return 0;
}

/* Indexes one file (rel: path relative to the root) if new or changed. */
static int index_file(sr_library *lib, const char *full, const char *rel, int kind,
                      const struct stat *fst, sr_err *err)
{
    char sc[PATH_MAX + 8];
    struct stat sst;
    int has_sc = sidecar_of(full, sc, sizeof sc, &sst);
    long long mtime = (long long)fst->st_mtime, size = (long long)fst->st_size;
    if (has_sc) {
        if ((long long)sst.st_mtime > mtime) mtime = (long long)sst.st_mtime;
        size += (long long)sst.st_size << 32;
    }
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(lib->db, "SELECT id FROM item WHERE name=?1 AND mtime=?2 AND size=?3",
                           -1, &q, NULL))
        return db_err(lib, err, "query");
    sqlite3_bind_text(q, 1, rel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, mtime);
    sqlite3_bind_int64(q, 3, size);
    if (sqlite3_step(q) == SQLITE_ROW) { /* unchanged */
        sqlite3_int64 id = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        char sql[96];
        snprintf(sql, sizeof sql, "UPDATE item SET seen=1 WHERE id=%lld", (long long)id);
        return sqlite3_exec(lib->db, sql, NULL, NULL, NULL) ? db_err(lib, err, "update") : 0;
    }
    sqlite3_finalize(q);

    sr_media_info mi = {0};
    sr_err pe = {0};
    int expect = kind == SR_LIB_AUDIO   ? SR_MEDIA_AUDIO
                 : kind == SR_LIB_IMAGE ? SR_MEDIA_IMAGE
                                        : SR_MEDIA_VIDEO;
    if (sr_media_probe(full, expect, rel, &mi, &pe)) return 0; /* not usable: left out */
    if (kind != SR_LIB_AUDIO) kind = mi.is_image ? SR_LIB_IMAGE : SR_LIB_VIDEO;

    sr_buf kw, desc, cat, moods, genres;
    sr_buf_init(&kw, 16384);
    sr_buf_init(&desc, 16384);
    sr_buf_init(&cat, 1024);
    sr_buf_init(&moods, 4096);
    sr_buf_init(&genres, 4096);
    int audio = kind == SR_LIB_AUDIO;
    /* the file name without its extension, then the folders */
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    const char *dot = strrchr(base, '.');
    add_words(&kw, audio ? &moods : NULL, audio ? &genres : NULL, base,
              dot ? (size_t)(dot - base) : strlen(base));
    if (base != rel) {
        add_words(&kw, audio ? &moods : NULL, audio ? &genres : NULL, rel, (size_t)(base - rel));
        const char *sl = strchr(rel, '/');
        add_words(&cat, NULL, NULL, rel, (size_t)(sl - rel));
    }
    if (has_sc) {
        char *txt = NULL;
        size_t len = 0;
        sr_err ie = {0};
        if (!sr_read_file(sc, SR_LIB_SIDECAR_MAX, &txt, &len, &ie)) {
            json_t *j = json_loadb(txt, len, 0, NULL);
            if (json_is_object(j)) {
                add_json_words(&kw, json_object_get(j, "keywords"));
                add_json_words(&kw, json_object_get(j, "tags"));
                const json_t *d = json_object_get(j, "description");
                if (json_is_string(d))
                    sr_buf_append(&desc, json_string_value(d), json_string_length(d));
                const json_t *c = json_object_get(j, "category");
                if (json_is_string(c)) {
                    cat.len = 0;
                    add_words(&cat, NULL, NULL, json_string_value(c), json_string_length(c));
                }
                add_json_words(&moods, json_object_get(j, "moods"));
                add_json_words(&moods, json_object_get(j, "mood"));
                add_json_words(&genres, json_object_get(j, "genres"));
                add_json_words(&genres, json_object_get(j, "genre"));
            }
            json_decref(j);
        }
        free(txt);
    }
    if (kw.failed || desc.failed || cat.failed || moods.failed || genres.failed) {
        rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
        goto done;
    }
#define S(b) ((b).p ? (b).p : "")
    static const char *const sql[] = {
        "DELETE FROM item_fts WHERE rowid IN (SELECT id FROM item WHERE name=?1)",
        "DELETE FROM item WHERE name=?1",
        ("INSERT INTO "
         "item(name,kind,mtime,size,width,height,duration,keywords,description,category,moods,"
         "genres,seen)"
         " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,1)"),
        ("INSERT INTO item_fts(rowid,keywords,description,category,moods,genres)"
         " VALUES(last_insert_rowid(),?8,?9,?10,?11,?12)"),
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0] && !rc; i++) {
        if (sqlite3_prepare_v2(lib->db, sql[i], -1, &q, NULL)) {
            rc = db_err(lib, err, "index");
            break;
        }
        int np = sqlite3_bind_parameter_count(q);
        for (int k = 1; k <= np; k++) {
            const char *pn = sqlite3_bind_parameter_name(q, k);
            int n = pn ? atoi(pn + 1) : k;
            switch (n) {
            case 1:
                sqlite3_bind_text(q, k, rel, -1, SQLITE_STATIC);
                break;
            case 2:
                sqlite3_bind_int(q, k, kind);
                break;
            case 3:
                sqlite3_bind_int64(q, k, mtime);
                break;
            case 4:
                sqlite3_bind_int64(q, k, size);
                break;
            case 5:
                sqlite3_bind_int(q, k, mi.width);
                break;
            case 6:
                sqlite3_bind_int(q, k, mi.height);
                break;
            case 7:
                sqlite3_bind_double(q, k, mi.duration);
                break;
            case 8:
                sqlite3_bind_text(q, k, S(kw), -1, SQLITE_STATIC);
                break;
            case 9:
                sqlite3_bind_text(q, k, S(desc), -1, SQLITE_STATIC);
                break;
            case 10:
                sqlite3_bind_text(q, k, S(cat), -1, SQLITE_STATIC);
                break;
            case 11:
                sqlite3_bind_text(q, k, S(moods), -1, SQLITE_STATIC);
                break;
            default:
                sqlite3_bind_text(q, k, S(genres), -1, SQLITE_STATIC);
                break;
            }
        }
        if (sqlite3_step(q) != SQLITE_DONE) rc = db_err(lib, err, "index");
        sqlite3_finalize(q);
    }
#undef S
done:
    sr_buf_free(&kw);
    sr_buf_free(&desc);
    sr_buf_free(&cat);
    sr_buf_free(&moods);
    sr_buf_free(&genres);
    return rc;
}

static int walk(sr_library *lib, const char *full, const char *rel, int depth, sr_err *err)
{
    DIR *d = opendir(full);
    if (!d) return 0; /* unreadable folder: skipped */
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* hidden files, the index itself */
        char fp[PATH_MAX], rp[PATH_MAX];
        if ((size_t)snprintf(fp, sizeof fp, "%s/%s", full, e->d_name) >= sizeof fp) continue;
        snprintf(rp, sizeof rp, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat st;
        if (lstat(fp, &st)) continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < SR_LIB_MAX_DEPTH) rc = walk(lib, fp, rp, depth + 1, err);
            continue;
        }
        int kind = S_ISREG(st.st_mode) ? kind_of(e->d_name) : 0;
        if (!kind) continue;
        if (++lib->nfiles > SR_LIB_MAX_FILES) {
            rc = sr_err_set(err, SR_ELIMIT, lib->dir, "the media library %s has more than %d files",
                            lib->dir, SR_LIB_MAX_FILES);
            break;
        }
        rc = index_file(lib, fp, rp, kind, &st, err);
    }
    closedir(d);
    return rc;
}

int sr_library_refresh(sr_library *lib, sr_err *err)
{
    if (sqlite3_exec(lib->db, "BEGIN IMMEDIATE; UPDATE item SET seen=0;", NULL, NULL, NULL))
        return db_err(lib, err, "refresh");
    lib->nfiles = 0;
    int rc = walk(lib, lib->dir, "", 0, err);
    if (!rc &&
        sqlite3_exec(lib->db,
                     "DELETE FROM item_fts WHERE rowid IN (SELECT id FROM item WHERE seen=0);"
                     "DELETE FROM item WHERE seen=0; COMMIT;",
                     NULL, NULL, NULL))
        rc = db_err(lib, err, "refresh");
    if (rc) {
        sqlite3_exec(lib->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    sqlite3_stmt *q = NULL;
    int n = 0;
    if (!sqlite3_prepare_v2(lib->db, "SELECT count(*) FROM item", -1, &q, NULL) &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return n;
}

/* ----------------------------------------------------------------- search */

/* An FTS5 query from free text: each word quoted, OR'ed. "" when no words. */
static void fts_query(const char *text, sr_buf *b)
{
    sr_buf w;
    sr_buf_init(&w, 4 * SR_LIB_MAX_QUERY);
    add_words(&w, NULL, NULL, text, strnlen(text, SR_LIB_MAX_QUERY));
    const char *p = w.p ? w.p : "";
    int words = 0;
    while (*p && words < 32) {
        size_t n = strcspn(p, " ");
        if (words++) sr_buf_append(b, " OR ", 4);
        sr_buf_append(b, "\"", 1);
        sr_buf_append(b, p, n);
        sr_buf_append(b, "\"", 1);
        p += n;
        while (*p == ' ')
            p++;
    }
    sr_buf_free(&w);
}

static char *col_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *s = sqlite3_column_text(q, i);
    return strdup(s ? (const char *)s : "");
}

int sr_library_search(sr_library *lib, const char *query, int mask, const char *mood,
                      const char *genre, int limit, sr_lib_item **out, sr_err *err)
{
    *out = NULL;
    if (limit <= 0) return 0;
    if (limit > SR_LIB_MAX_RESULTS) limit = SR_LIB_MAX_RESULTS;
    sr_buf fq;
    sr_buf_init(&fq, 16 * SR_LIB_MAX_QUERY);
    fts_query(query ? query : "", &fq);
    int has_q = fq.len > 0;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT i.name, i.kind, i.keywords, i.description, i.category, i.moods, i.genres, "
             "i.width, i.height,"
             " i.duration, %s FROM %s WHERE (i.kind & ?2) != 0"
             " AND (?3 IS NULL OR (' ' || i.moods || ' ') LIKE ('%% ' || ?3 || ' %%'))"
             " AND (?4 IS NULL OR (' ' || i.genres || ' ') LIKE ('%% ' || ?4 || ' %%'))"
             " %s ORDER BY 11 DESC, i.name LIMIT ?5",
             has_q ? "-bm25(item_fts, 10.0, 2.0, 5.0, 5.0, 3.0)" : "0.0",
             has_q ? "item_fts JOIN item i ON i.id = item_fts.rowid" : "item i",
             has_q ? "AND item_fts MATCH ?1" : "AND ?1 IS NULL");
    sqlite3_stmt *q = NULL;
    int n = 0, rc = 0;
    sr_lib_item *items = NULL;
    if (sqlite3_prepare_v2(lib->db, sql, -1, &q, NULL)) {
        rc = db_err(lib, err, "search");
        goto done;
    }
    if (has_q) sqlite3_bind_text(q, 1, fq.p, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, mask);
    if (mood && *mood) sqlite3_bind_text(q, 3, mood, -1, SQLITE_TRANSIENT);
    if (genre && *genre) sqlite3_bind_text(q, 4, genre, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 5, limit);
    items = calloc((size_t)limit, sizeof *items);
    if (!items) {
        rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
        goto done;
    }
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW && n < limit) {
        sr_lib_item *it = &items[n++];
        const char *name = (const char *)sqlite3_column_text(q, 0);
        it->name = strdup(name ? name : "");
        if (it->name && asprintf(&it->path, "%s/%s", lib->dir, it->name) < 0) it->path = NULL;
        it->kind = sqlite3_column_int(q, 1);
        it->keywords = col_dup(q, 2);
        it->description = col_dup(q, 3);
        it->category = col_dup(q, 4);
        it->moods = col_dup(q, 5);
        it->genres = col_dup(q, 6);
        it->width = sqlite3_column_int(q, 7);
        it->height = sqlite3_column_int(q, 8);
        it->duration = sqlite3_column_double(q, 9);
        it->score = sqlite3_column_double(q, 10);
        if (!it->name || !it->path || !it->keywords || !it->description || !it->category ||
            !it->moods || !it->genres) {
            rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
            goto done;
        }
    }
    if (s != SQLITE_ROW && s != SQLITE_DONE) rc = db_err(lib, err, "search");
done:
    sqlite3_finalize(q);
    sr_buf_free(&fq);
    if (rc || !n) {
        sr_library_items_free(items, n);
        return rc;
    }
    *out = items;
    return n;
}

void sr_library_items_free(sr_lib_item *items, int n)
{
    if (!items) return;
    for (int i = 0; i < n; i++) {
        free(items[i].path);
        free(items[i].name);
        free(items[i].keywords);
        free(items[i].description);
        free(items[i].category);
        free(items[i].moods);
        free(items[i].genres);
    }
    free(items);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sr_library_terms(sr_library *lib, const char *which, char ***out, sr_err *err)
{
    *out = NULL;
    int col = !strcmp(which, "moods") ? 0 : !strcmp(which, "genres") ? 1 : -1;
    if (col < 0) return sr_err_set(err, SR_EINVALID_FIELD, which, "no such term list: %s", which);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(lib->db,
                           col ? "SELECT genres FROM item WHERE kind=4"
                               : "SELECT moods FROM item WHERE kind=4",
                           -1, &q, NULL))
        return db_err(lib, err, "terms");
    char **t = NULL;
    int n = 0, cap = 0, rc = 0;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(q, 0);
        while (s && *s && !rc) {
            size_t len = strcspn(s, " ");
            int dup = 0;
            for (int i = 0; i < n && !dup; i++)
                dup = strlen(t[i]) == len && !strncmp(t[i], s, len);
            if (!dup && len && n < 1000) {
                if (n == cap) {
                    char **nt = realloc(t, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *t);
                    if (!nt)
                        rc = SR_ENOMEM;
                    else
                        t = nt;
                }
                if (!rc && !(t[n++] = strndup(s, len))) rc = SR_ENOMEM;
            }
            s += len;
            while (*s == ' ')
                s++;
        }
    }
    sqlite3_finalize(q);
    if (rc) {
        sr_library_terms_free(t, n);
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    if (n) qsort(t, (size_t)n, sizeof *t, cmp_str);
    *out = t;
    return n;
}

void sr_library_terms_free(char **terms, int n)
{
    for (int i = 0; terms && i < n; i++)
        free(terms[i]);
    free(terms);
}
