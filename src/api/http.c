/* http.c - the HTTP API: libmicrohttpd with its own thread pool, a route
 * table (method, pattern, handler, auth), JSON bodies through jansson with a
 * size cap, per-key rate limiting, and the Pictory-shaped answers.
 *
 * Paths are matched with the "/pictoryapis" prefix removed (it is optional).
 * A pattern's "*" matches one path segment and is passed to the handler as
 * a parameter; "**" matches the rest of the path. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/api.h"
#include "api/brand_routes.h"
#include "api/account_routes.h"
#include "api/console_routes.h"
#include "api/http_gate.h"
#include "api/library_routes.h"
#include "api/ratelimit.h"
#include "api/v1_routes.h"
#include "api/voices_routes.h"
#include "common/util.h"
#include "compiler/compiler.h"
#include "tts/tts.h"

#define API_PREFIX "/pictoryapis"
#define MAX_PARAMS 3
#define MAX_PARAM_LEN 128
#define PAGE_SIZE 25
#define UPLOAD_TTL_MS (24LL * 3600 * 1000)
#define TOKEN_TTL_S 3600
#define RL_MAX_KEYS (1 << 16)   /* keys rate-limited at once (idle ones are dropped) */
#define MAX_WEBHOOK_LEN 500
#define OPEN_BODY_MAX (16 << 10) /* body bytes of a route without a key (the token) */
#define BODY_BUDGET_MIN (64LL << 20) /* request bodies buffered at once: this or 8 bodies */
#define HEAD_MAX (16 << 10)     /* bytes of a request head */
#define HEAD_TIMEOUT_MS 5000    /* a new connection's head must be complete by then */
#define IDLE_TIMEOUT_S 15       /* a connection silent this long is closed */
#define MAX_PENDING 1024        /* connections waiting for their head */
#define MAX_PER_IP 256          /* connections of one client address */
#define CONN_MEMORY (32 << 10)  /* libmicrohttpd's memory per connection */

typedef struct hctx hctx;
typedef enum MHD_Result (*handler_fn)(hctx *h);

enum { AUTH_NONE, AUTH_KEY };
enum { BODY_JSON, BODY_UPLOAD };

typedef struct route {
    const char *method, *pattern;
    handler_fn fn;
    int auth, body;
} route;

/* Status codes counted in /metrics (the last slot counts the others). */
static const int metric_status[] = {200, 201, 204, 206, 400, 401, 403, 404, 405, 409, 413, 416, 429, 500, 503};
#define N_STATUS ((int)(sizeof metric_status / sizeof metric_status[0]) + 1)

/* A listening address: the API's, or --metrics-listen's (/metrics, /healthz). */
enum { LISTEN_API, LISTEN_METRICS, N_LISTEN };
typedef struct listener {
    sr_api *a;
    int role;
    struct MHD_Daemon *d;
    sr_gate *gate;
} listener;

struct sr_api {
    const sr_svc_cfg *cfg;
    const sr_store_ops *ops;
    sr_store *st;
    char secret[80];
    const volatile int *workers_alive;
    listener ls[N_LISTEN];
    pthread_mutex_t tts_mu; /* the speech engine is not thread-safe */
    sr_ratelimit *rl;
    int64_t body_budget;          /* bytes of request bodies that may be buffered at once */
    int64_t body_used;            /* ... reserved now (atomic) */
    uint64_t (*counts)[N_STATUS]; /* [route + 1][status]: requests served */
};

/* One request's state across libmicrohttpd's calls. */
typedef struct req {
    int route;            /* index in routes[], -1 none, -2 wrong method */
    char params[MAX_PARAMS][MAX_PARAM_LEN];
    int answered;         /* a response was queued from the head alone */
    sr_key key;           /* the caller (AUTH_KEY routes) */
    sr_buf body;
    int64_t reserved;     /* bytes of the body budget held */
    int too_big;
    /* uploads */
    FILE *up_f;
    int up_lock;          /* the upload's lock file, flock'ed (-1 none) */
    char up_tmp[PATH_MAX + 16], up_path[PATH_MAX];
    int64_t up_size;
    int up_status;        /* 0 ok, else the HTTP status to answer */
    char up_msg[160];
    sr_upload up;
} req;

struct hctx {
    sr_api *a;
    int role;     /* the listener's (LISTEN_API, LISTEN_METRICS) */
    struct MHD_Connection *c;
    req *r;
    const char *method;
    json_t *body; /* parsed JSON body or NULL */
    sr_key key;   /* the caller (AUTH_KEY routes) */
};

/* ------------------------------------------------------------- answers */

static void count(hctx *h, int status)
{
    int s = N_STATUS - 1;
    for (int i = 0; i < N_STATUS - 1; i++)
        if (metric_status[i] == status) s = i;
    __atomic_fetch_add(&h->a->counts[h->r->route < 0 ? 0 : h->r->route + 1][s], 1, __ATOMIC_RELAXED);
}

static enum MHD_Result queue(hctx *h, int status, struct MHD_Response *resp)
{
    if (!resp) return MHD_NO;
    count(h, status);
    enum MHD_Result ret = MHD_queue_response(h->c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Sends body (stolen; NULL: no body) as JSON with status. */
static enum MHD_Result reply_json(hctx *h, int status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    struct MHD_Response *resp = s ? MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE)
                                  : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(s);
        return MHD_NO;
    }
    if (s) MHD_add_response_header(resp, "Content-Type", "application/json");
    return queue(h, status, resp);
}

static enum MHD_Result reply_error(hctx *h, int status, const char *code, const char *field, const char *msg)
{
    if (status == 401) return reply_json(h, 401, json_pack("{s:s}", "message", "Unauthorized"));
    json_t *b = json_pack("{s:s,s:s}", "code", code, "message", msg);
    if (status == 400 && b)
        json_object_set_new(b, "fields",
                            json_pack("[{s:s,s:s}]", "name", field && *field ? field : "body", "errors", msg));
    return reply_json(h, status, b);
}

/* status (429, 503) with a JSON body and Retry-After: wait seconds. */
static enum MHD_Result reply_retry(hctx *h, int status, const char *json, int wait)
{
    char ra[16];
    snprintf(ra, sizeof ra, "%d", wait);
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Retry-After", ra);
    return queue(h, status, resp);
}

/* 503 with Retry-After: the database stayed locked past the HTTP side's short busy timeout. */
static enum MHD_Result reply_busy(hctx *h)
{
    static const char s[] = "{\"code\":\"SERVICE_BUSY\",\"message\":\"the database is busy; try again shortly\"}";
    return reply_retry(h, 503, s, 1);
}

/* An sr_err from a store or validation as an answer. */
static enum MHD_Result reply_err(hctx *h, const sr_err *e)
{
    switch (e->code) {
    case SR_EBUSY: return reply_busy(h);
    case SR_ENOT_FOUND: return reply_error(h, 404, "NOT_FOUND", e->field, e->msg);
    case SR_EINVALID_JSON:
    case SR_EINVALID_FIELD:
    case SR_ELIMIT:
    case SR_ENO_SCENES: return reply_error(h, 400, "INVALID_REQUEST_BODY", e->field, e->msg);
    default: return reply_error(h, 500, sr_err_name(e->code), e->field, e->msg[0] ? e->msg : "internal error");
    }
}

static enum MHD_Result reply_job_not_found(hctx *h, const char *id)
{
    return reply_json(h, 404,
                      json_pack("{s:s,s:b,s:{s:s,s:s}}", "job_id", id, "success", 0, "data", "error_code", "5000",
                                "error_message", "JOB_NOT_FOUND"));
}

static enum MHD_Result reply_job_id(hctx *h, const char *id)
{
    return reply_json(h, 200, json_pack("{s:b,s:{s:s}}", "success", 1, "data", "jobId", id));
}

/* -------------------------------------------------------------- helpers */

/* 1 when a and b are the same string; the time taken does not depend on
 * where they differ (signatures, the metrics key). */
static int secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    unsigned char d = n != m;
    for (size_t i = 0; i < n; i++) d |= (unsigned char)(a[i] ^ b[m ? i % m : 0]);
    return d == 0;
}

static const char *query(hctx *h, const char *name)
{
    return MHD_lookup_connection_value(h->c, MHD_GET_ARGUMENT_KIND, name);
}

