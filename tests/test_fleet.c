/* libs: sr_common */
/* test_fleet.c - nodes of a fleet on one store (SQLite) and one storage (a
 * folder), real processes on loopback: two API nodes (`serve --workers 0`)
 * and a render node (`worker`). A render job sent to one API node renders
 * through segment tasks on the render node (renderStats.workers names it)
 * and a second one reuses every segment from the storage; an upload URL and
 * an access token made by one API node work on the other (one secret); a
 * job cancelled while its segments render ends at once, and one whose
 * segment task fails fails with the task's code; the
 * API nodes' /healthz counts the render nodes and turns 503 once the only
 * one is killed; `worker` answers --help and names an unknown option. The
 * render and the upload again with S3 storage (a real s3rver): job URLs
 * presigned by one API node, streamed by the other (--proxy-files); media a
 * node fetched is in the storage for a node that never fetched it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/fleet.h"
#include "support/hook_server.h"
#include "support/http_client.h"
#include "support/s3_fixture.h"

static sr_test_fleet fleet;
static int on_s3; /* the second group: S3 storage (s3rver); API node 1 with --proxy-files */

static int setup(void **state)
{
    char extra[600];
    if (sr_test_fleet_init(&fleet, NULL, NULL) || sr_test_sh("mkdir -p '%s/media'", fleet.dir)) return -1;
    snprintf(extra, sizeof extra, "--lease-ms 2000 --media-root '%s/media'", fleet.dir);
    if (sr_test_fleet_render(&fleet, "render-a", 2, extra) < 0) return -1;
    if (sr_test_fleet_api(&fleet, NULL) < 0 || sr_test_fleet_api(&fleet, NULL) < 0) return -1;
    return 0;
}

static int setup_s3(void **state)
{
    char uri[600];
    on_s3 = 1;
    if (sr_s3_fixture_start(uri, sizeof uri) || sr_test_fleet_init(&fleet, NULL, uri)) return -1;
    if (sr_test_fleet_render(&fleet, "render-a", 2, "--lease-ms 2000 --allow-private-media") < 0) return -1;
    if (sr_test_fleet_api(&fleet, NULL) < 0 || sr_test_fleet_api(&fleet, "--proxy-files") < 0) return -1;
    return 0;
}

static int teardown(void **state)
{
    return sr_test_fleet_stop(&fleet);
}

static const char *jstr(json_t *j, const char *a, const char *b)
{
    return json_string_value(json_object_get(b ? json_object_get(j, a) : j, b ? b : a));
}

/* A storyboard of n coloured 2 s scenes at 320x180 (one 2 s segment each). */
static void storyboard(char *out, size_t n, int scenes, const char *first_visual)
{
    int at = snprintf(out, n, "{\"videoName\":\"fleet\",\"videoWidth\":320,\"videoHeight\":180,\"scenes\":[");
    for (int i = 0; i < scenes; i++) {
        if (i == 0 && first_visual)
            at += snprintf(out + at, n - at, "{\"background\":{\"visualUrl\":\"%s\",\"type\":\"image\"},"
                                             "\"minimumDuration\":2}", first_visual);
        else
            at += snprintf(out + at, n - at, "%s{\"background\":{\"color\":\"#%02x6040\"},\"minimumDuration\":2}",
                           i ? "," : "", 40 * i);
    }
    snprintf(out + at, n - at, "]}");
}

static json_t *render_on(int api, const char *body)
{
    char *id = sr_test_submit(&fleet.api[api], fleet.key, "POST", "/v2/video/storyboard/render", body);
    assert_non_null(id);
    json_t *j = sr_test_wait_job(&fleet.api[api ? 0 : 1], fleet.key, id, 90); /* read back on the other node */
    free(id);
    assert_non_null(j);
    return j;
}

