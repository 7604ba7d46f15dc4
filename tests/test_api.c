/* libs: sr_service sr_common */
/* test_api.c - the HTTP API of the real server (SR_BINARY serve on a free
 * loopback port): every endpoint's success and error shapes, auth and
 * account isolation, projects, previews and edits, uploads used as media,
 * files with Range, rate limiting, and the media guards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/http_client.h"

static const char *TINY = "{\"videoName\":\"tiny\",\"videoWidth\":320,\"videoHeight\":180,"
                          "\"scenes\":[{\"background\":{\"color\":\"#ff0000\"},\"minimumDuration\":2}]}";

static int setup(void **state)
{
    *state = sr_test_world_start("--workers 1 --max-body-kb 64 --max-upload-mb 1");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    sr_test_world_stop(*state);
    return 0;
}

static const char *jstr(json_t *o, const char *path)
{
    /* "data.status" style */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = o;
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && cur; t = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, t);
    return json_string_value(cur);
}

static json_t *render_and_wait(sr_test_world *w, const char *method, const char *path, const char *key, const char *body)
{
    char *id = sr_test_submit(&w->srv, key, method, path, body);
    assert_non_null(id);
    json_t *j = sr_test_wait_job(&w->srv, key, id, 60);
    free(id);
    assert_non_null(j);
    return j;
}

static void test_health_metrics_routes(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "!/healthz", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "ok");
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "!/metrics", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "storyreel_jobs{state=\"completed\"}"));
    assert_non_null(strstr(r.body, "storyreel_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"));
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v9/nothing", w->key_a, NULL, &r), 404);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "PATCH", "/v1/jobs", w->key_a, NULL, &r), 405);
    sr_http_resp_free(&r);
}

static void test_auth(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    static const char *const bad[] = {NULL, "pictai_0000", "garbage", "Bearer pictai_nope", "sr1.a.b.1.ff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", bad[i], NULL, &r), 401);
        assert_string_equal(jstr(r.json, "message"), "Unauthorized");
        sr_http_resp_free(&r);
    }
    char bearer[160];
    snprintf(bearer, sizeof bearer, "Bearer %s", w->key_a);
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", bearer, NULL, &r), 200);
    assert_true(json_is_array(json_object_get(r.json, "items")));
    sr_http_resp_free(&r);
    /* legacy token flow */
    char body[300];
    snprintf(body, sizeof body, "{\"client_id\":\"x\",\"client_secret\":\"%s\"}", w->key_a);
    assert_int_equal(sr_test_api(w, "POST", "/v1/oauth2/token", NULL, body, &r), 200);
    char token[300];
    snprintf(token, sizeof token, "%s", jstr(r.json, "access_token"));
    assert_int_equal(json_integer_value(json_object_get(r.json, "expires_in")), 3600);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", token, NULL, &r), 200);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "POST", "/v1/oauth2/token", NULL, "{\"client_id\":\"x\",\"client_secret\":\"no\"}", &r),
                     401);
    sr_http_resp_free(&r);
    /* a revoked key stops working */
    json_t *k = sr_test_key_create(&w->srv, "temp", w->account_a);
    assert_non_null(k);
    const char *key = json_string_value(json_object_get(k, "key"));
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", key, NULL, &r), 200);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_sh("'%s' keys revoke %s --data '%s/data' >/dev/null", getenv("SR_BINARY"),
                                json_string_value(json_object_get(k, "id")), w->srv.dir),
                     0);
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", key, NULL, &r), 401);
    sr_http_resp_free(&r);
    json_decref(k);
}

static void test_bad_bodies(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard", w->key_a, "{not json", &r), 400);
    assert_string_equal(jstr(r.json, "code"), "INVALID_REQUEST_BODY");
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard", w->key_a, "{\"videoName\":\"x\",\"scenes\":[]}", &r), 400);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "fields"), 0), "name")),
                        "scenes");
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard/render", w->key_a,
                          "{\"scenes\":[{\"background\":{\"color\":\"red\"}}]}", &r),
                     400);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "fields"), 0), "name")),
                        "videoName");
    sr_http_resp_free(&r);
    char big[700];
    snprintf(big, sizeof big, "{\"videoName\":\"x\",\"webhook\":\"http://example.com/%0600d\",\"scenes\":[{}]}", 0);
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard", w->key_a, big, &r), 400);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "fields"), 0), "name")),
                        "webhook");
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/render", w->key_a, "{\"foo\":1}", &r), 400);
    sr_http_resp_free(&r);
    /* 413 past the body limit (64 KB here) */
    size_t n = 100 * 1024;
    char *huge = malloc(n + 1);
    memset(huge, ' ', n);
    huge[0] = '{', huge[n - 1] = '}', huge[n] = 0;
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard", w->key_a, huge, &r), 413);
    sr_http_resp_free(&r);
    free(huge);
}

