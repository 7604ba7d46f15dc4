/* libs: sr_service sr_common */
/* test_compat_job_states.c - a queued job answers as Pictory's reference
 * says (data.status "in-progress", renderState "QUEUED", renderProgress 0,
 * renderProgressMessage), so Pictory's example clients, which poll while
 * status is "in-progress" from their first poll, wait for the video instead
 * of stopping at a status they do not know. storyreel's own state word
 * stays readable in data.jobState. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compat.h"
#include "fixtures.h"

static const char *TINY = "{\"videoName\":\"queued\",\"videoWidth\":320,\"videoHeight\":180,"
                          "\"scenes\":[{\"background\":{\"color\":\"#ff0000\"},\"minimumDuration\":1}]}";

static int setup(void **state)
{
    *state = sr_test_world_start("--workers 1"); /* one worker: a second job waits in the queue */
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    sr_test_world_stop(*state);
    return 0;
}

static void test_queued_job_reads_in_progress(void **state)
{
    sr_test_world *w = *state;
    char *busy = sr_compat_busy_worker(w, w->key_a);
    char *id = sr_test_submit(&w->srv, w->key_a, "POST", "/v2/video/storyboard/render", TINY);
    assert_non_null(id);

    /* queued behind the busy render: Pictory's words, storyreel's in jobState */
    json_t *j = sr_compat_job(w, w->key_a, id);
    assert_true(json_is_true(json_object_get(j, "success")));
    assert_string_equal(sr_compat_str(j, "status"), "in-progress");
    assert_string_equal(sr_compat_str(j, "renderState"), "QUEUED");
    assert_string_equal(sr_compat_str(j, "renderProgressMessage"), "queued");
    assert_string_equal(sr_compat_str(j, "jobState"), "pending");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "data"), "renderProgress")), 0);
    json_decref(j);

    /* the job list says the same */
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", w->key_a, NULL, &r), 200);
    size_t i;
    json_t *it;
    int seen = 0;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "job_id")), id)) continue;
        seen = 1;
        assert_string_equal(sr_compat_str(it, "status"), "in-progress");
        assert_string_equal(sr_compat_str(it, "renderState"), "QUEUED");
    }
    assert_true(seen);
    sr_http_resp_free(&r);

    /* a Pictory client polling from now on sees only in-progress, then the video */
    sr_compat_cancel(w, w->key_a, busy);
    int polls = 0;
    json_t *data = sr_compat_poll(w, w->key_a, id, &polls);
    assert_string_equal(json_string_value(json_object_get(data, "status")), "completed");
    const char *url = json_string_value(json_object_get(data, "videoURL"));
    assert_non_null(url);
    assert_int_equal(sr_http("HEAD", url, NULL, NULL, NULL, 0, &r), 200);
    sr_http_resp_free(&r);
    assert_string_equal(json_string_value(json_object_get(data, "jobState")), "completed");
    json_decref(data);
    free(id);
}

/* A running job keeps Pictory's in-progress shape: RUNNING with a progress. */
static void test_running_job_shape(void **state)
{
    sr_test_world *w = *state;
    char *busy = sr_compat_busy_worker(w, w->key_a);
    char bid[64];
    snprintf(bid, sizeof bid, "%s", busy);
    json_t *j = sr_compat_job(w, w->key_a, bid);
    assert_string_equal(sr_compat_str(j, "status"), "in-progress");
    assert_string_equal(sr_compat_str(j, "renderState"), "RUNNING");
    assert_non_null(sr_compat_str(j, "renderProgressMessage"));
    assert_true(json_is_integer(json_object_get(json_object_get(j, "data"), "renderProgress")));
    json_decref(j);
    sr_compat_cancel(w, w->key_a, busy);
    json_t *data = sr_compat_poll(w, w->key_a, bid, NULL);
    assert_string_equal(json_string_value(json_object_get(data, "status")), "failed");
    assert_string_equal(json_string_value(json_object_get(data, "error_code")), "CANCELLED");
    json_decref(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queued_job_reads_in_progress),
        cmocka_unit_test(test_running_job_shape),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
