/* store.c - what every backend of the store shares: ids, clocks, freeing
 * records, and picking the backend for a --store value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "store/backend.h"

int64_t sr_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void random_bytes(unsigned char *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r > 0) got += (size_t)r;
    }
}

void sr_uuid(char out[SR_ID_LEN])
{
    unsigned char b[16];
    random_bytes(b, sizeof b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    snprintf(out, SR_ID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void sr_random_hex(char *out, int n)
{
    unsigned char b[64];
    if (n > 64) n = 64;
    random_bytes(b, (size_t)n);
    for (int i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
    out[2 * n] = 0;
}

const char *sr_job_state_name(int state)
{
    static const char *const names[] = {"pending", "in-progress", "completed", "failed"};
    return state >= 0 && state < SR_JOB__COUNT ? names[state] : "failed";
}

void sr_job_clear(sr_job *j)
{
    if (!j) return;
    free(j->input);
    free(j->result);
    free(j->webhook);
    free(j->webhook_input);
    memset(j, 0, sizeof *j);
}

void sr_project_clear(sr_project *p)
{
    if (!p) return;
    free(p->data);
    memset(p, 0, sizeof *p);
}

void sr_task_clear(sr_task *t)
{
    if (!t) return;
    free(t->input);
    free(t->result);
    memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- backends */

/* --store values by scheme; a value without one ("data/storyreel.db") is a SQLite file. */
static const struct {
    const char *prefix;
    const sr_store_ops *(*ops)(void);
    int keep; /* the location is the whole value (a connection URI), not what follows the prefix */
} schemes[] = {
    {"sqlite:", sr_store_sqlite, 0},
    {"postgresql://", sr_store_pg, 1},
    {"postgres://", sr_store_pg, 1},
};

const sr_store_ops *sr_store_for(const char *uri, const char **location, sr_err *err)
{
    if (!uri || !*uri) {
        sr_err_set(err, SR_EINVALID_FIELD, "store", "the store is empty: give sqlite:PATH or postgresql://...");
        return NULL;
    }
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (strncmp(uri, schemes[i].prefix, n)) continue;
        if (!uri[n]) {
            sr_err_set(err, SR_EINVALID_FIELD, "store", "the store %s names no location", uri);
            return NULL;
        }
        if (location) *location = schemes[i].keep ? uri : uri + n;
        return schemes[i].ops();
    }
    /* "scheme://" or "scheme:" with no path separator before it: a backend we do not have */
    const char *colon = strchr(uri, ':');
    size_t sch = strspn(uri, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    if (colon && (size_t)(colon - uri) == sch && sch > 1) {
        sr_err_set(err, SR_EINVALID_FIELD, "store",
                   "unknown store '%.*s': give sqlite:PATH, a file path or postgresql://...", (int)sch, uri);
        return NULL;
    }
    if (location) *location = uri;
    return sr_store_sqlite();
}

/* --------------------------------------------------- shared by the backends */

const char *const sr_store_core_tables[SR_STORE_N_CORE] = {"accounts", "api_keys", "projects",
                                                           "jobs",     "uploads",  "outbox"};

int sr_store_is_core(const char *table)
{
    for (int i = 0; table && i < SR_STORE_N_CORE; i++)
        if (!strcmp(table, sr_store_core_tables[i])) return 1;
    return 0;
}

int sr_store_check_tasks(const sr_task *tasks, int n, sr_err *err)
{
    if (n < 0 || n > SR_TASKS_MAX)
        return sr_err_set(err, SR_ELIMIT, "tasks", "%d tasks (at most %d a job)", n, SR_TASKS_MAX);
    for (int i = 1; i < n; i++)
        if (strcmp(tasks[i].job_id, tasks[0].job_id))
            return sr_err_set(err, SR_EINVALID_FIELD, "tasks", "task %d is of another job than task 0", i);
    return 0;
}

int sr_store_check_task_end(int state, sr_err *err)
{
    if (state == SR_TASK_DONE || state == SR_TASK_FAILED) return 0;
    return sr_err_set(err, SR_EINVALID_FIELD, "state", "a task ends done or failed, not in state %d", state);
}

int sr_store_check_age(int64_t max_age_ms, sr_err *err)
{
    return max_age_ms < 0 ? sr_err_set(err, SR_EINVALID_FIELD, "maxAge", "the age is negative") : 0;
}
