/* libs: sr_service sr_common */
/* test_compat_search.c - Pictory's search shapes (issue: drop-in item 4):
 * GET /v1/media/search answers data.searchResults[] with assetId, mediaType,
 * duration, mediaDescription, preview{url,jpg}, searchLibrary; POST
 * /v1/music/search takes Pictory's body (query, filters as a string or a
 * list, not* forms, durations, paging, sort) and answers items[] (also
 * data.items[]) with id, title, audioUrl, duration, moods, genres, purposes;
 * the purposes, instruments and genre-group lists are bare lists of names;
 * an audioUrl found is a usable musicUrl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compat.h"
#include "fixtures.h"

static int fill(const char *dir)
{
    return sr_test_sh("mkdir -p '%s/lib/nature' '%s/lib/city'", dir, dir) ||
           sr_test_write_image(sr_test_path(dir, "lib/nature/mountain-lake.jpg"), 160, 90, 30, 60,
                               200, 255) ||
           sr_test_write_video(sr_test_path(dir, "lib/city/street.mp4"), 160, 90, 25, 2.0, "gray",
                               0) ||
           sr_test_sh("printf '%%s' '{\"description\":\"A busy street at night\"}' > "
                      "'%s/lib/city/street.json'",
                      dir) ||
           sr_test_write_wav(sr_test_path(dir, "music/upbeat-guitar-piano.wav"), 22050, 1, 1.0, 440,
                             0.3) ||
           sr_test_write_wav(sr_test_path(dir, "music/night.wav"), 22050, 1, 1.0, 220, 0.3) ||
           sr_test_sh("printf '%%s' '{\"moods\":\"dark calm\",\"genres\":[\"ambient\"],"
                      "\"keywords\":[\"corporate\",\"piano\"]}' > '%s/music/night.json'",
                      dir) ||
           sr_test_write_wav(sr_test_path(dir, "music/epic-drums.wav"), 22050, 1, 3.0, 330, 0.3) ||
           sr_test_sh("printf '%%s' '{\"genres\":[\"rock\"]}' > '%s/music/epic-drums.json'", dir);
}

static int setup(void **state)
{
    return sr_compat_setup_lib(state, fill);
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *ends(const char *s, const char *suffix)
{
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix) ? s : NULL;
}

static const json_t *results(const sr_http_resp *r)
{
    return json_object_get(json_object_get(r->json, "data"), "searchResults");
}

static void test_media_search(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "/v1/media/search?keyword=mountain", w->key_a, NULL, &r),
                     200);
    assert_int_equal(json_array_size(results(&r)), 1);
    const json_t *a = json_array_get(results(&r), 0);
    assert_true(json_is_integer(json_object_get(a, "assetId")));
    assert_string_equal(jstr(a, "mediaType"), "image");
    assert_true(json_is_number(json_object_get(a, "duration")));
    assert_non_null(jstr(a, "mediaDescription"));
    assert_non_null(jstr(a, "searchLibrary"));
    assert_non_null(ends(jstr(json_object_get(a, "preview"), "url"), "mountain-lake.jpg"));
    assert_non_null(ends(jstr(json_object_get(a, "preview"), "jpg"), "mountain-lake.jpg"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "data"), "page")),
                     1);
    char visual[1024];
    snprintf(visual, sizeof visual, "%s", jstr(json_object_get(a, "preview"), "url"));
    sr_http_resp_free(&r);

    /* a video, its description, mediaType and Pictory's category filter */
    assert_int_equal(sr_test_api(w, "GET", "/v1/media/search?keyword=street&mediaType=video",
                                 w->key_a, NULL, &r),
                     200);
    a = json_array_get(results(&r), 0);
    assert_non_null(a);
    assert_string_equal(jstr(a, "mediaType"), "video");
    assert_string_equal(jstr(a, "mediaDescription"), "A busy street at night");
    assert_true(json_number_value(json_object_get(a, "duration")) > 1.5);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/media/search?keyword=&category=Nature/Landscapes",
                                 w->key_a, NULL, &r),
                     200);
    assert_int_equal(json_array_size(results(&r)), 1);
    assert_string_equal(jstr(json_array_get(results(&r), 0), "mediaType"), "image");
    sr_http_resp_free(&r);
    assert_int_equal(
        sr_test_api(w, "GET", "/v1/media/search?keyword=x&mediaType=gif", w->key_a, NULL, &r), 400);
    sr_http_resp_free(&r);

    /* the preview url is a usable visualUrl */
    char body[1600];
    snprintf(body, sizeof body,
             "{\"videoName\":\"m\",\"videoWidth\":320,\"videoHeight\":180,\"voiceOver\":{"
             "\"enabled\":false},"
             "\"scenes\":[{\"background\":{\"visualUrl\":\"%s\"},\"minimumDuration\":1}]}",
             visual);
    json_t *j = sr_compat_run(w, "POST", "/v2/video/storyboard", body, 120);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "completed");
    json_decref(j);
}

/* POSTs a music search; returns the status, the titles of items (comma-joined) into titles. */
static int music(sr_test_world *w, const char *body, char *titles, size_t n, sr_http_resp *r)
{
    int st = sr_test_api(w, "POST", "/v1/music/search", w->key_a, body, r);
    titles[0] = 0;
    const json_t *items = json_object_get(r->json, "items"), *it;
    size_t i;
    json_array_foreach(items, i, it)
    {
        size_t l = strlen(titles);
        snprintf(titles + l, n - l, "%s%s", l ? "," : "", jstr(it, "title"));
    }
    return st;
}

