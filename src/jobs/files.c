/* files.c - the service's files through the storage (storage.h).
 *
 * Every key's file is read and written here at local_root/KEY. With file
 * storage (the default: file:DATA) local_root is the storage's own folder,
 * so nothing is copied and one machine works as it always did. With S3,
 * local_root is DATA, a mirror: a key is fetched into it the first time a
 * node needs it, and what a node makes is put into the storage from it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "jobs/jobs.h"

int sr_files_open(sr_svc_cfg *cfg, sr_err *err)
{
    char uri[1100], probe[1200];
    if (cfg->storage_uri[0]) snprintf(uri, sizeof uri, "%s", cfg->storage_uri);
    else snprintf(uri, sizeof uri, "file:%s", cfg->data);
    int rc = sr_storage_open(uri, &cfg->storage, err);
    if (rc) return rc;
    snprintf(cfg->local_root, sizeof cfg->local_root, "%s", cfg->data);
    /* a folder storage: its files are read in place (the root is the folder of key "x") */
    if (sr_storage_local_path(cfg->storage, "x", probe, sizeof probe) == 0) {
        size_t n = strlen(probe);
        if (n < 2 || n - 2 >= sizeof cfg->local_root || strcmp(probe + n - 2, "/x"))
            return sr_err_set(err, SR_EINTERNAL, "--storage", "the storage folder of %s is not usable", uri);
        snprintf(cfg->local_root, sizeof cfg->local_root, "%.*s", (int)(n - 2), probe);
    }
    static const char *const keys[] = {"files/x", "cache/tts/x", "cache/fetch/x"}; /* the folders keys go in */
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        sr_files_local(cfg, keys[i], probe, sizeof probe);
        if ((rc = sr_files_mkdirs(probe, err))) return rc;
    }
    return 0;
}

void sr_files_close(sr_svc_cfg *cfg)
{
    sr_storage_close(cfg->storage);
    cfg->storage = NULL;
}

int sr_files_remote(const sr_svc_cfg *cfg)
{
    return cfg->storage && strcmp(sr_storage_kind(cfg->storage), "file") != 0;
}

void sr_files_local(const sr_svc_cfg *cfg, const char *key, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", cfg->local_root[0] ? cfg->local_root : cfg->data, key);
}

int sr_files_mkdirs(const char *path, sr_err *err)
{
    if (sr_mkdirs_for(path, 0700))
        return sr_err_set(err, SR_EIO, path, "cannot create the folder of %s: %s", path, strerror(errno));
    return 0;
}

int sr_files_fetch(const sr_svc_cfg *cfg, const char *key, char *out, size_t n, sr_err *err)
{
    struct stat sb;
    sr_files_local(cfg, key, out, n);
    if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode)) return 0;
    if (!sr_files_remote(cfg)) return sr_err_set(err, SR_ENOT_FOUND, key, "%s was not found", key);
    return sr_storage_get(cfg->storage, key, out, err); /* atomic: a reader sees all of it or nothing */
}

static const struct {
    const char *ext, *type;
} content_types[] = {
    {"mp4", "video/mp4"},   {"mp3", "audio/mpeg"},       {"jpg", "image/jpeg"},  {"jpeg", "image/jpeg"},
    {"png", "image/png"},   {"webp", "image/webp"},      {"gif", "image/gif"},   {"srt", "application/x-subrip"},
    {"vtt", "text/vtt"},    {"txt", "text/plain; charset=utf-8"}, {"wav", "audio/wav"}, {"webm", "video/webm"},
    {"mov", "video/quicktime"}, {"m4a", "audio/mp4"}, {"json", "application/json"},
    {"m3u8", "application/vnd.apple.mpegurl"}, {"m4s", "video/iso.segment"}, /* HLS (render jobs) */
};

const char *sr_files_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof content_types / sizeof content_types[0]; i++)
        if (!strcasecmp(dot + 1, content_types[i].ext)) return content_types[i].type;
    return "application/octet-stream";
}

int sr_files_publish(const sr_svc_cfg *cfg, const char *key, const char *path, int keep, sr_err *err)
{
    char own[4200];
    sr_files_local(cfg, key, own, sizeof own);
    if (!cfg->storage || (!sr_files_remote(cfg) && !strcmp(own, path))) return 0;
    /* typed, so that a presigned URL serves a video a browser plays */
    int rc = sr_storage_put(cfg->storage, key, path, sr_files_content_type(key), err);
    if (!rc && !keep) unlink(path);
    return rc;
}