static void test_render_through_tasks(void **state)
{
    char body[2048];
    storyboard(body, sizeof body, 3, NULL);
    json_t *j = render_on(0, body);
    json_t *data = json_object_get(j, "data");
    assert_string_equal(jstr(data, "status", NULL), "completed");
    json_t *rs = json_object_get(data, "renderStats"), *segs = json_object_get(rs, "segments");
    assert_int_equal(json_integer_value(json_object_get(segs, "total")), 3);
    assert_int_equal(json_integer_value(json_object_get(segs, "encoded")), 3);
    json_t *workers = json_object_get(rs, "workers");
    assert_int_equal(json_array_size(workers), 1);
    assert_string_equal(json_string_value(json_array_get(workers, 0)), "render-a");
    /* the video, as each API node hands it out: under its own URL (file
     * storage, or S3 with --proxy-files) or presigned (S3); 6 s long */
    char id[64];
    snprintf(id, sizeof id, "%s", jstr(j, "job_id", NULL));
    json_decref(j);
    for (int i = 0; i < 2; i++) {
        j = sr_test_wait_job(&fleet.api[i], fleet.key, id, 5);
        const char *url = jstr(j, "data", "videoURL");
        assert_non_null(url);
        int own = !strncmp(url, fleet.api[i].url, strlen(fleet.api[i].url));
        assert_int_equal(own, !on_s3 || i == 1);
        if (!own) assert_non_null(strstr(url, "X-Amz-Signature="));
        const char *mp4 = sr_test_path(fleet.dir, "fleet.mp4");
        assert_int_equal(sr_test_http_save(url, mp4), 0);
        double d = sr_test_media_duration(mp4);
        assert_true(d > 5.9 && d < 6.2);
        json_decref(j);
    }
    /* the same video again, sent to the other node: every segment from the storage */
    j = render_on(1, body);
    segs = json_object_get(json_object_get(json_object_get(j, "data"), "renderStats"), "segments");
    assert_string_equal(jstr(j, "data", "status"), "completed");
    assert_int_equal(json_integer_value(json_object_get(segs, "reused")), 3);
    assert_int_equal(json_integer_value(json_object_get(segs, "encoded")), 0);
    json_decref(j);
}

static void test_one_secret(void **state)
{
    sr_http_resp r;
    char url[1200], signed_url[1200], other[1200];
    /* an upload URL signed by node 0, used on node 1 */
    assert_int_equal(sr_test_api_at(&fleet.api[0], "POST", "/v1/media/generateurl", fleet.key,
                                    "{\"fileName\":\"red.png\",\"contentType\":\"image/png\"}", &r),
                     200);
    snprintf(signed_url, sizeof signed_url, "%s", jstr(r.json, "data", "signedUrl"));
    snprintf(url, sizeof url, "%s", jstr(r.json, "data", "url"));
    sr_http_resp_free(&r);
    snprintf(other, sizeof other, "%s%s", fleet.api[1].url, signed_url + strlen(fleet.api[0].url));
    const char *png = sr_test_path(fleet.dir, "red.png");
    assert_int_equal(sr_test_write_image(png, 64, 36, 255, 0, 0, 255), 0);
    char *bytes = sr_test_read(png);
    FILE *f = fopen(png, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    assert_int_equal(sr_http("PUT", other, NULL, "Content-Type: image/png\r\n", bytes, n, &r), 200);
    sr_http_resp_free(&r);
    assert_int_equal(sr_http("PUT", signed_url, NULL, NULL, bytes, n, &r), 409); /* used once, on any node */
    sr_http_resp_free(&r);
    free(bytes);
    /* the upload renders (the render node reads it from the storage) */
    char body[2048];
    storyboard(body, sizeof body, 1, url);
    json_t *j = render_on(1, body);
    assert_string_equal(jstr(j, "data", "status"), "completed");
    json_decref(j);
    /* an access token made by node 1 works on node 0 */
    char tb[300], token[300];
    snprintf(tb, sizeof tb, "{\"client_id\":\"x\",\"client_secret\":\"%s\"}", fleet.key);
    assert_int_equal(sr_test_api_at(&fleet.api[1], "POST", "/v1/oauth2/token", NULL, tb, &r), 200);
    snprintf(token, sizeof token, "%s", jstr(r.json, "access_token", NULL));
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api_at(&fleet.api[0], "GET", "/v1/jobs", token, NULL, &r), 200);
    sr_http_resp_free(&r);
}

