/* store.h - the service's storage behind one interface: accounts and API
 * keys, projects, jobs with leases, uploads and the webhook outbox.
 *
 * A backend is a table of function pointers (sr_store_ops): SQLite
 * (store_sqlite.c) for one machine, PostgreSQL (store_pg.c) for a fleet of
 * nodes on one database; store.c picks one (sr_store_for). Nothing backend-specific leaks out: ids are
 * UUID strings made by the caller (sr_uuid), times are Unix milliseconds,
 * JSON travels as text, and files are named by keys relative to the data
 * folder ("files/ab12.../video.mp4"), never by absolute paths.
 *
 * Every operation is safe to call from any thread of any process on the
 * same store; errors are negative SR_E* codes with err filled. "Not found"
 * (including "belongs to another account") is SR_ENOT_FOUND; a database that
 * stayed locked longer than the busy timeout is SR_EBUSY. */
#ifndef SR_STORE_H
#define SR_STORE_H

#include <stdint.h>

#include "common/err.h"

#define SR_ID_LEN 40 /* a UUID string and its NUL fit */

typedef struct sr_store sr_store; /* one opened backend instance (opaque) */

enum sr_job_state { SR_JOB_PENDING, SR_JOB_RUNNING, SR_JOB_COMPLETED, SR_JOB_FAILED, SR_JOB__COUNT };
/* "pending", "in-progress", "completed", "failed" (the API's status words). */
const char *sr_job_state_name(int state);

typedef struct sr_job {
    char id[SR_ID_LEN], account_id[SR_ID_LEN];
    char kind[16];            /* "preview" or "render" */
    int state;                /* enum sr_job_state */
    int64_t created_ms, updated_ms, started_ms, finished_ms; /* 0 = not yet */
    int64_t run_after_ms;     /* a pending job is not leased before this */
    int64_t lease_expires_ms;
    char lease_owner[64];
    int attempts, max_attempts;
    int progress;             /* 0..100 */
    char progress_msg[128];
    char error_code[48];
    char error_msg[512];
    char *input;              /* JSON text, malloc'd; NULL unless asked for */
    char *result;             /* JSON text, malloc'd, or NULL */
    char *webhook;            /* URL, malloc'd, or NULL */
    char *webhook_input;      /* JSON text, malloc'd, or NULL */
    char depends_on[SR_ID_LEN]; /* "" or a job that must end (completed or failed) before this one is leased */
} sr_job;
/* Frees the strings of j (not j itself) and zeroes it. Accepts NULL. */
void sr_job_clear(sr_job *j);

typedef struct sr_project {
    char id[SR_ID_LEN], account_id[SR_ID_LEN];
    char name[256];
    int64_t created_ms, updated_ms;
    char *data; /* the storyboard, JSON text, malloc'd (NULL in lists) */
} sr_project;
void sr_project_clear(sr_project *p);

typedef struct sr_key {
    char id[SR_ID_LEN], account_id[SR_ID_LEN];
    char name[128];
    char prefix[24];          /* the first characters of the key, for listing */
    int64_t created_ms, revoked_ms;
    char webhook_secret[80];  /* the account's (filled by key_find) */
} sr_key;

typedef struct sr_upload {
    char id[SR_ID_LEN], account_id[SR_ID_LEN];
    char key[320];            /* "files/<random>/<name>" */
    char content_type[128];
    int64_t max_size, size, created_ms, expires_ms, done_ms;
} sr_upload;

typedef struct sr_outbox {
    char id[SR_ID_LEN], account_id[SR_ID_LEN], job_id[SR_ID_LEN];
    char url[512];
    int attempts;
    int64_t created_ms, next_ms;
} sr_outbox;

/* A task of a job: one piece of a render that any render node may lease (a
 * segment). Tasks of a job are made together by the job's holder, leased one
 * at a time like jobs, and read back by it to assemble the video. */
enum sr_task_state { SR_TASK_PENDING, SR_TASK_RUNNING, SR_TASK_DONE, SR_TASK_FAILED };
typedef struct sr_task {
    char id[SR_ID_LEN], job_id[SR_ID_LEN], account_id[SR_ID_LEN];
    int idx;                  /* its place in the job (segment index); (job_id, idx) is unique */
    int state;                /* enum sr_task_state */
    int attempts, max_attempts;
    int64_t created_ms, updated_ms, lease_expires_ms;
    char lease_owner[64];
    char node[64];            /* the name of the node that finished it ("" before) */
    char error_code[48];
    char error_msg[512];
    char *input;              /* JSON text, malloc'd (NULL unless loaded) */
    char *result;             /* JSON text, malloc'd, or NULL */
} sr_task;
void sr_task_clear(sr_task *t);
#define SR_TASKS_MAX 100000 /* tasks of one job, at most (task_create refuses more: SR_ELIMIT) */

