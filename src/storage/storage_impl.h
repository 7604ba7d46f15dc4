/* storage_impl.h - inside the storage module: the backend table every
 * sr_storage dispatches through, and the temporary-file steps the backends
 * share (write beside the target, fsync, rename). Not for callers outside
 * src/storage. */
#ifndef SR_STORAGE_IMPL_H
#define SR_STORAGE_IMPL_H

#include "storage/storage.h"

/* One backend. Keys reach these already checked (sr_storage_check_key). */
typedef struct sr_storage_ops {
    const char *kind;
    int (*put)(void *impl, const char *key, const char *path, const char *content_type, sr_err *err);
    int (*get)(void *impl, const char *key, const char *path, sr_err *err);
    int (*stat)(void *impl, const char *key, int64_t *size, sr_err *err);
    int (*del)(void *impl, const char *key, sr_err *err);
    int (*local_path)(void *impl, const char *key, char *out, size_t n); /* NULL: remote */
    int (*presign)(void *impl, const char *key, int expires_s, char *out, size_t n, sr_err *err); /* NULL: none */
    void (*close)(void *impl);
} sr_storage_ops;

/* 0 when key may name an object: relative, no empty, "." or ".." part, no
 * control characters, at most 900 bytes; SR_EINVALID_FIELD otherwise. */
int sr_storage_check_key(const char *key, sr_err *err);

/* The backends' openers: spec is the uri less its scheme ("DIR" for file:,
 * "BUCKET/PREFIX?..." for s3://). */
int sr_storage_file_open(const char *spec, const sr_storage_ops **ops, void **impl, sr_err *err);
int sr_storage_s3_open(const char *spec, const sr_storage_ops **ops, void **impl, sr_err *err);

/* Temporary files beside a target: tmp_open makes dst's folders and opens
 * dst.tmp-XXXXXX (tmp receives its name, n bytes at least strlen(dst) + 12)
 * and returns the descriptor; tmp_commit fsyncs, closes and renames it onto
 * dst; tmp_abort closes and removes it. Errors name key. */
int sr_storage_tmp_open(const char *dst, char *tmp, size_t n, const char *key, sr_err *err);
int sr_storage_tmp_commit(int fd, const char *tmp, const char *dst, const char *key, sr_err *err);
void sr_storage_tmp_abort(int fd, const char *tmp);
/* Copies the open file in to dst through a temporary (the steps above). */
int sr_storage_copy_to(int in, const char *dst, const char *key, sr_err *err);

#endif
