/* health.c - what GET /healthz reports, truthfully: the database answers
 * (a cheap query, on the caller's store handle with its short busy timeout),
 * the database is sound (PRAGMA quick_check, run by a monitor thread at
 * start and every HEALTH_PERIOD_S, since it reads the whole file), there is
 * free space in the data folder (statvfs, each request; degraded below
 * --min-free-disk-mb), and render workers are alive.
 *
 * Status: "ok" (200); "degraded" (503: low disk, failed integrity check);
 * "unavailable" (503: database not answering or no workers). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "jobs/jobs.h"

#define HEALTH_PERIOD_S 60

struct sr_health {
    const sr_svc_cfg *cfg;
    const sr_store_ops *ops;
    sr_store *st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int checked;         /* an integrity check has completed */
    int sound;           /* its outcome */
    char problem[512];   /* its first problem */
    int64_t checked_ms;
    int stop;
    pthread_t th;
};

static void *monitor(void *ud)
{
    sr_health *h = ud;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        pthread_mutex_unlock(&h->mu);
        sr_err e = {0};
        int rc = h->ops->integrity ? h->ops->integrity(h->st, &e) : 0;
        pthread_mutex_lock(&h->mu);
        if (rc != SR_EBUSY) { /* a locked database says nothing about its soundness */
            h->checked = 1;
            h->sound = rc == 0;
            snprintf(h->problem, sizeof h->problem, "%s", rc ? e.msg : "");
            h->checked_ms = sr_now_ms();
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += rc == SR_EBUSY ? 5 : HEALTH_PERIOD_S;
        while (!h->stop && pthread_cond_timedwait(&h->cv, &h->mu, &ts) == 0) {
        }
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

int sr_health_start(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, sr_health **out, sr_err *err)
{
    sr_health *h = calloc(1, sizeof *h);
    *out = NULL;
    if (!h) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    h->cfg = cfg, h->ops = ops, h->st = st;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->th, NULL, monitor, h)) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
        free(h);
        return sr_err_set(err, SR_EINTERNAL, NULL, "cannot start the health monitor");
    }
    *out = h;
    return 0;
}

void sr_health_stop(sr_health *h)
{
    if (!h) return;
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->th, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

json_t *sr_health_report(sr_health *h, const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, int workers,
                         int *status)
{
    sr_err e = {0};
    int rc = ops->ping(st, &e);
    const char *db = rc == 0 ? "ok" : rc == SR_EBUSY ? "busy" : e.msg;
    char integrity[512] = "unchecked";
    int sound = 1;
    if (h) {
        pthread_mutex_lock(&h->mu);
        if (h->checked) snprintf(integrity, sizeof integrity, "%s", h->sound ? "ok" : h->problem);
        sound = !h->checked || h->sound;
        pthread_mutex_unlock(&h->mu);
    }
    struct statvfs vfs;
    long long free_b = -1, min_b = (long long)cfg->min_free_disk_mb * 1024 * 1024;
    if (statvfs(cfg->data, &vfs) == 0) free_b = (long long)vfs.f_bavail * (long long)vfs.f_frsize;
    int disk_ok = free_b >= min_b;
    const char *word = rc || workers <= 0 ? "unavailable" : !sound || !disk_ok ? "degraded" : "ok";
    *status = strcmp(word, "ok") ? 503 : 200;
    return json_pack("{s:s,s:s,s:s,s:{s:I,s:I,s:s},s:i}", "status", word, "database", db, "integrity", integrity,
                     "disk", "freeBytes", (json_int_t)free_b, "minFreeBytes", (json_int_t)min_b, "status",
                     disk_ok ? "ok" : "low", "workers", workers);
}
