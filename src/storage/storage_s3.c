/* storage_s3.c - the s3:// backend (being written). */
#include "storage/storage_impl.h"

int sr_storage_s3_open(const char *spec, const sr_storage_ops **ops, void **impl, sr_err *err)
{
    return sr_err_set(err, SR_EINVALID_FIELD, "storage", "s3:// storage is not built yet");
}
