/* segkey.c - content keys of segments (see segkey.h). */
#include "render/segkey.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavutil/sha.h>

#include "common/util.h"
#include "render/text/fonts.h"

#define MEMO_MAX 4096 /* files remembered in memory */

typedef struct memo {
    char *path;
    long long size, mtime_ns;
    char hex[SR_SEGKEY_LEN + 1];
} memo;

struct sr_segkeys {
    pthread_mutex_t mu;
    char *memo_dir;
    memo *m;
    int n;
    char fonts[SR_SEGKEY_LEN + 1]; /* "" until computed */
};

static void to_hex(const uint8_t d[32], char hex[SR_SEGKEY_LEN + 1])
{
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void sha_str(const char *s, size_t n, char hex[SR_SEGKEY_LEN + 1])
{
    struct AVSHA *sha = av_sha_alloc();
    uint8_t d[32] = {0};
    if (sha) {
        av_sha_init(sha, 256);
        av_sha_update(sha, (const uint8_t *)s, n);
        av_sha_final(sha, d);
    }
    av_free(sha);
    to_hex(d, hex);
}

int sr_segkeys_create(sr_segkeys **out, const char *memo_dir, sr_err *err)
{
    sr_segkeys *k = calloc(1, sizeof *k);
    if (!k || (memo_dir && !(k->memo_dir = strdup(memo_dir)))) {
        free(k);
        return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    }
    if (k->memo_dir) mkdir(k->memo_dir, 0755);
    pthread_mutex_init(&k->mu, NULL);
    *out = k;
    return 0;
}

void sr_segkeys_destroy(sr_segkeys *k)
{
    if (!k) return;
    for (int i = 0; i < k->n; i++) free(k->m[i].path);
    free(k->m);
    free(k->memo_dir);
    pthread_mutex_destroy(&k->mu);
    free(k);
}

/* Hashes the bytes of path; -1 when it cannot be read. */
static int hash_content(const char *path, char hex[SR_SEGKEY_LEN + 1])
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    struct AVSHA *sha = av_sha_alloc();
    uint8_t buf[65536], d[32];
    size_t got;
    if (!sha) {
        fclose(f);
        return -1;
    }
    av_sha_init(sha, 256);
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) av_sha_update(sha, buf, got);
    int bad = ferror(f);
    fclose(f);
    av_sha_final(sha, d);
    av_free(sha);
    if (bad) return -1;
    to_hex(d, hex);
    return 0;
}

int sr_segkeys_file(sr_segkeys *k, const char *path, char hex[SR_SEGKEY_LEN + 1])
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        char s[SR_TL_MAX_PATH + 16];
        int n = snprintf(s, sizeof s, "missing:%s", path);
        sha_str(s, (size_t)(n < (int)sizeof s ? n : (int)sizeof s - 1), hex);
        return 0;
    }
    long long size = (long long)st.st_size, mt = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    pthread_mutex_lock(&k->mu);
    for (int i = 0; i < k->n; i++)
        if (k->m[i].size == size && k->m[i].mtime_ns == mt && !strcmp(k->m[i].path, path)) {
            memcpy(hex, k->m[i].hex, SR_SEGKEY_LEN + 1);
            pthread_mutex_unlock(&k->mu);
            return 0;
        }
    pthread_mutex_unlock(&k->mu);
    /* the folder memo: a file named by the hash of (path, size, mtime) */
    char id[SR_SEGKEY_LEN + 1], *mp = NULL;
    if (k->memo_dir) {
        char s[SR_TL_MAX_PATH + 64];
        int n = snprintf(s, sizeof s, "%s%c%lld%c%lld", path, 0, size, 0, mt);
        sha_str(s, (size_t)(n < (int)sizeof s ? n : (int)sizeof s - 1), id);
        size_t len = strlen(k->memo_dir) + SR_SEGKEY_LEN + 2;
        if ((mp = malloc(len))) snprintf(mp, len, "%s/%s", k->memo_dir, id);
    }
    char *txt = NULL;
    size_t tl = 0;
    sr_err e = {0};
    if (mp && !sr_read_file(mp, 128, &txt, &tl, &e) && tl == SR_SEGKEY_LEN) memcpy(hex, txt, SR_SEGKEY_LEN + 1);
    else if (hash_content(path, hex) != 0) {
        char s[SR_TL_MAX_PATH + 16];
        int n = snprintf(s, sizeof s, "unreadable:%s", path);
        sha_str(s, (size_t)(n < (int)sizeof s ? n : (int)sizeof s - 1), hex);
        free(txt);
        free(mp);
        return 0;
    } else if (mp)
        sr_write_file_atomic(mp, hex, SR_SEGKEY_LEN, &e);
    free(txt);
    free(mp);
    pthread_mutex_lock(&k->mu);
    if (k->n < MEMO_MAX) {
        memo *nm = realloc(k->m, sizeof *nm * (size_t)(k->n + 1));
        if (nm) {
            k->m = nm;
            if ((nm[k->n].path = strdup(path))) {
                nm[k->n].size = size;
                nm[k->n].mtime_ns = mt;
                memcpy(nm[k->n].hex, hex, SR_SEGKEY_LEN + 1);
                k->n++;
            }
        }
    }
    pthread_mutex_unlock(&k->mu);
    return 0;
}

