/* pictory_client.h - what Pictory's example clients do, shared by the tests/compat
 * tests (header-only: each test is one executable). */
#ifndef SR_TEST_PICTORY_CLIENT_H
#define SR_TEST_PICTORY_CLIENT_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../support/fixtures.h"
#include "../support/http_client.h"

/* Pictory's example loops: GET /v1/jobs/{id} until data.status is not
 * "in-progress" (Node), or until the answer's text no longer contains
 * "in-progress" anywhere (Python): both must end together. Returns data
 * (caller decrefs). *polls counts the polls when not NULL. */
static inline json_t *compat_poll(const sr_test_world *w, const char *key, const char *id, int *polls)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    for (int i = 0; i < 1800; i++) {
        sr_http_resp r;
        assert_int_equal(sr_test_api(w, "GET", path, key, NULL, &r), 200);
        json_t *data = json_object_get(r.json, "data");
        const char *st = json_string_value(json_object_get(data, "status"));
        assert_non_null(st);
        if (polls) *polls = i + 1;
        if (strcmp(st, "in-progress")) {
            /* Pictory's Python example loops while the answer's text contains "in-progress" */
            assert_null(strstr(r.body, "in-progress"));
            json_t *out = json_incref(data);
            sr_http_resp_free(&r);
            return out;
        }
        sr_http_resp_free(&r);
        usleep(100 * 1000);
    }
    fail_msg("job %s never left in-progress", id);
    return NULL;
}

/* GET /v1/jobs/{id}: the whole answer (caller decrefs). */
static inline json_t *compat_job(const sr_test_world *w, const char *key, const char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", path, key, NULL, &r), 200);
    json_t *j = json_incref(r.json);
    sr_http_resp_free(&r);
    return j;
}

static inline const char *compat_str(const json_t *j, const char *k)
{
    return json_string_value(json_object_get(json_object_get(j, "data"), k));
}

/* Keeps the (only) worker busy: a render of a long one-colour timeline that
 * is running when this returns. Returns its job id (malloc'd); cancel it
 * with compat_cancel. */
static inline char *compat_busy_worker(const sr_test_world *w, const char *key)
{
    const char *tl =
        "{\"version\":1,\"output\":{\"name\":\"busy\",\"width\":320,\"height\":180,\"fps\":30,\"duration\":600},"
        "\"sceneMarkers\":[{\"sceneIndex\":0,\"startTime\":0,\"duration\":600,\"transition\":\"none\","
        "\"transitionDuration\":0}],\"elements\":[{\"id\":\"bg\",\"elementType\":\"backgroundElement\","
        "\"type\":\"color\",\"color\":\"#2040c0\",\"sceneIndex\":0,\"startTime\":0,\"duration\":600}],"
        "\"subtitles\":[],\"transcript\":\"\"}";
    char *id = sr_test_submit(&w->srv, key, "POST", "/v2/video/render", tl);
    assert_non_null(id);
    for (int i = 0; i < 600; i++) {
        json_t *j = compat_job(w, key, id);
        int running = !strcmp(compat_str(j, "jobState"), "in-progress");
        json_decref(j);
        if (running) return id;
        usleep(50 * 1000);
    }
    fail_msg("the busy render never started");
    return NULL;
}

static inline void compat_cancel(const sr_test_world *w, const char *key, char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "DELETE", path, key, NULL, &r), 200);
    sr_http_resp_free(&r);
    free(id);
}

#endif
