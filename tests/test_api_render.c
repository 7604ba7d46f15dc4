/* libs: sr_service sr_common */
/* test_api_render.c - the render service under stress, through the real
 * server: cancel stops a running render, webhooks are delivered signed (and
 * retried while the receiver is down), a job survives kill -9 of the server
 * and its workers, and 40 concurrent submissions all complete. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "common/util.h"
#include "jobs/jobs.h"
#include "support/fixtures.h"
#include "support/http_client.h"

static const char *TINY = "{\"videoName\":\"tiny\",\"videoWidth\":320,\"videoHeight\":180,"
                          "\"scenes\":[{\"background\":{\"color\":\"#ff0000\"},\"minimumDuration\":2}]}";

/* A timeline of `seconds` of one colour, for renders that take a while. */
static char *long_timeline(double seconds)
{
    char *s = malloc(1024);
    snprintf(s, 1024,
             "{\"version\":1,\"output\":{\"name\":\"long\",\"width\":320,\"height\":180,\"fps\":30,\"duration\":%g},"
             "\"sceneMarkers\":[{\"sceneIndex\":0,\"startTime\":0,\"duration\":%g,\"transition\":\"none\","
             "\"transitionDuration\":0}],\"elements\":[{\"id\":\"bg\",\"elementType\":\"backgroundElement\","
             "\"type\":\"color\",\"color\":\"#2040c0\",\"sceneIndex\":0,\"startTime\":0,\"duration\":%g}],"
             "\"subtitles\":[],\"transcript\":\"\"}",
             seconds, seconds, seconds);
    return s;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static json_t *get_job(sr_test_server *s, const char *key, const char *id)
{
    char url[256];
    snprintf(url, sizeof url, "%s/pictoryapis/v1/jobs/%s", s->url, id);
    sr_http_resp r;
    sr_http("GET", url, key, NULL, NULL, 0, &r);
    json_t *j = json_incref(r.json);
    sr_http_resp_free(&r);
    return j;
}

static const char *status_of(json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "data"), "status"));
}

/* Waits until the job is in progress with renderProgress > 0. */
static int wait_rendering(sr_test_server *s, const char *key, const char *id, double timeout_s)
{
    for (double t = 0; t < timeout_s; t += 0.05) {
        json_t *j = get_job(s, key, id);
        const char *st = status_of(j);
        json_int_t p = json_integer_value(json_object_get(json_object_get(j, "data"), "renderProgress"));
        int ok = st && !strcmp(st, "in-progress") && p > 0;
        json_decref(j);
        if (ok) return 0;
        sleep_ms(50);
    }
    return -1;
}

static void test_cancel(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1"), 0);
    json_t *k = sr_test_key_create(&s, "c", NULL);
    const char *key = json_string_value(json_object_get(k, "key"));
    char *tl = long_timeline(1800);
    char *id = sr_test_submit(&s, key, "POST", "/v2/video/render", tl);
    assert_non_null(id);
    assert_int_equal(wait_rendering(&s, key, id, 30), 0);
    char url[256];
    snprintf(url, sizeof url, "%s/pictoryapis/v1/jobs/%s", s.url, id);
    sr_http_resp r;
    assert_int_equal(sr_http("DELETE", url, key, NULL, NULL, 0, &r), 200);
    sr_http_resp_free(&r);
    double t0 = sr_now();
    json_t *j = get_job(&s, key, id);
    assert_string_equal(status_of(j), "failed");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "data"), "error_code")), "CANCELLED");
    json_decref(j);
    /* the only worker is free again at once: a tiny job completes quickly */
    char *id2 = sr_test_submit(&s, key, "POST", "/v2/video/storyboard/render", TINY);
    j = sr_test_wait_job(&s, key, id2, 20);
    assert_non_null(j);
    assert_string_equal(status_of(j), "completed");
    double took = sr_now() - t0;
    json_decref(j);
    assert_true(took < 10.0);
    /* the cancelled job stays cancelled and left no video behind */
    j = get_job(&s, key, id);
    assert_string_equal(status_of(j), "failed");
    assert_null(json_object_get(json_object_get(j, "data"), "videoURL"));
    json_decref(j);
    int st = 0;
    char *out = sr_test_sh_out(&st, "find '%s/data/files' -name 'long.mp4*' | wc -l", s.dir);
    assert_int_equal(atoi(out), 0);
    free(out);
    free(id);
    free(id2);
    free(tl);
    json_decref(k);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

