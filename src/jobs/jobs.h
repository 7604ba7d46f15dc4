/* jobs.h - the service's job machinery below the HTTP layer: the settings
 * shared by the server and its worker processes, the worker loop (lease a
 * job, resolve its media, compile and render it, record the outcome), the
 * media resolver (URLs and paths -> local files, with the path and account
 * checks), the one network guard of media fetches and webhooks, the job's
 * public JSON, webhook delivery from the outbox, and the health report.
 *
 * Workers reach jobs only through the store's lease operations, so a worker
 * may run in another process (as it does) or on another machine. */
#ifndef SR_JOBS_H
#define SR_JOBS_H

#include <stdint.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <jansson.h>

#include "common/err.h"
#include "storage/storage.h"
#include "store/store.h"

#define SR_MAX_MEDIA_ROOTS 8

typedef struct sr_health sr_health;

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
    char allow_private_addrs[512]; /* --allow-private-address: "IP:PORT,..." reachable although private */
    int max_running_per_account;   /* jobs of one account running at once (0: workers - 1, at least 1) */
    int min_free_disk_mb;          /* /healthz is degraded below this much free space in the data folder */
    int rate_limit;                /* requests per second per key; 0 = off */
    int64_t max_body;              /* bytes of a JSON request body */
    int64_t max_upload;            /* bytes of an uploaded media file */
    int64_t max_fetch;             /* bytes of a fetched media URL */
    int lease_ms;                  /* a worker's lease; renewed 4x as often */
    int max_attempts;              /* tries of a job (transient failures) */
    int max_image_side;            /* px a side of a picture a job decodes (0: the engine's default) */
    int max_image_mpx, max_job_mpx; /* Mpx of one picture, of all a job decodes (0: defaults) */
    sr_health *health;             /* the server's health monitor (NULL in workers) */
    char metrics_key[128];         /* --metrics-key: /metrics needs "Bearer KEY" ("" none) */
    char metrics_listen[300];      /* --metrics-listen HOST:PORT: /metrics only there ("" none) */
    /* the fleet: API and render nodes sharing one store and one storage */
    char store_uri[1024];          /* --store ("": DATA/storyreel.db, one machine) */
    char storage_uri[1024];        /* --storage ("": file:DATA) */
    const sr_store_ops *store_ops; /* the --store backend (NULL: SQLite) */
    sr_storage *storage;           /* opened by sr_files_open in each process (NULL: DATA alone) */
    char local_root[1024];         /* where a key's file is read here: the file storage's folder, else DATA */
    int fleet;                     /* a shared store (--store): renders split into tasks, nodes beat */
    char node[64];                 /* this node's name (--name; default hostname:pid) */
    int url_expiry_s;              /* job URLs presigned for this long (S3 storage) */
    int proxy_files;               /* --proxy-files: /files/... streams S3 objects instead */
} sr_svc_cfg;

/* Error codes that are the input's fault (fail at once, never retried). */
int sr_job_error_is_input(int code);

/* ---- worker (worker.c) */

/* Runs the worker loop of one worker process until *stop becomes non-zero
 * or the parent process goes away: lease, run, record, repeat. In a fleet
 * (cfg->fleet) a due task comes before a job, a render job is split into
 * segment tasks that any node may take, and a thread beats for cfg->node
 * (kind "render") every second. Returns 0. */
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
/* Checks, without fetching or reading files, that every reference to a file
 * under DATA in input ({"storyboard": ..} and/or {"renderParams": ..}) is
 * one the account of m may use (its uploads, its fetch cache, the shared
 * speech cache): 0, or SR_EFORBIDDEN naming the field (elements[2].url).
 * Called at submission, so another account's file is a 400, not a job. */
int sr_media_check_refs(const json_t *input, const sr_media_ctx *m, sr_err *err);
/* Rewrites absolute paths under DATA in a timeline to keys relative to DATA. */
void sr_media_relativize(json_t *rp, const char *data_dir);

/* Every media key ("files/..", "cache/..") of timeline rp made present
 * locally (fetched once from the storage into local_root) or, with
 * publish, put into the storage when it is only here (speech the compiler
 * made). Keys stay keys: render with base_dir local_root. */
int sr_media_sync(json_t *rp, const sr_svc_cfg *cfg, int publish, sr_err *err);

/* ---- files through the storage (files.c): every key's file lives at
 * local_root/KEY; with file storage that is the storage itself, with S3 a
 * mirror filled on demand. Without cfg->storage, local_root is DATA. */

