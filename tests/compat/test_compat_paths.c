/* libs: sr_service sr_common */
/* test_compat_paths.c - paths and flows Pictory's clients rely on: paths
 * that differ only in case are the same route (Pictory documents
 * /v1/media/generateUrl; the parameters keep the case sent), and PUT
 * /v2/video/render/{previewJobId} sent while the preview is still queued or
 * running is accepted: the render waits for the preview (a job dependency in
 * the store, not a wait on the HTTP thread) and runs when it completes, or
 * fails with the preview's error when the preview fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "compat.h"
#include "fixtures.h"

static int setup(void **state)
{
    *state = sr_test_world_start("--workers 1"); /* one worker: the preview waits behind a busy render */
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    sr_test_world_stop(*state);
    return 0;
}

static void test_paths_ignore_case(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    /* Pictory's spelling */
    assert_int_equal(sr_test_api(w, "POST", "/v1/media/generateUrl", w->key_a,
                                 "{\"fileName\":\"clip.mp4\",\"contentType\":\"video/mp4\"}", &r), 200);
    assert_non_null(json_string_value(json_object_get(json_object_get(r.json, "data"), "signedUrl")));
    sr_http_resp_free(&r);
    /* any case of the literal parts, the prefix too */
    assert_int_equal(sr_test_api(w, "GET", "!/PictoryAPIs/V1/Jobs", w->key_a, NULL, &r), 200);
    assert_true(json_is_array(json_object_get(r.json, "items")));
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/Voiceovers/TRACKS", w->key_a, NULL, &r), 200);
    sr_http_resp_free(&r);
    /* a parameter keeps the case it was sent in */
    assert_int_equal(sr_test_api(w, "GET", "/V1/JOBS/AbCdEf-Not-A-Job", w->key_a, NULL, &r), 404);
    assert_string_equal(json_string_value(json_object_get(r.json, "job_id")), "AbCdEf-Not-A-Job");
    sr_http_resp_free(&r);
    /* an unknown path is still unknown */
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobz", w->key_a, NULL, &r), 404);
    sr_http_resp_free(&r);
}

/* Keeps the worker busy, queues a preview behind it, PUTs the preview's
 * render at once (checking that it waits, in Pictory's in-progress shape,
 * while the preview has not even started), then frees the worker and polls
 * the render as a client does. Returns the render's final data with
 * preview the preview's job id. */
static json_t *render_before_preview(sr_test_world *w, const char *sb, char preview[64])
{
    char *busy = sr_compat_busy_worker(w, w->key_a);
    char *p = sr_test_submit(&w->srv, w->key_a, "POST", "/v2/video/storyboard", sb);
    assert_non_null(p);
    snprintf(preview, 64, "%s", p);
    free(p);
    char path[200];
    snprintf(path, sizeof path, "/v2/video/render/%s", preview);
    char *id = sr_test_submit(&w->srv, w->key_a, "PUT", path, "{}");
    assert_non_null(id);
    json_t *j = sr_compat_job(w, w->key_a, id);
    assert_string_equal(sr_compat_str(j, "status"), "in-progress");
    assert_string_equal(sr_compat_str(j, "renderState"), "QUEUED");
    assert_string_equal(sr_compat_str(j, "waitingFor"), preview);
    assert_non_null(strstr(sr_compat_str(j, "renderProgressMessage"), preview));
    json_decref(j);
    j = sr_compat_job(w, w->key_a, preview);
    assert_string_equal(sr_compat_str(j, "jobState"), "pending"); /* the PUT really came before the preview ran */
    json_decref(j);
    sr_compat_cancel(w, w->key_a, busy);
    json_t *data = sr_compat_poll(w, w->key_a, id, NULL);
    free(id);
    return data;
}

static void test_render_waits_for_preview(void **state)
{
    sr_test_world *w = *state;
    static const char *SB = "{\"videoName\":\"early\",\"videoWidth\":320,\"videoHeight\":180,"
                            "\"scenes\":[{\"background\":{\"color\":\"#00ff00\"},\"minimumDuration\":1}]}";
    char preview[64];
    json_t *data = render_before_preview(w, SB, preview);
    assert_string_equal(json_string_value(json_object_get(data, "status")), "completed");
    const char *url = json_string_value(json_object_get(data, "videoURL"));
    assert_non_null(url);
    assert_non_null(strstr(url, "early"));
    sr_http_resp r;
    assert_int_equal(sr_http("HEAD", url, NULL, NULL, NULL, 0, &r), 200);
    sr_http_resp_free(&r);
    json_decref(data);
    json_t *p = sr_compat_job(w, w->key_a, preview);
    assert_string_equal(sr_compat_str(p, "status"), "completed");
    json_decref(p);
}

static void test_render_fails_with_its_preview(void **state)
{
    sr_test_world *w = *state;
    static const char *SB = "{\"videoName\":\"doomed\",\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"Timm\"}]},"
                            "\"scenes\":[{\"story\":\"Nobody can read this.\"}]}";
    char preview[64];
    json_t *data = render_before_preview(w, SB, preview);
    assert_string_equal(json_string_value(json_object_get(data, "status")), "failed");
    assert_string_equal(json_string_value(json_object_get(data, "error_code")), "INVALID_SPEAKER");
    assert_non_null(strstr(json_string_value(json_object_get(data, "error_message")), preview));
    json_decref(data);
    /* another account's preview is no one to wait for */
    char *p = sr_test_submit(&w->srv, w->key_a, "POST", "/v2/video/storyboard", SB);
    char path[200];
    snprintf(path, sizeof path, "/v2/video/render/%s", p);
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_b, "{}", &r), 404);
    sr_http_resp_free(&r);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_ignore_case),
        cmocka_unit_test(test_render_waits_for_preview),
        cmocka_unit_test(test_render_fails_with_its_preview),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
