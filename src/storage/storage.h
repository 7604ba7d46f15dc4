/* storage.h - where the service's files live: uploads, outputs, segments and
 * the fetched-media cache, named by keys relative to the storage root
 * ("files/ab12.../video.mp4", "cache/segments/<account>/<key>.mp4").
 *
 * Two backends behind one small opaque API (a function-pointer table inside):
 *   file:DIR                  a local folder (today's behaviour: DIR is the
 *                             data folder; keys are paths under it)
 *   s3://BUCKET/PREFIX?endpoint=URL&region=R&part_mb=N
 *                             an S3-compatible object store; requests signed
 *                             with AWS Signature V4 (sigv4.c: one signer for
 *                             headers and presigned URLs), path-style under
 *                             endpoint= (else https://BUCKET.s3.REGION.amazonaws.com),
 *                             region from region=, AWS_REGION or us-east-1;
 *                             multipart above the part size (16 MiB; part_mb=
 *                             or STORYREEL_S3_PART_MB, at least 5), retried on
 *                             5xx, 429, timeouts and connection errors;
 *                             credentials from AWS_ACCESS_KEY_ID and
 *                             AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN when
 *                             set), read at open, never logged
 *
 * Keys are checked: no "..", "." or empty part, no leading or trailing "/",
 * no control characters, at most 900 bytes (SR_EINVALID_FIELD). Every function is safe to call from any thread on its
 * own handle; a handle may be shared by threads. Errors are negative SR_E*
 * codes with err filled (SR_ENOT_FOUND for a missing key, SR_EIO for a store
 * that refuses or cannot be reached, naming the key, never a credential). */
#ifndef SR_STORAGE_H
#define SR_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct sr_storage sr_storage;

/* Opens the storage named by uri ("file:DIR", a bare folder path, or
 * "s3://..."). For s3, the environment's AWS credentials are read here. */
int sr_storage_open(const char *uri, sr_storage **out, sr_err *err);
void sr_storage_close(sr_storage *s); /* accepts NULL */
/* "file" or "s3". */
const char *sr_storage_kind(const sr_storage *s);

/* Stores the local file at path under key (replacing it): readers see the
 * whole new object or the old one, never a part. */
int sr_storage_put(sr_storage *s, const char *key, const char *path, const char *content_type, sr_err *err);
/* Writes the object key to the local file path (under a temporary name,
 * renamed when complete; the folders above path are made). SR_ENOT_FOUND
 * when there is no such key. */
int sr_storage_get(sr_storage *s, const char *key, const char *path, sr_err *err);
/* 0 with *size (may be NULL) when key exists, SR_ENOT_FOUND otherwise. */
int sr_storage_stat(sr_storage *s, const char *key, int64_t *size, sr_err *err);
/* Removes key (a missing key is not an error). */
int sr_storage_delete(sr_storage *s, const char *key, sr_err *err);
/* The local path of key when the storage is a local folder (file:), so a
 * caller may read it in place: 0 with out filled; -1 for remote storage. */
int sr_storage_local_path(sr_storage *s, const char *key, char *out, size_t n);
/* A URL that fetches key without credentials until expires_s seconds from
 * now (S3: a presigned GET; 1 s to 7 days). -1 for file storage (the caller
 * serves it), without touching err. */
int sr_storage_presign(sr_storage *s, const char *key, int expires_s, char *out, size_t n, sr_err *err);

#endif