/* A font that is not installed falls back with a warning in the job, not a failure. */
static void test_job_carries_warnings(void **state)
{
    sr_test_world *w = *state;
    const char *sb = "{\"videoName\":\"warn\",\"videoWidth\":320,\"videoHeight\":180,"
                     "\"subtitleStyle\":{\"fontFamily\":\"No Such Family Sans\"},"
                     "\"scenes\":[{\"story\":\"Hello.\",\"background\":{\"color\":\"#000\"},\"minimumDuration\":1}]}";
    json_t *prev = render_and_wait(w, "POST", "/v2/video/storyboard", w->key_a, sb);
    assert_string_equal(jstr(prev, "data.status"), "completed");
    json_t *warn = json_object_get(json_object_get(prev, "data"), "warnings");
    assert_true(json_array_size(warn) >= 1);
    int named = 0;
    for (size_t i = 0; i < json_array_size(warn); i++)
        named |= strstr(json_string_value(json_array_get(warn, i)), "No Such Family Sans") != NULL;
    assert_true(named);
    json_decref(prev);
}

static void test_preview_project_flow(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    const char *sb = "{\"videoName\":\"flow\",\"videoWidth\":320,\"videoHeight\":180,\"saveProject\":true,"
                     "\"scenes\":[{\"background\":{\"color\":\"#00ff00\"},\"minimumDuration\":2}]}";
    json_t *prev = render_and_wait(w, "POST", "/v2/video/storyboard", w->key_a, sb);
    assert_string_equal(jstr(prev, "data.status"), "completed");
    assert_true(json_is_object(json_object_get(json_object_get(prev, "data"), "renderParams")));
    assert_string_equal(jstr(prev, "data.storyboard.videoName"), "flow");
    char pid[64], preview_id[64];
    snprintf(pid, sizeof pid, "%s", jstr(prev, "data.projectId"));
    snprintf(preview_id, sizeof preview_id, "%s", jstr(prev, "job_id"));
    json_decref(prev);

    char path[256];
    assert_int_equal(sr_test_api(w, "GET", "/v2/projects", w->key_a, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id")), pid);
    sr_http_resp_free(&r);
    snprintf(path, sizeof path, "/v2/projects/%s", pid);
    assert_int_equal(sr_test_api(w, "GET", path, w->key_a, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "name"), "flow");
    assert_non_null(json_object_get(r.json, "scenes"));
    sr_http_resp_free(&r);
    /* another account sees nothing */
    assert_int_equal(sr_test_api(w, "GET", path, w->key_b, NULL, &r), 404);
    sr_http_resp_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", preview_id);
    assert_int_equal(sr_test_api(w, "GET", path, w->key_b, NULL, &r), 404);
    assert_string_equal(jstr(r.json, "data.error_message"), "JOB_NOT_FOUND");
    assert_string_equal(jstr(r.json, "data.error_code"), "5000");
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v2/projects", w->key_b, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    sr_http_resp_free(&r);

    /* PUT renames it (blue now), then Render Project renders it */
    snprintf(path, sizeof path, "/v2/projects/%s", pid);
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_a,
                          "{\"videoName\":\"flow2\",\"videoWidth\":320,\"videoHeight\":180,\"scenes\":[{\"background\":"
                          "{\"color\":\"#0000ff\"},\"minimumDuration\":2}]}",
                          &r),
                     200);
    assert_string_equal(jstr(r.json, "message"), "Project updated successfully");
    assert_string_equal(jstr(r.json, "project.name"), "flow2");
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_b, "{\"scenes\":[{}]}", &r), 404);
    sr_http_resp_free(&r);
    snprintf(path, sizeof path, "/v2/projects/%s/render", pid);
    assert_int_equal(sr_test_api(w, "POST", path, w->key_b, NULL, &r), 404);
    sr_http_resp_free(&r);
    json_t *done = render_and_wait(w, "POST", path, w->key_a, NULL);
    assert_string_equal(jstr(done, "data.status"), "completed");
    assert_true(json_is_true(json_object_get(done, "success")));
    const char *video = jstr(done, "data.videoURL");
    assert_non_null(video);
    assert_string_equal(video, jstr(done, "data.shareVideoURL"));
    assert_string_equal(video, jstr(done, "data.videoShareURL"));
    assert_non_null(jstr(done, "data.srtFile"));
    assert_true(json_real_value(json_object_get(json_object_get(done, "data"), "videoDuration")) > 1.9);
    /* download the whole video and a Range of it; the frame is blue */
    assert_int_equal(sr_http("GET", video, NULL, NULL, NULL, 0, &r), 200);
    char ct[64];
    assert_string_equal(sr_http_header(&r, "Content-Type", ct, sizeof ct), "video/mp4");
    const char *mp4 = sr_test_path(w->srv.dir, "got.mp4");
    FILE *f = fopen(mp4, "wb");
    fwrite(r.body, 1, r.body_len, f);
    fclose(f);
    size_t total = r.body_len;
    sr_http_resp_free(&r);
    sr_frame *fr = sr_test_decode_frame(mp4, 1.0);
    assert_non_null(fr);
    int y = fr->data[0][fr->linesize[0] * (fr->h / 2) + fr->w / 2];
    int u = fr->data[1][fr->linesize[1] * (fr->h / 4) + fr->w / 4];
    assert_true(y < 60 && u > 200); /* blue: dark luma, high Cb */
    sr_frame_free(fr);
    assert_int_equal(sr_http("GET", video, NULL, "Range: bytes=10-109\r\n", NULL, 0, &r), 206);
    assert_int_equal(r.body_len, 100);
    char cr[96], want[96];
    snprintf(want, sizeof want, "bytes 10-109/%zu", total);
    assert_string_equal(sr_http_header(&r, "Content-Range", cr, sizeof cr), want);
    sr_http_resp_free(&r);
    /* an open range, as browsers send it for <video>: the whole file */
    assert_int_equal(sr_http("GET", video, NULL, "Range: bytes=0-\r\n", NULL, 0, &r), 206);
    assert_int_equal(r.body_len, total);
    snprintf(want, sizeof want, "bytes 0-%zu/%zu", total - 1, total);
    assert_string_equal(sr_http_header(&r, "Content-Range", cr, sizeof cr), want);
    sr_http_resp_free(&r);
    assert_int_equal(sr_http("GET", video, NULL, "Range: bytes=999999999-\r\n", NULL, 0, &r), 416);
    sr_http_resp_free(&r);
    char guessed[512];
    snprintf(guessed, sizeof guessed, "%s/files/0123456789abcdef/flow2.mp4", w->srv.url);
    assert_int_equal(sr_http("GET", guessed, NULL, NULL, NULL, 0, &r), 404);
    sr_http_resp_free(&r);
    json_decref(done);

    /* render the preview itself, then edit the preview's elements */
    snprintf(path, sizeof path, "/v2/video/render/%s", preview_id);
    json_t *pr = render_and_wait(w, "PUT", path, w->key_a, "{}");
    assert_string_equal(jstr(pr, "data.status"), "completed");
    json_decref(pr);
    snprintf(path, sizeof path, "/v2/video/storyboard/%s/elements", preview_id);
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_a, "[{\"id\":\"nope\",\"color\":\"#ffffff\"}]", &r), 400);
    sr_http_resp_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", preview_id);
    sr_test_api(w, "GET", path, w->key_a, NULL, &r);
    json_t *els = json_object_get(json_object_get(json_object_get(r.json, "data"), "renderParams"), "elements");
    char bg_id[128] = "";
    size_t i;
    json_t *e;
    json_array_foreach(els, i, e) if (!strcmp(json_string_value(json_object_get(e, "elementType")), "backgroundElement"))
        snprintf(bg_id, sizeof bg_id, "%s", json_string_value(json_object_get(e, "id")));
    sr_http_resp_free(&r);
    assert_true(bg_id[0]);
    char patch[256];
    snprintf(patch, sizeof patch, "[{\"id\":\"%s\",\"elementType\":\"backgroundElement\",\"color\":\"#ffffff\"}]", bg_id);
    snprintf(path, sizeof path, "/v2/video/storyboard/%s/elements", preview_id);
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_a, patch, &r), 204);
    sr_http_resp_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", preview_id);
    sr_test_api(w, "GET", path, w->key_a, NULL, &r);
    assert_non_null(strstr(r.body, "#ffffff"));
    /* POST /v2/video/render with that (edited) renderParams */
    char *rp = json_dumps(json_object_get(json_object_get(r.json, "data"), "renderParams"), JSON_COMPACT);
    sr_http_resp_free(&r);
    json_t *rr = render_and_wait(w, "POST", "/v2/video/render", w->key_a, rp);
    free(rp);
    assert_string_equal(jstr(rr, "data.status"), "completed");
    json_decref(rr);

    /* delete */
    snprintf(path, sizeof path, "/v2/projects/%s", pid);
    assert_int_equal(sr_test_api(w, "DELETE", path, w->key_b, NULL, &r), 404);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "DELETE", path, w->key_a, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "message"), "Project deleted successfully");
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", path, w->key_a, NULL, &r), 404);
    sr_http_resp_free(&r);
}

