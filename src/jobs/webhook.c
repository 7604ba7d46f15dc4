/* webhook.c - delivery of the webhook outbox: each entry is POSTed (the job's
 * JSON with webhookInput merged in, signed with the account's secret) until
 * a 2xx answer, with exponential backoff, for at most a day.
 *
 * Delivery is concurrent: a dispatcher thread claims due entries from the
 * persisted outbox (a claim hides an entry from other claimers for a while)
 * into a small local queue, and HOOK_THREADS delivery threads each take the
 * oldest queued entry whose endpoint (scheme://host:port) has fewer than
 * HOOK_PER_ENDPOINT deliveries in flight. One slow endpoint therefore holds
 * at most HOOK_PER_ENDPOINT threads and never delays another endpoint's
 * deliveries; entries of a busy endpoint beyond what it can take are handed
 * back to the outbox (deferred a second), and a queued entry not started
 * within HOOK_WAIT_MS is dropped from the queue and claimed again later.
 * Every attempt is one POST recorded in the outbox (done, retry, drop). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jobs/jobs.h"

#define WEBHOOK_GIVE_UP_MS (24LL * 3600 * 1000)
#define WEBHOOK_MAX_DELAY_S 600
#define WEBHOOK_TIMEOUT_S 10
#define HOOK_THREADS 4
#define HOOK_PER_ENDPOINT 2
#define HOOK_QUEUE 32
#define HOOK_CLAIM_MS 60000 /* > HOOK_WAIT_MS + the POST timeout: no double delivery */
#define HOOK_WAIT_MS 30000
#define HOOK_DEFER_MS 1000
#define EP_LEN 300

static void to_hex(const unsigned char *d, unsigned n, char *out)
{
    for (unsigned i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", d[i]);
    out[2 * n] = 0;
}

void sr_hmac_hex(const char *secret, const char *body, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, md, &n);
    to_hex(md, n, out);
}

void sr_sha256_hex(const char *s, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(s, len, md, &n, EVP_sha256(), NULL);
    to_hex(md, n, out);
}

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

/* POSTs body to url; returns the HTTP status, or 0 when no answer came. */
static long post(const sr_svc_cfg *cfg, const char *url, const char *body, const char *sig, const char *job_id)
{
    CURL *h = curl_easy_init();
    if (!h) return 0;
    char sig_h[128], job_h[96];
    snprintf(sig_h, sizeof sig_h, "X-Storyreel-Signature: %s", sig);
    snprintf(job_h, sizeof job_h, "X-Storyreel-Job-Id: %s", job_id);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, sig_h);
    hdr = curl_slist_append(hdr, job_h);
    sr_net_guard guard;
    sr_net_guard_init(&guard, cfg->allow_private_webhooks, cfg->allow_private_addrs);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "storyreel-webhook/1");
    sr_net_guard_install(h, &guard);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

/* The signed body of o's job; NULL when the job is gone. */
static char *webhook_body(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, const sr_outbox *o)
{
    sr_job j;
    if (ops->job_get(st, o->account_id, o->job_id, 0, &j, NULL)) return NULL;
    json_t *v = sr_job_view(&j, cfg);
    json_t *in = j.webhook_input ? json_loads(j.webhook_input, 0, NULL) : NULL;
    if (v && json_is_object(in)) {
        json_object_set(v, "webhookInput", in);
        json_object_update_missing(v, in);
    }
    char *body = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(in);
    json_decref(v);
    sr_job_clear(&j);
    return body;
}

/* One delivery attempt of o, recorded in the outbox; 1 when delivered. */
static int deliver(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, const sr_outbox *o)
{
    char secret[80] = "", sig[65];
    char *body = webhook_body(cfg, ops, st, o);
    if (!body || ops->account_secret(st, o->account_id, secret, NULL)) {
        ops->outbox_drop(st, o->id, NULL);
        free(body);
        return 0;
    }
    sr_hmac_hex(secret, body, strlen(body), sig);
    long status = post(cfg, o->url, body, sig, o->job_id);
    free(body);
    int64_t now = sr_now_ms();
    if (status >= 200 && status < 300) {
        ops->outbox_done(st, o->id, NULL);
        return 1;
    }
    if (now - o->created_ms > WEBHOOK_GIVE_UP_MS) {
        ops->outbox_drop(st, o->id, NULL);
    } else {
        int64_t delay_s = 1LL << (o->attempts < 10 ? o->attempts : 10);
        if (delay_s > WEBHOOK_MAX_DELAY_S) delay_s = WEBHOOK_MAX_DELAY_S;
        ops->outbox_retry(st, o->id, now + delay_s * 1000, NULL);
    }
    return 0;
}

/* ------------------------------------------------------- the delivery pool */

/* "scheme://host:port" of url (what per-endpoint limits count). */
static void endpoint_of(const char *url, char out[EP_LEN])
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = (size_t)(p - url) + strcspn(p, "/?#");
    const char *at = memchr(p, '@', n - (size_t)(p - url)); /* no user info */
    if (at) snprintf(out, EP_LEN, "%.*s%.*s", (int)(p - url), url, (int)(n - (size_t)(at + 1 - url)), at + 1);
    else snprintf(out, EP_LEN, "%.*s", (int)n, url);
}

typedef struct queued {
    sr_outbox o;
    char ep[EP_LEN];
    int64_t claimed_ms;
} queued;