/* S3, last: a URL fetched by one render node is in the storage's fetch
 * cache, so a node that never saw it does not fetch it again. */
static void test_fetched_media_in_storage(void **state)
{
    sr_test_hook hook = {0};
    assert_int_equal(sr_test_hook_serve_png(&hook, sr_test_path(fleet.dir, "green.png")), 0);
    assert_int_equal(sr_test_hook_start(&hook), 0);
    char url[200], body[2048];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/green.png", hook.port);
    storyboard(body, sizeof body, 1, url);
    json_t *j = render_on(0, body);
    assert_string_equal(jstr(j, "data", "status"), "completed");
    json_decref(j);
    assert_int_equal(sr_test_hook_count(&hook), 1);
    /* render-a goes; render-b, with an empty cache folder, renders the same media */
    sr_test_kill(fleet.render[0], 1);
    fleet.render[0] = 0;
    assert_true(sr_test_fleet_render(&fleet, "render-b", 1, "--allow-private-media") > 0);
    j = render_on(1, body);
    assert_string_equal(jstr(j, "data", "status"), "completed");
    json_t *workers = json_object_get(json_object_get(json_object_get(j, "data"), "renderStats"), "workers");
    assert_int_equal(json_array_size(workers), 0); /* every segment reused from the storage */
    json_decref(j);
    assert_int_equal(sr_test_hook_count(&hook), 1); /* from the storage, not fetched again */
    sr_test_hook_stop(&hook);
}

static void test_worker_cli(void **state)
{
    int st = -1;
    char *out = sr_test_sh_out(&st, "'%s' worker --help", getenv("SR_BINARY"));
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "--processes"));
    assert_non_null(strstr(out, "--storage"));
    assert_null(strstr(out, "--listen")); /* no HTTP listener */
    free(out);
    out = sr_test_sh_out(&st, "'%s' worker %s --frobnicate 2>&1", getenv("SR_BINARY"), fleet.shared);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "--frobnicate"));
    assert_non_null(strstr(out, "--help"));
    free(out);
    out = sr_test_sh_out(&st, "'%s' worker --processes 1 2>&1", getenv("SR_BINARY"));
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "--store"));
    free(out);
    out = sr_test_sh_out(&st, "'%s' serve --workers 0 --data '%s/x' 2>&1", getenv("SR_BINARY"), fleet.dir);
    assert_int_not_equal(st, 0); /* an API node only within a fleet */
    assert_non_null(strstr(out, "--workers"));
    free(out);
}

/* A 40-segment render (640x360 at 60 fps), its last scene the picture at
 * last (NULL: a colour too), sent to API node 0; waits until its holder
 * reports two segments done. The job's id (malloc'd). */
