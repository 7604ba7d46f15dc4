/* webhook.c - delivery of the webhook outbox: each entry is POSTed (the job's
 * JSON with webhookInput merged in, signed with the account's secret) until
 * a 2xx answer, with exponential backoff, for at most a day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jobs/jobs.h"

#define WEBHOOK_GIVE_UP_MS (24LL * 3600 * 1000)
#define WEBHOOK_MAX_DELAY_S 600
#define WEBHOOK_TIMEOUT_S 10

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
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "storyreel-webhook/1");
    sr_net_guard(h, &cfg->allow_private_webhooks);
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
    json_t *v = sr_job_view(&j, cfg->public_url);
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

int sr_webhook_pump(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, sr_err *err)
{
    sr_outbox *due = NULL;
    int n = ops->outbox_claim(st, 60000, 16, &due, err), delivered = 0;
    if (n < 0) return n;
    for (int i = 0; i < n; i++) {
        const sr_outbox *o = &due[i];
        char secret[80] = "", sig[65];
        char *body = webhook_body(cfg, ops, st, o);
        if (!body || ops->account_secret(st, o->account_id, secret, NULL)) {
            ops->outbox_drop(st, o->id, NULL);
            free(body);
            continue;
        }
        sr_hmac_hex(secret, body, strlen(body), sig);
        long status = post(cfg, o->url, body, sig, o->job_id);
        free(body);
        int64_t now = sr_now_ms();
        if (status >= 200 && status < 300) {
            ops->outbox_done(st, o->id, NULL);
            delivered++;
        } else if (now - o->created_ms > WEBHOOK_GIVE_UP_MS) {
            ops->outbox_drop(st, o->id, NULL);
        } else {
            int64_t delay_s = 1LL << (o->attempts < 10 ? o->attempts : 10);
            if (delay_s > WEBHOOK_MAX_DELAY_S) delay_s = WEBHOOK_MAX_DELAY_S;
            ops->outbox_retry(st, o->id, now + delay_s * 1000, NULL);
        }
    }
    free(due);
    return delivered;
}
