/* libs: sr_service sr_common */
/* test_hardening_jobs.c - isolation and fairness of the job machinery
 * (issue: hardening, items 7 and 9), each attack against a real server:
 * another account's upload named in a renderParams, another account's
 * fetched copy of a URL, one account's queue starving another's first job,
 * and one slow webhook endpoint holding up every other delivery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/util.h"
#include "jobs/jobs.h"
#include "store/store.h"
#include "support/fixtures.h"
#include "support/hook_server.h"
#include "support/http_client.h"

static const char *jget(json_t *j, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(j, a), b));
}

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A renderParams of one image (url) or colour (url NULL) lasting seconds. */
static char *timeline(const char *url, double seconds)
{
    char *s = malloc(4096), el[1400];
    if (url)
        snprintf(el, sizeof el, "\"type\":\"image\",\"url\":\"%.1300s\"", url);
    else
        snprintf(el, sizeof el, "\"type\":\"color\",\"color\":\"#2040c0\"");
    snprintf(s, 4096,
             "{\"version\":1,\"output\":{\"name\":\"t\",\"width\":160,\"height\":90,\"fps\":30,\"duration\":%g},"
             "\"sceneMarkers\":[{\"sceneIndex\":0,\"startTime\":0,\"duration\":%g,\"transition\":\"none\","
             "\"transitionDuration\":0}],\"elements\":[{\"id\":\"bg\",\"elementType\":\"backgroundElement\",%s,"
             "\"sceneIndex\":0,\"startTime\":0,\"duration\":%g}],\"subtitles\":[],\"transcript\":\"\"}",
             seconds, seconds, el, seconds);
    return s;
}

/* A one-scene storyboard: background url (or a colour), webhook hook (or none). */
static char *story(const char *url, const char *hook)
{
    char *s = malloc(2048), hk[300] = "", bg[600];
    if (hook) snprintf(hk, sizeof hk, "\"webhook\":\"%s\",", hook);
    if (url) snprintf(bg, sizeof bg, "{\"visualUrl\":\"%s\",\"type\":\"image\"}", url);
    else snprintf(bg, sizeof bg, "{\"color\":\"#336699\"}");
    snprintf(s, 2048,
             "{\"videoName\":\"s\",\"videoWidth\":160,\"videoHeight\":90,%s\"scenes\":[{\"background\":%s,"
             "\"minimumDuration\":1}]}",
             hk, bg);
    return s;
}

static json_t *run_job(sr_test_world *w, const char *key, const char *path, const char *body)
{
    char *id = sr_test_submit(&w->srv, key, "POST", path, body);
    assert_non_null(id);
    json_t *j = sr_test_wait_job(&w->srv, key, id, 90);
    free(id);
    assert_non_null(j);
    return j;
}

/* The first error field of a 400 answer. */
static const char *field0(const sr_http_resp *r)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(r->json, "fields"), 0), "name"));
}

/* Uploads file as key's account; *out_key gets "files/...". */
static void upload(sr_test_world *w, const char *key, const char *file, char out_key[400])
{
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "POST", "/v1/media/generateurl", key,
                                 "{\"fileName\":\"secret.png\",\"contentType\":\"image/png\"}", &r),
                     200);
    char signed_url[1024];
    snprintf(signed_url, sizeof signed_url, "%s", jget(r.json, "data", "signedUrl"));
    snprintf(out_key, 400, "%s", jget(r.json, "data", "key"));
    sr_http_resp_free(&r);
    char *bytes = NULL;
    size_t n = 0;
    sr_err e = {0};
    assert_int_equal(sr_read_file(file, 1 << 20, &bytes, &n, &e), 0);
    assert_int_equal(sr_http("PUT", signed_url, NULL, "Content-Type: image/png\r\n", bytes, (long)n, &r), 200);
    sr_http_resp_free(&r);
    free(bytes);
}

/* ------------------------------------------------------------ isolation */

/* Bob names alice's private upload in a renderParams, every way a file
 * under the data folder can be named: each is a 400 naming the field. */
