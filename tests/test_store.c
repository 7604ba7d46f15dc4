/* libs: sr_service sr_common */
/* test_store.c - the store interface, the same tests on both backends
 * (SQLite, then PostgreSQL on a throwaway server: support/pg_fixture.h):
 * migrations, keys, account isolation, jobs with leases (expiry, re-lease,
 * attempts, cancel), the webhook outbox and uploads; the fleet's settings,
 * node heartbeats and tasks. Then PostgreSQL's own: nodes migrating at
 * once, foreign databases refused, SKIP LOCKED leases from many threads,
 * LISTEN/NOTIFY wake-ups, surviving a server restart. */
#include <setjmp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "store/store.h"
#include "support/fixtures.h"
#include "support/pg_fixture.h"

/* The backend the group being run tests. */
static const sr_store_ops *(*backend)(void) = sr_store_sqlite;

typedef struct fx {
    char *dir;
    char db[600];
    const sr_store_ops *ops;
    sr_store *st;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->ops = backend();
    if (f->ops == sr_store_pg()) {
        if (sr_pg_fixture_db(f->db, sizeof f->db)) { /* no server: the group fails, it is not skipped */
            print_error("PostgreSQL: %s\n", sr_pg_fixture_error());
            free(f);
            return -1;
        }
    } else {
        f->dir = sr_test_tmpdir();
        snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    }
    sr_err e = {0};
    if (f->ops->open(f->db, &f->st, &e)) {
        print_error("opening the %s store: %s\n", f->ops->name, e.msg);
        if (f->dir) sr_test_rmdir(f->dir);
        free(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    if (!f) return 0; /* its setup failed (and said why) */
    f->ops->close(f->st);
    if (f->dir) sr_test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void new_job(fx *f, const char *account, char id[SR_ID_LEN], const char *webhook)
{
    sr_job j = {0};
    sr_uuid(id);
    snprintf(j.id, sizeof j.id, "%s", id);
    snprintf(j.account_id, sizeof j.account_id, "%s", account);
    snprintf(j.kind, sizeof j.kind, "render");
    j.max_attempts = 3;
    j.input = "{\"x\":1}";
    j.webhook = (char *)webhook;
    assert_int_equal(f->ops->job_create(f->st, &j, NULL), 0);
}

static void test_reopen_and_keys(void **state)
{
    fx *f = *state;
    /* a second open of the same file finds it migrated */
    sr_store *again = NULL;
    assert_int_equal(f->ops->open(f->db, &again, NULL), 0);
    f->ops->close(again);
    assert_int_equal(f->ops->account_create(f->st, "acc-1", "alice", "whsec_1", NULL), 0);
    sr_key k = {.id = "key-1", .account_id = "acc-1", .name = "k", .prefix = "pictai_abc"};
    assert_int_equal(f->ops->key_create(f->st, &k, "hash-1", NULL), 0);
    sr_key got;
    assert_int_equal(f->ops->key_find(f->st, "hash-1", &got, NULL), 0);
    assert_string_equal(got.account_id, "acc-1");
    assert_string_equal(got.webhook_secret, "whsec_1");
    sr_err e = {0};
    assert_int_equal(f->ops->key_find(f->st, "hash-2", &got, &e), SR_ENOT_FOUND);
    assert_int_equal(f->ops->key_revoke(f->st, "pictai_abc", NULL), 0);
    assert_int_equal(f->ops->key_find(f->st, "hash-1", &got, NULL), SR_ENOT_FOUND);
    sr_key *all = NULL;
    assert_int_equal(f->ops->key_list(f->st, &all, NULL), 1);
    assert_true(all[0].revoked_ms > 0);
    free(all);
}

static void test_projects_isolated(void **state)
{
    fx *f = *state;
    sr_project p = {.account_id = "A", .name = "one", .data = "{\"scenes\":[]}"};
    sr_uuid(p.id);
    assert_int_equal(f->ops->project_create(f->st, &p, NULL), 0);
    sr_project got;
    assert_int_equal(f->ops->project_get(f->st, "B", p.id, &got, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->project_update(f->st, "B", p.id, "x", NULL, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->project_delete(f->st, "B", p.id, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->project_update(f->st, "A", p.id, "renamed", NULL, NULL), 0);
    assert_int_equal(f->ops->project_get(f->st, "A", p.id, &got, NULL), 0);
    assert_string_equal(got.name, "renamed");
    assert_string_equal(got.data, "{\"scenes\":[]}");
    sr_project_clear(&got);
    sr_project *list = NULL;
    assert_int_equal(f->ops->project_list(f->st, "B", 0, "", 10, &list, NULL), 0);
    free(list);
    assert_int_equal(f->ops->project_delete(f->st, "A", p.id, NULL), 0);
}

static void test_jobs_paging(void **state)
{
    fx *f = *state;
    char ids[5][SR_ID_LEN];
    for (int i = 0; i < 5; i++) {
        new_job(f, "P", ids[i], NULL);
        sleep_ms(2);
    }
    sr_job *page = NULL;
    assert_int_equal(f->ops->job_list(f->st, "P", 0, "", 3, &page, NULL), 3);
    assert_string_equal(page[0].id, ids[4]); /* newest first */
    int64_t ms = page[2].created_ms;
    char after[SR_ID_LEN];
    snprintf(after, sizeof after, "%s", page[2].id);
    for (int i = 0; i < 3; i++) sr_job_clear(&page[i]);
    free(page);
    assert_int_equal(f->ops->job_list(f->st, "P", ms, after, 3, &page, NULL), 2);
    assert_string_equal(page[1].id, ids[0]);
    for (int i = 0; i < 2; i++) sr_job_clear(&page[i]);
    free(page);
    assert_int_equal(f->ops->job_list(f->st, "other", 0, "", 3, &page, NULL), 0);
    free(page);
    for (int i = 0; i < 5; i++) assert_int_equal(f->ops->job_cancel(f->st, "P", ids[i], NULL), 0);
}

static void test_leases(void **state)
{
    fx *f = *state;
    char id[SR_ID_LEN];
    new_job(f, "L", id, NULL);
    sr_job j;
    assert_int_equal(f->ops->lease_acquire(f->st, "w1", 150, &j, NULL), 1);
    assert_string_equal(j.id, id);
    assert_string_equal(j.input, "{\"x\":1}");
    assert_int_equal(j.attempts, 1);
    sr_job_clear(&j);
    /* held: nobody else gets it */
    assert_int_equal(f->ops->lease_acquire(f->st, "w2", 150, &j, NULL), 0);
    assert_int_equal(f->ops->lease_renew(f->st, id, "w1", 150, NULL), 0);
    assert_int_equal(f->ops->job_progress(f->st, id, "w1", 42, "half", NULL), 0);
    assert_int_equal(f->ops->job_get(f->st, "L", id, 0, &j, NULL), 0);
    assert_int_equal(j.state, SR_JOB_RUNNING);
    assert_int_equal(j.progress, 42);
    sr_job_clear(&j);
    /* expired: another worker takes it; the first one's lease is gone */
    sleep_ms(200);
    assert_int_equal(f->ops->lease_acquire(f->st, "w2", 150, &j, NULL), 1);
    assert_int_equal(j.attempts, 2);
    sr_job_clear(&j);
    assert_int_equal(f->ops->lease_renew(f->st, id, "w1", 150, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->job_finish(f->st, id, "w1", SR_JOB_COMPLETED, "{}", NULL, NULL, NULL, NULL),
                     SR_ENOT_FOUND);
    /* a transient failure gives it back with a delay */
    assert_int_equal(f->ops->lease_release(f->st, id, "w2", 100, "IO_ERROR", "disk", NULL), 0);
    assert_int_equal(f->ops->lease_acquire(f->st, "w3", 150, &j, NULL), 0);
    sleep_ms(150);
    assert_int_equal(f->ops->lease_acquire(f->st, "w3", 100, &j, NULL), 1);
    assert_int_equal(j.attempts, 3);
    sr_job_clear(&j);
    /* third lease expires too: no tries left, it fails WORKER_CRASHED */
    sleep_ms(150);
    assert_int_equal(f->ops->lease_acquire(f->st, "w4", 100, &j, NULL), 0);
    assert_int_equal(f->ops->job_get(f->st, NULL, id, 0, &j, NULL), 0);
    assert_int_equal(j.state, SR_JOB_FAILED);
    assert_string_equal(j.error_code, "WORKER_CRASHED");
    sr_job_clear(&j);
}

/* A job that depends on another is not leased before that one ends
 * (completed or failed), whatever their ages. */
static void test_dependency(void **state)
{
    fx *f = *state;
    char a[SR_ID_LEN], b[SR_ID_LEN], c[SR_ID_LEN];
    new_job(f, "D", a, NULL);
    sr_job j = {0};
    sr_uuid(b);
    snprintf(j.id, sizeof j.id, "%s", b);
    snprintf(j.account_id, sizeof j.account_id, "D");
    snprintf(j.kind, sizeof j.kind, "render");
    snprintf(j.depends_on, sizeof j.depends_on, "%s", a);
    j.input = "{}";
    assert_int_equal(f->ops->job_create(f->st, &j, NULL), 0);
    sr_uuid(c); /* c waits for b */
    snprintf(j.id, sizeof j.id, "%s", c);
    snprintf(j.depends_on, sizeof j.depends_on, "%s", b);
    assert_int_equal(f->ops->job_create(f->st, &j, NULL), 0);
    assert_int_equal(f->ops->job_get(f->st, "D", b, 0, &j, NULL), 0);
    assert_string_equal(j.depends_on, a);
    sr_job_clear(&j);
    assert_int_equal(f->ops->lease_acquire(f->st, "w", 5000, &j, NULL), 1);
    assert_string_equal(j.id, a);
    sr_job_clear(&j);
    assert_int_equal(f->ops->lease_acquire(f->st, "w", 5000, &j, NULL), 0); /* b waits while a runs */
    assert_int_equal(f->ops->job_finish(f->st, a, "w", SR_JOB_COMPLETED, "{}", NULL, NULL, NULL, NULL), 0);
    assert_int_equal(f->ops->lease_acquire(f->st, "w", 5000, &j, NULL), 1);
    assert_string_equal(j.id, b);
    assert_string_equal(j.depends_on, a);
    sr_job_clear(&j);
    assert_int_equal(f->ops->lease_acquire(f->st, "w", 5000, &j, NULL), 0); /* c waits for b */
    assert_int_equal(f->ops->job_cancel(f->st, "D", b, NULL), 0);          /* failing ends it too */
    assert_int_equal(f->ops->lease_acquire(f->st, "w", 5000, &j, NULL), 1);
    assert_string_equal(j.id, c);
    sr_job_clear(&j);
    assert_int_equal(f->ops->job_cancel(f->st, "D", c, NULL), 0);
}

static void test_cancel_and_outbox(void **state)
{
    fx *f = *state;
    char id[SR_ID_LEN], id2[SR_ID_LEN];
    new_job(f, "C", id, "http://example.com/hook");
    sr_job j;
    assert_int_equal(f->ops->lease_acquire(f->st, "w", 5000, &j, NULL), 1);
    sr_job_clear(&j);
    assert_int_equal(f->ops->job_cancel(f->st, "other", id, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->job_cancel(f->st, "C", id, NULL), 0);
    assert_int_equal(f->ops->job_cancel(f->st, "C", id, NULL), SR_ELIMIT);
    /* the worker notices on its next renewal */
    assert_int_equal(f->ops->lease_renew(f->st, id, "w", 5000, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->job_get(f->st, "C", id, 0, &j, NULL), 0);
    assert_string_equal(j.error_code, "CANCELLED");
    sr_job_clear(&j);
    /* a finished job with a webhook queues one delivery, in the same transaction */
    new_job(f, "C", id2, "http://example.com/hook2");
    assert_int_equal(f->ops->lease_acquire(f->st, "w", 5000, &j, NULL), 1);
    sr_job_clear(&j);
    sr_project save = {.account_id = "C", .name = "saved", .data = "{}"};
    sr_uuid(save.id);
    assert_int_equal(f->ops->job_finish(f->st, id2, "w", SR_JOB_COMPLETED, "{\"video\":\"files/a/b.mp4\"}", NULL,
                                        NULL, &save, NULL),
                     0);
    sr_project p;
    assert_int_equal(f->ops->project_get(f->st, "C", save.id, &p, NULL), 0);
    sr_project_clear(&p);
    sr_outbox *due = NULL;
    assert_int_equal(f->ops->outbox_claim(f->st, 60000, 10, &due, NULL), 2);
    free(due);
    /* claimed ones are hidden until their claim runs out or they are retried */
    assert_int_equal(f->ops->outbox_claim(f->st, 60000, 10, &due, NULL), 0);
    free(due);
}

static void test_uploads(void **state)
{
    fx *f = *state;
    sr_upload u = {.account_id = "U", .key = "files/r/a.png", .content_type = "image/png", .max_size = 10};
    sr_uuid(u.id);
    u.expires_ms = sr_now_ms() + 1000;
    assert_int_equal(f->ops->upload_create(f->st, &u, NULL), 0);
    sr_upload got;
    assert_int_equal(f->ops->upload_find_key(f->st, "V", "files/r/a.png", &got, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->upload_done(f->st, u.id, 7, NULL), 0);
    assert_int_equal(f->ops->upload_done(f->st, u.id, 7, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->upload_find_key(f->st, "U", "files/r/a.png", &got, NULL), 0);
    assert_int_equal(got.size, 7);
    assert_true(got.done_ms > 0);
}

/* A leased (running) job of account, for tasks to belong to. */
static void running_job(fx *f, const char *account, char id[SR_ID_LEN])
{
    new_job(f, account, id, NULL);
    sr_job j;
    assert_int_equal(f->ops->lease_acquire(f->st, "holder", 60000, &j, NULL), 1);
    assert_string_equal(j.id, id);
    sr_job_clear(&j);
}

static void make_tasks(fx *f, const char *job, int n, int max_attempts, const char *input_fmt)
{
    sr_task t[8];
    char in[8][64];
    assert_true(n <= 8);
    memset(t, 0, sizeof t);
    for (int i = 0; i < n; i++) {
        sr_uuid(t[i].id);
        snprintf(t[i].job_id, sizeof t[i].job_id, "%.*s", (int)sizeof t[i].job_id - 1, job);
        t[i].idx = i;
        t[i].max_attempts = max_attempts;
        snprintf(in[i], sizeof in[i], input_fmt, i);
        t[i].input = in[i];
    }
    assert_int_equal(f->ops->task_create(f->st, t, n, NULL), 0);
}

static void take_task(fx *f, const char *owner, int64_t ttl, int idx, int attempts, sr_task *out)
{
    assert_int_equal(f->ops->task_acquire(f->st, owner, ttl, out, NULL), 1);
    assert_int_equal(out->idx, idx);
    assert_int_equal(out->attempts, attempts);
    assert_int_equal(out->state, SR_TASK_RUNNING);
    assert_string_equal(out->lease_owner, owner);
}

/* Tasks: made once per (job, idx), leased one at a time, renewed, re-leased
 * after their lease runs out (attempts + 1) until max_attempts fails them
 * WORKER_CRASHED, finished once, listed by idx, deleted. */
static void test_tasks_lifecycle(void **state)
{
    fx *f = *state;
    char job[SR_ID_LEN];
    sr_task t, t0, t1;
    sr_err e = {0};
    assert_int_equal(f->ops->task_create(f->st, &(sr_task){.job_id = "no-such-job"}, 1, &e), SR_ENOT_FOUND);
    running_job(f, "T", job);
    sr_task two[2] = {{.idx = 0}, {.idx = 1}};
    snprintf(two[0].job_id, sizeof two[0].job_id, "%s", job);
    snprintf(two[1].job_id, sizeof two[1].job_id, "another-job");
    sr_err_clear(&e);
    assert_int_equal(f->ops->task_create(f->st, two, 2, &e), SR_EINVALID_FIELD);
    assert_string_equal(e.field, "tasks");
    assert_int_equal(f->ops->task_create(f->st, two, SR_TASKS_MAX + 1, NULL), SR_ELIMIT);
    make_tasks(f, job, 3, 2, "{\"seg\":%d}");
    make_tasks(f, job, 3, 5, "{\"again\":%d}"); /* a re-leased job makes them again: left as they are */
    take_task(f, "w1", 5000, 0, 1, &t0);
    assert_string_equal(t0.input, "{\"seg\":0}");
    assert_string_equal(t0.job_id, job);
    assert_string_equal(t0.account_id, "T"); /* the job's account */
    assert_int_equal(t0.max_attempts, 2);
    take_task(f, "w2", 100, 1, 1, &t1);
    assert_int_equal(f->ops->task_renew(f->st, t0.id, "w1", 5000, NULL), 0);
    assert_int_equal(f->ops->task_renew(f->st, t0.id, "w2", 5000, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->task_finish(f->st, t0.id, "w1", SR_TASK_DONE, "node-a", "{\"file\":\"s0\"}", NULL,
                                         NULL, NULL),
                     0);
    /* finished once: a second finish, or the holder's renewal, is refused and changes nothing */
    sr_err lost = {0};
    assert_int_equal(f->ops->task_finish(f->st, t0.id, "w1", SR_TASK_FAILED, "node-b", NULL, "ENCODE_FAILED", "x",
                                         &lost),
                     SR_ENOT_FOUND);
    assert_string_equal(lost.field, "taskId");
    assert_int_equal(f->ops->task_renew(f->st, t0.id, "w1", 5000, NULL), SR_ENOT_FOUND);
    /* task 1's lease runs out: re-leased before the pending task 2 (older first), attempts 2 */
    sleep_ms(150);
    take_task(f, "w3", 100, 1, 2, &t);
    assert_string_equal(t.id, t1.id);
    assert_string_equal(t.input, "{\"seg\":1}");
    sr_task_clear(&t);
    assert_int_equal(f->ops->task_renew(f->st, t1.id, "w2", 5000, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->task_finish(f->st, t1.id, "w2", SR_TASK_DONE, "n", "{}", NULL, NULL, NULL),
                     SR_ENOT_FOUND);
    /* and runs out again: no tries left, it fails WORKER_CRASHED and task 2 is leased instead */
    sleep_ms(150);
    take_task(f, "w4", 5000, 2, 1, &t);
    assert_int_equal(f->ops->task_acquire(f->st, "w5", 5000, &t1, NULL), 0);
    assert_int_equal(f->ops->task_finish(f->st, t.id, "w4", SR_TASK_FAILED, "node-c", NULL, "ENCODE_FAILED",
                                         "the encoder failed", NULL),
                     0);
    assert_int_equal(f->ops->task_finish(f->st, t.id, "w4", 7, "n", NULL, NULL, NULL, NULL), SR_EINVALID_FIELD);
    sr_task_clear(&t);
    sr_task *all = NULL;
    assert_int_equal(f->ops->task_list(f->st, job, &all, NULL), 3);
    assert_int_equal(all[0].idx, 0);
    assert_int_equal(all[0].state, SR_TASK_DONE);
    assert_string_equal(all[0].node, "node-a");
    assert_string_equal(all[0].result, "{\"file\":\"s0\"}");
    assert_null(all[0].input); /* lists leave inputs out */
    assert_int_equal(all[1].state, SR_TASK_FAILED);
    assert_string_equal(all[1].error_code, "WORKER_CRASHED");
    assert_int_equal(all[1].attempts, 2);
    assert_int_equal(all[2].state, SR_TASK_FAILED);
    assert_string_equal(all[2].error_code, "ENCODE_FAILED");
    assert_string_equal(all[2].error_msg, "the encoder failed");
    assert_string_equal(all[2].node, "node-c");
    for (int i = 0; i < 3; i++) sr_task_clear(&all[i]);
    free(all);
    sr_task_clear(&t0);
    sr_task_clear(&t1);
    assert_int_equal(f->ops->task_delete(f->st, job, NULL), 0);
    assert_int_equal(f->ops->task_list(f->st, job, &all, NULL), 0);
    free(all);
    assert_int_equal(f->ops->job_finish(f->st, job, "holder", SR_JOB_COMPLETED, "{}", NULL, NULL, NULL, NULL), 0);
}

/* Tasks of a job that ended (cancelled, failed) or is not running are never
 * leased, and their holders learn it on their next renewal. */
static void test_tasks_of_ended_jobs(void **state)
{
    fx *f = *state;
    char a[SR_ID_LEN], b[SR_ID_LEN], p[SR_ID_LEN];
    sr_task t;
    running_job(f, "E", a);
    make_tasks(f, a, 2, 3, "{\"a\":%d}");
    take_task(f, "w1", 5000, 0, 1, &t);
    assert_int_equal(f->ops->job_cancel(f->st, "E", a, NULL), 0);
    assert_int_equal(f->ops->task_acquire(f->st, "w2", 5000, &t, NULL), 0); /* task 1 stays pending */
    assert_int_equal(f->ops->task_renew(f->st, t.id, "w1", 5000, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->task_finish(f->st, t.id, "w1", SR_TASK_DONE, "n", "{}", NULL, NULL, NULL),
                     SR_ENOT_FOUND);
    sr_task_clear(&t);
    running_job(f, "E", b);
    make_tasks(f, b, 1, 3, "{\"b\":%d}");
    assert_int_equal(f->ops->job_finish(f->st, b, "holder", SR_JOB_FAILED, NULL, "ENCODE_FAILED", "x", NULL, NULL),
                     0);
    assert_int_equal(f->ops->task_acquire(f->st, "w2", 5000, &t, NULL), 0);
    /* a job given back (pending) has its tasks wait until it is leased again */
    running_job(f, "E", p);
    make_tasks(f, p, 1, 3, "{\"p\":%d}");
    assert_int_equal(f->ops->lease_release(f->st, p, "holder", 0, "IO_ERROR", "disk", NULL), 0);
    assert_int_equal(f->ops->task_acquire(f->st, "w2", 5000, &t, NULL), 0);
    sr_job j;
    assert_int_equal(f->ops->lease_acquire(f->st, "holder", 60000, &j, NULL), 1);
    sr_job_clear(&j);
    take_task(f, "w2", 5000, 0, 1, &t);
    assert_string_equal(t.job_id, p);
    sr_task_clear(&t);
    assert_int_equal(f->ops->job_cancel(f->st, "E", p, NULL), 0);
    for (int i = 0; i < 3; i++) assert_int_equal(f->ops->task_delete(f->st, (const char *[]){a, b, p}[i], NULL), 0);
}

/* A job of account, leased and ended as completed (its webhook queued when it has one). */
static void completed_job(fx *f, const char *account, const char *webhook, char id[SR_ID_LEN])
{
    new_job(f, account, id, webhook);
    sr_job j;
    assert_int_equal(f->ops->lease_acquire(f->st, "fin", 60000, &j, NULL), 1);
    assert_string_equal(j.id, id);
    sr_job_clear(&j);
    assert_int_equal(f->ops->job_finish(f->st, id, "fin", SR_JOB_COMPLETED, "{\"v\":1}", NULL, NULL, NULL, NULL), 0);
}

/* Fair leasing: A queued 20 jobs before B's one; B's is among the first two, a cap of one running job per
 * account holds the third back, and without a cap A (B has none left) goes on. */
static void test_fair_leases(void **state)
{
    fx *f = *state;
    char ids[21][SR_ID_LEN];
    for (int i = 0; i < 21; i++) {
        sr_job j = {.max_attempts = 3, .created_ms = 1000 + i, .input = "{}"};
        sr_uuid(j.id);
        snprintf(ids[i], sizeof ids[i], "%s", j.id);
        snprintf(j.account_id, sizeof j.account_id, "%s", i < 20 ? "fair-a" : "fair-b");
        snprintf(j.kind, sizeof j.kind, "render");
        assert_int_equal(f->ops->job_create(f->st, &j, NULL), 0);
    }
    sr_job got[3];
    assert_int_equal(f->ops->lease_acquire_fair(f->st, "w1", 60000, 1, &got[0], NULL), 1);
    assert_int_equal(f->ops->lease_acquire_fair(f->st, "w2", 60000, 1, &got[1], NULL), 1);
    assert_true(!strcmp(got[0].id, ids[20]) || !strcmp(got[1].id, ids[20]));
    assert_string_not_equal(got[0].account_id, got[1].account_id);
    assert_int_equal(f->ops->lease_acquire_fair(f->st, "w3", 60000, 1, &got[2], NULL), 0); /* both at the cap */
    assert_int_equal(f->ops->lease_acquire_fair(f->st, "w3", 60000, 0, &got[2], NULL), 1);
    assert_string_equal(got[2].account_id, "fair-a");
    assert_string_equal(got[2].id, ids[1]); /* A's oldest left: its first went with w1 or w2 */
    for (int i = 0; i < 3; i++) sr_job_clear(&got[i]);
    for (int i = 0; i < 21; i++)
        assert_int_equal(f->ops->job_cancel(f->st, i < 20 ? "fair-a" : "fair-b", ids[i], NULL), 0);
}

/* The outbox: at most 4 due entries per URL in one claim; retry counts an attempt, defer does not;
 * done and dropped entries are never claimed again. */
static void test_outbox_states(void **state)
{
    fx *f = *state;
    char id[SR_ID_LEN];
    for (int i = 0; i < 6; i++) completed_job(f, "O", "http://hooks.example/same", id);
    sr_outbox *a = NULL, *b = NULL;
    assert_int_equal(f->ops->outbox_claim(f->st, 60000, 10, &a, NULL), 4);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(a[i].url, "http://hooks.example/same");
        assert_string_equal(a[i].account_id, "O");
        assert_int_equal(a[i].attempts, 0);
    }
    assert_int_equal(f->ops->outbox_claim(f->st, 60000, 10, &b, NULL), 2);
    free(b);
    int64_t now = sr_now_ms();
    assert_int_equal(f->ops->outbox_retry(f->st, a[0].id, now - 1, NULL), 0);
    assert_int_equal(f->ops->outbox_claim(f->st, 60000, 10, &b, NULL), 1);
    assert_string_equal(b[0].id, a[0].id);
    assert_int_equal(b[0].attempts, 1);
    free(b);
    assert_int_equal(f->ops->outbox_defer(f->st, a[0].id, now - 1, NULL), 0);
    assert_int_equal(f->ops->outbox_claim(f->st, 60000, 10, &b, NULL), 1);
    assert_int_equal(b[0].attempts, 1);
    free(b);
    assert_int_equal(f->ops->outbox_done(f->st, a[0].id, NULL), 0);
    assert_int_equal(f->ops->outbox_drop(f->st, a[1].id, NULL), 0);
    for (int i = 0; i < 2; i++) assert_int_equal(f->ops->outbox_defer(f->st, a[i].id, now - 1, NULL), 0);
    assert_int_equal(f->ops->outbox_claim(f->st, 60000, 10, &b, NULL), 0); /* ended: never again */
    free(b);
    free(a);
}

/* Stats count what happened; results can be replaced once completed, partial ones set while running. */
static void test_stats_and_results(void **state)
{
    fx *f = *state;
    sr_job_stats before, after;
    assert_int_equal(f->ops->job_stats(f->st, &before, NULL), 0);
    char done[SR_ID_LEN], run[SR_ID_LEN];
    completed_job(f, "S", NULL, done);
    running_job(f, "S", run);
    assert_int_equal(f->ops->job_stats(f->st, &after, NULL), 0);
    assert_int_equal(after.by_state[SR_JOB_COMPLETED], before.by_state[SR_JOB_COMPLETED] + 1);
    assert_int_equal(after.by_state[SR_JOB_RUNNING], before.by_state[SR_JOB_RUNNING] + 1);
    assert_int_equal(after.render_n, before.render_n + 1);
    assert_int_equal(after.wait_n, before.wait_n + 2);
    assert_true(after.render_s_sum >= before.render_s_sum);
    sr_job j;
    assert_int_equal(f->ops->job_partial_result(f->st, run, "holder", "{\"hls\":\"part\"}", NULL), 0);
    assert_int_equal(f->ops->job_partial_result(f->st, run, "other", "{}", NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->job_get(f->st, "S", run, 0, &j, NULL), 0);
    assert_string_equal(j.result, "{\"hls\":\"part\"}");
    sr_job_clear(&j);
    assert_int_equal(f->ops->job_update_result(f->st, "S", run, "{}", NULL), SR_ENOT_FOUND); /* not completed */
    assert_int_equal(f->ops->job_update_result(f->st, "T", done, "{}", NULL), SR_ENOT_FOUND); /* not T's */
    assert_int_equal(f->ops->job_update_result(f->st, "S", done, "{\"edited\":true}", NULL), 0);
    assert_int_equal(f->ops->job_get(f->st, "S", done, 1, &j, NULL), 0);
    assert_string_equal(j.result, "{\"edited\":true}");
    assert_string_equal(j.input, "{\"x\":1}");
    assert_int_equal(j.progress, 100);
    sr_job_clear(&j);
    assert_int_equal(f->ops->job_cancel(f->st, "S", run, NULL), 0);
}

/* Named resources: of one account, found by name whatever its case (the newest), listed oldest first. */
static void test_resources(void **state)
{
    fx *f = *state;
    sr_project t1 = {.account_id = "R", .name = "Intro", .data = "{\"v\":1}"}, t2 = t1, got;
    sr_uuid(t1.id);
    sr_uuid(t2.id);
    t2.data = "{\"v\":2}";
    assert_int_equal(f->ops->resource_create(f->st, "template", &t1, NULL), 0);
    sleep_ms(2);
    assert_int_equal(f->ops->resource_create(f->st, "template", &t2, NULL), 0);
    assert_int_equal(f->ops->resource_find(f->st, "template", "R", "intro", &got, NULL), 0);
    assert_string_equal(got.id, t2.id);
    assert_string_equal(got.data, "{\"v\":2}");
    sr_project_clear(&got);
    sr_err e = {0};
    assert_int_equal(f->ops->resource_find(f->st, "template", "other", "Intro", &got, &e), SR_ENOT_FOUND);
    assert_string_equal(e.field, "template");
    assert_int_equal(f->ops->resource_find(f->st, "brand", "R", "Intro", &got, NULL), SR_ENOT_FOUND);
    sr_project *list = NULL;
    assert_int_equal(f->ops->resource_list(f->st, "template", "R", 10, &list, NULL), 2);
    assert_string_equal(list[0].id, t1.id);
    assert_null(list[0].data);
    free(list);
    snprintf(t1.name, sizeof t1.name, "Outro");
    t1.data = "{\"v\":3}";
    assert_int_equal(f->ops->resource_update(f->st, "template", &t1, NULL), 0);
    assert_int_equal(f->ops->resource_get(f->st, "template", "R", t1.id, &got, NULL), 0);
    assert_string_equal(got.name, "Outro");
    assert_string_equal(got.data, "{\"v\":3}");
    sr_project_clear(&got);
    sr_project stranger = t1;
    snprintf(stranger.account_id, sizeof stranger.account_id, "other");
    assert_int_equal(f->ops->resource_update(f->st, "template", &stranger, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->resource_get(f->st, "template", "other", t1.id, &got, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->resource_delete(f->st, "template", "other", t1.id, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->resource_delete(f->st, "template", "R", t1.id, NULL), 0);
    assert_int_equal(f->ops->resource_delete(f->st, "template", "R", t1.id, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->resource_delete(f->st, "template", "R", t2.id, NULL), 0);
}

/* Keys by id, account secrets, a second key on one hash refused. */
static void test_keys_by_id(void **state)
{
    fx *f = *state;
    assert_int_equal(f->ops->account_create(f->st, "acc-k", "kim", "whsec_k", NULL), 0);
    sr_key k = {.id = "key-k", .account_id = "acc-k", .name = "k", .prefix = "pictai_kkk"}, got;
    assert_int_equal(f->ops->key_create(f->st, &k, "hash-k", NULL), 0);
    snprintf(k.id, sizeof k.id, "key-k2");
    sr_err e = {0};
    assert_int_equal(f->ops->key_create(f->st, &k, "hash-k", &e), SR_EDB); /* the hash is unique */
    assert_int_equal(f->ops->key_get(f->st, "key-k", &got, NULL), 0);
    assert_string_equal(got.prefix, "pictai_kkk");
    assert_string_equal(got.webhook_secret, "whsec_k");
    char secret[80];
    assert_int_equal(f->ops->account_secret(f->st, "acc-k", secret, NULL), 0);
    assert_string_equal(secret, "whsec_k");
    assert_int_equal(f->ops->account_secret(f->st, "acc-none", secret, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->key_revoke(f->st, "key-k", NULL), 0);
    assert_int_equal(f->ops->key_get(f->st, "key-k", &got, NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->key_revoke(f->st, "key-k", NULL), SR_ENOT_FOUND);
    assert_int_equal(f->ops->integrity(f->st, NULL), 0);
    assert_int_equal(f->ops->ping(f->st, NULL), 0);
}

/* The first node to set a setting wins; later ones read it back. */
static void test_settings(void **state)
{
    fx *f = *state;
    char v[64], tiny[4];
    assert_int_equal(f->ops->setting_init(f->st, "server_secret", "first-secret", v, sizeof v, NULL), 0);
    assert_string_equal(v, "first-secret");
    assert_int_equal(f->ops->setting_init(f->st, "server_secret", "second-secret", v, sizeof v, NULL), 0);
    assert_string_equal(v, "first-secret");
    assert_int_equal(f->ops->setting_init(f->st, "server_secret", NULL, v, sizeof v, NULL), 0);
    assert_string_equal(v, "first-secret");
    sr_err e = {0};
    assert_int_equal(f->ops->setting_init(f->st, "server_secret", NULL, tiny, sizeof tiny, &e), SR_ELIMIT);
    assert_int_equal(f->ops->setting_init(f->st, "unset", NULL, v, sizeof v, NULL), SR_ENOT_FOUND);
    /* another handle (another node) sees the same value */
    sr_store *other = NULL;
    assert_int_equal(f->ops->open(f->db, &other, NULL), 0);
    assert_int_equal(f->ops->setting_init(other, "server_secret", "third", v, sizeof v, NULL), 0);
    assert_string_equal(v, "first-secret");
    f->ops->close(other);
}

/* Heartbeats: one row per node name, counted by kind and age. */
static void test_nodes(void **state)
{
    fx *f = *state;
    assert_int_equal(f->ops->node_beat(f->st, "render-1", "render", "{\"cpus\":2}", NULL), 0);
    assert_int_equal(f->ops->node_beat(f->st, "render-2", "render", NULL, NULL), 0);
    assert_int_equal(f->ops->node_beat(f->st, "api-1", "api", NULL, NULL), 0);
    assert_int_equal(f->ops->node_beat(f->st, "render-1", "render", "{\"cpus\":4}", NULL), 0);
    assert_int_equal(f->ops->nodes_alive(f->st, "render", 60000, NULL), 2);
    assert_int_equal(f->ops->nodes_alive(f->st, "api", 60000, NULL), 1);
    assert_int_equal(f->ops->nodes_alive(f->st, "other", 60000, NULL), 0);
    sleep_ms(120);
    assert_int_equal(f->ops->node_beat(f->st, "render-2", "render", NULL, NULL), 0);
    assert_int_equal(f->ops->nodes_alive(f->st, "render", 80, NULL), 1); /* render-1 went quiet */
    assert_int_equal(f->ops->nodes_alive(f->st, "api", 80, NULL), 0);
    sr_err e = {0};
    assert_int_equal(f->ops->nodes_alive(f->st, "api", -1, &e), SR_EINVALID_FIELD);
}

/* Wake-ups: without notifications (SQLite) a wait sleeps its timeout (capped) and says "not woken". */
static void test_wait_work(void **state)
{
    fx *f = *state;
    int64_t t0 = sr_now_ms();
    assert_int_equal(f->ops->wait_work(f->st, 60), 0);
    int64_t took = sr_now_ms() - t0;
    assert_true(took >= 55 && took < 1000);
    assert_int_equal(f->ops->wait_work(f->st, 0), 0);
}

/* --store values name their backend. */
static void test_store_for(void **state)
{
    (void)state;
    const char *loc = NULL;
    sr_err e = {0};
    assert_ptr_equal(sr_store_for("sqlite:data/s.db", &loc, NULL), sr_store_sqlite());
    assert_string_equal(loc, "data/s.db");
    assert_ptr_equal(sr_store_for("data/s.db", &loc, NULL), sr_store_sqlite());
    assert_string_equal(loc, "data/s.db");
    assert_ptr_equal(sr_store_for("postgresql://u@db:5432/sr", &loc, NULL), sr_store_pg());
    assert_string_equal(loc, "postgresql://u@db:5432/sr");
    assert_ptr_equal(sr_store_for("postgres://db/sr", &loc, NULL), sr_store_pg());
    assert_string_equal(sr_store_pg()->name, "postgresql");
    assert_null(sr_store_for("mysql://db/sr", &loc, &e));
    assert_string_equal(e.field, "store");
    assert_non_null(strstr(e.msg, "mysql"));
    sr_err_clear(&e);
    assert_null(sr_store_for("sqlite:", &loc, &e));
    assert_int_equal(e.code, SR_EINVALID_FIELD);
    assert_null(sr_store_for("", &loc, NULL));
}

/* ------------------------------------------------------- PostgreSQL only */

/* Four processes opening one fresh database at once: one migration, one schema, no error. */
static void test_pg_concurrent_migration(void **state)
{
    fx *f = *state;
    char uri[600];
    if (sr_pg_fixture_db(uri, sizeof uri)) fail_msg("%s", sr_pg_fixture_error());
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    pid_t kids[4];
    for (int i = 0; i < 4; i++) {
        if ((kids[i] = fork()) == 0) {
            char b;
            close(gate[1]);
            if (read(gate[0], &b, 1) < 0) _exit(3); /* all start when the gate closes */
            sr_store *s = NULL;
            sr_err e = {0};
            int rc = f->ops->open(uri, &s, &e) || f->ops->integrity(s, &e);
            if (rc) fprintf(stderr, "child %d: %s\n", i, e.msg);
            f->ops->close(s);
            _exit(rc ? 1 : 0); /* _exit: the fixture's server belongs to the parent */
        }
        assert_true(kids[i] > 0);
    }
    close(gate[0]);
    close(gate[1]);
    for (int i = 0; i < 4; i++) {
        int st = -1;
        assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    assert_int_equal(sr_pg_fixture_query_int(uri, "SELECT count(*) FROM storyreel_schema"), 1);
    assert_int_equal(sr_pg_fixture_query_int(uri, "SELECT count(*) FROM pg_trigger WHERE tgname='tasks_wake'"), 1);
    sr_store *s = NULL;
    assert_int_equal(f->ops->open(uri, &s, NULL), 0);
    assert_int_equal(f->ops->integrity(s, NULL), 0);
    f->ops->close(s);
}

/* A database holding other tables is refused, naming it; no message shows the URI's password. */
static void test_pg_refuses_foreign(void **state)
{
    fx *f = *state;
    char uri[600], secret_uri[700];
    if (sr_pg_fixture_db(uri, sizeof uri)) fail_msg("%s", sr_pg_fixture_error());
    assert_int_equal(sr_pg_fixture_sql(uri, "CREATE TABLE inventory(item text)"), 0);
    const char *at = strchr(uri + strlen("postgresql://"), '@');
    snprintf(secret_uri, sizeof secret_uri, "%.*s:s3cret-pw%s", (int)(at - uri), uri, at);
    sr_store *s = NULL;
    sr_err e = {0};
    assert_int_equal(f->ops->open(secret_uri, &s, &e), SR_EDB);
    assert_null(s);
    assert_non_null(strstr(e.msg, "storyreel's schema"));
    assert_non_null(strstr(e.msg, strrchr(uri, '/') + 1)); /* the database's name */
    assert_null(strstr(e.msg, "s3cret"));
    /* nobody listening: refused at once, the password still unseen */
    sr_err_clear(&e);
    assert_int_equal(f->ops->open("postgresql://storyreel:s3cret-pw@127.0.0.1:1/x?connect_timeout=2", &s, &e),
                     SR_EDB);
    assert_non_null(strstr(e.msg, "cannot connect"));
    assert_null(strstr(e.msg, "s3cret"));
    sr_err_clear(&e);
    assert_int_equal(f->ops->open("postgresql://[bad", &s, &e), SR_EINVALID_FIELD);
}

enum { GRAB_JOBS, GRAB_TASKS, GRAB_OUTBOX };
typedef struct grab {
    fx *f;
    int what;                  /* GRAB_* */
    char owner[16];
    char (*ids)[SR_ID_LEN];    /* what this thread leased */
    int n, errors;
} grab;

static void *grab_main(void *p)
{
    grab *g = p;
    for (;;) {
        sr_job j;
        sr_task t;
        sr_outbox *o = NULL;
        sr_err e = {0};
        int got = g->what == GRAB_TASKS ? g->f->ops->task_acquire(g->f->st, g->owner, 60000, &t, &e)
                  : g->what == GRAB_JOBS ? g->f->ops->lease_acquire_fair(g->f->st, g->owner, 60000, 0, &j, &e)
                                         : g->f->ops->outbox_claim(g->f->st, 60000, 3, &o, &e);
        if (got < 0) {
            fprintf(stderr, "%s: %s\n", g->owner, e.msg);
            g->errors++;
            break;
        }
        for (int i = 0; i < got; i++) {
            const char *id = g->what == GRAB_TASKS ? t.id : g->what == GRAB_JOBS ? j.id : o[i].id;
            snprintf(g->ids[g->n++], SR_ID_LEN, "%s", id);
        }
        if (got && g->what == GRAB_TASKS) sr_task_clear(&t);
        if (got && g->what == GRAB_JOBS) sr_job_clear(&j);
        free(o);
        if (got == 0) break;
    }
    return NULL;
}

static int cmp_id(const void *a, const void *b) { return strcmp(a, b); }

/* Four threads leasing at once (each on its own connection): every one of n rows (jobs, tasks or webhook
 * entries) leased exactly once. */
static void grab_all(fx *f, int what, int n)
{
    enum { T = 4 };
    grab g[T];
    pthread_t th[T];
    char(*all)[SR_ID_LEN] = calloc((size_t)n * T, SR_ID_LEN);
    for (int i = 0; i < T; i++) {
        g[i] = (grab){.f = f, .what = what, .ids = all + (size_t)i * n};
        snprintf(g[i].owner, sizeof g[i].owner, "w%d", i);
        assert_int_equal(pthread_create(&th[i], NULL, grab_main, &g[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(g[i].errors, 0);
        memmove(all + total, g[i].ids, (size_t)g[i].n * SR_ID_LEN);
        total += g[i].n;
    }
    assert_int_equal(total, n);
    qsort(all, (size_t)total, SR_ID_LEN, cmp_id);
    for (int i = 1; i < total; i++) assert_string_not_equal(all[i - 1], all[i]);
    free(all);
}

static void test_pg_skip_locked(void **state)
{
    fx *f = *state;
    enum { JOBS = 120, TASKS = 8 * 12 };
    char ids[JOBS][SR_ID_LEN];
    for (int i = 0; i < JOBS; i++) new_job(f, (const char *[]){"K1", "K2", "K3"}[i % 3], ids[i], NULL);
    grab_all(f, GRAB_JOBS, JOBS);
    /* tasks: 12 running jobs of 8 tasks each */
    for (int i = 0; i < 12; i++) {
        sr_job j;
        assert_int_equal(f->ops->job_get(f->st, NULL, ids[i], 0, &j, NULL), 0);
        assert_int_equal(j.state, SR_JOB_RUNNING);
        make_tasks(f, ids[i], 8, 3, "{\"t\":%d}");
        sr_job_clear(&j);
    }
    grab_all(f, GRAB_TASKS, TASKS);
    for (int i = 0; i < JOBS; i++) {
        sr_job j;
        assert_int_equal(f->ops->job_get(f->st, NULL, ids[i], 0, &j, NULL), 0);
        assert_int_equal(f->ops->job_finish(f->st, ids[i], j.lease_owner, SR_JOB_COMPLETED, "{}", NULL, NULL, NULL,
                                            NULL),
                         0);
        sr_job_clear(&j);
        assert_int_equal(f->ops->task_delete(f->st, ids[i], NULL), 0);
    }
    /* webhook entries: 40 on 10 URLs, claimed 3 at a time by 4 threads, each entry once */
    char hook[SR_ID_LEN];
    for (int i = 0; i < 40; i++) {
        char url[64];
        snprintf(url, sizeof url, "http://hooks.example/%d", i % 10);
        completed_job(f, "K4", url, hook);
    }
    grab_all(f, GRAB_OUTBOX, 40);
}

typedef struct waiter {
    fx *f;
    int ready, woke;
    int64_t took;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} waiter;

static void *wait_main(void *p)
{
    waiter *w = p;
    w->f->ops->wait_work(w->f->st, 0); /* this thread's listener, and what came before, drained */
    pthread_mutex_lock(&w->mu);
    w->ready = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    int64_t t0 = sr_now_ms();
    w->woke = w->f->ops->wait_work(w->f->st, 5000);
    w->took = sr_now_ms() - t0;
    return NULL;
}

/* wait_work wakes (well before its timeout) when another connection makes tasks; it times out when none. */
static void test_pg_wait_work_notified(void **state)
{
    fx *f = *state;
    char job[SR_ID_LEN];
    running_job(f, "W", job);
    waiter w = {.f = f, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wait_main, &w), 0);
    pthread_mutex_lock(&w.mu);
    while (!w.ready) pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    sleep_ms(150);
    sr_store *other = NULL;
    assert_int_equal(f->ops->open(f->db, &other, NULL), 0);
    sr_task t = {.idx = 0, .input = "{}"};
    snprintf(t.job_id, sizeof t.job_id, "%s", job);
    assert_int_equal(f->ops->task_create(other, &t, 1, NULL), 0);
    pthread_join(th, NULL);
    assert_int_equal(w.woke, 1);
    assert_true(w.took >= 100 && w.took < 2000);
    /* nothing more: the main thread's wait times out */
    f->ops->wait_work(f->st, 0);
    int64_t t0 = sr_now_ms();
    assert_int_equal(f->ops->wait_work(f->st, 200), 0);
    assert_true(sr_now_ms() - t0 >= 190);
    f->ops->close(other);
    assert_int_equal(f->ops->job_cancel(f->st, "W", job, NULL), 0);
    assert_int_equal(f->ops->task_delete(f->st, job, NULL), 0);
}

/* A table another session keeps locked: with a short busy time an operation gives up with SR_EBUSY
 * (lock_timeout) instead of hanging, naming the database; the lock gone, it works again. */
static void test_pg_busy_timeout(void **state)
{
    fx *f = *state;
    sr_store *s = NULL;
    assert_int_equal(f->ops->open(f->db, &s, NULL), 0);
    f->ops->set_busy_ms(s, 200);
    PGconn *locker = PQconnectdb(f->db);
    assert_int_equal(PQstatus(locker), CONNECTION_OK);
    PGresult *r = PQexec(locker, "BEGIN; LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    sr_job j;
    sr_err e = {0};
    int64_t t0 = sr_now_ms();
    assert_int_equal(f->ops->job_get(s, NULL, "any", 0, &j, &e), SR_EBUSY);
    int64_t took = sr_now_ms() - t0;
    assert_true(took >= 150 && took < 3000);
    assert_string_equal(e.field, "database");
    assert_non_null(strstr(e.msg, "PostgreSQL database"));
    PQclear(PQexec(locker, "ROLLBACK"));
    PQfinish(locker);
    assert_int_equal(f->ops->job_get(s, NULL, "any", 0, &j, NULL), SR_ENOT_FOUND);
    f->ops->close(s);
}

/* Every operation of both backends is there (job_partial_result may be NULL: store.h). */
static void test_ops_complete(void **state)
{
    (void)state;
    const sr_store_ops *all[] = {sr_store_sqlite(), sr_store_pg()};
    for (int b = 0; b < 2; b++) {
        void (*const *fn)(void) = (void (*const *)(void))((const char *)all[b] + sizeof(const char *));
        size_t n = (sizeof(sr_store_ops) - sizeof(const char *)) / sizeof fn[0];
        for (size_t i = 0; i < n; i++)
            if (!fn[i]) fail_msg("%s: operation %zu of sr_store_ops is missing", all[b]->name, i);
    }
}

static void *ping_main(void *p)
{
    fx *f = p;
    return (void *)(intptr_t)f->ops->ping(f->st, NULL);
}

/* Threads that come and go (a keeper per job) reuse the connections of those that ended: twenty short
 * threads one after another leave the database with a handful of sessions, not twenty. */
static void test_pg_threads_reuse_connections(void **state)
{
    fx *f = *state;
    char sql[700];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM pg_stat_activity WHERE application_name='storyreel' AND datname='%s'",
             strrchr(f->db, '/') + 1);
    long before = sr_pg_fixture_query_int(f->db, sql);
    for (int i = 0; i < 20; i++) {
        pthread_t th;
        void *rc = (void *)1;
        assert_int_equal(pthread_create(&th, NULL, ping_main, f), 0);
        pthread_join(th, &rc);
        assert_int_equal((intptr_t)rc, 0);
    }
    long after = sr_pg_fixture_query_int(f->db, sql);
    assert_true(before >= 1);
    if (after - before > 1) fail_msg("%ld sessions before twenty threads, %ld after", before, after);
}

/* A node survives a PostgreSQL restart: its next calls reconnect. */
static void test_pg_restart(void **state)
{
    fx *f = *state;
    assert_int_equal(f->ops->ping(f->st, NULL), 0);
    if (sr_pg_fixture_restart()) fail_msg("%s", sr_pg_fixture_error());
    sr_err e = {0};
    if (f->ops->ping(f->st, &e)) fail_msg("ping after the restart: %s", e.msg);
    assert_int_equal(f->ops->node_beat(f->st, "after-restart", "api", NULL, NULL), 0);
    assert_int_equal(f->ops->nodes_alive(f->st, "api", 60000, NULL) >= 1, 1);
}

/* Each test on a store of its own: a fresh file, or a fresh database of the one server. */
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_reopen_and_keys),   T(test_projects_isolated), T(test_jobs_paging),       T(test_leases),
        T(test_dependency),        T(test_cancel_and_outbox), T(test_uploads),           T(test_tasks_lifecycle),
        T(test_tasks_of_ended_jobs), T(test_settings),        T(test_nodes),             T(test_wait_work),
        T(test_store_for),         T(test_ops_complete),      T(test_fair_leases),       T(test_outbox_states),
        T(test_stats_and_results), T(test_resources),         T(test_keys_by_id),
    };
    const struct CMUnitTest pg_only[] = {
        T(test_pg_concurrent_migration), T(test_pg_refuses_foreign),   T(test_pg_skip_locked),
        T(test_pg_wait_work_notified),   T(test_pg_busy_timeout),      T(test_pg_threads_reuse_connections),
        T(test_pg_restart),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    backend = sr_store_pg;
    failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("postgresql only", pg_only, NULL, NULL);
    return failed;
}
