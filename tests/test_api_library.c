/* libs: sr_service sr_common */
/* test_api_library.c - the libraries through the real server (--library,
 * --music-library): GET /v1/media/search ranks the sidecar's file first and
 * its url works as a visualUrl; a storyboard's searchFilter is resolved by
 * the worker; POST /v1/music/search and GET /v1/music/moods|genres answer
 * from the music library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/http_client.h"

static const char *ends(const char *s, const char *suffix)
{
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix) ? s : NULL;
}

static const json_t *data(const sr_http_resp *r) /* Pictory's lists: searchResults, items */
{
    const json_t *d = json_object_get(r->json, "data");
    const json_t *l = json_object_get(d, "searchResults");
    return l ? l : json_object_get(r->json, "items");
}

/* The background url of the first scene of a completed preview job. */
static const char *preview_bg(json_t *job)
{
    const json_t *els =
        json_object_get(json_object_get(json_object_get(job, "data"), "renderParams"), "elements");
    size_t i;
    const json_t *e;
    json_array_foreach(els, i, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "elementType")), "backgroundElement"))
            return json_string_value(json_object_get(e, "url"));
    }
    return NULL;
}

/* The server is stopped by teardown even when an assertion fails. */
static sr_test_server g_srv;
static char *g_dir;

static int teardown(void **state)
{
    (void)state;
    if (g_srv.pid > 0) sr_test_server_stop(&g_srv, 1);
    if (g_dir) sr_test_rmdir(g_dir);
    free(g_dir);
    return 0;
}

