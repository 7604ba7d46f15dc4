/* media.c - resolving a job's media references to local files before the
 * compiler (which refuses URLs) and the engine see them.
 *
 * Kinds of reference, in the order they are tried:
 *   this server's upload URL (PUBLIC/files/...)  the uploaded file, if the account's (in a fleet:
 *                                                any API node's URL of one of its uploads)
 *   http(s)://...                                fetched into cache/fetch/<account>/<sha256(url)>
 *   files/... or cache/... (timelines only)      that key's file, if the account's (below)
 *   file://PATH, /abs/path, rel/path             must resolve under a --media-root
 * Network fetches go through the one network guard (netguard.c): addresses
 * that are not globally reachable are refused unless allowed.
 *
 * Isolation: a key under DATA is usable only by its owner. files/<r>/<name>
 * must be an upload of the job's account; cache/fetch/<account>/... only by
 * that account (the fetch cache is per account: a URL's bytes are what this
 * account fetched, never another account's copy of a URL that needs
 * credentials or has since changed); cache/tts/... is shared (speech is
 * keyed by engine, voice, speed and text, which the requester already has,
 * and verified against that text when read); any other key is refused. Paths
 * that resolve into DATA (absolute, or through a media root) are judged as
 * their key. sr_media_check_refs applies the same rules at submission.
 *
 * Keys name files of the storage (files.c): a key's file is read at
 * local_root/KEY, fetched from the storage first when it is remote (S3);
 * a URL fetched here is put into the storage's fetch cache for the other
 * nodes. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "common/err.h"
#include "jobs/jobs.h"

#define FETCH_TIMEOUT_S 120L
#define MAX_URL_LEN 4096
#define MAX_DEPTH 32

/* Keys whose string values are media references. */
static const char *const media_keys[] = {"visualUrl", "musicUrl", "voiceUrl", "audioUrl", "videoUrl",
                                         "fontUrl", "url"};

/* --------------------------------------------------------------- fetch */

typedef struct fetch_sink {
    FILE *f;
    int64_t got, max;
} fetch_sink;

static size_t sink_write(char *p, size_t sz, size_t n, void *ud)
{
    fetch_sink *s = ud;
    size_t len = sz * n;
    if (s->got + (int64_t)len > s->max) return 0; /* aborts the transfer */
    s->got += (int64_t)len;
    return fwrite(p, 1, len, s->f);
}

/* The file name extension of url's path (".png"), or "" (bounded, safe chars). */
static void url_ext(const char *url, char ext[12])
{
    ext[0] = 0;
    const char *end = url + strcspn(url, "?#");
    const char *dot = NULL;
    for (const char *p = url; p < end; p++) {
        if (*p == '/') dot = NULL;
        else if (*p == '.') dot = p;
    }
    if (!dot || end - dot > 10) return;
    int n = 0;
    for (const char *p = dot; p < end; p++) {
        char ch = *p;
        if (!(ch == '.' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) {
            ext[0] = 0;
            return;
        }
        ext[n++] = ch;
    }
    ext[n] = 0;
}

static int fetch_url(const sr_media_ctx *m, const char *url, const char *field, char **out, sr_err *err)
{
    char hash[65], ext[12], key[200], path[1400], tmp[1500];
    sr_sha256_hex(url, strlen(url), hash);
    url_ext(url, ext);
    snprintf(key, sizeof key, "cache/fetch/%s/%s%s", m->account, hash, ext);
    sr_err fe = {0};
    int frc = sr_files_fetch(m->cfg, key, path, sizeof path, &fe); /* here, or fetched by another node */
    if (frc == 0) goto done;
    if (frc != SR_ENOT_FOUND) return sr_err_set(err, frc, field, "%s", fe.msg);
    if (sr_files_mkdirs(path, err)) return sr_err_set(err, SR_EIO, field, "cannot write the media cache");
    snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
    fetch_sink sink = {.f = fopen(tmp, "wb"), .max = m->cfg->max_fetch};
    if (!sink.f) return sr_err_set(err, SR_EIO, field, "cannot write the media cache: %s", strerror(errno));
    CURL *h = curl_easy_init();
    if (!h) {
        fclose(sink.f);
        unlink(tmp);
        return sr_err_set(err, SR_ENOMEM, field, "out of memory");
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    sr_net_guard guard;
    sr_net_guard_init(&guard, m->cfg->allow_private_media, m->cfg->allow_private_addrs);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, FETCH_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)m->cfg->max_fetch);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "storyreel/1");
    sr_net_guard_install(h, &guard);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    int wrote = fclose(sink.f) == 0;
    if (cc != CURLE_OK || !wrote) {
        unlink(tmp);
        if (guard.refused)
            return sr_err_set(err, SR_EFORBIDDEN, field,
                              "%s leads to %s, which is not a globally reachable address (%s); see "
                              "--allow-private-media", url, guard.refused_addr, guard.refused_range);
        if (cc == CURLE_OPERATION_TIMEDOUT) return sr_err_set(err, SR_ETIMEOUT, field, "fetching %s timed out", url);
        if (cc == CURLE_FILESIZE_EXCEEDED || cc == CURLE_WRITE_ERROR)
            return sr_err_set(err, SR_ELIMIT, field, "%s is larger than %lld bytes", url,
                              (long long)m->cfg->max_fetch);
        return sr_err_set(err, SR_EFETCH, field, "%s could not be fetched: %s", url,
                          ebuf[0] ? ebuf : curl_easy_strerror(cc));
    }
    if (rename(tmp, path)) {
        unlink(tmp);
        return sr_err_set(err, SR_EIO, field, "cannot write the media cache: %s", strerror(errno));
    }
    if (sr_files_publish(m->cfg, key, path, 1, &fe)) return sr_err_set(err, SR_EIO, field, "%s", fe.msg);
