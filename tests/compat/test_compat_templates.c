/* libs: sr_service sr_common */
/* test_compat_templates.c - templates and account calls (issue: drop-in
 * item 7): PUT and DELETE /v1/templates/{id}; a body that is not a
 * storyboard (Pictory's binary .pictai export, JSON without scenes, a
 * Pictory template document) is a 400 that says so; GET /v1/quota in
 * Pictory's shape; aiCreditsUsed 0 on a completed job; GET /v1/smartlayouts
 * with Pictory's names and ids, and a storyboard with smartLayoutName
 * renders with that look (its red caption bar is in the frame). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compat.h"
#include "fixtures.h"

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void test_template_put_delete(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(
        sr_test_api(
            w, "POST", "/v1/templates", w->key_a,
            "{\"name\":\"Promo\",\"storyboard\":{\"scenes\":[{\"story\":\"Buy {{product}}.\"}]}}",
            &r),
        200);
    char id[64], path[128];
    snprintf(id, sizeof id, "%s", jstr(json_object_get(r.json, "data"), "id"));
    sr_http_resp_free(&r);
    snprintf(path, sizeof path, "/v1/templates/%s", id);

    static const char *upd = "{\"name\":\"Promo v2\",\"storyboard\":{\"scenes\":[{\"story\":\"Meet "
                             "{{product}} by {{brand}}.\"}]}}";
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_b, upd, &r), 404); /* another account's */
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_a, upd, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    assert_string_equal(jstr(json_object_get(r.json, "data"), "name"), "Promo v2");
    assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "data"), "variables")),
                     2);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_a, "{\"name\":\"x\"}", &r), 400);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", path, w->key_a, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "name"), "Promo v2");
    const json_t *sc =
        json_array_get(json_object_get(json_object_get(r.json, "storyboard"), "scenes"), 0);
    assert_string_equal(jstr(sc, "story"), "Meet {{product}} by {{brand}}.");
    sr_http_resp_free(&r);

    /* the updated template renders with its new variables */
    char body[512];
    snprintf(body, sizeof body,
             "{\"templateId\":\"%s\",\"variables\":{\"product\":\"Reel\",\"brand\":\"Acme\"},"
             "\"videoName\":\"t\"}",
             id);
    json_t *j = sr_compat_run(w, "POST", "/v2/video/storyboard", body, 120);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "completed");
    const json_t *s0 = json_array_get(
        json_object_get(json_object_get(json_object_get(j, "data"), "storyboard"), "scenes"), 0);
    assert_string_equal(jstr(s0, "story"), "Meet Reel by Acme.");
    json_decref(j);

    assert_int_equal(sr_test_api(w, "DELETE", path, w->key_b, NULL, &r), 404);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "DELETE", path, w->key_a, NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", path, w->key_a, NULL, &r), 404);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "DELETE", path, w->key_a, NULL, &r), 404);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "PUT", path, w->key_a, upd, &r), 404);
    sr_http_resp_free(&r);
}

static void test_template_not_a_storyboard(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    char url[256];
    /* Pictory's .pictai export, sent as a client sends it: binary, octet-stream */
    static const char pictai[] = "PK\003\004\024\000\000\000\010\000pictory-project.json\377\376";
    snprintf(url, sizeof url, "%s/pictoryapis/v1/templates", w->srv.url);
    assert_int_equal(sr_http("POST", url, w->key_a, "Content-Type: application/octet-stream\r\n",
                             pictai, (long)sizeof pictai - 1, &r),
                     400);
    assert_string_equal(jstr(r.json, "code"), "INVALID_REQUEST_BODY");
    sr_http_resp_free(&r);
    static const char *const bodies[] = {
        "{\"name\":\"no scenes\"}",
        "[1,2]",
        /* a Pictory template document: scenes of subtitles and backgroundVisual */
        "{\"name\":\"Pending Loan "
        "Payment\",\"scenes\":[{\"sceneId\":\"scene_001\",\"subtitles\":[{\"text\":\"Dear "
        "{{customer_name}}\"}],\"backgroundVisual\":{\"type\":\"video\",\"url\":\"x.mp4\"}}]}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        assert_int_equal(sr_test_api(w, "POST", "/v1/templates", w->key_a, bodies[i], &r), 400);
        assert_string_equal(jstr(r.json, "code"), "INVALID_REQUEST_BODY");
        assert_non_null(strstr(jstr(r.json, "message"), "storyboard"));
        sr_http_resp_free(&r);
    }
    /* nothing was stored: no empty "Untitled template" */
    assert_int_equal(sr_test_api(w, "GET", "/v1/templates", w->key_a, NULL, &r), 200);
    size_t i;
    json_t *t;
    json_array_foreach(r.json, i, t) assert_null(strstr(jstr(t, "name"), "Untitled"));
    sr_http_resp_free(&r);
}