static void test_render_params_file_keys_not_owner_checked(void **state)
{
    (void)state;
    sr_test_world *w = sr_test_world_start("--workers 1");
    assert_non_null(w);
    const char *png = sr_test_path(w->srv.dir, "secret.png");
    assert_int_equal(sr_test_write_image(png, 32, 18, 250, 20, 20, 255), 0);
    char key[400], refs[6][1200];
    upload(w, w->key_a, png, key);
    snprintf(refs[0], sizeof refs[0], "%s", key);
    snprintf(refs[1], sizeof refs[1], "file://%s", key);
    snprintf(refs[2], sizeof refs[2], "%s/data/%s", w->srv.dir, key); /* absolute path */
    snprintf(refs[3], sizeof refs[3], "%s/%s", w->srv.url, key);      /* this server's URL */
    snprintf(refs[4], sizeof refs[4], "cache/fetch/%s/0123.png", w->account_a); /* alice's fetch cache */
    snprintf(refs[5], sizeof refs[5], "cache/other/%s", key);
    for (size_t i = 0; i < 6; i++) {
        const char *ref = refs[i];
        char *tl = timeline(ref, 1);
        sr_http_resp r;
        assert_int_equal(sr_test_api(w, "POST", "/v2/video/render", w->key_b, tl, &r), 400);
        if (!field0(&r) || strcmp(field0(&r), "elements[0].url")) fail_msg("%s: %s", ref, r.body);
        sr_http_resp_free(&r);
        free(tl);
    }
    /* the owner may */
    char *tl = timeline(key, 1);
    json_t *j = run_job(w, w->key_a, "/v2/video/render", tl);
    assert_string_equal(jget(j, "data", "status"), "completed");
    json_decref(j);
    free(tl);
    sr_test_world_stop(w);
}

/* Alice's fetched copy of a URL is not bob's: once the URL stops answering,
 * bob's render fetches (and fails) instead of getting alice's bytes. */
static void test_fetch_cache_shared_across_accounts(void **state)
{
    (void)state;
    sr_test_hook img = {0};
    char *dir = sr_test_tmpdir();
    assert_int_equal(sr_test_hook_serve_png(&img, sr_test_path(dir, "c.png")), 0);
    assert_int_equal(sr_test_hook_start(&img), 0);
    sr_test_world *w = sr_test_world_start("--workers 1 --allow-private-media");
    assert_non_null(w);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/private.png", img.port);
    char *sb = story(url, NULL);
    json_t *j = run_job(w, w->key_a, "/v2/video/storyboard/render", sb);
    assert_string_equal(jget(j, "data", "status"), "completed");
    json_decref(j);
    assert_int_equal(sr_test_hook_count(&img), 1);
    pthread_mutex_lock(&img.mu);
    img.status = 404; /* the URL changed (or needs credentials bob lacks) */
    pthread_mutex_unlock(&img.mu);
    j = run_job(w, w->key_b, "/v2/video/storyboard/render", sb);
    assert_string_equal(jget(j, "data", "status"), "failed");
    assert_string_equal(jget(j, "data", "error_code"), "MEDIA_FETCH_FAILED");
    json_decref(j);
    assert_int_equal(sr_test_hook_count(&img), 2);
    j = run_job(w, w->key_a, "/v2/video/storyboard/render", sb); /* alice keeps her own copy */
    assert_string_equal(jget(j, "data", "status"), "completed");
    json_decref(j);
    assert_int_equal(sr_test_hook_count(&img), 2);
    int st = 0;
    char *out = sr_test_sh_out(&st, "ls '%s/data/cache/fetch/%s' | wc -l", w->srv.dir, w->account_a);
    assert_int_equal(atoi(out), 1);
    free(out);
    free(sb);
    sr_test_world_stop(w);
    sr_test_hook_stop(&img);
    sr_test_rmdir(dir);
    free(dir);
}

/* -------------------------------------------------------------- fairness */

/* The store's lease order: account A queued 20 jobs before B's one; B's job
 * is among the first two leased, and with a cap of one running job per
 * account a third lease waits. */
