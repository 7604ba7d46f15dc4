/* jobs.h - the service's job machinery below the HTTP layer: the settings
 * shared by the server and its worker processes, the worker loop (lease a
 * job, resolve its media, compile and render it, record the outcome), the
 * media resolver (URLs and paths -> local files, with the network and path
 * guards), the job's public JSON, and webhook delivery from the outbox.
 *
 * Workers reach jobs only through the store's lease operations, so a worker
 * may run in another process (as it does) or on another machine. */
#ifndef SR_JOBS_H
#define SR_JOBS_H

#include <stdint.h>

#include <curl/curl.h>
#include <jansson.h>

#include "common/err.h"
#include "store/store.h"

#define SR_MAX_MEDIA_ROOTS 8

/* Settings of `storyreel serve`, from options or STORYREEL_* variables. */
typedef struct sr_svc_cfg {
    char data[1024];               /* the data folder, absolute */
    char listen_host[256];
    int listen_port;
    int workers;                   /* render worker processes */
    int http_threads;              /* libmicrohttpd pool size */
    char media_roots[SR_MAX_MEDIA_ROOTS][1024]; /* absolute, resolved */
    int n_media_roots;
    char library[1024];            /* --library: media library folder ("" none; also a media root) */
    char music_library[1024];      /* --music-library: music library folder */
    char public_url[512];          /* no trailing slash */
    int allow_private_media, allow_private_webhooks;
    int rate_limit;                /* requests per second per key; 0 = off */
    int64_t max_body;              /* bytes of a JSON request body */
    int64_t max_upload;            /* bytes of an uploaded media file */
    int64_t max_fetch;             /* bytes of a fetched media URL */
    int lease_ms;                  /* a worker's lease; renewed 4x as often */
    int max_attempts;              /* tries of a job (transient failures) */
    char metrics_key[128];         /* --metrics-key: /metrics needs "Bearer KEY" ("" none) */
    char metrics_listen[300];      /* --metrics-listen HOST:PORT: /metrics only there ("" none) */
} sr_svc_cfg;

/* Error codes that are the input's fault (fail at once, never retried). */
int sr_job_error_is_input(int code);

/* ---- worker (worker.c) */

/* Runs the worker loop of one worker process until *stop becomes non-zero
 * or the parent process goes away: lease, run, record, repeat. Returns 0. */
int sr_worker_loop(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, volatile int *stop);

/* ---- media (media.c) */

typedef struct sr_media_ctx {
    const sr_svc_cfg *cfg;
    const sr_store_ops *ops;
    sr_store *st;
    const char *account; /* whose uploads may be used */
} sr_media_ctx;

/* Rewrites every media reference in doc (a storyboard, or a timeline when
 * timeline is 1) to an absolute local path: http(s) URLs are fetched (guarded,
 * size and time capped) into DATA/cache/fetch, this server's upload URLs map
 * to the uploaded file, relative timeline keys ("files/...", "cache/...") map
 * into DATA, and other paths must lie under a media root. Errors name the
 * field (scenes[0].background.visualUrl). */
int sr_media_rewrite(json_t *doc, int timeline, const sr_media_ctx *m, sr_err *err);
/* Rewrites absolute paths under DATA in a timeline to keys relative to DATA. */
void sr_media_relativize(json_t *rp, const char *data_dir);

/* Installs on a curl handle the guard that refuses to connect to private,
 * loopback and link-local addresses (unless allow_private) and limits it
 * to http and https. */
void sr_net_guard(CURL *h, const int *allow_private);

/* ---- the job's JSON (jobview.c) */

/* The GET /v1/jobs/{id} answer for j: {"job_id","success","data":{...}};
 * file keys become URLs under public_url. New reference; NULL on OOM. */
json_t *sr_job_view(const sr_job *j, const char *public_url);

/* ---- webhooks (webhook.c) */

/* Delivers due outbox entries once (claims, POSTs, records). Returns the
 * number delivered or an error. */
int sr_webhook_pump(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, sr_err *err);
/* Hex HMAC-SHA256 of body with secret into out (65 bytes). */
void sr_hmac_hex(const char *secret, const char *body, size_t len, char out[65]);
/* Hex SHA-256 of s into out (65 bytes). */
void sr_sha256_hex(const char *s, size_t len, char out[65]);

#endif