static void iso_time(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Page keys are "<created_ms>_<id>" of the last item shown. */
static int parse_page_key(const char *k, int64_t *ms, char id[SR_ID_LEN])
{
    id[0] = 0;
    *ms = 0;
    if (!k || !*k) return 0;
    char *end;
    long long v = strtoll(k, &end, 10);
    if (*end != '_' || strlen(end + 1) >= SR_ID_LEN) return -1;
    *ms = v;
    snprintf(id, SR_ID_LEN, "%s", end + 1);
    return 0;
}

static json_t *page_key(int64_t ms, const char *id)
{
    char buf[96];
    snprintf(buf, sizeof buf, "%lld_%s", (long long)ms, id);
    return json_string(buf);
}

/* Validates the webhook fields of body into job; 0 or a 400 already sent (-1). */
static int take_webhook(hctx *h, const json_t *body, sr_job *j, enum MHD_Result *ret)
{
    const json_t *w = json_object_get(body, "webhook"), *wi = json_object_get(body, "webhookInput");
    const char *url = json_string_value(w);
    if (w && !json_is_null(w)) {
        if (!url || strlen(url) > MAX_WEBHOOK_LEN || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
            *ret = reply_error(h, 400, "INVALID_REQUEST_BODY", "webhook",
                               "webhook must be an http(s) URL of at most 500 characters");
            return -1;
        }
        j->webhook = strdup(url);
    }
    if (wi && !json_is_null(wi)) {
        if (!json_is_object(wi)) {
            *ret = reply_error(h, 400, "INVALID_REQUEST_BODY", "webhookInput", "webhookInput must be an object");
            return -1;
        }
        j->webhook_input = json_dumps(wi, JSON_COMPACT);
    }
    return 0;
}

/* Creates a job of kind with input (stolen) for the caller, leased only once
 * job depends_on (may be "") has ended, and answers answer(id) (NULL: the
 * v2 {"success":true,"data":{"jobId"}}). */
static enum MHD_Result submit_as(hctx *h, const char *kind, json_t *input, const json_t *hooks,
                                 const char *depends_on, json_t *(*answer)(const char *id))
{
    sr_job j = {0};
    enum MHD_Result ret = MHD_NO;
    sr_uuid(j.id);
    snprintf(j.account_id, sizeof j.account_id, "%s", h->key.account_id);
    snprintf(j.kind, sizeof j.kind, "%s", kind);
    snprintf(j.depends_on, sizeof j.depends_on, "%s", depends_on);
    j.max_attempts = h->a->cfg->max_attempts;
    if (hooks && take_webhook(h, hooks, &j, &ret)) goto done;
    sr_err e = {0};
    sr_media_ctx mc = {.cfg = h->a->cfg, .ops = h->a->ops, .st = h->a->st, .account = h->key.account_id};
    if (sr_media_check_refs(input, &mc, &e)) { /* another account's files are refused here */
        ret = e.code == SR_EDB || e.code == SR_EBUSY ? reply_err(h, &e) : reply_error(h, 400, "INVALID_REQUEST_BODY", e.field, e.msg);
        goto done;
    }
    j.input = json_dumps(input, JSON_COMPACT);
    if (!j.input) ret = reply_error(h, 500, "OUT_OF_MEMORY", NULL, "out of memory");
    else if (h->a->ops->job_create(h->a->st, &j, &e)) ret = reply_err(h, &e);
    else ret = answer ? reply_json(h, 200, answer(j.id)) : reply_job_id(h, j.id);
done:
    json_decref(input);
    sr_job_clear(&j);
    return ret;
}

static enum MHD_Result submit(hctx *h, const char *kind, json_t *input, const json_t *hooks)
{
    return submit_as(h, kind, input, hooks, "", NULL);
}

/* Light checks of a storyboard body (the compiler checks the rest in the
 * worker): 0, or -1 with a 400 sent. */
static int check_storyboard(hctx *h, const json_t *sb, int need_name, enum MHD_Result *ret)
{
    const char *field = NULL, *msg = NULL;
    const json_t *scenes = json_object_get(sb, "scenes");
    const json_t *name = json_object_get(sb, "videoName");
    if (!json_is_object(sb)) field = "body", msg = "the body must be a JSON object (a storyboard)";
    else if (json_object_get(sb, "templateId")) field = "templateId", msg = "templates are not supported";
    else if (!json_is_array(scenes) || !json_array_size(scenes))
        field = "scenes", msg = "scenes must be an array of at least one scene";
    else if (name && (!json_is_string(name) || !json_string_length(name)))
        field = "videoName", msg = "videoName must be a non-empty string";
    else if (need_name && !name) field = "videoName", msg = "videoName is required to render";
    else if (json_object_get(sb, "saveProject") && !json_is_boolean(json_object_get(sb, "saveProject")))
        field = "saveProject", msg = "saveProject must be true or false";
    if (!field) return 0;
    *ret = reply_error(h, 400, "INVALID_REQUEST_BODY", field, msg);
    return -1;
}

/* The caller's completed preview job id's result; or -1 with an answer sent. */
static int preview_result(hctx *h, const char *id, json_t **res, enum MHD_Result *ret)
{
    sr_job j;
    if (h->a->ops->job_get(h->a->st, h->key.account_id, id, 0, &j, NULL)) {
        *ret = reply_job_not_found(h, id);
        return -1;
    }
    int ok = !strcmp(j.kind, "preview") && j.state == SR_JOB_COMPLETED && j.result;
    *res = ok ? json_loads(j.result, 0, NULL) : NULL;
    sr_job_clear(&j);
    if (!*res) {
        *ret = reply_error(h, 400, "INVALID_REQUEST_BODY", "jobId", "the job is not a completed storyboard preview");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- handlers */

/* Render workers alive: this server's processes, or in a fleet the render
 * nodes that beat within FLEET_ALIVE_MS (this server's own workers beat too). */
#define FLEET_ALIVE_MS 5000
static int workers_now(sr_api *a)
{
    if (!a->cfg->fleet) return *a->workers_alive;
    int n = a->ops->nodes_alive(a->st, "render", FLEET_ALIVE_MS, NULL);
    return n > 0 ? n : 0;
}

static enum MHD_Result h_healthz(hctx *h) /* jobs/health.c */
{
    int status = 503;
    json_t *v = sr_health_report(h->a->cfg->health, h->a->cfg, h->a->ops, h->a->st, workers_now(h->a), &status);
    if (v && h->a->cfg->fleet) {
        json_object_set_new(v, "store", json_string(h->a->ops->name));
        json_object_set_new(v, "storage", json_string(sr_storage_kind(h->a->cfg->storage)));
        json_object_set_new(v, "localWorkers", json_integer(*h->a->workers_alive));
    }
    return reply_json(h, status, v);
}

static const route routes[]; /* below */
static const size_t n_routes;

static enum MHD_Result h_metrics(hctx *h)
{
    const char *want = h->a->cfg->metrics_key;
    if (want[0]) {
        const char *v = MHD_lookup_connection_value(h->c, MHD_HEADER_KIND, "Authorization");
        if (v && !strncasecmp(v, "Bearer ", 7)) v += 7;
        if (!v || !secret_equal(v, want)) return reply_error(h, 401, NULL, NULL, NULL);
    }
    sr_buf b;
    sr_buf_init(&b, 1 << 20);
    sr_job_stats js;
    if (h->a->ops->job_stats(h->a->st, &js, NULL) == 0) {
        sr_buf_printf(&b, "# HELP storyreel_jobs Jobs by state.\n# TYPE storyreel_jobs gauge\n");
        for (int s = 0; s < SR_JOB__COUNT; s++)
            sr_buf_printf(&b, "storyreel_jobs{state=\"%s\"} %lld\n", sr_job_state_name(s), (long long)js.by_state[s]);
        sr_buf_printf(&b,
                      "# HELP storyreel_render_seconds Wall time of completed renders.\n"
                      "# TYPE storyreel_render_seconds summary\n"
                      "storyreel_render_seconds_sum %.3f\nstoryreel_render_seconds_count %lld\n"
                      "# HELP storyreel_queue_wait_seconds Time from submission to a worker's start.\n"
                      "# TYPE storyreel_queue_wait_seconds summary\n"
                      "storyreel_queue_wait_seconds_sum %.3f\nstoryreel_queue_wait_seconds_count %lld\n",
                      js.render_s_sum, (long long)js.render_n, js.wait_s_sum, (long long)js.wait_n);
    }
    sr_buf_printf(&b, "# HELP storyreel_workers Render worker processes alive.\n# TYPE storyreel_workers gauge\n"
                      "storyreel_workers %d\n",
                  workers_now(h->a));
    sr_buf_printf(&b, "# HELP storyreel_http_requests_total HTTP requests by route and status.\n"
                      "# TYPE storyreel_http_requests_total counter\n");
    for (size_t r = 0; r <= n_routes; r++)
        for (int s = 0; s < N_STATUS; s++) {
            uint64_t n = __atomic_load_n(&h->a->counts[r][s], __ATOMIC_RELAXED);
            if (!n) continue;
            char st[8];
            snprintf(st, sizeof st, s < N_STATUS - 1 ? "%d" : "other", s < N_STATUS - 1 ? metric_status[s] : 0);
            sr_buf_printf(&b, "storyreel_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                          r ? routes[r - 1].method : "", r ? routes[r - 1].pattern : "unmatched", st,
                          (unsigned long long)n);
        }
    if (b.failed) {
        sr_buf_free(&b);
        return reply_error(h, 500, "OUT_OF_MEMORY", NULL, "out of memory");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        sr_buf_free(&b);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4");
    return queue(h, 200, resp);
}

static enum MHD_Result h_token(hctx *h)
{
    const char *secret = json_string_value(json_object_get(h->body, "client_secret"));
    char hash[65];
    sr_key k;
    if (!secret) return reply_error(h, 401, NULL, NULL, NULL);
    sr_sha256_hex(secret, strlen(secret), hash);
    if (h->a->ops->key_find(h->a->st, hash, &k, NULL)) return reply_error(h, 401, NULL, NULL, NULL);
    char payload[160], sig[65], token[260];
    snprintf(payload, sizeof payload, "%s.%s.%lld", k.account_id, k.id,
             (long long)(sr_now_ms() / 1000 + TOKEN_TTL_S));
    sr_hmac_hex(h->a->secret, payload, strlen(payload), sig);
    snprintf(token, sizeof token, "sr1.%s.%s", payload, sig);
    return reply_json(h, 200, json_pack("{s:s,s:i,s:s}", "access_token", token, "expires_in", TOKEN_TTL_S,
                                        "token_type", "Bearer"));
}

/* Resolves sb's templateId, named style and brand (brand_routes.c) and runs
 * the light checks: 0 with *out the new storyboard, or -1 with a 400 sent. */
static int resolve_storyboard(hctx *h, const json_t *sb, int need_name, json_t **out, enum MHD_Result *ret)
{
    sr_res_req q = {h->a->ops, h->a->st, h->key.account_id, sb, ""};
    sr_err e = {0};
    if (sr_api_resolve_storyboard(&q, out, &e)) {
        *ret = reply_err(h, &e);
        return -1;
    }
    if (check_storyboard(h, *out, need_name, ret)) {
        json_decref(*out);
        return -1;
    }
    return 0;
}

static enum MHD_Result h_preview(hctx *h)
{
    enum MHD_Result ret;
    json_t *sb;
    if (resolve_storyboard(h, h->body, 0, &sb, &ret)) return ret;
    return submit(h, "preview", json_pack("{s:o}", "storyboard", sb), h->body);
}

static enum MHD_Result h_storyboard_render(hctx *h)
{
    enum MHD_Result ret;
    json_t *sb;
    if (resolve_storyboard(h, h->body, 1, &sb, &ret)) return ret;
    return submit(h, "render", json_pack("{s:o}", "storyboard", sb), h->body);
}

static enum MHD_Result h_render_preview(hctx *h)
{
    enum MHD_Result ret;
    json_t *res;
    sr_job p;
    if (h->body && !json_is_object(h->body))
        return reply_error(h, 400, "INVALID_REQUEST_BODY", "body", "the body must be a JSON object");
    if (h->a->ops->job_get(h->a->st, h->key.account_id, h->r->params[0], 0, &p, NULL) == 0) {
        int waiting = !strcmp(p.kind, "preview") && (p.state == SR_JOB_PENDING || p.state == SR_JOB_RUNNING);
        sr_job_clear(&p);
        if (waiting) /* the worker takes the preview's renderParams when it ends (worker.c) */
            return submit_as(h, "render", json_pack("{s:s}", "previewJobId", h->r->params[0]), h->body,
                             h->r->params[0], NULL);
    }
    if (preview_result(h, h->r->params[0], &res, &ret)) return ret;
    json_t *input = json_pack("{s:O,s:s}", "renderParams", json_object_get(res, "renderParams"), "previewJobId",
                              h->r->params[0]);
    json_t *pid = json_object_get(res, "projectId");
    if (input && pid) json_object_set(input, "projectId", pid);
    json_decref(res);
    return submit(h, "render", input, h->body);
}

static enum MHD_Result h_render_params(hctx *h)
{
    json_t *rp = json_object_get(h->body, "renderParams");
    if (!rp) rp = h->body;
    if (!json_is_object(rp) || !sr_is_render_params(rp))
        return reply_error(h, 400, "INVALID_REQUEST_BODY", "renderParams",
                           "the body must be a renderParams (with output and elements)");
    return submit(h, "render", json_pack("{s:O}", "renderParams", rp), h->body);
}

static enum MHD_Result h_elements(hctx *h)
{
    enum MHD_Result ret;
    json_t *res;
    if (!json_is_array(h->body) || !json_array_size(h->body))
        return reply_error(h, 400, "INVALID_REQUEST_BODY", "body", "the body must be an array of elements");
    if (preview_result(h, h->r->params[0], &res, &ret)) return ret;
    json_t *elements = json_object_get(json_object_get(res, "renderParams"), "elements");
    json_t *by_id = json_object(), *patch, *el; /* the last element of each id, as before */
    size_t i;
    char field[64];
    json_array_foreach(elements, i, el) if (json_is_string(json_object_get(el, "id")))
        json_object_set(by_id, json_string_value(json_object_get(el, "id")), el);
    json_array_foreach(h->body, i, patch)
    {
        const char *id = json_string_value(json_object_get(patch, "id"));
        json_t *target = id ? json_object_get(by_id, id) : NULL;
        if (!target) {
            json_decref(by_id);
            json_decref(res);
            snprintf(field, sizeof field, "[%zu].id", i);
            return reply_error(h, 400, "INVALID_REQUEST_BODY", field, "no element of the preview has this id");
        }
        json_object_update(target, patch);
    }
    json_decref(by_id);
    char *txt = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    sr_err e = {0};
    int rc = txt ? h->a->ops->job_update_result(h->a->st, h->key.account_id, h->r->params[0], txt, &e) : SR_ENOMEM;
    free(txt);
    if (rc) return e.code ? reply_err(h, &e) : reply_error(h, 500, "OUT_OF_MEMORY", NULL, "out of memory");
    return reply_json(h, 204, NULL);
}

static json_t *project_json(const sr_project *p, int whole)
{
    char saved[32], created[32];
    iso_time(p->updated_ms, saved);
    iso_time(p->created_ms, created);
    json_t *data = whole && p->data ? json_loads(p->data, 0, NULL) : NULL;
    json_t *o = json_is_object(data) ? data : json_object();
    if (o != data) json_decref(data);
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "source", json_string("storyboard"));
    json_object_set_new(o, "savedDate", json_string(saved));
    json_object_set_new(o, "createdDate", json_string(created));
    json_object_set_new(o, "schemaVersion", json_integer(2));
    json_object_set_new(o, "type", json_string("project"));
    if (!json_object_get(o, "aspectRatio")) json_object_set_new(o, "aspectRatio", json_null());
    return o;
}

static enum MHD_Result h_projects(hctx *h)
{
    int64_t ms;
    char after[SR_ID_LEN];
    if (parse_page_key(query(h, "pagekey") ? query(h, "pagekey") : query(h, "pageKey"), &ms, after))
        return reply_error(h, 400, "INVALID_REQUEST_BODY", "pagekey", "the page key is not valid");
    sr_project *ps = NULL;
    sr_err e = {0};
    int n = h->a->ops->project_list(h->a->st, h->key.account_id, ms, after, PAGE_SIZE, &ps, &e);
    if (n < 0) return reply_err(h, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(items, project_json(&ps[i], 0));
    json_t *next = n == PAGE_SIZE ? page_key(ps[n - 1].created_ms, ps[n - 1].id) : json_null();
    free(ps);
    return reply_json(h, 200, json_pack("{s:o,s:o}", "items", items, "pageKey", next));
}

static enum MHD_Result h_project_get(hctx *h)
{
    sr_project p;
    sr_err e = {0};
    if (h->a->ops->project_get(h->a->st, h->key.account_id, h->r->params[0], &p, &e)) return reply_err(h, &e);
    json_t *o = project_json(&p, 1);
    sr_project_clear(&p);
    return reply_json(h, 200, o);
}

static enum MHD_Result h_project_put(hctx *h)
{
    enum MHD_Result ret;
    if (check_storyboard(h, h->body, 0, &ret)) return ret;
    static const char *const drop[] = {"id", "savedDate", "createdDate", "source", "schemaVersion", "type"};
    json_t *sb = json_deep_copy(h->body);
    for (size_t i = 0; sb && i < sizeof drop / sizeof drop[0]; i++) json_object_del(sb, drop[i]);
    const char *name = json_string_value(json_object_get(h->body, "name"));
    if (!name) name = json_string_value(json_object_get(h->body, "videoName"));
    char *txt = sb ? json_dumps(sb, JSON_COMPACT) : NULL;
    json_decref(sb);
    sr_err e = {0};
    int rc = txt ? h->a->ops->project_update(h->a->st, h->key.account_id, h->r->params[0], name, txt, &e)
                 : sr_err_set(&e, SR_ENOMEM, NULL, "out of memory");
    free(txt);
    if (rc) return reply_err(h, &e);
    sr_project p;
    if (h->a->ops->project_get(h->a->st, h->key.account_id, h->r->params[0], &p, &e)) return reply_err(h, &e);
    json_t *o = project_json(&p, 1);
    sr_project_clear(&p);
    return reply_json(h, 200, json_pack("{s:b,s:s,s:o}", "success", 1, "message", "Project updated successfully",
                                        "project", o));
}

static enum MHD_Result h_project_delete(hctx *h)
{
    sr_err e = {0};
    if (h->a->ops->project_delete(h->a->st, h->key.account_id, h->r->params[0], &e)) return reply_err(h, &e);
    return reply_json(h, 200, json_pack("{s:b,s:s}", "success", 1, "message", "Project deleted successfully"));
}

static enum MHD_Result h_project_render(hctx *h)
{
    sr_project p;
    sr_err e = {0};
    if (h->body && !json_is_object(h->body))
        return reply_error(h, 400, "INVALID_REQUEST_BODY", "body", "the body must be a JSON object");
    if (h->a->ops->project_get(h->a->st, h->key.account_id, h->r->params[0], &p, &e)) return reply_err(h, &e);
    json_t *sb = json_loads(p.data, 0, NULL);
    if (json_is_object(sb)) {
        json_object_del(sb, "saveProject");
        if (!json_object_get(sb, "videoName")) json_object_set_new(sb, "videoName", json_string(p.name));
    }
    sr_project_clear(&p);
    if (!json_is_object(sb)) {
        json_decref(sb);
        return reply_error(h, 500, "INTERNAL_ERROR", NULL, "the saved project is damaged");
    }
    enum MHD_Result ret;
    json_t *rsb;
    int bad = resolve_storyboard(h, sb, 0, &rsb, &ret);
    json_decref(sb);
    if (bad) return ret;
    json_t *input = json_pack("{s:o,s:s}", "storyboard", rsb, "projectId", h->r->params[0]);
    return submit(h, "render", input, h->body);
}

static enum MHD_Result h_job_get(hctx *h)
{
    sr_job j;
    int rc = h->a->ops->job_get(h->a->st, h->key.account_id, h->r->params[0], 0, &j, NULL);
    if (rc == SR_EBUSY) return reply_busy(h);
    if (rc) return reply_job_not_found(h, h->r->params[0]);
    json_t *v = sr_job_view(&j, h->a->cfg);
    sr_job_clear(&j);
    return reply_json(h, 200, v);
}

static enum MHD_Result h_jobs(hctx *h)
{
    int64_t ms;
    char after[SR_ID_LEN];
    if (parse_page_key(query(h, "nextPageKey"), &ms, after))
        return reply_error(h, 400, "INVALID_REQUEST_BODY", "nextPageKey", "the page key is not valid");
    sr_job *js = NULL;
    sr_err e = {0};
    int n = h->a->ops->job_list(h->a->st, h->key.account_id, ms, after, PAGE_SIZE, &js, &e);
    if (n < 0) return reply_err(h, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *v = sr_job_view(&js[i], h->a->cfg);
        char created[32];
        iso_time(js[i].created_ms, created);
        json_object_set_new(v, "createdAt", json_string(created));
        json_array_append_new(items, v);
    }
    json_t *next = n == PAGE_SIZE ? page_key(js[n - 1].created_ms, js[n - 1].id) : json_null();
    for (int i = 0; i < n; i++) sr_job_clear(&js[i]);
    free(js);
    return reply_json(h, 200, json_pack("{s:o,s:o}", "items", items, "nextPageKey", next));
}

static enum MHD_Result h_job_cancel(hctx *h)
{
    sr_err e = {0};
    int rc = h->a->ops->job_cancel(h->a->st, h->key.account_id, h->r->params[0], &e);
    if (rc == SR_ENOT_FOUND) return reply_job_not_found(h, h->r->params[0]);
    if (rc == SR_ELIMIT) return reply_error(h, 409, "JOB_ALREADY_ENDED", "jobId", "the job has already ended");
    if (rc) return reply_err(h, &e);
    return reply_json(h, 200, json_pack("{s:s,s:b,s:{s:s,s:s,s:s}}", "job_id", h->r->params[0], "success", 0,
                                        "data", "status", "failed", "error_code", "CANCELLED", "error_message",
                                        "the render was cancelled"));
}

static enum MHD_Result h_voices(hctx *h)
{
    json_t *arr = NULL;
    sr_err e = {0};
    pthread_mutex_lock(&h->a->tts_mu);
    int rc = sr_api_voices_list(h->a->cfg->public_url, &arr, &e);
    pthread_mutex_unlock(&h->a->tts_mu);
    if (rc) return reply_err(h, &e);
    return reply_json(h, 200, arr);
}

/* A voice's sample WAV (voices_routes.c), synthesised on first request. */
static enum MHD_Result h_voice_sample(hctx *h)
{
    char path[PATH_MAX];
    sr_err e = {0};
    pthread_mutex_lock(&h->a->tts_mu);
    int rc = sr_api_voice_sample(h->a->cfg->data, h->r->params[0], h->r->params[1], path, sizeof path, &e);
    pthread_mutex_unlock(&h->a->tts_mu);
    if (rc == SR_ENOT_FOUND) return reply_error(h, 404, "NOT_FOUND", "voice", "no such voice sample");
    if (rc) return reply_err(h, &e);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        if (fd >= 0) close(fd);
        return reply_error(h, 404, "NOT_FOUND", "voice", "no such voice sample");
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((size_t)sb.st_size, fd);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "audio/wav");
    MHD_add_response_header(resp, "Cache-Control", "public, max-age=86400");
    return queue(h, 200, resp);
}

/* Templates, brand kits and styles (brand_routes.c): fn's answer or error. */
static enum MHD_Result res_call(hctx *h, sr_res_fn fn)
{
    sr_res_req q = {h->a->ops, h->a->st, h->key.account_id, h->body, h->r->params[0]};
    json_t *out = NULL;
    sr_err e = {0};
    if (fn(&q, &out, &e)) return reply_err(h, &e);
    return reply_json(h, 200, out);
}
static enum MHD_Result h_styles(hctx *h) { return res_call(h, sr_api_styles_list); }
static enum MHD_Result h_style_post(hctx *h) { return res_call(h, sr_api_style_create); }
static enum MHD_Result h_brands(hctx *h) { return res_call(h, sr_api_brands_list); }
static enum MHD_Result h_brand_post(hctx *h) { return res_call(h, sr_api_brand_create); }
static enum MHD_Result h_templates(hctx *h) { return res_call(h, sr_api_templates_list); }
static enum MHD_Result h_template_get(hctx *h) { return res_call(h, sr_api_template_get); }
static enum MHD_Result h_template_post(hctx *h) { return res_call(h, sr_api_template_create); }
static enum MHD_Result h_template_put(hctx *h) { return res_call(h, sr_api_template_update); }
static enum MHD_Result h_template_delete(hctx *h) { return res_call(h, sr_api_template_delete); }
static enum MHD_Result h_quota(hctx *h) { return res_call(h, sr_api_quota); }
static enum MHD_Result h_smartlayouts(hctx *h) { return res_call(h, sr_api_smartlayouts); }

/* Media and music libraries (library_routes.c). */
static enum MHD_Result lib_reply(hctx *h, int rc, json_t *out, const sr_err *e)
{
    return rc ? reply_err(h, e) : reply_json(h, 200, out);
}
static enum MHD_Result h_media_search(hctx *h)
{
    json_t *o = NULL;
    sr_err e = {0};
#define Q2(a, b) (query(h, a) ? query(h, a) : query(h, b))
    sr_media_query q = {Q2("keyword", "query"), Q2("mediaType", "type"), query(h, "category"), query(h, "page"),
                        Q2("pageSize", "limit")};
#undef Q2
    int rc = sr_api_media_search(h->a->cfg, &q, &o, &e);
    return lib_reply(h, rc, o, &e);
}
static enum MHD_Result h_music_search(hctx *h)
{
    json_t *o = NULL;
    sr_err e = {0};
    int rc = sr_api_music_search(h->a->cfg, h->body, &o, &e);
    return lib_reply(h, rc, o, &e);
}
static enum MHD_Result music_list(hctx *h, const char *which)
{
    json_t *o = NULL;
    sr_err e = {0};
    int rc = sr_api_music_terms(h->a->cfg, which, &o, &e);
    if (rc == SR_ENOT_FOUND)
        return reply_error(h, 404, "NOT_FOUND", NULL,
                           "no such music list (moods, genres, genres/groups, purposes, instruments)");
    return lib_reply(h, rc, o, &e);
}
static enum MHD_Result h_music_terms(hctx *h) { return music_list(h, h->r->params[0]); }
static enum MHD_Result h_music_groups(hctx *h) { return music_list(h, "genres/groups"); }

/* Pictory's v1 API (v1_routes.c). */
static enum MHD_Result v1_job(hctx *h, int (*fn)(const sr_res_req *, sr_v1_job *, sr_err *),
                              json_t *(*answer)(const char *id))
{
    sr_res_req q = {h->a->ops, h->a->st, h->key.account_id, h->body, h->r->params[0]};
    sr_v1_job j = {0};
    sr_err e = {0};
    if (fn(&q, &j, &e)) return reply_err(h, &e);
    return submit_as(h, j.kind, j.input, h->body, "", answer);
}
static enum MHD_Result h_v1_storyboard(hctx *h)
{
    return v1_job(h, sr_api_v1_storyboard, sr_api_v1_storyboard_answer);
}
static enum MHD_Result h_v1_render(hctx *h) { return v1_job(h, sr_api_v1_render, sr_api_v1_render_answer); }
static enum MHD_Result h_v1_fonts(hctx *h) { return res_call(h, sr_api_v1_fonts); }

/* A file name made safe for a URL path segment (at most 100 characters). */
static void safe_file_name(const char *in, char out[128])
{
    int n = 0;
    for (const char *p = in; *p && n < 100; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 ch == '_' || (ch == '.' && n > 0);
        out[n++] = ok ? ch : '_';
    }
    out[n] = 0;
    if (!n) snprintf(out, 128, "upload");
}

static void upload_sig(sr_api *a, const char *id, long long expires, char sig[65])
{
    char payload[200];
    snprintf(payload, sizeof payload, "%s.%lld", id, expires);
    sr_hmac_hex(a->secret, payload, strlen(payload), sig);
}

static enum MHD_Result h_generateurl(hctx *h)
{
    const char *name = json_string_value(json_object_get(h->body, "fileName"));
    const char *type = json_string_value(json_object_get(h->body, "contentType"));
    if (!name || !*name || strlen(name) > 255)
        return reply_error(h, 400, "INVALID_REQUEST_BODY", "fileName", "fileName must be a string of 1-255 characters");
    if (type && strlen(type) > 120)
        return reply_error(h, 400, "INVALID_REQUEST_BODY", "contentType", "contentType is too long");
    sr_upload u = {0};
    char rnd[33], safe[128], sig[65];
    sr_uuid(u.id);
    snprintf(u.account_id, sizeof u.account_id, "%s", h->key.account_id);
    sr_random_hex(rnd, 16);
    safe_file_name(name, safe);
    snprintf(u.key, sizeof u.key, "files/%s/%s", rnd, safe);
    snprintf(u.content_type, sizeof u.content_type, "%s", type ? type : "application/octet-stream");
    u.max_size = h->a->cfg->max_upload;
    u.expires_ms = sr_now_ms() + UPLOAD_TTL_MS;
    long long exp = u.expires_ms / 1000;
    upload_sig(h->a, u.id, exp, sig);
    sr_err e = {0};
    if (h->a->ops->upload_create(h->a->st, &u, &e)) return reply_err(h, &e);
    char signed_url[1024], url[1024];
    snprintf(signed_url, sizeof signed_url, "%s" API_PREFIX "/v1/media/upload/%s?expires=%lld&signature=%s",
             h->a->cfg->public_url, u.id, exp, sig);
    snprintf(url, sizeof url, "%s/%s", h->a->cfg->public_url, u.key);
    return reply_json(h, 200, json_pack("{s:b,s:{s:s,s:s,s:s,s:I}}", "success", 1, "data", "signedUrl", signed_url,
                                         "url", url, "key", u.key, "maxSize", (json_int_t)u.max_size));
}

/* Parses "bytes=a-b" against size into [*from, *to]; 1 ok, 0 none, -1 bad. */
static int parse_range(const char *hv, int64_t size, int64_t *from, int64_t *to)
{
    if (!hv) return 0;
    if (strncmp(hv, "bytes=", 6) || strchr(hv, ',')) return -1;
    const char *p = hv + 6;
    char *end;
    if (*p == '-') {
        long long n = strtoll(p + 1, &end, 10);
        if (*end || n <= 0) return -1;
        *from = n >= size ? 0 : size - n;
        *to = size - 1;
    } else {
        long long a = strtoll(p, &end, 10);
        if (*end != '-' || a < 0) return -1;
        long long b = size - 1; /* "bytes=A-": to the end (what browsers ask for) */
        if (end[1]) {
            b = strtoll(end + 1, &end, 10);
            if (*end) return -1;
        }
        if (b >= size) b = size - 1;
        if (a >= size || a > b) return -1;
        *from = a, *to = b;
    }
    return size > 0 ? 1 : -1;
}

/* A file of S3 storage: -2 when it is to be fetched from a presigned URL
 * (no --proxy-files), else the object copied whole into an unlinked
 * temporary file (fd, or -3 when missing); -1 with local storage. */
static int remote_file(hctx *h, const char *key)
{
    const sr_svc_cfg *cfg = h->a->cfg;
    if (!sr_files_remote(cfg)) return -1;
    if (!cfg->proxy_files) return -2;
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/cache/proxy-%d-%lx", cfg->data, (int)getpid(), (unsigned long)pthread_self());
    int fd = sr_storage_get(cfg->storage, key, tmp, NULL) == 0 ? open(tmp, O_RDONLY | O_CLOEXEC) : -3;
    unlink(tmp);
    return fd < 0 ? -3 : fd;
}

static enum MHD_Result redirect_presigned(hctx *h, const char *key)
{
    char url[4096];
    sr_err e = {0};
    if (sr_storage_stat(h->a->cfg->storage, key, NULL, &e) ||
        sr_storage_presign(h->a->cfg->storage, key, h->a->cfg->url_expiry_s, url, sizeof url, &e))
        return reply_error(h, 404, "NOT_FOUND", NULL, "no such file");
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Location", url);
    return queue(h, 302, resp);
}

static enum MHD_Result h_files(hctx *h)
{
    /* params[0] = "<random>/<name>": two safe segments, nothing else */
    const char *rel = h->r->params[0];
    int slashes = 0, bad = !*rel || rel[0] == '.';
    for (const char *p = rel; *p; p++) {
        if (*p == '/') slashes++, bad |= p[1] == '.' || p[1] == 0;
        bad |= *p == '\\';
    }
    if (bad || slashes != 1) return reply_error(h, 404, "NOT_FOUND", NULL, "no such file");
    char path[PATH_MAX], key[PATH_MAX];
    snprintf(key, sizeof key, "files/%s", rel);
    int fd = remote_file(h, key);
    if (fd == -2) return redirect_presigned(h, key);
    if (fd == -1) {
        sr_files_local(h->a->cfg, key, path, sizeof path);
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        if (fd >= 0) close(fd);
        return reply_error(h, 404, "NOT_FOUND", NULL, "no such file");
    }
    int64_t from = 0, to = sb.st_size - 1;
    int pr = parse_range(MHD_lookup_connection_value(h->c, MHD_HEADER_KIND, "Range"), sb.st_size, &from, &to);
    char cr[96];
    if (pr < 0) {
        close(fd);
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!resp) return MHD_NO;
        snprintf(cr, sizeof cr, "bytes */%lld", (long long)sb.st_size);
        MHD_add_response_header(resp, "Content-Range", cr);
        return queue(h, 416, resp);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_fd_at_offset64((uint64_t)(sb.st_size ? to - from + 1 : 0), fd, (uint64_t)from);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", sr_files_content_type(rel));
    MHD_add_response_header(resp, "Accept-Ranges", "bytes");
    /* an HLS playlist grows while its render runs: never cached */
    MHD_add_response_header(resp, "Cache-Control",
                            strstr(rel, ".m3u8") ? "no-cache" : "private, max-age=86400");
    if (pr > 0) {
        snprintf(cr, sizeof cr, "bytes %lld-%lld/%lld", (long long)from, (long long)to, (long long)sb.st_size);
        MHD_add_response_header(resp, "Content-Range", cr);
    }
    return queue(h, pr > 0 ? 206 : 200, resp);
}

/* The console's pages and the OpenAPI document, from memory (console_routes.h). */
static enum MHD_Result reply_asset(hctx *h, const char *name)
{
    const sr_asset *as = sr_asset_find(name);
    if (!as) return reply_error(h, 404, "NOT_FOUND", NULL, "no such file");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(as->size, (void *)as->data, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", as->content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data: blob: http: https:; media-src 'self' blob: "
                            "http: https:; connect-src 'self' http: https:; worker-src 'self' blob:; "
                            "frame-ancestors 'none'");
    return queue(h, 200, resp);
}

static enum MHD_Result h_console(hctx *h)
{
    return reply_asset(h, h->r->params[0][0] ? h->r->params[0] : "index.html");
}

static enum MHD_Result h_openapi(hctx *h)
{
    return reply_asset(h, "openapi.json");
}

/* --------------------------------------------------------------- routes */

static enum MHD_Result h_upload_put(hctx *h); /* below, with the upload machinery */

static const route routes[] = {
    {"GET", "/healthz", h_healthz, AUTH_NONE, BODY_JSON},
    {"GET", "/metrics", h_metrics, AUTH_NONE, BODY_JSON},
    {"GET", "/files/**", h_files, AUTH_NONE, BODY_JSON},
    {"HEAD", "/files/**", h_files, AUTH_NONE, BODY_JSON},
    {"GET", "/console", h_console, AUTH_NONE, BODY_JSON},
    {"GET", "/console/**", h_console, AUTH_NONE, BODY_JSON},
    {"GET", "/openapi.json", h_openapi, AUTH_NONE, BODY_JSON},
    {"POST", "/v1/oauth2/token", h_token, AUTH_NONE, BODY_JSON},
    {"PUT", "/v1/media/upload/*", h_upload_put, AUTH_NONE, BODY_UPLOAD},
    {"POST", "/v1/media/generateurl", h_generateurl, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/jobs", h_jobs, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/jobs/*", h_job_get, AUTH_KEY, BODY_JSON},
    {"DELETE", "/v1/jobs/*", h_job_cancel, AUTH_KEY, BODY_JSON},
    {"POST", "/v2/video/storyboard", h_preview, AUTH_KEY, BODY_JSON},
    {"POST", "/v2/video/storyboard/render", h_storyboard_render, AUTH_KEY, BODY_JSON},
    {"PUT", "/v2/video/storyboard/*/elements", h_elements, AUTH_KEY, BODY_JSON},
    {"PUT", "/v2/video/render/*", h_render_preview, AUTH_KEY, BODY_JSON},
    {"POST", "/v2/video/render", h_render_params, AUTH_KEY, BODY_JSON},
    {"GET", "/v2/projects", h_projects, AUTH_KEY, BODY_JSON},
    {"GET", "/v2/projects/*", h_project_get, AUTH_KEY, BODY_JSON},
    {"PUT", "/v2/projects/*", h_project_put, AUTH_KEY, BODY_JSON},
    {"DELETE", "/v2/projects/*", h_project_delete, AUTH_KEY, BODY_JSON},
    {"POST", "/v2/projects/*/render", h_project_render, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/voiceovers/tracks", h_voices, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/voiceovers/samples/*/*", h_voice_sample, AUTH_NONE, BODY_JSON},
    {"GET", "/v1/styles", h_styles, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/brands/video", h_brands, AUTH_KEY, BODY_JSON},
    {"POST", "/v1/brands", h_brand_post, AUTH_KEY, BODY_JSON},
    {"POST", "/v1/styles", h_style_post, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/templates", h_templates, AUTH_KEY, BODY_JSON},
    {"POST", "/v1/templates", h_template_post, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/templates/*", h_template_get, AUTH_KEY, BODY_JSON},
    {"PUT", "/v1/templates/*", h_template_put, AUTH_KEY, BODY_JSON},
    {"DELETE", "/v1/templates/*", h_template_delete, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/quota", h_quota, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/smartlayouts", h_smartlayouts, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/media/search", h_media_search, AUTH_KEY, BODY_JSON},
    {"POST", "/v1/music/search", h_music_search, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/music/genres/groups", h_music_groups, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/music/*", h_music_terms, AUTH_KEY, BODY_JSON},
    /* Pictory's v1 API (v1_routes.c) */
    {"POST", "/v1/video/storyboard", h_v1_storyboard, AUTH_KEY, BODY_JSON},
    {"POST", "/v1/video/render", h_v1_render, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/video/storyboard/fonts", h_v1_fonts, AUTH_KEY, BODY_JSON},
    {"GET", "/v1/job/*", h_job_get, AUTH_KEY, BODY_JSON},
};
static const size_t n_routes = sizeof routes / sizeof routes[0];

int sr_api_route(size_t i, const char **method, const char **pattern)
{
    if (i >= n_routes) return 0;
    *method = routes[i].method;
    *pattern = routes[i].pattern;
    return 1;
}

/* Matches path against pattern, filling params; 1 on a match. The pattern's
 * literal parts match regardless of case (Pictory documents paths that
 * differ only in case: /v1/media/generateUrl); parameters keep the case sent. */
static int match(const char *pattern, const char *path, char params[MAX_PARAMS][MAX_PARAM_LEN])
{
    int np = 0;
    while (*pattern && *path) {
        if (pattern[0] == '*' && pattern[1] == '*') {
            if (np >= MAX_PARAMS || strlen(path) >= MAX_PARAM_LEN || !*path) return 0;
            snprintf(params[np++], MAX_PARAM_LEN, "%s", path);
            return 1;
        }
        if (*pattern == '*') {
            size_t n = strcspn(path, "/");
            if (!n || n >= MAX_PARAM_LEN || np >= MAX_PARAMS) return 0;
            snprintf(params[np++], MAX_PARAM_LEN, "%.*s", (int)n, path);
            path += n;
            pattern++;
            continue;
        }
        if (tolower((unsigned char)*pattern++) != tolower((unsigned char)*path++)) return 0;
    }
    return !*pattern && !*path;
}

/* The route for method + path: its index, -2 when only the method differs, -1 none. */
static int find_route(const char *method, const char *url, char params[MAX_PARAMS][MAX_PARAM_LEN])
{
    const char *path = url;
    if (!strncasecmp(path, API_PREFIX "/", sizeof API_PREFIX)) path += sizeof API_PREFIX - 1;
    size_t len = strlen(path);
    char trimmed[1024];
    if (len > 1 && len < sizeof trimmed && path[len - 1] == '/') { /* tolerate one trailing slash */
        snprintf(trimmed, sizeof trimmed, "%.*s", (int)len - 1, path);
        path = trimmed;
    }
    int other_method = 0;
    for (size_t i = 0; i < n_routes; i++) {
        if (!match(routes[i].pattern, path, params)) continue;
        if (!strcmp(routes[i].method, method)) return (int)i;
        other_method = 1;
    }
    return other_method ? -2 : -1;
}

int sr_api_route_lookup(const char *method, const char *url)
{
    char params[MAX_PARAMS][MAX_PARAM_LEN];
    return find_route(method, url, params);
}

/* ----------------------------------------------------------- auth, limits */

/* The caller from the Authorization header into h->key: 0, or -1. An access
 * token is checked against the store on every use, so it dies with its key. */
static int authenticate(hctx *h)
{
    const char *v = MHD_lookup_connection_value(h->c, MHD_HEADER_KIND, "Authorization");
    if (!v) return -1;
    if (!strncasecmp(v, "Bearer ", 7)) v += 7;
    while (*v == ' ') v++;
    if (!strncmp(v, "sr1.", 4)) { /* an access token: sr1.<account>.<key>.<exp>.<sig> */
        char payload[160], sig[65];
        const char *last = strrchr(v, '.');
        if (!last || (size_t)(last - v - 4) >= sizeof payload) return -1;
        snprintf(payload, sizeof payload, "%.*s", (int)(last - v - 4), v + 4);
        sr_hmac_hex(h->a->secret, payload, strlen(payload), sig);
        if (!secret_equal(sig, last + 1)) return -1;
        char acc[SR_ID_LEN], kid[SR_ID_LEN];
        long long exp = 0;
        if (sscanf(payload, "%39[^.].%39[^.].%lld", acc, kid, &exp) != 3 || exp * 1000 < sr_now_ms()) return -1;
        if (h->a->ops->key_get(h->a->st, kid, &h->key, NULL) || strcmp(h->key.account_id, acc)) return -1;
        return 0;
    }
    if (strncmp(v, "pictai_", 7) || strlen(v) > 200) return -1;
    char hash[65];
    sr_sha256_hex(v, strlen(v), hash);
    int rc = h->a->ops->key_find(h->a->st, hash, &h->key, NULL);
    return rc == SR_EBUSY ? -2 : rc ? -1 : 0; /* -2: the database is locked (503, not 401) */
}

/* Token bucket per key (ratelimit.c): rate_limit per second, bursts of
 * twice that. Returns 0, or the seconds to wait. */
static int rate_limited(sr_api *a, const char *key_id)
{
    return a->rl ? sr_ratelimit_take(a->rl, key_id, sr_now()) : 0;
}

/* Reserves n bytes of the body budget: 1, or 0 when it is spent. */
static int budget_take(sr_api *a, int64_t n)
{
    if (__atomic_add_fetch(&a->body_used, n, __ATOMIC_RELAXED) <= a->body_budget) return 1;
    __atomic_sub_fetch(&a->body_used, n, __ATOMIC_RELAXED);
    return 0;
}

/* ------------------------------------------------------------- uploads */

/* The first call of a signed upload: checks the signature, expiry and
 * declared size, claims the upload (an flock on its lock file: one PUT at a
 * time; the claim dies with the process) and opens a unique temporary file
 * next to it. A refusal is recorded in up_status and up_msg. */
static void upload_begin(sr_api *a, struct MHD_Connection *c, req *r)
{
    const char *exp_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "expires");
    const char *sig = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "signature");
    const char *len_s = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    char want[65];
    long long exp = exp_s ? atoll(exp_s) : 0;
    upload_sig(a, r->params[0], exp, want);
    r->up_status = 403;
    if (!sig || !secret_equal(sig, want) || a->ops->upload_get(a->st, r->params[0], &r->up, NULL)) {
        snprintf(r->up_msg, sizeof r->up_msg, "the upload URL's signature is not valid");
        return;
    }
    if (exp * 1000 < sr_now_ms() || r->up.expires_ms < sr_now_ms()) {
        snprintf(r->up_msg, sizeof r->up_msg, "the upload URL has expired");
        return;
    }
    r->up_status = 413;
    if (len_s && atoll(len_s) > r->up.max_size) {
        snprintf(r->up_msg, sizeof r->up_msg, "the file is larger than %lld bytes", (long long)r->up.max_size);
        return;
    }
    r->up_status = 500;
    snprintf(r->up_msg, sizeof r->up_msg, "the upload cannot be stored");
    char dir[PATH_MAX], lock[PATH_MAX + 16];
    sr_files_local(a->cfg, r->up.key, r->up_path, sizeof r->up_path); /* S3: put there once complete */
    snprintf(dir, sizeof dir, "%s", r->up_path);
    char *slash = strrchr(dir, '/');
    if (!slash || sr_files_mkdirs(r->up_path, NULL)) return;
    *slash = 0;
    snprintf(lock, sizeof lock, "%s/.%s.lock", dir, slash + 1); /* never removed: see the lock-file race */
    if ((r->up_lock = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) return;
    r->up_status = 409;
    if (flock(r->up_lock, LOCK_EX | LOCK_NB)) {
        snprintf(r->up_msg, sizeof r->up_msg, "another upload to this URL is in progress");
        return;
    }
    /* re-read under the claim: a PUT that finished before it took the lock has marked it done */
    if (a->ops->upload_get(a->st, r->params[0], &r->up, NULL) || r->up.done_ms) {
        snprintf(r->up_msg, sizeof r->up_msg, "a file was already uploaded to this URL");
        return;
    }
    r->up_status = 500;
    snprintf(r->up_tmp, sizeof r->up_tmp, "%s/.%s.tmp-XXXXXX", dir, slash + 1); /* hidden; swept as *.tmp-* */
    int fd = mkostemp(r->up_tmp, O_CLOEXEC);
    if (fd < 0 || !(r->up_f = fdopen(fd, "wb"))) {
        if (fd >= 0) close(fd), unlink(r->up_tmp);
        r->up_tmp[0] = 0;
        return;
    }
    r->up_status = 0;
}

/* Closes the upload's temporary file (removed unless kept) and its claim. */
static void upload_end(req *r, int keep)
{
    if (r->up_f) {
        fclose(r->up_f);
        r->up_f = NULL;
        if (!keep) unlink(r->up_tmp);
    }
    if (r->up_lock >= 0) close(r->up_lock);
    r->up_lock = -1;
}

static const char *status_code(int status)
{
    switch (status) {
    case 403: return "FORBIDDEN";
    case 409: return "CONFLICT";
    case 413: return "PAYLOAD_TOO_LARGE";
    default: return "INTERNAL_ERROR";
    }
}

/* Syncs the file, then puts it in place atomically: 0 or -1. */
static int upload_commit(req *r)
{
    int ok = fflush(r->up_f) == 0 && fsync(fileno(r->up_f)) == 0;
    ok &= fclose(r->up_f) == 0;
    r->up_f = NULL;
    if (!ok || rename(r->up_tmp, r->up_path)) {
        unlink(r->up_tmp);
        return -1;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", r->up_path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) fsync(dfd), close(dfd);
    return 0;
}

static enum MHD_Result h_upload_put(hctx *h)
{
    req *r = h->r;
    if (r->up_status) {
        upload_end(r, 0);
        return reply_error(h, r->up_status, status_code(r->up_status), NULL, r->up_msg);
    }
    sr_err e = {0};
    if (upload_commit(r)) {
        upload_end(r, 0);
        return reply_error(h, 500, "IO_ERROR", NULL, "the upload cannot be stored");
    }
    int rc = h->a->ops->upload_done(h->a->st, r->up.id, r->up_size, &e);
    if (rc) unlink(r->up_path); /* the claim is still held: the file is this PUT's */
    /* into the storage only once the store says it is this PUT's (another
     * API node's PUT to the same URL got its 409 there) */
    int put = rc ? 0 : sr_files_publish(h->a->cfg, r->up.key, r->up_path, 0, &e);
    upload_end(r, 1);
    if (rc) return reply_error(h, 409, "CONFLICT", NULL, "a file was already uploaded to this URL");
    if (put) return reply_error(h, 500, "IO_ERROR", NULL, "the upload cannot be stored");
    return reply_json(h, 200, json_pack("{s:b,s:{s:s,s:I}}", "success", 1, "data", "key", r->up.key, "size",
                                        (json_int_t)r->up_size));
}

/* ---------------------------------------------------- libmicrohttpd glue */

/* What can be decided from the request head alone, before any of the body
 * is read (so an unauthenticated or oversized request costs no memory and
 * gets no 100 Continue): 405/404, 401, 429, 413, 503 when the body budget is
 * spent, and an upload's refusal. 1 with the response queued (*ret), or 0
 * with the body's buffer prepared. */
static int head_answer(hctx *h, enum MHD_Result *ret)
{
    req *r = h->r;
    sr_api *a = h->a;
    const route *rt = r->route >= 0 ? &routes[r->route] : NULL;
    int metrics_only = h->role == LISTEN_METRICS, elsewhere = !metrics_only && a->cfg->metrics_listen[0];
    if (rt && ((metrics_only && rt->fn != h_metrics && rt->fn != h_healthz) || (elsewhere && rt->fn == h_metrics)))
        rt = NULL, r->route = -1;
    if (r->route == -2)
        return *ret = reply_error(h, 405, "METHOD_NOT_ALLOWED", NULL, "method not allowed on this path"), 1;
    if (!rt) return *ret = reply_error(h, 404, "NOT_FOUND", NULL, "no such endpoint"), 1;
    if (rt->auth == AUTH_KEY) {
        int au = authenticate(h);
        if (au == -2) return *ret = reply_busy(h), 1;
        if (au) return *ret = reply_error(h, 401, NULL, NULL, NULL), 1;
        int wait = rate_limited(a, h->key.id);
        if (wait) {
            static const char s[] = "{\"code\":\"TOO_MANY_REQUESTS\",\"message\":\"too many requests: slow down\"}";
            return *ret = reply_retry(h, 429, s, wait), 1;
        }
        r->key = h->key;
    }
    if (rt->body == BODY_UPLOAD) {
        upload_begin(a, h->c, r);
        if (!r->up_status) return 0;
        *ret = h_upload_put(h);
        return 1;
    }
    const char *len_s = MHD_lookup_connection_value(h->c, MHD_HEADER_KIND, "Content-Length");
    const char *te = MHD_lookup_connection_value(h->c, MHD_HEADER_KIND, "Transfer-Encoding");
    int64_t limit = rt->auth == AUTH_KEY || a->cfg->max_body < OPEN_BODY_MAX ? a->cfg->max_body : OPEN_BODY_MAX;
    int64_t need = len_s ? strtoll(len_s, NULL, 10) : te ? limit : 0;
    if (need > limit)
        return *ret = reply_error(h, 413, "PAYLOAD_TOO_LARGE", NULL, "the request body is larger than the limit"), 1;
    if (need > 0 && !budget_take(a, need)) {
        static const char s[] = "{\"code\":\"SERVER_BUSY\",\"message\":\"too many request bodies in flight: retry\"}";
        return *ret = reply_retry(h, 503, s, 1), 1;
    }
    r->reserved = need;
    sr_buf_init(&r->body, (size_t)limit);
    return 0;
}

static enum MHD_Result dispatch(hctx *h)
{
    req *r = h->r;
    const route *rt = &routes[r->route];
    h->key = r->key;
    if (r->too_big)
        return reply_error(h, 413, "PAYLOAD_TOO_LARGE", NULL, "the request body is larger than the limit");
    if (rt->body == BODY_JSON && r->body.len) {
        json_error_t je;
        h->body = json_loadb(r->body.p, r->body.len, JSON_REJECT_DUPLICATES, &je);
        if (!h->body) {
            char msg[300];
            snprintf(msg, sizeof msg, "the body is not valid JSON: %s (line %d, column %d)", je.text, je.line,
                     je.column);
            return reply_error(h, 400, "INVALID_REQUEST_BODY", "body", msg);
        }
    }
    enum MHD_Result ret = rt->fn(h);
    json_decref(h->body);
    return ret;
}

/* Appends a piece of the body: to the upload's file, or to the JSON buffer. */
static void take_data(req *r, const char *data, size_t size)
{
    if (routes[r->route].body == BODY_UPLOAD) {
        if (r->up_status || !r->up_f) return;
        if (r->up_size + (int64_t)size > r->up.max_size) {
            r->up_status = 413;
            snprintf(r->up_msg, sizeof r->up_msg, "the file is larger than %lld bytes", (long long)r->up.max_size);
        } else if (fwrite(data, 1, size, r->up_f) != size) {
            r->up_status = 500;
            snprintf(r->up_msg, sizeof r->up_msg, "the upload cannot be stored");
        }
        r->up_size += (int64_t)size;
    } else if (!r->too_big) {
        sr_buf_append(&r->body, data, size);
        if (r->body.failed) r->too_big = 1;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **con_cls)
{
    (void)version;
    listener *l = cls;
    req *r = *con_cls;
    hctx h = {.a = l->a, .role = l->role, .c = c, .r = r, .method = method};
    if (!r) {
        if (!(r = calloc(1, sizeof *r))) return MHD_NO;
        r->up_lock = -1;
        *con_cls = h.r = r;
        r->route = find_route(method, url, r->params);
        enum MHD_Result ret = MHD_YES;
        if (head_answer(&h, &ret)) r->answered = 1;
        return ret;
    }
    if (r->answered) {
        *size = 0;
        return MHD_YES;
    }
    if (*size) {
        take_data(r, data, *size);
        *size = 0;
        return MHD_YES;
    }
    r->answered = 1;
    return dispatch(&h);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    listener *l = cls;
    req *r = *con_cls;
    if (!r) return;
    upload_end(r, 0);
    if (r->reserved) __atomic_sub_fetch(&l->a->body_used, r->reserved, __ATOMIC_RELAXED);
    sr_buf_free(&r->body);
    free(r);
    *con_cls = NULL;
}

/* A listening socket on host:port (non-blocking): the fd, or -1 with err. */
static int listen_on(const char *host, int port, const char *opt, sr_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    if (getaddrinfo(host, ps, &hints, &ai) || !ai) {
        sr_err_set(err, SR_EINVALID_FIELD, opt, "cannot resolve the listen address %s", host);
        return -1;
    }
    int one = 1, fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024)) {
        sr_err_set(err, SR_EIO, opt, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0) close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* Starts listener l on host:port with threads HTTP threads. */
static int listener_start(sr_api *a, int role, const char *host, int port, unsigned threads, const char *opt,
                          sr_err *err)
{
    listener *l = &a->ls[role];
    l->a = a, l->role = role;
    int fd = listen_on(host, port, opt, err);
    if (fd < 0) return err->code;
    l->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET |
                                MHD_USE_ITC,
                            0, NULL, NULL, on_request, l, MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MAX_PER_IP,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, l, MHD_OPTION_END);
    if (!l->d) {
        close(fd);
        return sr_err_set(err, SR_EIO, opt, "cannot start the HTTP server on %s:%d", host, port);
    }
    sr_gate_cfg g = {HEAD_TIMEOUT_MS, MAX_PENDING, MAX_PER_IP, HEAD_MAX};
    return sr_gate_start(fd, l->d, &g, &l->gate, err);
}

int sr_api_create(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, const char *server_secret,
                  const volatile int *workers_alive, sr_api **out, sr_err *err)
{
    *out = NULL;
    sr_api *a = calloc(1, sizeof *a);
    if (!a) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    a->cfg = cfg, a->ops = ops, a->st = st, a->workers_alive = workers_alive;
    snprintf(a->secret, sizeof a->secret, "%s", server_secret);
    pthread_mutex_init(&a->tts_mu, NULL);
    a->body_budget = 8 * cfg->max_body > BODY_BUDGET_MIN ? 8 * cfg->max_body : BODY_BUDGET_MIN;
    if (cfg->rate_limit > 0) a->rl = sr_ratelimit_create(cfg->rate_limit, 2.0 * cfg->rate_limit, RL_MAX_KEYS);
    a->counts = calloc(n_routes + 1, sizeof *a->counts);
    if ((cfg->rate_limit > 0 && !a->rl) || !a->counts) {
        sr_api_destroy(a);
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    unsigned threads = (unsigned)(cfg->http_threads > 0 ? cfg->http_threads : 2);
    int rc = listener_start(a, LISTEN_API, cfg->listen_host, cfg->listen_port, threads, "--listen", err);
    if (!rc && cfg->metrics_listen[0]) {
        char host[300];
        snprintf(host, sizeof host, "%s", cfg->metrics_listen);
        char *colon = strrchr(host, ':');
        if (!colon || !colon[1] || atoi(colon + 1) <= 0 || atoi(colon + 1) > 65535)
            rc = sr_err_set(err, SR_EINVALID_FIELD, "--metrics-listen", "--metrics-listen needs HOST:PORT, not %s",
                            cfg->metrics_listen);
        else
            *colon = 0, rc = listener_start(a, LISTEN_METRICS, host, atoi(colon + 1), 1, "--metrics-listen", err);
    }
    if (rc) {
        sr_api_destroy(a);
        return rc;
    }
    *out = a;
    return 0;
}

void sr_api_destroy(sr_api *a)
{
    if (!a) return;
    for (int i = 0; i < N_LISTEN; i++) {
        sr_gate_stop(a->ls[i].gate);
        if (a->ls[i].d) MHD_stop_daemon(a->ls[i].d);
    }
    sr_ratelimit_destroy(a->rl);
    free(a->counts);
    pthread_mutex_destroy(&a->tts_mu);
    free(a);
}
