/* storage_file.c - the file: backend: keys are paths under a local folder.
 * put copies into a temporary beside the target, fsyncs and renames, so a
 * reader sees the old file or the whole new one; get copies out the same
 * way; local_path lets a caller read in place. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "storage/storage_impl.h"

typedef struct file_store {
    char *dir; /* no trailing '/' (except "/" itself) */
} file_store;

static int file_path(const file_store *f, const char *key, char *out, size_t n)
{
    const char *sep = strcmp(f->dir, "/") == 0 ? "" : "/";
    return snprintf(out, n, "%s%s%s", f->dir, sep, key) < (int)n ? 0 : -1;
}

/* Opens key's file for reading: the descriptor, or SR_ENOT_FOUND / SR_EIO. */
static int open_key(const file_store *f, const char *key, char *path, size_t n, sr_err *err)
{
    if (file_path(f, key, path, n) != 0)
        return sr_err_set(err, SR_EIO, key, "the path for '%s' is too long", key);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return fd;
    int e = fd >= 0 ? EISDIR : errno;
    if (fd >= 0) close(fd);
    if (e == ENOENT || e == ENOTDIR || e == EISDIR)
        return sr_err_set(err, SR_ENOT_FOUND, key, "no stored file '%s'", key);
    return sr_err_set(err, SR_EIO, key, "cannot read '%s': %s", key, strerror(e));
}

static int file_put(void *impl, const char *key, const char *path, const char *content_type, sr_err *err)
{
    file_store *f = impl;
    char dst[4096];
    if (file_path(f, key, dst, sizeof dst) != 0)
        return sr_err_set(err, SR_EIO, key, "the path for '%s' is too long", key);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return sr_err_set(err, SR_EIO, path, "cannot read %s to store as '%s': %s", path, key, strerror(errno));
    int rc = sr_storage_copy_to(in, dst, key, err);
    close(in);
    return rc;
}

static int file_get(void *impl, const char *key, const char *path, sr_err *err)
{
    char src[4096];
    int in = open_key(impl, key, src, sizeof src, err);
    if (in < 0) return in;
    int rc = sr_storage_copy_to(in, path, key, err);
    close(in);
    return rc;
}

static int file_stat(void *impl, const char *key, int64_t *size, sr_err *err)
{
    char path[4096];
    int fd = open_key(impl, key, path, sizeof path, err);
    if (fd < 0) return fd;
    struct stat st;
    int rc = fstat(fd, &st) == 0 ? 0 : sr_err_set(err, SR_EIO, key, "cannot read '%s': %s", key, strerror(errno));
    if (rc == 0 && size) *size = st.st_size;
    close(fd);
    return rc;
}

static int file_delete(void *impl, const char *key, sr_err *err)
{
    char path[4096];
    if (file_path(impl, key, path, sizeof path) != 0)
        return sr_err_set(err, SR_EIO, key, "the path for '%s' is too long", key);
    if (unlink(path) == 0 || errno == ENOENT || errno == ENOTDIR) return 0;
    return sr_err_set(err, SR_EIO, key, "cannot remove '%s': %s", key, strerror(errno));
}

static int file_local_path(void *impl, const char *key, char *out, size_t n)
{
    return file_path(impl, key, out, n) == 0 ? 0 : -1;
}

static void file_close(void *impl)
{
    file_store *f = impl;
    free(f->dir);
    free(f);
}

static const sr_storage_ops file_ops = {
    .kind = "file",
    .put = file_put,
    .get = file_get,
    .stat = file_stat,
    .del = file_delete,
    .local_path = file_local_path,
    .close = file_close,
};

int sr_storage_file_open(const char *spec, const sr_storage_ops **ops, void **impl, sr_err *err)
{
    if (!*spec) return sr_err_set(err, SR_EINVALID_FIELD, "storage", "file: storage needs a folder (file:DIR)");
    if (strlen(spec) > 2048)
        return sr_err_set(err, SR_EINVALID_FIELD, "storage", "the storage folder path is too long");
    file_store *f = calloc(1, sizeof *f);
    if (!f || !(f->dir = strdup(spec))) {
        free(f);
        return sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    }
    for (size_t n = strlen(f->dir); n > 1 && f->dir[n - 1] == '/'; n--) f->dir[n - 1] = 0;
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/.", f->dir);
    struct stat st;
    int e = sr_mkdirs_for(probe, 0755) != 0 || stat(f->dir, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    if (e) {
        int rc = sr_err_set(err, SR_EIO, f->dir, "the storage folder %s cannot be made: %s", f->dir, strerror(e));
        file_close(f);
        return rc;
    }
    *ops = &file_ops;
    *impl = f;
    return 0;
}