done:
    *out = strdup(path);
    return *out ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
}

/* ---------------------------------------------------------- local paths */

/* 1 when path (resolved) is root itself or lies under it. */
static int under(const char *path, const char *root)
{
    size_t n = strlen(root);
    return !strncmp(path, root, n) && (path[n] == '/' || path[n] == 0 || (n == 1 && root[0] == '/'));
}

/* A key under DATA ("files/..", "cache/..") without ".." segments. */
static int data_key_ok(const char *k)
{
    if (strncmp(k, "files/", 6) && strncmp(k, "cache/", 6)) return 0;
    for (const char *p = k; *p; p++)
        if (p[0] == '.' && p[1] == '.' && (p == k || p[-1] == '/') && (p[2] == '/' || p[2] == 0)) return 0;
    return 1;
}

/* Checks that the account of m may use key (the rules at the top); with out
 * NULL (submission) only ownership is checked, else also that the file is
 * there (and the upload finished), and *out gets its absolute path. */
static int data_ref(const sr_media_ctx *m, const char *key, const char *field, char **out, sr_err *err)
{
    if (!data_key_ok(key)) return sr_err_set(err, SR_EFORBIDDEN, field, "media key %s is not allowed", key);
    if (!strncmp(key, "files/", 6)) {
        sr_upload u;
        sr_err fe = {0};
        int frc = m->ops->upload_find_key(m->st, m->account, key, &u, &fe);
        if (frc == SR_ENOT_FOUND)
            return sr_err_set(err, SR_EFORBIDDEN, field, "%s is not an upload of this account", key);
        if (frc) return sr_err_set(err, frc, field, "%s", fe.msg);
        if (out && !u.done_ms) return sr_err_set(err, SR_EMEDIA_NOT_FOUND, field, "no uploaded media at %s", key);
    } else if (!strncmp(key, "cache/fetch/", 12)) {
        size_t al = strlen(m->account);
        if (strncmp(key + 12, m->account, al) || key[12 + al] != '/')
            return sr_err_set(err, SR_EFORBIDDEN, field, "%s is not in this account's media cache", key);
    } else if (strncmp(key, "cache/tts/", 10)) {
        return sr_err_set(err, SR_EFORBIDDEN, field, "media key %s is not allowed", key);
    }
    if (!out) return 0;
    char path[PATH_MAX * 2];
    sr_err ge = {0};
    int grc = sr_files_fetch(m->cfg, key, path, sizeof path, &ge);
    if (grc == SR_ENOT_FOUND) return sr_err_set(err, SR_EMEDIA_NOT_FOUND, field, "media file %s was not found", key);
    if (grc) return sr_err_set(err, grc, field, "%s", ge.msg);
    *out = strdup(path);
    return *out ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
}