/* Opens cfg->storage (cfg->storage_uri, else file:DATA) and sets local_root. */
int sr_files_open(sr_svc_cfg *cfg, sr_err *err);
void sr_files_close(sr_svc_cfg *cfg);
/* 1 when the storage is not this machine's folder (S3). */
int sr_files_remote(const sr_svc_cfg *cfg);
/* local_root/key into out. */
void sr_files_local(const sr_svc_cfg *cfg, const char *key, char *out, size_t n);
/* The local file of key, fetched from the storage when it is not here yet:
 * 0 with out filled; SR_ENOT_FOUND when the storage has no such key. */
int sr_files_fetch(const sr_svc_cfg *cfg, const char *key, char *out, size_t n, sr_err *err);
/* Puts the local file path into the storage under key (nothing to do when
 * path is that key's own file); keep 0 removes path afterwards. */
int sr_files_publish(const sr_svc_cfg *cfg, const char *key, const char *path, int keep, sr_err *err);
/* The Content-Type of a file name by its extension (application/octet-stream when unknown). */
const char *sr_files_content_type(const char *name);
/* Makes the folders above the file path. 0 or SR_EIO. */
int sr_files_mkdirs(const char *path, sr_err *err);

/* ---- network guard (netguard.c): used by media fetches and webhooks alike */

/* 1 when sa's address is globally reachable by the IANA special-purpose
 * registries (embedded IPv4 of mapped, NAT64 and 6to4 addresses judged);
 * 0 otherwise, with *range (may be NULL) naming the registry entry. */
int sr_net_is_global(const struct sockaddr *sa, const char **range);

/* One transfer's guard: what it allows and, after a refusal, what it refused. */
typedef struct sr_net_guard {
    int allow_private;      /* --allow-private-media / --allow-private-webhooks */
    const char *allow_list; /* "IP:PORT,[v6]:PORT": exact private addresses allowed anyway (or NULL) */
    int refused;            /* set when a connection was refused */
    char refused_addr[80], refused_range[96];
} sr_net_guard;
void sr_net_guard_init(sr_net_guard *g, int allow_private, const char *allow_list);
/* 0 when g lets a connection to sa be opened; -1 (refusal noted in g) otherwise. */
int sr_net_guard_check(sr_net_guard *g, const struct sockaddr *sa);
/* Installs g on h (g must outlive the transfer): every socket curl opens
 * (each redirect, each address tried) is checked on the address it will
 * connect to; protocols are http and https only; no proxies. */
void sr_net_guard_install(CURL *h, sr_net_guard *g);

/* ---- leftovers and paths (tidy.c) */

/* Removes what interrupted work left in the data folder: NAME.tmp-* files (a
 * render's outputs, cache entries, atomic writes) and NAME.part uploads under
 * DATA/files and DATA/cache, and the output folders left empty. Only while no
 * worker runs (the server calls it at startup). Returns how many files went. */
int sr_data_sweep(const char *data_dir);
/* Rewrites msg (a NUL-terminated error sentence, in place) so that it shows no
 * folder of this server: paths under the data folder or a media root become
 * relative to it (DATA/files/x/a.png -> files/x/a.png). */
void sr_msg_unroot(char *msg, const sr_svc_cfg *cfg);

/* ---- the job's JSON (jobview.c) */

/* The GET /v1/jobs/{id} answer for j: {"job_id","success","data":{...}};
 * file keys become URLs under cfg->public_url, or presigned storage URLs
 * (S3 storage without --proxy-files). New reference; NULL on OOM. */
json_t *sr_job_view(const sr_job *j, const sr_svc_cfg *cfg);

/* ---- webhooks (webhook.c) */

/* The delivery pool of the server (a dispatcher claiming from the outbox
 * and HOOK_THREADS delivery threads, at most HOOK_PER_ENDPOINT of them on
 * one endpoint). The pointers must outlive it. */
typedef struct sr_webhooks sr_webhooks;
int sr_webhooks_start(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, sr_webhooks **out,
                      sr_err *err);
/* Stops the pool (waits for deliveries in flight, at most the POST timeout). Accepts NULL. */
void sr_webhooks_stop(sr_webhooks *w);
/* Hex HMAC-SHA256 of body with secret into out (65 bytes). */
void sr_hmac_hex(const char *secret, const char *body, size_t len, char out[65]);
/* Hex SHA-256 of s into out (65 bytes). */
void sr_sha256_hex(const char *s, size_t len, char out[65]);

/* ---- health (health.c) */

/* Starts the monitor thread that checks the database's integrity at start
 * and every minute (on st). Stop frees it; accepts NULL. */
int sr_health_start(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, sr_health **out, sr_err *err);
void sr_health_stop(sr_health *h);
/* The /healthz answer: {"status","database","integrity","disk":{..},"workers"}
 * with *status 200 (ok) or 503 (degraded or unavailable). The database is
 * pinged on st (the caller's handle); h may be NULL (integrity "unchecked").
 * New reference; NULL on OOM. */
json_t *sr_health_report(sr_health *h, const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, int workers,
                         int *status);

#endif