static void test_quota(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "/v1/quota", w->key_a, NULL, &r), 200);
    static const char *const kinds[] = {"videoMinutes", "transcriptionMinutes",
                                        "elevenLabsVoiceOverMinutes", "aiCredits"};
    for (size_t k = 0; k < 4; k++) {
        const json_t *q = json_object_get(r.json, kinds[k]);
        assert_non_null(q);
        assert_int_equal(json_integer_value(json_object_get(q, "used")), 0);
        /* a client gating on used < limit goes on */
        assert_true(json_integer_value(json_object_get(q, "limit")) >
                    json_integer_value(json_object_get(q, "used")));
    }
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/quota", NULL, NULL, &r), 401);
    sr_http_resp_free(&r);
}

/* Pixels of fr that are the Bulletin bar's red (#D32F2F), in the lower half. */
static int red_pixels(const sr_frame *fr)
{
    int n = 0;
    for (int y = fr->h / 2; y < fr->h; y += 2)
        for (int x = 0; x < fr->w; x += 2) {
            uint8_t c[3];
            sr_frame_get_rgb(fr, x, y, c);
            n += c[0] > 160 && c[1] < 90 && c[2] < 90;
        }
    return n;
}

static int render_reds(sr_test_world *w, const char *layout, const char *name)
{
    char body[1024], file[64];
    snprintf(body, sizeof body,
             "{\"videoName\":\"%s\",\"videoWidth\":320,\"videoHeight\":180,%s\"voiceOver\":{"
             "\"enabled\":false},"
             "\"scenes\":[{\"story\":\"Breaking news from the newsroom today at "
             "noon.\",\"minimumDuration\":4,"
             "\"background\":{\"color\":\"#202020\"}}]}",
             name, layout);
    snprintf(file, sizeof file, "%s.mp4", name);
    json_t *j;
    sr_frame *fr = sr_compat_render_frame(w, body, file, 2.5, &j);
    assert_non_null(fr);
    const json_t *credits = json_object_get(json_object_get(j, "data"), "aiCreditsUsed");
    assert_true(json_is_integer(credits));
    assert_int_equal(json_integer_value(credits), 0);
    int n = red_pixels(fr);
    sr_frame_free(fr);
    json_decref(j);
    return n;
}

static void test_smartlayouts(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "/v1/smartlayouts", w->key_a, NULL, &r), 200);
    const json_t *items = json_object_get(r.json, "items"), *it;
    static const char *const names[] = {"Modern minimalist", "Kinetic", "Chic", "Wanderlust",
                                        "Bulletin"};
    int seen = 0;
    size_t i;
    json_array_foreach(items, i, it)
    {
        assert_non_null(jstr(it, "templateId"));
        for (size_t k = 0; k < 5; k++)
            seen += !strcmp(jstr(it, "templateName"), names[k]);
    }
    assert_int_equal(seen, 5);
    sr_http_resp_free(&r);

    /* by Pictory's id: the resolved storyboard carries the look */
    json_t *j = sr_compat_run(w, "POST", "/v2/video/storyboard",
                              "{\"videoName\":\"k\",\"smartLayoutId\":"
                              "\"20250813042630669e658e159aa60455692c1dad5473adhg7\","
                              "\"voiceOver\":{\"enabled\":false},\"scenes\":[{\"story\":\"Go.\"}]}",
                              120);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "completed");
    const json_t *sb = json_object_get(json_object_get(j, "data"), "storyboard");
    assert_string_equal(jstr(json_object_get(sb, "subtitleStyle"), "fontFamily"), "Bebas Neue");
    assert_string_equal(jstr(json_array_get(json_object_get(sb, "scenes"), 0), "sceneTransition"),
                        "smoothleft");
    assert_null(json_object_get(sb, "smartLayoutId"));
    json_decref(j);

    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard", w->key_a,
                                 "{\"smartLayoutName\":\"Glitter\",\"scenes\":[{\"story\":\"x\"}]}",
                                 &r),
                     400);
    assert_string_equal(jstr(json_array_get(json_object_get(r.json, "fields"), 0), "name"),
                        "smartLayoutName");
    sr_http_resp_free(&r);

    /* Bulletin's red caption bar is drawn; without the layout there is none */
    int with = render_reds(w, "\"smartLayoutName\":\"Bulletin\",", "bulletin");
    int without = render_reds(w, "", "plain");
    fprintf(stderr, "red pixels: bulletin %d, plain %d\n", with, without);
    assert_true(with > 100);
    assert_int_equal(without, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_put_delete),
        cmocka_unit_test(test_template_not_a_storyboard),
        cmocka_unit_test(test_quota),
        cmocka_unit_test(test_smartlayouts),
    };
    return cmocka_run_group_tests(tests, sr_compat_setup, sr_compat_teardown);
}