static void test_jobs_list_and_cancel_shapes(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    char *id1 = sr_test_submit(&w->srv, w->key_b, "POST", "/v2/video/storyboard/render", TINY);
    usleep(5000); /* order is by creation time in ms */
    char *id2 = sr_test_submit(&w->srv, w->key_b, "POST", "/v2/video/storyboard/render", TINY);
    assert_non_null(id1);
    assert_non_null(id2);
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", w->key_b, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "job_id")), id2); /* newest first */
    sr_http_resp_free(&r);
    json_t *j = sr_test_wait_job(&w->srv, w->key_b, id1, 60);
    assert_string_equal(jstr(j, "data.status"), "completed");
    json_decref(j);
    char path[128];
    snprintf(path, sizeof path, "/v1/jobs/%s", id1);
    assert_int_equal(sr_test_api(w, "DELETE", path, w->key_a, NULL, &r), 404); /* not alice's */
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "DELETE", path, w->key_b, NULL, &r), 409); /* already ended */
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs/00000000-0000-4000-8000-000000000000", w->key_b, NULL, &r), 404);
    assert_string_equal(jstr(r.json, "data.error_message"), "JOB_NOT_FOUND");
    sr_http_resp_free(&r);
    json_decref(sr_test_wait_job(&w->srv, w->key_b, id2, 60));
    free(id1);
    free(id2);
}