/* ------------------------------------------------------------------ fonts */

/* Every file under dir (sorted, recursive): its relative name and content hash. */
static void hash_tree(sr_segkeys *k, struct AVSHA *sha, const char *dir, const char *rel, int depth)
{
    struct dirent **ents = NULL;
    int n = depth > 8 ? -1 : scandir(dir, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (nm[0] != '.') {
            char p[SR_TL_MAX_PATH], r[SR_TL_MAX_PATH];
            snprintf(p, sizeof p, "%s/%s", dir, nm);
            snprintf(r, sizeof r, "%s/%s", rel, nm);
            struct stat st;
            if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) hash_tree(k, sha, p, r, depth + 1);
            else if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                char hex[SR_SEGKEY_LEN + 1];
                sr_segkeys_file(k, p, hex);
                av_sha_update(sha, (const uint8_t *)r, strlen(r) + 1);
                av_sha_update(sha, (const uint8_t *)hex, SR_SEGKEY_LEN);
            }
        }
        free(ents[i]);
    }
    free(ents);
}

static void fonts_hash(sr_segkeys *k, char hex[SR_SEGKEY_LEN + 1])
{
    pthread_mutex_lock(&k->mu);
    int have = k->fonts[0] != 0;
    if (have) memcpy(hex, k->fonts, SR_SEGKEY_LEN + 1);
    pthread_mutex_unlock(&k->mu);
    if (have) return;
    struct AVSHA *sha = av_sha_alloc();
    uint8_t d[32] = {0};
    if (sha) {
        av_sha_init(sha, 256);
        const char *dir = sr_fonts_dir();
        if (dir) hash_tree(k, sha, dir, "", 0);
        av_sha_final(sha, d);
        av_free(sha);
    }
    to_hex(d, hex);
    pthread_mutex_lock(&k->mu);
    memcpy(k->fonts, hex, SR_SEGKEY_LEN + 1);
    pthread_mutex_unlock(&k->mu);
}

/* -------------------------------------------------------------------- key */

/* startTime / endTime anywhere in v, made relative to t0 (to the microsecond). */
static void relative_times(json_t *v, double t0)
{
    const char *key;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, key, x) {
            if ((!strcmp(key, "startTime") || !strcmp(key, "endTime")) && json_is_number(x))
                json_object_set_new(v, key, json_real(round((json_number_value(x) - t0) * 1e6) / 1e6));
            else relative_times(x, t0);
        }
    } else if (json_is_array(v))
        json_array_foreach(v, i, x) relative_times(x, t0);
}

/* The content hash of every "url" in v. */
static void hash_urls(sr_segkeys *k, struct AVSHA *sha, const json_t *v, const char *base_dir)
{
    const char *key;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, x) {
            if (!strcmp(key, "url") && json_is_string(x)) {
                char *p = sr_path_resolve(base_dir, json_string_value(x)), hex[SR_SEGKEY_LEN + 1];
                if (p) sr_segkeys_file(k, p, hex);
                else memset(hex, '0', sizeof hex);
                free(p);
                av_sha_update(sha, (const uint8_t *)"media:", 6);
                av_sha_update(sha, (const uint8_t *)hex, SR_SEGKEY_LEN);
            } else hash_urls(k, sha, x, base_dir);
        }
    } else if (json_is_array(v))
        json_array_foreach(v, i, x) hash_urls(k, sha, x, base_dir);
}

/* Adds o, without ids and scene indexes and with times relative to t0, as
 * canonical JSON (sorted keys), tagged with what and its slot. */