/* ---- webhook receiver: a libmicrohttpd server in this process */

typedef struct receiver {
    pthread_mutex_t mu;
    char *body;     /* the last POST body */
    char sig[128];  /* its X-Storyreel-Signature */
    int count;
} receiver;

typedef struct rx_req {
    sr_buf b;
} rx_req;

static enum MHD_Result rx_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **con_cls)
{
    (void)url, (void)method, (void)version;
    receiver *rx = cls;
    rx_req *q = *con_cls;
    if (!q) {
        q = calloc(1, sizeof *q);
        sr_buf_init(&q->b, 1 << 20);
        *con_cls = q;
        return MHD_YES;
    }
    if (*size) {
        sr_buf_append(&q->b, data, *size);
        *size = 0;
        return MHD_YES;
    }
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Storyreel-Signature");
    pthread_mutex_lock(&rx->mu);
    free(rx->body);
    rx->body = strdup(q->b.p ? q->b.p : "");
    snprintf(rx->sig, sizeof rx->sig, "%s", sig ? sig : "");
    rx->count++;
    pthread_mutex_unlock(&rx->mu);
    sr_buf_free(&q->b);
    free(q);
    *con_cls = NULL;
    struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static struct MHD_Daemon *rx_start(receiver *rx, int port)
{
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, rx_handler, rx,
                            MHD_OPTION_END);
}

/* Waits until rx has count deliveries; returns the body (malloc'd) and signature. */
static char *rx_wait(receiver *rx, int count, double timeout_s, char sig[128])
{
    for (double t = 0; t < timeout_s; t += 0.1) {
        pthread_mutex_lock(&rx->mu);
        char *b = rx->count >= count && rx->body ? strdup(rx->body) : NULL;
        snprintf(sig, 128, "%s", rx->sig);
        pthread_mutex_unlock(&rx->mu);
        if (b) return b;
        sleep_ms(100);
    }
    return NULL;
}

static void check_delivery(const char *body, const char *sig, const char *secret, const char *job_id)
{
    char want[65];
    sr_hmac_hex(secret, body, strlen(body), want);
    assert_string_equal(sig, want);
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "job_id")), job_id);
    assert_string_equal(status_of(j), "completed");
    assert_non_null(json_object_get(json_object_get(j, "data"), "videoURL"));
    assert_string_equal(json_string_value(json_object_get(j, "orderRef")), "A-17"); /* webhookInput merged */
    json_decref(j);
}

