/* storage.c - see storage.h. Opens a backend by the uri's scheme, checks
 * every key once here, and dispatches through the backend's table. Also the
 * temporary-file steps the backends share (storage_impl.h). */
#include "storage/storage_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define SR_STORAGE_KEY_MAX 900

struct sr_storage {
    const sr_storage_ops *ops;
    void *impl;
};

/* uri scheme -> opener; a uri with none of these prefixes is a bare folder path */
static const struct {
    const char *prefix;
    int (*open)(const char *spec, const sr_storage_ops **ops, void **impl, sr_err *err);
} schemes[] = {
    {"file://", sr_storage_file_open},
    {"file:", sr_storage_file_open},
    {"s3://", sr_storage_s3_open},
};

int sr_storage_open(const char *uri, sr_storage **out, sr_err *err)
{
    *out = NULL;
    if (!uri || !*uri) return sr_err_set(err, SR_EINVALID_FIELD, "storage", "the storage location is empty");
    int (*open)(const char *, const sr_storage_ops **, void **, sr_err *) = NULL;
    const char *spec = uri;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (strncmp(uri, schemes[i].prefix, n) == 0) {
            open = schemes[i].open;
            spec = uri + n;
            break;
        }
    }
    if (!open) {
        if (strstr(uri, "://"))
            return sr_err_set(err, SR_EINVALID_FIELD, "storage",
                              "unknown storage scheme in '%.64s' (use file:DIR, a folder path or s3://BUCKET/PREFIX)",
                              uri);
        open = sr_storage_file_open;
    }
    sr_storage *s = calloc(1, sizeof *s);
    if (!s) return sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    int rc = open(spec, &s->ops, &s->impl, err);
    if (rc < 0) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void sr_storage_close(sr_storage *s)
{
    if (!s) return;
    s->ops->close(s->impl);
    free(s);
}

const char *sr_storage_kind(const sr_storage *s) { return s->ops->kind; }

/* Keys name objects under the root: relative, no "." or ".." component, no
 * empty component (a//b), no control characters, bounded. */
int sr_storage_check_key(const char *key, sr_err *err)
{
    if (!key || !*key) return sr_err_set(err, SR_EINVALID_FIELD, "key", "the storage key is empty");
    size_t n = strnlen(key, SR_STORAGE_KEY_MAX + 1);
    if (n > SR_STORAGE_KEY_MAX)
        return sr_err_set(err, SR_EINVALID_FIELD, "key", "the storage key is longer than %d bytes",
                          SR_STORAGE_KEY_MAX);
    if (key[0] == '/') return sr_err_set(err, SR_EINVALID_FIELD, key, "the storage key '%s' is absolute", key);
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return sr_err_set(err, SR_EINVALID_FIELD, "key", "the storage key has a control character (0x%02x)",
                              *p);
    for (const char *c = key; *c;) {
        size_t len = strcspn(c, "/");
        if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
            return sr_err_set(err, SR_EINVALID_FIELD, key,
                              "the storage key '%s' has an empty, '.' or '..' part", key);
        c += len;
        if (*c == '/') {
            c++;
            if (!*c) return sr_err_set(err, SR_EINVALID_FIELD, key, "the storage key '%s' ends in '/'", key);
        }
    }
    return 0;
}

int sr_storage_put(sr_storage *s, const char *key, const char *path, const char *content_type, sr_err *err)
{
    int rc = sr_storage_check_key(key, err);
    if (rc < 0) return rc;
    /* the content type becomes a request header: one short line */
    if (content_type) {
        size_t n = strnlen(content_type, 201);
        int ok = n <= 200;
        for (size_t i = 0; i < n && ok; i++) ok = (unsigned char)content_type[i] >= 0x20 && content_type[i] != 0x7f;
        if (!ok)
            return sr_err_set(err, SR_EINVALID_FIELD, key,
                              "the content type for '%s' must be at most 200 bytes without control characters", key);
    }
    return s->ops->put(s->impl, key, path, content_type, err);
}

int sr_storage_get(sr_storage *s, const char *key, const char *path, sr_err *err)
{
    int rc = sr_storage_check_key(key, err);
    return rc < 0 ? rc : s->ops->get(s->impl, key, path, err);
}

int sr_storage_stat(sr_storage *s, const char *key, int64_t *size, sr_err *err)
{
    int rc = sr_storage_check_key(key, err);
    return rc < 0 ? rc : s->ops->stat(s->impl, key, size, err);
}

int sr_storage_delete(sr_storage *s, const char *key, sr_err *err)
{
    int rc = sr_storage_check_key(key, err);
    return rc < 0 ? rc : s->ops->del(s->impl, key, err);
}

int sr_storage_local_path(sr_storage *s, const char *key, char *out, size_t n)
{
    if (!s->ops->local_path || sr_storage_check_key(key, NULL) < 0) return -1;
    return s->ops->local_path(s->impl, key, out, n);
}

int sr_storage_presign(sr_storage *s, const char *key, int expires_s, char *out, size_t n, sr_err *err)
{
    if (!s->ops->presign) return -1;
    int rc = sr_storage_check_key(key, err);
    return rc < 0 ? rc : s->ops->presign(s->impl, key, expires_s, out, n, err);
}

/* ---- temporary files beside a target ---- */

int sr_storage_tmp_open(const char *dst, char *tmp, size_t n, const char *key, sr_err *err)
{
    if (snprintf(tmp, n, "%s.tmp-XXXXXX", dst) >= (int)n)
        return sr_err_set(err, SR_EIO, key, "the path for '%s' is too long", key);
    if (sr_mkdirs_for(dst, 0755) != 0)
        return sr_err_set(err, SR_EIO, key, "cannot make the folder for '%s': %s", key, strerror(errno));
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) return sr_err_set(err, SR_EIO, key, "cannot write '%s': %s", key, strerror(errno));
    return fd;
}

int sr_storage_tmp_commit(int fd, const char *tmp, const char *dst, const char *key, sr_err *err)
{
    fchmod(fd, 0644);
    int ok = fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, dst) != 0) {
        int rc = sr_err_set(err, SR_EIO, key, "cannot write '%s': %s", key, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return 0;
}

void sr_storage_tmp_abort(int fd, const char *tmp)
{
    if (fd >= 0) close(fd);
    unlink(tmp);
}

static int copy_fd(int in, int out)
{
    char buf[1 << 16];
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return 0;
        for (char *p = buf; r > 0;) {
            ssize_t w = write(out, p, (size_t)r);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return -1;
            p += w;
            r -= w;
        }
    }
}

int sr_storage_copy_to(int in, const char *dst, const char *key, sr_err *err)
{
    size_t n = strlen(dst) + 16;
    char *tmp = malloc(n);
    if (!tmp) return sr_err_set(err, SR_ENOMEM, key, "out of memory");
    int fd = sr_storage_tmp_open(dst, tmp, n, key, err);
    int rc = fd;
    if (fd >= 0) {
        if (copy_fd(in, fd) != 0) {
            rc = sr_err_set(err, SR_EIO, key, "cannot copy '%s': %s", key, strerror(errno));
            sr_storage_tmp_abort(fd, tmp);
        } else {
            rc = sr_storage_tmp_commit(fd, tmp, dst, key, err);
        }
    }
    free(tmp);
    return rc;
}