struct sr_webhooks {
    const sr_svc_cfg *cfg;
    const sr_store_ops *ops;
    sr_store *st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    queued q[HOOK_QUEUE];
    int nq;
    char busy[HOOK_THREADS][EP_LEN]; /* each thread's endpoint in flight ("" idle) */
    char busy_id[HOOK_THREADS][SR_ID_LEN];
    int stop;
    pthread_t dispatcher, threads[HOOK_THREADS];
    int n_threads, have_dispatcher;
};

typedef struct hook_arg {
    sr_webhooks *w;
    int slot;
} hook_arg;

/* Deliveries (in flight + queued when with_queue) to ep. Under mu. */
static int ep_load(const sr_webhooks *w, const char *ep, int with_queue)
{
    int n = 0;
    for (int i = 0; i < HOOK_THREADS; i++) n += !strcmp(w->busy[i], ep);
    for (int i = 0; with_queue && i < w->nq; i++) n += !strcmp(w->q[i].ep, ep);
    return n;
}

/* 1 when id is queued or in flight. Under mu. */
static int known(const sr_webhooks *w, const char *id)
{
    for (int i = 0; i < HOOK_THREADS; i++)
        if (!strcmp(w->busy_id[i], id)) return 1;
    for (int i = 0; i < w->nq; i++)
        if (!strcmp(w->q[i].o.id, id)) return 1;
    return 0;
}

static void wait_ms(sr_webhooks *w, int ms) /* under mu */
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

static void *delivery_main(void *ud)
{
    hook_arg *a = ud;
    sr_webhooks *w = a->w;
    int slot = a->slot;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        int pick = -1;
        int64_t now = sr_now_ms();
        for (int i = 0; i < w->nq; i++) {
            if (now - w->q[i].claimed_ms > HOOK_WAIT_MS) { /* stale: a later claim takes it again */
                w->q[i--] = w->q[--w->nq];
                continue;
            }
            if (ep_load(w, w->q[i].ep, 0) < HOOK_PER_ENDPOINT &&
                (pick < 0 || w->q[i].o.next_ms < w->q[pick].o.next_ms))
                pick = i;
        }
        if (pick < 0) {
            wait_ms(w, 200);
            continue;
        }
        queued job = w->q[pick];
        memmove(&w->q[pick], &w->q[pick + 1], (size_t)(w->nq - pick - 1) * sizeof w->q[0]);
        w->nq--;
        snprintf(w->busy[slot], EP_LEN, "%s", job.ep);
        snprintf(w->busy_id[slot], SR_ID_LEN, "%s", job.o.id);
        pthread_mutex_unlock(&w->mu);
        deliver(w->cfg, w->ops, w->st, &job.o);
        pthread_mutex_lock(&w->mu);
        w->busy[slot][0] = 0;
        w->busy_id[slot][0] = 0;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    free(a);
    return NULL;
}

static void *dispatch_main(void *ud)
{
    sr_webhooks *w = ud;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        int room = HOOK_QUEUE - w->nq;
        if (room > 0) {
            pthread_mutex_unlock(&w->mu);
            sr_outbox *due = NULL;
            sr_err e = {0};
            int n = w->ops->outbox_claim(w->st, HOOK_CLAIM_MS, room, &due, &e);
            if (n < 0) {
                char line[700];
                fprintf(stderr, "storyreel: webhooks: %s\n", sr_err_line(&e, line, sizeof line));
            }
            int64_t now = sr_now_ms();
            int n_defer = 0;
            pthread_mutex_lock(&w->mu);
            for (int i = 0; i < n; i++) {
                queued qe = {.o = due[i], .claimed_ms = now};
                endpoint_of(due[i].url, qe.ep);
                if (known(w, qe.o.id)) continue;
                if (w->nq >= HOOK_QUEUE || ep_load(w, qe.ep, 1) >= 2 * HOOK_PER_ENDPOINT) {
                    due[n_defer++] = due[i]; /* the endpoint is busy: handed back below */
                    continue;
                }
                w->q[w->nq++] = qe;
            }
            if (n > 0) pthread_cond_broadcast(&w->cv);
            pthread_mutex_unlock(&w->mu);
            for (int i = 0; i < n_defer; i++) w->ops->outbox_defer(w->st, due[i].id, now + HOOK_DEFER_MS, NULL);
            free(due);
            pthread_mutex_lock(&w->mu);
        }
        wait_ms(w, 250);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int sr_webhooks_start(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, sr_webhooks **out, sr_err *err)
{
    *out = NULL;
    sr_webhooks *w = calloc(1, sizeof *w);
    if (!w) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    w->cfg = cfg, w->ops = ops, w->st = st;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    for (int i = 0; i < HOOK_THREADS; i++) {
        hook_arg *a = malloc(sizeof *a);
        if (!a) break;
        *a = (hook_arg){w, i};
        if (pthread_create(&w->threads[w->n_threads], NULL, delivery_main, a)) {
            free(a);
            break;
        }
        w->n_threads++;
    }
    w->have_dispatcher = w->n_threads && pthread_create(&w->dispatcher, NULL, dispatch_main, w) == 0;
    if (!w->have_dispatcher) {
        sr_webhooks_stop(w);
        return sr_err_set(err, SR_EINTERNAL, NULL, "cannot start the webhook threads");
    }
    *out = w;
    return 0;
}

void sr_webhooks_stop(sr_webhooks *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->have_dispatcher) pthread_join(w->dispatcher, NULL);
    for (int i = 0; i < w->n_threads; i++) pthread_join(w->threads[i], NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