static void test_music_search(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    char t[512];
    assert_int_equal(
        music(w, "{\"query\":\"guitar\",\"page\":1,\"pageSize\":20,\"sort\":\"featured\"}", t,
              sizeof t, &r),
        200);
    assert_string_equal(t, "upbeat-guitar-piano"); /* query filters */
    const json_t *it = json_array_get(json_object_get(r.json, "items"), 0);
    assert_true(json_is_integer(json_object_get(it, "id")));
    assert_non_null(ends(jstr(it, "audioUrl"), "upbeat-guitar-piano.wav"));
    assert_true(json_number_value(json_object_get(it, "duration")) > 0.9);
    assert_true(json_is_array(json_object_get(it, "moods")));
    assert_true(json_is_array(json_object_get(it, "genres")));
    assert_true(json_is_array(json_object_get(it, "purposes")));
    /* the envelope's data.items holds the same */
    assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "data"), "items")), 1);
    char audio[1024];
    snprintf(audio, sizeof audio, "%s", jstr(it, "audioUrl"));
    sr_http_resp_free(&r);

    static const struct {
        const char *body, *titles;
    } cases[] = {
        {"{\"mood\":[\"Calm / Serene\"]}", "night"},
        {"{\"mood\":\"Calm / Serene\",\"notGenre\":\"ambient\"}", ""},
        {"{\"instrument\":\"Piano\"}", "night,upbeat-guitar-piano"},
        {"{\"instrument\":[\"Piano\"],\"notMood\":[\"dark\"]}", "upbeat-guitar-piano"},
        {"{\"genreGroup\":[\"Rock\",\"Jazz\"]}", "epic-drums"},
        {"{\"notGenreGroup\":\"Rock\",\"notPurpose\":\"Corporate / Business\"}",
         "upbeat-guitar-piano"},
        {"{\"minDuration\":2}", "epic-drums"},
        {"{\"maxDuration\":2,\"genre\":\"ambient\"}", "night"},
        {"{\"pageSize\":1,\"page\":2}", "night"},
        /* Pictory's reference example sends {} for an unused filter; [] is no filter either */
        {"{\"genreGroup\":{},\"notGenreGroup\":{},\"mood\":[],\"notMood\":[],\"minDuration\":2}",
         "epic-drums"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        assert_int_equal(music(w, cases[k].body, t, sizeof t, &r), 200);
        if (strcmp(t, cases[k].titles)) fprintf(stderr, "%s -> %s\n", cases[k].body, t);
        assert_string_equal(t, cases[k].titles);
        sr_http_resp_free(&r);
    }
    assert_int_equal(music(w, "{\"purpose\":\"Corporate / Business\"}", t, sizeof t, &r), 200);
    assert_string_equal(t, "night");
    const json_t *p =
        json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "purposes");
    int corp = 0;
    size_t i;
    json_array_foreach(p, i, it) corp += !strcmp(json_string_value(it), "Corporate / Business");
    assert_int_equal(corp, 1);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    sr_http_resp_free(&r);

    static const char *const bad[][2] = {{"{\"sort\":\"loudest\"}", "sort"},
                                         {"{\"mood\":5}", "mood"},
                                         {"{\"notInstrument\":[1]}", "notInstrument"},
                                         {"{\"pageSize\":500}", "pageSize"},
                                         {"{\"minDuration\":-1}", "minDuration"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        assert_int_equal(music(w, bad[k][0], t, sizeof t, &r), 400);
        assert_string_equal(jstr(json_array_get(json_object_get(r.json, "fields"), 0), "name"),
                            bad[k][1]);
        sr_http_resp_free(&r);
    }

    /* the track found is a usable musicUrl */
    char body[1600];
    snprintf(body, sizeof body,
             "{\"videoName\":\"m\",\"videoWidth\":320,\"videoHeight\":180,\"voiceOver\":{"
             "\"enabled\":false},"
             "\"backgroundMusic\":{\"enabled\":true,\"musicUrl\":\"%s\",\"volume\":0.5},"
             "\"scenes\":[{\"background\":{\"color\":\"#102030\"},\"minimumDuration\":1}]}",
             audio);
    json_t *j = sr_compat_run(w, "POST", "/v2/video/storyboard", body, 120);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "completed");
    json_decref(j);
}

/* A bare list of names from GET path: whether it holds name. */
static int lists(sr_test_world *w, const char *path, const char *name)
{
    sr_http_resp r;
    int found = 0;
    if (sr_test_api(w, "GET", path, w->key_a, NULL, &r) == 200 && json_is_array(r.json)) {
        size_t i;
        json_t *v;
        json_array_foreach(r.json, i, v) found |=
            json_is_string(v) && !strcmp(json_string_value(v), name);
    }
    sr_http_resp_free(&r);
    return found;
}

static void test_music_lists(void **state)
{
    sr_test_world *w = *state;
    assert_true(lists(w, "/v1/music/purposes", "Corporate / Business"));
    assert_false(lists(w, "/v1/music/purposes", "Wedding")); /* no track of the library is one */
    assert_true(lists(w, "/v1/music/instruments", "Piano"));
    assert_true(lists(w, "/v1/music/instruments", "Guitar - Acoustic"));
    assert_true(lists(w, "/v1/music/genres/groups", "Rock"));
    assert_true(lists(w, "/v1/music/genres/groups", "Ambient"));
    assert_true(lists(w, "/v1/music/moods", "calm"));
    assert_true(lists(w, "/v1/music/genres", "rock"));
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "/v1/music/tempos", w->key_a, NULL, &r), 404);
    sr_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_search),
        cmocka_unit_test(test_music_search),
        cmocka_unit_test(test_music_lists),
    };
    return cmocka_run_group_tests(tests, setup, sr_compat_teardown);
}