/* The root (DATA or local_root) that path lies under, or NULL. */
static const char *data_root(const sr_media_ctx *m, const char *path)
{
    if (under(path, m->cfg->data)) return m->cfg->data;
    return m->cfg->local_root[0] && under(path, m->cfg->local_root) ? m->cfg->local_root : NULL;
}

/* A path under DATA or local_root (resolved) judged as its key. */
static int data_abs(const sr_media_ctx *m, const char *path, const char *field, char **out, sr_err *err)
{
    size_t n = strlen(data_root(m, path));
    if (!path[n]) return sr_err_set(err, SR_EFORBIDDEN, field, "the data folder is not a media file");
    return data_ref(m, path + n + 1, field, out, err);
}

/* A local path: under a media root (and, when it resolves into DATA, by the
 * rules of its key). With out NULL only the DATA case is checked. */
static int local_path(const sr_media_ctx *m, const char *p, const char *field, char **out, sr_err *err)
{
    char joined[PATH_MAX * 2], real[PATH_MAX];
    if (!m->cfg->n_media_roots) {
        if (!out) return 0;
        return sr_err_set(err, SR_EFORBIDDEN, field,
                          "local media paths are not allowed: this server has no --media-root (%s)", p);
    }
    if (p[0] == '/') snprintf(joined, sizeof joined, "%s", p);
    else snprintf(joined, sizeof joined, "%s/%s", m->cfg->media_roots[0], p);
    if (!realpath(joined, real))
        return out ? sr_err_set(err, SR_EMEDIA_NOT_FOUND, field, "media file %s was not found", p) : 0;
    if (data_root(m, real)) return data_abs(m, real, field, out, err);
    if (!out) return 0;
    for (int i = 0; i < m->cfg->n_media_roots; i++)
        if (under(real, m->cfg->media_roots[i])) {
            *out = strdup(real);
            return *out ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
        }
    return sr_err_set(err, SR_EFORBIDDEN, field, "media path %s lies outside the media roots", p);
}

/* Resolves one reference v (out NULL: checks ownership only, fetching nothing). */
static int resolve_one(const sr_media_ctx *m, const char *v, int timeline, const char *field, char **out,
                       sr_err *err)
{
    size_t pl = strlen(m->cfg->public_url);
    if (strlen(v) > MAX_URL_LEN) return sr_err_set(err, SR_ELIMIT, field, "the media URL is too long");
    if (pl && !strncmp(v, m->cfg->public_url, pl) && !strncmp(v + pl, "/files/", 7)) {
        char key[1024];
        snprintf(key, sizeof key, "%.*s", (int)strcspn(v + pl + 1, "?#"), v + pl + 1);
        return data_ref(m, key, field, out, err);
    }
    if (!strncmp(v, "http://", 7) || !strncmp(v, "https://", 8)) {
        const char *path = m->cfg->fleet ? strchr(strstr(v, "://") + 3, '/') : NULL;
        if (path && !strncmp(path, "/files/", 7)) { /* an upload URL of another API node of the fleet */
            char key[1024];
            sr_upload u;
            snprintf(key, sizeof key, "%.*s", (int)strcspn(path + 1, "?#"), path + 1);
            if (m->ops->upload_find_key(m->st, m->account, key, &u, NULL) == 0)
                return data_ref(m, key, field, out, err);
        }
        return out ? fetch_url(m, v, field, out, err) : 0;
    }
    if (strstr(v, "://") && strncmp(v, "file://", 7))
        return sr_err_set(err, SR_EINVALID_FIELD, field, "unsupported URL scheme in %s", v);
    if (!strncmp(v, "file://", 7)) v += 7;
    if (!strncmp(v, "files/", 6) || (timeline && !strncmp(v, "cache/", 6))) return data_ref(m, v, field, out, err);
    if (v[0] == '/' && data_root(m, v)) return data_abs(m, v, field, out, err); /* our own absolute path */
    return local_path(m, v, field, out, err);
}