typedef struct sr_job_stats {
    int64_t by_state[SR_JOB__COUNT];
    double render_s_sum; int64_t render_n;   /* started -> finished, completed jobs */
    double wait_s_sum; int64_t wait_n;       /* created -> first started */
} sr_job_stats;

typedef struct sr_store_ops {
    const char *name; /* "sqlite" or "postgresql" */
    /* Opens (creating and migrating) the store at location (for SQLite: the
     * database file). A location that exists but does not hold this schema
     * (empty, another database, not a database) is refused with SR_EDB and
     * a message naming it. *out is freed by close. */
    int (*open)(const char *location, sr_store **out, sr_err *err);
    void (*close)(sr_store *s); /* accepts NULL */
    int (*ping)(sr_store *s, sr_err *err);

    /* --- accounts and keys. key_hash is the hex SHA-256 of the key. */
    int (*account_create)(sr_store *s, const char *id, const char *name, const char *webhook_secret,
                          sr_err *err);
    int (*key_create)(sr_store *s, const sr_key *k, const char *key_hash, sr_err *err);
    /* The live (not revoked) key whose hash is key_hash, with its account's
     * webhook secret; SR_ENOT_FOUND otherwise. */
    int (*key_find)(sr_store *s, const char *key_hash, sr_key *out, sr_err *err);
    /* The live key whose id is key_id (an access token's key, checked on
     * every use so a token dies with its key); SR_ENOT_FOUND otherwise. */
    int (*key_get)(sr_store *s, const char *key_id, sr_key *out, sr_err *err);
    /* All keys, oldest first: *out malloc'd (caller frees), returns the count. */
    int (*key_list)(sr_store *s, sr_key **out, sr_err *err);
    /* Revokes the key whose id or prefix is idp. */
    int (*key_revoke)(sr_store *s, const char *idp, sr_err *err);
    int (*account_secret)(sr_store *s, const char *account_id, char secret[80], sr_err *err);

    /* --- projects (always of one account) */
    int (*project_create)(sr_store *s, const sr_project *p, sr_err *err);
    int (*project_get)(sr_store *s, const char *account, const char *id, sr_project *out, sr_err *err);
    /* Newest first, after (created_ms, id) when after_id is non-empty; at most
     * limit; *out malloc'd without data; returns the count. */
    int (*project_list)(sr_store *s, const char *account, int64_t after_ms, const char *after_id, int limit,
                        sr_project **out, sr_err *err);
    int (*project_update)(sr_store *s, const char *account, const char *id, const char *name,
                          const char *data, sr_err *err);
    int (*project_delete)(sr_store *s, const char *account, const char *id, sr_err *err);

    /* --- jobs. job_create commits j (state pending) before it returns. */
    int (*job_create)(sr_store *s, const sr_job *j, sr_err *err);
    /* account NULL: any account. with_input: also load input. */
    int (*job_get)(sr_store *s, const char *account, const char *id, int with_input, sr_job *out, sr_err *err);
    /* Newest first, like project_list; result/input not loaded. */
    int (*job_list)(sr_store *s, const char *account, int64_t after_ms, const char *after_id, int limit,
                    sr_job **out, sr_err *err);
    /* Ends a pending or running job as failed/CANCELLED (queuing its webhook).
     * SR_ENOT_FOUND when unknown; SR_ELIMIT when it already ended. */
    int (*job_cancel)(sr_store *s, const char *account, const char *id, sr_err *err);
    int (*job_stats)(sr_store *s, sr_job_stats *out, sr_err *err);
    /* Replaces the result of a completed job of account (an edited preview). */
    int (*job_update_result)(sr_store *s, const char *account, const char *id, const char *result, sr_err *err);

    /* --- leases. lease_acquire takes the oldest due pending job, or a running
     * job whose lease expired, for owner until now + ttl_ms (attempts + 1);
     * a pending job whose depends_on job has not ended is not due.
     * A job whose lease expired after max_attempts fails WORKER_CRASHED.
     * Returns 1 with *out filled (input loaded), 0 when nothing is due. */
    int (*lease_acquire)(sr_store *s, const char *owner, int64_t ttl_ms, sr_job *out, sr_err *err);
    /* Extends the lease; SR_ENOT_FOUND when owner no longer holds it (the job
     * was cancelled or re-leased): the holder must stop. */
    int (*lease_renew)(sr_store *s, const char *id, const char *owner, int64_t ttl_ms, sr_err *err);
    /* Gives the job back as pending, due after delay_ms, noting the error
     * (a transient failure to retry). */
    int (*lease_release)(sr_store *s, const char *id, const char *owner, int64_t delay_ms,
                         const char *error_code, const char *error_msg, sr_err *err);
    int (*job_progress)(sr_store *s, const char *id, const char *owner, int progress, const char *msg,
                        sr_err *err);
    /* Sets the result of a leased running job to what it has made so far (the
     * HLS stream of a render in progress). May be NULL in a backend. */
    int (*job_partial_result)(sr_store *s, const char *id, const char *owner, const char *result, sr_err *err);
    /* Ends a leased job: state SR_JOB_COMPLETED (result JSON text) or
     * SR_JOB_FAILED (error_code, error_msg); save (may be NULL) is a project
     * created in the same transaction; the webhook is queued too. */
    int (*job_finish)(sr_store *s, const char *id, const char *owner, int state, const char *result,
                      const char *error_code, const char *error_msg, const sr_project *save, sr_err *err);

    /* --- uploads */
    int (*upload_create)(sr_store *s, const sr_upload *u, sr_err *err);
    int (*upload_get)(sr_store *s, const char *id, sr_upload *out, sr_err *err);
    /* By key ("files/..."), of account (NULL: any). */
    int (*upload_find_key)(sr_store *s, const char *account, const char *key, sr_upload *out, sr_err *err);
    int (*upload_done)(sr_store *s, const char *id, int64_t size, sr_err *err);

    /* --- webhook outbox. claim: up to max due entries, each hidden from
     * other claimers for lease_ms; *out malloc'd; returns the count. */
    int (*outbox_claim)(sr_store *s, int64_t lease_ms, int max, sr_outbox **out, sr_err *err);
    int (*outbox_done)(sr_store *s, const char *id, sr_err *err);
    int (*outbox_retry)(sr_store *s, const char *id, int64_t next_ms, sr_err *err);
    int (*outbox_drop)(sr_store *s, const char *id, sr_err *err);

    /* --- named resources of an account: kind "template", "brand" or "style";
     * rows are sr_project records (id, account, name, data = JSON text). */
    int (*resource_create)(sr_store *s, const char *kind, const sr_project *p, sr_err *err);
    /* By id; SR_ENOT_FOUND when unknown or another account's. */
    int (*resource_get)(sr_store *s, const char *kind, const char *account, const char *id, sr_project *out,
                        sr_err *err);
    /* The newest of that name (case-insensitive); SR_ENOT_FOUND otherwise. */
    int (*resource_find)(sr_store *s, const char *kind, const char *account, const char *name, sr_project *out,
                         sr_err *err);
    /* Oldest first, at most limit, without data; *out malloc'd; returns the count. */
    int (*resource_list)(sr_store *s, const char *kind, const char *account, int limit, sr_project **out,
                         sr_err *err);
    /* Replaces p->id's name and data (of account p->account_id); SR_ENOT_FOUND when unknown or another account's. */
    int (*resource_update)(sr_store *s, const char *kind, const sr_project *p, sr_err *err);
    /* Deletes by id; SR_ENOT_FOUND when unknown or another account's. */
    int (*resource_delete)(sr_store *s, const char *kind, const char *account, const char *id, sr_err *err);

    /* --- added for fairness, faults and the HTTP side (hardening) */
    /* lease_acquire, fair across accounts: among accounts with a due job and
     * fewer than max_running (0: no cap) jobs running under a live lease, the
     * one with the fewest running, then the one whose last lease is oldest
     * (round-robin); then that account's oldest due job. lease_acquire is
     * this with no cap. */
    int (*lease_acquire_fair)(sr_store *s, const char *owner, int64_t ttl_ms, int max_running, sr_job *out,
                              sr_err *err);
    /* Hides a claimed outbox entry until next_ms without counting an attempt
     * (handing back an entry the claimer cannot deliver now). */
    int (*outbox_defer)(sr_store *s, const char *id, int64_t next_ms, sr_err *err);
    /* How long this handle's operations wait for a locked database before
     * failing with SR_EBUSY (default 10000 ms); for connections opened after. */
    void (*set_busy_ms)(sr_store *s, int ms);
    /* A cheap integrity check (SQLite: PRAGMA quick_check): 0 when sound,
     * SR_EDB with the first problem in err otherwise. */
    int (*integrity)(sr_store *s, sr_err *err);

    /* --- added for the fleet: several API and render nodes on one store */
    /* A store-wide setting (the shared signing secret: "server_secret"):
     * when name has no value, init is stored (the first node to ask wins);
     * out receives the stored value either way. */
    int (*setting_init)(sr_store *s, const char *name, const char *init, char *out, size_t out_size, sr_err *err);
    /* A node's heartbeat: upserts name (kind "render" or "api") with the
     * time now and info (JSON text, may be NULL). */
    int (*node_beat)(sr_store *s, const char *name, const char *kind, const char *info, sr_err *err);
    /* How many nodes of kind beat within the last max_age_ms (>= 0), or an error. */
    int (*nodes_alive)(sr_store *s, const char *kind, int64_t max_age_ms, sr_err *err);
    /* Creates tasks[0..n) (all of one job, state pending) in one transaction;
     * a (job_id, idx) that exists is left as it is (a job re-leased after
     * its holder died makes its tasks again). Wakes waiting nodes. */
    int (*task_create)(sr_store *s, const sr_task *tasks, int n, sr_err *err);
    /* Leases the oldest due task of a running job: pending, or running with
     * an expired lease (attempts + 1), for owner until now + ttl_ms. A task
     * whose lease expired after max_attempts fails WORKER_CRASHED instead.
     * Tasks of jobs that ended are never leased. Returns 1 with *out filled
     * (input loaded), 0 when none is due. */
    int (*task_acquire)(sr_store *s, const char *owner, int64_t ttl_ms, sr_task *out, sr_err *err);
    /* Extends the lease; SR_ENOT_FOUND when owner no longer holds it or its
     * job ended (the holder must stop). */
    int (*task_renew)(sr_store *s, const char *id, const char *owner, int64_t ttl_ms, sr_err *err);
    /* Ends a leased task: SR_TASK_DONE with result (JSON text) and node, or
     * SR_TASK_FAILED with error_code/error_msg. SR_ENOT_FOUND when owner no
     * longer holds it (then nothing changes: a task is finished once). */
    int (*task_finish)(sr_store *s, const char *id, const char *owner, int state, const char *node,
                       const char *result, const char *error_code, const char *error_msg, sr_err *err);
    /* All tasks of job_id, by idx, results loaded (inputs not): *out
     * malloc'd (each cleared with sr_task_clear, then freed); returns the count. */
    int (*task_list)(sr_store *s, const char *job_id, sr_task **out, sr_err *err);
    /* Removes the tasks of job_id (after assembly). */
    int (*task_delete)(sr_store *s, const char *job_id, sr_err *err);
    /* Waits at most timeout_ms for work to appear (a job or a task created or
     * given back: PostgreSQL LISTEN/NOTIFY; SQLite polls, i.e. sleeps):
     * returns 1 when woken, 0 on timeout. */
    int (*wait_work)(sr_store *s, int timeout_ms);
} sr_store_ops;

/* The SQLite backend (WAL mode, busy timeout, one connection per thread with
 * prepared statements). */
const sr_store_ops *sr_store_sqlite(void);
/* The PostgreSQL backend (libpq; location: a postgresql:// connection URI):
 * the same schema and behaviour, migrations under an advisory lock, leases
 * with SELECT ... FOR UPDATE SKIP LOCKED, wake-ups with LISTEN/NOTIFY. */
const sr_store_ops *sr_store_pg(void);
/* The backend for a --store value: "sqlite:PATH" (or a bare path) or
 * "postgresql://..." / "postgres://..."; *location points into uri past
 * the scheme prefix for SQLite. NULL (err filled) when unknown. */
const sr_store_ops *sr_store_for(const char *uri, const char **location, sr_err *err);

/* A fresh random UUID (v4) string. */
void sr_uuid(char out[SR_ID_LEN]);
/* n random bytes as 2n hex characters + NUL. n <= 64. */
void sr_random_hex(char *out, int n);
/* Unix time in milliseconds. */
int64_t sr_now_ms(void);

#endif