static void test_catalogs(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "/v1/voiceovers/tracks", w->key_a, NULL, &r), 200);
    assert_true(json_array_size(r.json) > 0);
    json_t *v0 = json_array_get(r.json, 0);
    static const char *const keys[] = {"id", "name", "voice", "gender", "accent", "language", "engine", "service",
                                       "category"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) assert_non_null(json_object_get(v0, keys[i]));
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/styles", w->key_a, NULL, &r), 200);
    assert_true(json_array_size(r.json) > 0);
    assert_non_null(jstr(json_array_get(r.json, 0), "name"));
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/brands/video", w->key_a, NULL, &r), 200);
    assert_true(json_is_array(r.json));
    sr_http_resp_free(&r);
}

static void test_upload_used_as_media(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    const char *png = sr_test_path(w->srv.dir, "yellow.png");
    assert_int_equal(sr_test_write_image(png, 64, 36, 255, 255, 0, 255), 0);
    assert_int_equal(sr_test_api(w, "POST", "/v1/media/generateurl", w->key_a, "{\"contentType\":\"image/png\"}", &r), 400);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "POST", "/v1/media/generateurl", w->key_a,
                          "{\"fileName\":\"yellow.png\",\"contentType\":\"image/png\"}", &r),
                     200);
    char signed_url[1024], url[1024];
    snprintf(signed_url, sizeof signed_url, "%s", jstr(r.json, "data.signedUrl"));
    snprintf(url, sizeof url, "%s", jstr(r.json, "data.url"));
    sr_http_resp_free(&r);
    char *bytes = sr_test_read(png);
    FILE *f = fopen(png, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    /* a tampered signature is refused */
    char bad[1100];
    snprintf(bad, sizeof bad, "%s", signed_url);
    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
    assert_int_equal(sr_http("PUT", bad, NULL, NULL, bytes, n, &r), 403);
    sr_http_resp_free(&r);
    assert_int_equal(sr_http("PUT", signed_url, NULL, "Content-Type: image/png\r\n", bytes, n, &r), 200);
    sr_http_resp_free(&r);
    assert_int_equal(sr_http("PUT", signed_url, NULL, NULL, bytes, n, &r), 409); /* used once */
    sr_http_resp_free(&r);
    free(bytes);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 200);
    assert_int_equal((long)r.body_len, n);
    sr_http_resp_free(&r);
    /* the uploaded image as a scene background: the video shows yellow */
    char body[2048];
    snprintf(body, sizeof body,
             "{\"videoName\":\"up\",\"videoWidth\":320,\"videoHeight\":180,\"scenes\":[{\"background\":"
             "{\"visualUrl\":\"%s\",\"type\":\"image\"},\"minimumDuration\":2}]}",
             url);
    json_t *j = render_and_wait(w, "POST", "/v2/video/storyboard/render", w->key_a, body);
    assert_string_equal(jstr(j, "data.status"), "completed");
    assert_int_equal(sr_http("GET", jstr(j, "data.videoURL"), NULL, NULL, NULL, 0, &r), 200);
    const char *mp4 = sr_test_path(w->srv.dir, "up.mp4");
    f = fopen(mp4, "wb");
    fwrite(r.body, 1, r.body_len, f);
    fclose(f);
    sr_http_resp_free(&r);
    sr_frame *fr = sr_test_decode_frame(mp4, 1.0);
    assert_non_null(fr);
    int y = fr->data[0][fr->linesize[0] * (fr->h / 2) + fr->w / 2];
    int u = fr->data[1][fr->linesize[1] * (fr->h / 4) + fr->w / 4];
    assert_true(y > 180 && u < 60); /* yellow: bright, low Cb */
    sr_frame_free(fr);
    json_decref(j);
    /* another account cannot use alice's upload: refused at submission, naming the field */
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard/render", w->key_b, body, &r), 400);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "fields"), 0), "name")),
                        "scenes[0].background.visualUrl");
    sr_http_resp_free(&r);
    /* bigger than the upload limit (1 MB here) */
    assert_int_equal(sr_test_api(w, "POST", "/v1/media/generateurl", w->key_a, "{\"fileName\":\"big.bin\"}", &r), 200);
    snprintf(signed_url, sizeof signed_url, "%s", jstr(r.json, "data.signedUrl"));
    sr_http_resp_free(&r);
    size_t big = 2 << 20;
    char *blob = calloc(1, big);
    assert_int_equal(sr_http("PUT", signed_url, NULL, NULL, blob, (long)big, &r), 413);
    sr_http_resp_free(&r);
    free(blob);
}