static int walk(json_t *v, int timeline, int check, const sr_media_ctx *m, char *field, size_t flen, int depth,
                sr_err *err)
{
    if (depth > MAX_DEPTH) return sr_err_set(err, SR_ELIMIT, field, "the document is nested too deeply");
    size_t at = strlen(field);
    int rc = 0;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            snprintf(field + at, flen - at, "[%zu]", i);
            if ((rc = walk(e, timeline, check, m, field, flen, depth + 1, err))) return rc;
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e)
        {
            snprintf(field + at, flen - at, "%s%s", at ? "." : "", k);
            int is_media = 0;
            for (size_t i = 0; i < sizeof media_keys / sizeof media_keys[0]; i++)
                if (!strcmp(k, media_keys[i])) is_media = 1;
            if (is_media && json_is_string(e) && json_string_length(e) > 0) {
                char *path = NULL;
                if ((rc = resolve_one(m, json_string_value(e), timeline, field, check ? NULL : &path, err)))
                    return rc;
                if (path) json_string_set(e, path);
                free(path);
            } else if ((rc = walk(e, timeline, check, m, field, flen, depth + 1, err))) {
                return rc;
            }
        }
    }
    field[at] = 0;
    return 0;
}

int sr_media_rewrite(json_t *doc, int timeline, const sr_media_ctx *m, sr_err *err)
{
    char field[160] = "";
    return walk(doc, timeline, 0, m, field, sizeof field, 0, err);
}

int sr_media_check_refs(const json_t *input, const sr_media_ctx *m, sr_err *err)
{
    char field[160] = "";
    const json_t *sb = json_object_get(input, "storyboard"), *rp = json_object_get(input, "renderParams");
    int rc = sb ? walk((json_t *)sb, 0, 1, m, field, sizeof field, 0, err) : 0;
    if (!rc && rp) rc = walk((json_t *)rp, 1, 1, m, field, sizeof field, 0, err);
    return rc;
}

static void relativize(json_t *v, const char *data, size_t n, int depth)
{
    if (depth > MAX_DEPTH) return;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) relativize(e, data, n, depth + 1);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e)
        {
            const char *s = json_string_value(e);
            if (s && !strncmp(s, data, n) && s[n] == '/') {
                char *rel = strdup(s + n + 1);
                if (rel) json_string_set(e, rel);
                free(rel);
            } else {
                relativize(e, data, n, depth + 1);
            }
        }
    }
}

void sr_media_relativize(json_t *rp, const char *data_dir)
{
    relativize(rp, data_dir, strlen(data_dir), 0);
}

/* Calls fn on every media key (files/.., cache/..) among v's strings. */
static int each_key(json_t *v, int (*fn)(const char *key, const sr_svc_cfg *cfg, int publish, sr_err *err),
                    const sr_svc_cfg *cfg, int publish, int depth, sr_err *err)
{
    if (depth > MAX_DEPTH) return sr_err_set(err, SR_ELIMIT, "", "the document is nested too deeply");
    size_t i;
    const char *k;
    json_t *e;
    int rc = 0;
    if (json_is_array(v)) json_array_foreach(v, i, e)
        {
            if ((rc = each_key(e, fn, cfg, publish, depth + 1, err))) return rc;
        }
    if (json_is_object(v)) json_object_foreach(v, k, e)
        {
            const char *s = json_string_value(e);
            for (size_t j = 0; s && j < sizeof media_keys / sizeof media_keys[0]; j++)
                if (!strcmp(k, media_keys[j]) && data_key_ok(s) && (rc = fn(s, cfg, publish, err))) return rc;
            if (!s && (rc = each_key(e, fn, cfg, publish, depth + 1, err))) return rc;
        }
    return 0;
}

static int sync_key(const char *key, const sr_svc_cfg *cfg, int publish, sr_err *err)
{
    char path[PATH_MAX * 2];
    if (!publish) return sr_files_fetch(cfg, key, path, sizeof path, err);
    if (!sr_files_remote(cfg) || sr_storage_stat(cfg->storage, key, NULL, NULL) == 0) return 0;
    sr_files_local(cfg, key, path, sizeof path);
    return sr_files_publish(cfg, key, path, 1, err);
}

int sr_media_sync(json_t *rp, const sr_svc_cfg *cfg, int publish, sr_err *err)
{
    return each_key(rp, sync_key, cfg, publish, 0, err);
}