static void test_webhooks(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1 --allow-private-webhooks"), 0);
    json_t *k = sr_test_key_create(&s, "w", NULL);
    const char *key = json_string_value(json_object_get(k, "key"));
    const char *secret = json_string_value(json_object_get(k, "webhookSecret"));
    receiver rx = {.mu = PTHREAD_MUTEX_INITIALIZER};
    int port = sr_test_free_port();
    struct MHD_Daemon *d = rx_start(&rx, port);
    assert_non_null(d);
    char body[1024], sig[128];
    snprintf(body, sizeof body,
             "{\"videoName\":\"hook\",\"videoWidth\":320,\"videoHeight\":180,\"webhook\":\"http://127.0.0.1:%d/hook\","
             "\"webhookInput\":{\"orderRef\":\"A-17\"},\"scenes\":[{\"background\":{\"color\":\"#ffffff\"},"
             "\"minimumDuration\":1}]}",
             port);
    char *id = sr_test_submit(&s, key, "POST", "/v2/video/storyboard/render", body);
    assert_non_null(id);
    char *got = rx_wait(&rx, 1, 60, sig);
    assert_non_null(got);
    check_delivery(got, sig, secret, id);
    free(got);
    free(id);
    MHD_stop_daemon(d);

    /* receiver down when the job ends: delivered by a retry once it is up */
    int port2 = sr_test_free_port();
    snprintf(body, sizeof body,
             "{\"videoName\":\"hook2\",\"videoWidth\":320,\"videoHeight\":180,\"webhook\":\"http://127.0.0.1:%d/h\","
             "\"webhookInput\":{\"orderRef\":\"A-17\"},\"scenes\":[{\"background\":{\"color\":\"#ffffff\"},"
             "\"minimumDuration\":1}]}",
             port2);
    id = sr_test_submit(&s, key, "POST", "/v2/video/storyboard/render", body);
    json_t *j = sr_test_wait_job(&s, key, id, 60);
    assert_string_equal(status_of(j), "completed");
    json_decref(j);
    sleep_ms(2500); /* at least one failed attempt */
    receiver rx2 = {.mu = PTHREAD_MUTEX_INITIALIZER};
    d = rx_start(&rx2, port2);
    assert_non_null(d);
    got = rx_wait(&rx2, 1, 30, sig);
    assert_non_null(got);
    check_delivery(got, sig, secret, id);
    free(got);
    free(id);
    MHD_stop_daemon(d);
    free(rx.body);
    free(rx2.body);
    json_decref(k);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

static void test_survives_kill9(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1 --lease-ms 1000"), 0);
    json_t *k = sr_test_key_create(&s, "k", NULL);
    const char *key = json_string_value(json_object_get(k, "key"));
    char *tl = long_timeline(240);
    char *id = sr_test_submit(&s, key, "POST", "/v2/video/render", tl);
    assert_non_null(id);
    assert_int_equal(wait_rendering(&s, key, id, 30), 0);
    sr_test_server_stop(&s, 1); /* SIGKILL the server and its workers */
    assert_int_equal(sr_test_server_start(&s, NULL), 0);
    json_t *j = sr_test_wait_job(&s, key, id, 120);
    assert_non_null(j);
    assert_string_equal(status_of(j), "completed");
    const char *video = json_string_value(json_object_get(json_object_get(j, "data"), "videoURL"));
    sr_http_resp r;
    assert_int_equal(sr_http("GET", video, NULL, NULL, NULL, 0, &r), 200);
    const char *mp4 = sr_test_path(s.dir, "k9.mp4");
    FILE *f = fopen(mp4, "wb");
    fwrite(r.body, 1, r.body_len, f);
    fclose(f);
    sr_http_resp_free(&r);
    double dur = sr_test_media_duration(mp4);
    assert_true(dur > 239.0 && dur < 241.0);
    json_decref(j);
    free(id);
    free(tl);
    json_decref(k);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

typedef struct submitter {
    sr_test_server *s;
    const char *key;
    char ids[5][64];
    int ok;
} submitter;

static void *submit_five(void *ud)
{
    submitter *t = ud;
    for (int i = 0; i < 5; i++) {
        char *id = sr_test_submit(t->s, t->key, "POST", "/v2/video/storyboard/render", TINY);
        if (id) {
            snprintf(t->ids[i], sizeof t->ids[i], "%s", id);
            t->ok++;
        }
        free(id);
    }
    return NULL;
}

static void test_forty_concurrent(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 2"), 0);
    json_t *k = sr_test_key_create(&s, "many", NULL);
    submitter t[8];
    pthread_t th[8];
    for (int i = 0; i < 8; i++) {
        t[i] = (submitter){.s = &s, .key = json_string_value(json_object_get(k, "key"))};
        pthread_create(&th[i], NULL, submit_five, &t[i]);
    }
    for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
    int acked = 0;
    for (int i = 0; i < 8; i++) acked += t[i].ok;
    assert_int_equal(acked, 40);
    int completed = 0;
    for (int i = 0; i < 8; i++)
        for (int n = 0; n < 5; n++) {
            json_t *j = sr_test_wait_job(&s, t[i].key, t[i].ids[n], 150);
            completed += j && !strcmp(status_of(j), "completed");
            json_decref(j);
        }
    assert_int_equal(completed, 40);
    json_decref(k);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_webhooks),
        cmocka_unit_test(test_survives_kill9),
        cmocka_unit_test(test_forty_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