static void test_lease_order_is_first_come_across_accounts(void **state)
{
    (void)state;
    char *dir = sr_test_tmpdir();
    const sr_store_ops *ops = sr_store_sqlite();
    sr_store *st = NULL;
    sr_err e = {0};
    assert_int_equal(ops->open(sr_test_path(dir, "s.db"), &st, &e), 0);
    assert_int_equal(ops->account_create(st, "acc-a", "a", "s", &e), 0);
    assert_int_equal(ops->account_create(st, "acc-b", "b", "s", &e), 0);
    char b_id[SR_ID_LEN] = "";
    for (int i = 0; i < 21; i++) {
        sr_job j = {.max_attempts = 3, .created_ms = 1000 + i};
        sr_uuid(j.id);
        snprintf(j.account_id, sizeof j.account_id, "%s", i < 20 ? "acc-a" : "acc-b");
        snprintf(j.kind, sizeof j.kind, "render");
        if (i == 20) snprintf(b_id, sizeof b_id, "%s", j.id);
        assert_int_equal(ops->job_create(st, &j, &e), 0);
    }
    sr_job got[3];
    assert_int_equal(ops->lease_acquire_fair(st, "w1", 60000, 1, &got[0], &e), 1);
    assert_int_equal(ops->lease_acquire_fair(st, "w2", 60000, 1, &got[1], &e), 1);
    assert_true(!strcmp(got[0].id, b_id) || !strcmp(got[1].id, b_id));
    assert_string_not_equal(got[0].account_id, got[1].account_id);
    assert_int_equal(ops->lease_acquire_fair(st, "w3", 60000, 1, &got[2], &e), 0); /* both at the cap */
    /* without a cap the turns alternate: B has nothing left, so A again */
    assert_int_equal(ops->lease_acquire_fair(st, "w3", 60000, 0, &got[2], &e), 1);
    assert_string_equal(got[2].account_id, "acc-a");
    for (int i = 0; i < 3; i++) sr_job_clear(&got[i]);
    ops->close(st);
    sr_test_rmdir(dir);
    free(dir);
}

/* A queues 8 longer renders, then B one: B's job starts before all but at
 * most one of A's, and A never has more than --max-running-per-account
 * running (seen through the API), though two workers are free. */
static void test_one_account_queue_delays_another(void **state)
{
    (void)state;
    sr_test_world *w = sr_test_world_start("--workers 2 --max-running-per-account 1");
    assert_non_null(w);
    enum { NA = 8 };
    char *a_ids[NA], *tl = timeline(NULL, 20);
    for (int i = 0; i < NA; i++) assert_non_null(a_ids[i] = sr_test_submit(&w->srv, w->key_a, "POST", "/v2/video/render", tl));
    char *tiny = timeline(NULL, 1);
    char *b_id = sr_test_submit(&w->srv, w->key_b, "POST", "/v2/video/render", tiny);
    assert_non_null(b_id);
    int max_running = 0, b_done = 0;
    for (double t0 = sr_now(); !b_done && sr_now() - t0 < 120; nap_ms(100)) {
        int running = 0;
        for (int i = 0; i < NA; i++) {
            char path[128];
            sr_http_resp r;
            snprintf(path, sizeof path, "/v1/jobs/%s", a_ids[i]);
            sr_test_api(w, "GET", path, w->key_a, NULL, &r);
            /* jobState: storyreel's own state (a queued job's status reads in-progress too, as on Pictory) */
            running += jget(r.json, "data", "jobState") && !strcmp(jget(r.json, "data", "jobState"), "in-progress");
            sr_http_resp_free(&r);
        }
        if (running > max_running) max_running = running;
        json_t *j = sr_test_wait_job(&w->srv, w->key_b, b_id, 0);
        b_done = j && !strcmp(jget(j, "data", "status"), "completed");
        json_decref(j);
    }
    assert_true(b_done);
    assert_true(max_running <= 1);
    /* start order, from the store */
    const sr_store_ops *ops = sr_store_sqlite();
    sr_store *st = NULL;
    sr_err e = {0};
    char db[700];
    snprintf(db, sizeof db, "%s/data/storyreel.db", w->srv.dir);
    assert_int_equal(ops->open(db, &st, &e), 0);
    sr_job b;
    assert_int_equal(ops->job_get(st, NULL, b_id, 0, &b, &e), 0);
    int before = 0;
    int64_t from[NA], to[NA];
    for (int i = 0; i < NA; i++) {
        sr_job a;
        assert_int_equal(ops->job_get(st, NULL, a_ids[i], 0, &a, &e), 0);
        before += a.started_ms && a.started_ms <= b.started_ms;
        from[i] = a.started_ms ? a.started_ms : INT64_MAX;
        to[i] = a.finished_ms ? a.finished_ms : INT64_MAX;
        sr_job_clear(&a);
        free(a_ids[i]);
    }
    for (int i = 0; i < NA; i++) /* never two of A's jobs running at once */
        for (int k = 0; k < NA; k++)
            if (i != k && from[i] != INT64_MAX && from[k] >= from[i] && from[k] < to[i])
                fail_msg("A's jobs %d and %d ran at the same time", i, k);
    sr_job_clear(&b);
    ops->close(st);
    if (before > 1) fail_msg("%d of A's %d jobs started before B's one", before, NA);
    free(b_id);
    free(tl);
    free(tiny);
    sr_test_world_stop(w);
}