static int hash_item(struct AVSHA *sha, const char *what, int slot, const json_t *o, double t0)
{
    json_t *c = json_deep_copy(o);
    if (!c) return -1;
    json_object_del(c, "id");
    json_object_del(c, "sceneIndex");
    relative_times(c, t0);
    char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    json_decref(c);
    if (!s) return -1;
    char tag[48];
    int n = snprintf(tag, sizeof tag, "\n%s %d ", what, slot);
    av_sha_update(sha, (const uint8_t *)tag, (size_t)n);
    av_sha_update(sha, (const uint8_t *)s, strlen(s));
    free(s);
    return 0;
}

/* Whether [a, b) shows at some frame time in [t0, t1] (t1: the last frame's time). */
static int overlaps(double a, double b, double t0, double t1)
{
    return a <= t1 && b > t0;
}

static double num(const json_t *o, const char *k, double def)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : def;
}

int sr_segkey(sr_segkeys *k, const json_t *rp, const sr_timeline *tl, const char *base_dir, const sr_seg *sg,
              int threads, char hex[SR_SEGKEY_LEN + 1], sr_err *err)
{
    struct AVSHA *sha = av_sha_alloc();
    if (!sha) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    av_sha_init(sha, 256);
    double fps = (double)tl->fmt.fps_num / tl->fmt.fps_den;
    double t0 = sg->start / fps, t1 = (sg->start + sg->frames - 1) / fps;
    char head[512], fonts[SR_SEGKEY_LEN + 1];
    fonts_hash(k, fonts);
    int n = snprintf(head, sizeof head,
                     "%s|%s|%dx%d|%d/%d|fmt %d vc %d|crf %d|%s|bg %d,%d,%d,%d|threads %d|frames %lld|fonts %s",
                     SR_ENGINE_VERSION, LIBAVCODEC_IDENT, tl->w, tl->h, tl->fmt.fps_num, tl->fmt.fps_den,
                     tl->fmt.format, tl->fmt.vcodec, tl->crf, tl->preset, tl->bg[0], tl->bg[1], tl->bg[2], tl->bg[3],
                     threads, (long long)sg->frames, fonts);
    av_sha_update(sha, (const uint8_t *)head, (size_t)n);
    int rc = 0, first = -1;
    /* the scenes that show, in order; their slot is their place in the segment */
    const json_t *markers = json_object_get(rp, "sceneMarkers"), *els = json_object_get(rp, "elements"), *x;
    size_t i;
    for (int s = 0; s < tl->nscenes && !rc; s++) {
        const sr_scene *sc = &tl->scenes[s];
        if (!overlaps(sc->start, sc->start + sc->dur, t0, t1)) continue;
        if (first < 0) first = s;
        json_t *m = json_deep_copy(json_array_get(markers, (size_t)s));
        if (!m) m = json_object();
        if (!m) rc = -1;
        else {
            /* a transition counts only where it shows */
            if (!(s > 0 && sc->tdur > 0 && overlaps(sc->start, sc->start + sc->tdur, t0, t1))) {
                json_object_del(m, "transition");
                json_object_del(m, "transitionDuration");
            }
            rc = hash_item(sha, "scene", s - first, m, t0);
            json_decref(m);
        }
        json_array_foreach(els, i, x) {
            if (rc || (int)num(x, "sceneIndex", -1) != s) continue;
            const char *et = json_string_value(json_object_get(x, "elementType"));
            if (et && !strcmp(et, "audioElement")) continue;
            double st = num(x, "startTime", sc->start), du = num(x, "duration", sc->dur);
            if (!overlaps(st, st + du, t0, t1)) continue;
            if ((rc = hash_item(sha, "element", s - first, x, t0)) == 0) hash_urls(k, sha, x, base_dir);
        }
    }
    json_array_foreach(els, i, x) { /* the whole video's elements */
        if (rc || (int)num(x, "sceneIndex", -1) >= 0) continue;
        const char *et = json_string_value(json_object_get(x, "elementType"));
        if (et && !strcmp(et, "audioElement")) continue;
        double st = num(x, "startTime", 0), du = num(x, "duration", tl->duration);
        if (!overlaps(st, st + du, t0, t1)) continue;
        if ((rc = hash_item(sha, "global", 0, x, t0)) == 0) hash_urls(k, sha, x, base_dir);
    }
    json_array_foreach(json_object_get(rp, "subtitles"), i, x) {
        if (rc) break;
        if (!overlaps(num(x, "startTime", 0), num(x, "endTime", 0), t0, t1)) continue;
        rc = hash_item(sha, "cue", 0, x, t0);
    }
    uint8_t d[32];
    av_sha_final(sha, d);
    av_free(sha);
    if (rc) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    to_hex(d, hex);
    return 0;
}