static void test_library_api(void **state)
{
    (void)state;
    sr_test_server *sp = &g_srv;
    char *dir = g_dir = sr_test_tmpdir();
    snprintf(sp->dir, sizeof sp->dir, "%s", dir);
    assert_int_equal(sr_test_sh("mkdir -p '%s/lib/nature' '%s/music'", dir, dir), 0);
    assert_int_equal(sr_test_write_image(sr_test_path(dir, "lib/nature/mountain-lake.jpg"), 160, 90,
                                         30, 60, 200, 255),
                     0);
    assert_int_equal(
        sr_test_write_image(sr_test_path(dir, "lib/IMG_7.jpg"), 160, 90, 200, 30, 30, 255), 0);
    assert_int_equal(
        sr_test_write_image(sr_test_path(dir, "lib/snow-field.jpg"), 160, 90, 250, 250, 250, 255),
        0);
    assert_int_equal(
        sr_test_sh("printf '%%s' '{\"keywords\":[\"alps\",\"glacier\"]}' > '%s/lib/IMG_7.json'",
                   dir),
        0);
    assert_int_equal(
        sr_test_write_wav(sr_test_path(dir, "music/upbeat-guitar.wav"), 22050, 1, 1.0, 440, 0.3),
        0);
    assert_int_equal(
        sr_test_write_wav(sr_test_path(dir, "music/night.wav"), 22050, 1, 1.0, 220, 0.3), 0);
    assert_int_equal(
        sr_test_sh(
            "printf '%%s' '{\"moods\":\"dark\",\"genres\":[\"ambient\"]}' > '%s/music/night.json'",
            dir),
        0);
    char args[1200];
    snprintf(args, sizeof args, "--workers 1 --library %s/lib --music-library %s/music", dir, dir);
    assert_int_equal(sr_test_server_start(sp, args), 0);
    json_t *k = sr_test_key_create(sp, "lib", NULL);
    assert_non_null(k);
    const char *key = json_string_value(json_object_get(k, "key"));
    char url[2048];
    sr_http_resp r;

    /* media search: the sidecar's keyword ranks IMG_7 first */
    snprintf(url, sizeof url, "%s/pictoryapis/v1/media/search?keyword=glacier%%20alps", sp->url);
    assert_int_equal(sr_http("GET", url, key, NULL, NULL, 0, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    assert_int_equal(json_array_size(data(&r)), 1);
    const json_t *first = json_array_get(data(&r), 0);
    assert_non_null(ends(json_string_value(json_object_get(first, "url")), "/lib/IMG_7.jpg"));
    assert_string_equal(json_string_value(json_object_get(first, "mediaType")), "image");
    assert_int_equal(json_integer_value(json_object_get(first, "width")), 160);
    assert_int_equal(json_integer_value(json_object_get(first, "height")), 90);
    char visual[1024];
    snprintf(visual, sizeof visual, "%s", json_string_value(json_object_get(first, "url")));
    sr_http_resp_free(&r);
    snprintf(url, sizeof url, "%s/pictoryapis/v1/media/search?keyword=mountains", sp->url);
    assert_int_equal(sr_http("GET", url, key, NULL, NULL, 0, &r), 200);
    assert_non_null(ends(json_string_value(json_object_get(json_array_get(data(&r), 0), "url")),
                         "mountain-lake.jpg"));
    sr_http_resp_free(&r);
    snprintf(url, sizeof url, "%s/pictoryapis/v1/media/search?keyword=x&type=gif", sp->url);
    assert_int_equal(sr_http("GET", url, key, NULL, NULL, 0, &r), 400);
    sr_http_resp_free(&r);
    snprintf(url, sizeof url, "%s/pictoryapis/v1/media/search?keyword=alps", sp->url);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 401);
    sr_http_resp_free(&r);

    /* its url is a usable visualUrl; a searchFilter is resolved by the worker */
    char body[2048];
    snprintf(body, sizeof body,
             "{\"videoName\":\"lib\",\"videoWidth\":320,\"videoHeight\":180,\"voiceOver\":{"
             "\"enabled\":false},"
             "\"scenes\":[{\"background\":{\"visualUrl\":\"%s\"},\"minimumDuration\":1},"
             "{\"background\":{\"searchFilter\":{\"query\":\"snow\"}},\"minimumDuration\":1}]}",
             visual);
    char *id = sr_test_submit(sp, key, "POST", "/v2/video/storyboard", body);
    assert_non_null(id);
    json_t *job = sr_test_wait_job(sp, key, id, 120);
    assert_non_null(job);
    assert_string_equal(json_string_value(json_object_get(json_object_get(job, "data"), "status")),
                        "completed");
    assert_non_null(ends(preview_bg(job), "IMG_7.jpg"));
    const json_t *els =
        json_object_get(json_object_get(json_object_get(job, "data"), "renderParams"), "elements");
    int snow = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(els, i, e) snow +=
        ends(json_string_value(json_object_get(e, "url")), "snow-field.jpg") != NULL;
    assert_int_equal(snow, 1);
    json_decref(job);
    free(id);

    /* music */
    snprintf(url, sizeof url, "%s/pictoryapis/v1/music/search", sp->url);
    assert_int_equal(sr_http("POST", url, key, NULL, "{\"mood\":\"upbeat\"}", -1, &r), 200);
    assert_int_equal(json_array_size(data(&r)), 1);
    assert_non_null(ends(json_string_value(json_object_get(json_array_get(data(&r), 0), "url")),
                         "upbeat-guitar.wav"));
    sr_http_resp_free(&r);
    assert_int_equal(sr_http("POST", url, key, NULL, "{\"genre\":\"ambient\"}", -1, &r), 200);
    assert_string_equal(json_string_value(json_object_get(json_array_get(data(&r), 0), "title")),
                        "night");
    sr_http_resp_free(&r);
    assert_int_equal(sr_http("POST", url, key, NULL, "{\"mood\":7}", -1, &r), 400);
    sr_http_resp_free(&r);
    snprintf(url, sizeof url, "%s/pictoryapis/v1/music/moods", sp->url);
    assert_int_equal(sr_http("GET", url, key, NULL, NULL, 0, &r), 200);
    assert_int_equal(json_array_size(r.json), 2); /* Pictory's bare list of names */
    assert_string_equal(json_string_value(json_array_get(r.json, 0)), "dark");
    assert_string_equal(json_string_value(json_array_get(r.json, 1)), "upbeat");
    sr_http_resp_free(&r);
    snprintf(url, sizeof url, "%s/pictoryapis/v1/music/genres", sp->url);
    assert_int_equal(sr_http("GET", url, key, NULL, NULL, 0, &r), 200);
    assert_int_equal(json_array_size(r.json), 1);
    sr_http_resp_free(&r);

    json_decref(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_library_api)};
    return cmocka_run_group_tests(tests, NULL, teardown);
}