/* Four jobs' webhooks go to an endpoint that takes 5 s to answer, then one
 * to a quick endpoint: the quick one arrives within 3 s of its job's end,
 * and the slow endpoint never sees more than 2 deliveries at once. */
static void test_slow_webhook_endpoint_delays_others(void **state)
{
    (void)state;
    sr_test_hook slow = {.delay_ms = 5000}, quick = {0};
    assert_int_equal(sr_test_hook_start(&slow), 0);
    assert_int_equal(sr_test_hook_start(&quick), 0);
    sr_test_world *w = sr_test_world_start("--workers 1 --allow-private-webhooks");
    assert_non_null(w);
    char hook[128];
    snprintf(hook, sizeof hook, "http://127.0.0.1:%d/slow", slow.port);
    char *sb = story(NULL, hook);
    char *ids[4];
    for (int i = 0; i < 4; i++) assert_non_null(ids[i] = sr_test_submit(&w->srv, w->key_a, "POST", "/v2/video/storyboard/render", sb));
    free(sb);
    snprintf(hook, sizeof hook, "http://127.0.0.1:%d/quick", quick.port);
    sb = story(NULL, hook);
    char *qid = sr_test_submit(&w->srv, w->key_b, "POST", "/v2/video/storyboard/render", sb);
    assert_non_null(qid);
    json_t *j = sr_test_wait_job(&w->srv, w->key_b, qid, 90);
    double done_at = sr_now();
    assert_non_null(j);
    assert_string_equal(jget(j, "data", "status"), "completed");
    json_decref(j);
    assert_int_equal(sr_test_hook_wait(&quick, 1, 30), 0);
    pthread_mutex_lock(&quick.mu);
    double late = quick.last_at - done_at;
    pthread_mutex_unlock(&quick.mu);
    if (late > 3.0) fail_msg("the quick endpoint's webhook came %.1f s after its job ended", late);
    assert_int_equal(sr_test_hook_wait(&slow, 4, 40), 0); /* all delivered, at most two at once */
    pthread_mutex_lock(&slow.mu);
    int most = slow.max_in_flight;
    pthread_mutex_unlock(&slow.mu);
    assert_true(most >= 1 && most <= 2);
    for (int i = 0; i < 4; i++) free(ids[i]);
    free(qid);
    free(sb);
    sr_test_world_stop(w);
    sr_test_hook_stop(&slow);
    sr_test_hook_stop(&quick);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_params_file_keys_not_owner_checked),
        cmocka_unit_test(test_fetch_cache_shared_across_accounts),
        cmocka_unit_test(test_lease_order_is_first_come_across_accounts),
        cmocka_unit_test(test_one_account_queue_delays_another),
        cmocka_unit_test(test_slow_webhook_endpoint_delays_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
