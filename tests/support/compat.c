/* compat.c - see compat.h. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"

json_t *sr_compat_run(const sr_test_world *w, const char *method, const char *path,
                      const char *body, double timeout_s)
{
    char *id = sr_test_submit(&w->srv, w->key_a, method, path, body);
    if (!id) return NULL;
    json_t *j = sr_test_wait_job(&w->srv, w->key_a, id, timeout_s);
    free(id);
    if (j && strcmp(sr_compat_status(j), "completed") != 0) {
        char *s = json_dumps(j, 0);
        fprintf(stderr, "job: %s\n", s ? s : "?");
        free(s);
    }
    return j;
}

const char *sr_compat_status(const json_t *job)
{
    const char *s = sr_compat_str(job, "status");
    return s ? s : "";
}

json_t *sr_compat_poll(const sr_test_world *w, const char *key, const char *id, int *polls)
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

json_t *sr_compat_job(const sr_test_world *w, const char *key, const char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", path, key, NULL, &r), 200);
    json_t *j = json_incref(r.json);
    sr_http_resp_free(&r);
    return j;
}

const char *sr_compat_str(const json_t *j, const char *k)
{
    return json_string_value(json_object_get(json_object_get(j, "data"), k));
}

char *sr_compat_busy_worker(const sr_test_world *w, const char *key)
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
        json_t *j = sr_compat_job(w, key, id);
        int running = !strcmp(sr_compat_str(j, "jobState"), "in-progress");
        json_decref(j);
        if (running) return id;
        usleep(50 * 1000);
    }
    fail_msg("the busy render never started");
    return NULL;
}

void sr_compat_cancel(const sr_test_world *w, const char *key, char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "DELETE", path, key, NULL, &r), 200);
    sr_http_resp_free(&r);
    free(id);
}


int sr_compat_warned(const json_t *job, const char *needle)
{
    const json_t *ws = json_object_get(json_object_get(job, "data"), "warnings"), *v;
    size_t i;
    json_array_foreach(ws, i, v)
    {
        const char *s = json_string_value(v);
        if (s && strstr(s, needle)) return 1;
    }
    return 0;
}

const char *sr_compat_fetch(const sr_test_world *w, const char *url, const char *name)
{
    sr_http_resp r;
    if (!url || sr_http("GET", url, NULL, NULL, NULL, 0, &r) != 200) {
        if (url) sr_http_resp_free(&r);
        return NULL;
    }
    const char *path = sr_test_path(w->srv.dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(r.body, 1, r.body_len, f) == r.body_len;
    if (f && fclose(f)) ok = 0;
    sr_http_resp_free(&r);
    return ok ? path : NULL;
}

static char *g_libdir; /* sr_compat_setup_lib's folder */

int sr_compat_setup(void **state)
{
    *state = sr_test_world_start("--workers 1");
    return *state ? 0 : -1;
}

int sr_compat_setup_lib(void **state, int (*fill)(const char *dir))
{
    char args[1400];
    *state = NULL;
    if (!(g_libdir = sr_test_tmpdir())) return -1;
    if (sr_test_sh("mkdir -p '%s/lib' '%s/music'", g_libdir, g_libdir) || fill(g_libdir)) return -1;
    snprintf(args, sizeof args, "--workers 1 --library %s/lib --music-library %s/music", g_libdir,
             g_libdir);
    *state = sr_test_world_start(args);
    return *state ? 0 : -1;
}

int sr_compat_teardown(void **state)
{
    sr_test_world_stop(*state);
    if (g_libdir) sr_test_rmdir(g_libdir);
    free(g_libdir);
    g_libdir = NULL;
    return 0;
}

sr_frame *sr_compat_render_frame(const sr_test_world *w, const char *body, const char *file,
                                 double t, json_t **job)
{
    json_t *j = *job = sr_compat_run(w, "POST", "/v2/video/storyboard/render", body, 180);
    if (!j || strcmp(sr_compat_status(j), "completed")) return NULL;
    const char *url = json_string_value(json_object_get(json_object_get(j, "data"), "videoURL"));
    const char *mp4 = sr_compat_fetch(w, url, file);
    return mp4 ? sr_test_decode_frame(mp4, t) : NULL;
}