static void test_media_guards(void **state)
{
    sr_test_world *w = *state;
    static const struct {
        const char *url, *code;
    } cases[] = {
        {"/etc/hostname", "MEDIA_FORBIDDEN"},
        {"../../../../etc/hostname", "MEDIA_FORBIDDEN"},
        {"http://127.0.0.1:9/x.png", "MEDIA_FORBIDDEN"},
        {"http://169.254.169.254/latest/meta-data", "MEDIA_FORBIDDEN"},
        {"missing.png", "MEDIA_NOT_FOUND"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[1024];
        snprintf(body, sizeof body,
                 "{\"videoName\":\"g\",\"videoWidth\":320,\"videoHeight\":180,\"scenes\":[{\"background\":"
                 "{\"visualUrl\":\"%s\",\"type\":\"image\"},\"minimumDuration\":1}]}",
                 cases[i].url);
        json_t *j = render_and_wait(w, "POST", "/v2/video/storyboard/render", w->key_a, body);
        assert_string_equal(jstr(j, "data.status"), "failed");
        assert_false(json_is_true(json_object_get(j, "success")));
        assert_string_equal(jstr(j, "data.error_code"), cases[i].code);
        assert_non_null(jstr(j, "data.error_message"));
        json_decref(j);
    }
    /* a file under the media root is fine */
    const char *png = sr_test_path(w->srv.dir, "media/ok.png");
    assert_int_equal(sr_test_write_image(png, 32, 18, 0, 0, 255, 255), 0);
    json_t *j = render_and_wait(w, "POST", "/v2/video/storyboard/render", w->key_a,
                                "{\"videoName\":\"ok\",\"videoWidth\":320,\"videoHeight\":180,\"scenes\":[{"
                                "\"background\":{\"visualUrl\":\"ok.png\",\"type\":\"image\"},\"minimumDuration\":1}]}");
    assert_string_equal(jstr(j, "data.status"), "completed");
    json_decref(j);
}

static void test_rate_limit(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1 --rate-limit 2"), 0);
    json_t *k = sr_test_key_create(&s, "r", NULL);
    char url[256];
    snprintf(url, sizeof url, "%s/pictoryapis/v1/jobs", s.url);
    int limited = 0;
    for (int i = 0; i < 10 && !limited; i++) {
        sr_http_resp r;
        int st = sr_http("GET", url, json_string_value(json_object_get(k, "key")), NULL, NULL, 0, &r);
        if (st == 429) {
            char ra[16];
            assert_non_null(sr_http_header(&r, "Retry-After", ra, sizeof ra));
            assert_true(atoi(ra) >= 1);
            limited = 1;
        } else {
            assert_int_equal(st, 200);
        }
        sr_http_resp_free(&r);
    }
    assert_true(limited);
    json_decref(k);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_metrics_routes),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_job_carries_warnings), cmocka_unit_test(test_preview_project_flow),
        cmocka_unit_test(test_jobs_list_and_cancel_shapes),
        cmocka_unit_test(test_catalogs),
        cmocka_unit_test(test_upload_used_as_media),
        cmocka_unit_test(test_media_guards),
        cmocka_unit_test(test_rate_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