static char *long_render_started(const char *last)
{
    char body[8192];
    int at = snprintf(body, sizeof body, "{\"videoName\":\"long\",\"videoWidth\":640,\"videoHeight\":360,"
                                         "\"output\":{\"fps\":60},\"scenes\":[");
    for (int i = 0; i < 40; i++)
        at += snprintf(body + at, sizeof body - at, "%s{\"background\":{\"color\":\"#%02x3060\"},"
                                                    "\"minimumDuration\":2}", i ? "," : "", 6 * i);
    if (last)
        at += snprintf(body + at, sizeof body - at, ",{\"background\":{\"type\":\"image\",\"visualUrl\":\"%s\"},"
                                                    "\"minimumDuration\":2}", last);
    snprintf(body + at, sizeof body - at, "]}");
    char *id = sr_test_submit(&fleet.api[0], fleet.key, "POST", "/v2/video/storyboard/render", body);
    assert_non_null(id);
    char path[200];
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    int segs = 0;
    for (int t = 0; t < 400 && segs < 2; t++) {
        sr_http_resp r;
        sr_test_api_at(&fleet.api[1], "GET", path, fleet.key, NULL, &r);
        const char *msg = jstr(r.json, "data", "renderProgressMessage");
        if (msg && !strncmp(msg, "rendering: segment ", 19)) segs = atoi(msg + 19);
        sr_http_resp_free(&r);
        struct timespec ts = {0, 25 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_true(segs >= 2);
    return id;
}

/* A segment task that fails (its picture damaged after the holder planned
 * the video) fails the job with the task's code. */
static void test_failed_task_fails_its_job(void **state)
{
    const char *png = sr_test_path(fleet.dir, "media/late.png");
    assert_int_equal(sr_test_write_image(png, 320, 180, 0, 200, 0, 255), 0);
    char *id = long_render_started(png);
    assert_int_equal(sr_test_sh("printf 'no longer a picture' > '%s'", png), 0);
    json_t *j = sr_test_wait_job(&fleet.api[1], fleet.key, id, 60);
    assert_non_null(j);
    assert_string_equal(jstr(j, "data", "status"), "failed");
    const char *code = jstr(j, "data", "error_code");
    fprintf(stderr, "failed task: %s: %s\n", code, jstr(j, "data", "error_message"));
    assert_int_equal(strncmp(code, "MEDIA_", 6), 0);
    json_decref(j);
    free(id);
}

/* Cancelling a job whose segments are being rendered as tasks: it fails
 * CANCELLED at once, and the render node is free again for the next job. */
static void test_cancel_through_tasks(void **state)
{
    char *id = long_render_started(NULL), path[200], body[2048];
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    sr_http_resp r;
    assert_int_equal(sr_test_api_at(&fleet.api[1], "DELETE", path, fleet.key, NULL, &r), 200);
    sr_http_resp_free(&r);
    json_t *j = sr_test_wait_job(&fleet.api[0], fleet.key, id, 5);
    assert_string_equal(jstr(json_object_get(j, "data"), "error_code", NULL), "CANCELLED");
    json_decref(j);
    free(id);
    storyboard(body, sizeof body, 1, NULL); /* the node is free: a short job completes */
    j = render_on(0, body);
    assert_string_equal(jstr(j, "data", "status"), "completed");
    json_decref(j);
}

/* Last: the render node goes away. */
static void test_health_counts_render_nodes(void **state)
{
    assert_int_equal(sr_test_fleet_wait_workers(&fleet, 0, 1, 5), 200);
    sr_http_resp r;
    char url[200];
    snprintf(url, sizeof url, "%s/healthz", fleet.api[1].url);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 200);
    assert_string_equal(jstr(r.json, "store", NULL), "sqlite");
    assert_int_equal(json_integer_value(json_object_get(r.json, "workers")), 1);
    sr_http_resp_free(&r);
    sr_test_kill(fleet.render[0], 1);
    fleet.render[0] = 0;
    assert_int_equal(sr_test_fleet_wait_workers(&fleet, 0, 0, 10), 503);
    assert_int_equal(sr_test_fleet_wait_workers(&fleet, 1, 0, 2), 503);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_cli),
        cmocka_unit_test(test_render_through_tasks),
        cmocka_unit_test(test_one_secret),
        cmocka_unit_test(test_cancel_through_tasks),
        cmocka_unit_test(test_failed_task_fails_its_job),
        cmocka_unit_test(test_health_counts_render_nodes),
    };
    const struct CMUnitTest tests_s3[] = {
        cmocka_unit_test(test_render_through_tasks),
        cmocka_unit_test(test_one_secret),
        cmocka_unit_test(test_fetched_media_in_storage),
    };
    int failed = cmocka_run_group_tests_name("file storage", tests, setup, teardown);
    return failed + cmocka_run_group_tests_name("S3 storage", tests_s3, setup_s3, teardown);
}
