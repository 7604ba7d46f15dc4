/* libs: sr_service sr_common */
/* test_api_brands.c - templates, brand kits and named styles through the
 * real server: a template round trip and a preview rendered from it whose
 * storyboard holds the variables' values; brand create/list and a render
 * with brandName showing the brand's logo and its intro scene in the pixels;
 * named (built-in and account) subtitle styles in the compiled cues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/http_client.h"

static int setup(void **state)
{
    sr_test_world *w = sr_test_world_start("--workers 1");
    /* a green logo and a blue intro card */
    if (!w || sr_test_write_image(sr_test_path(w->srv.dir, "media/logo.png"), 64, 64, 0, 255, 0, 255) ||
        sr_test_write_image(sr_test_path(w->srv.dir, "media/intro.png"), 320, 180, 0, 0, 255, 255)) {
        sr_test_world_stop(w);
        return -1;
    }
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    sr_test_world_stop(*state);
    return 0;
}

/* The value at a dotted path of j ("data.storyboard.videoName", "[0].id"). */
static json_t *jget(json_t *j, const char *path)
{
    char buf[256], *save = NULL;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *t = strtok_r(buf, ".", &save); t && j; t = strtok_r(NULL, ".", &save)) {
        if (*t == '[') j = json_array_get(j, (size_t)atoi(t + 1));
        else j = json_object_get(j, t);
    }
    return j;
}
static const char *jstr(json_t *j, const char *path) { return json_string_value(jget(j, path)); }

/* Submits body to path, waits for the job, returns its JSON. */
static json_t *run_job(sr_test_world *w, const char *path, const char *body)
{
    char *id = sr_test_submit(&w->srv, w->key_a, "POST", path, body);
    assert_non_null(id);
    json_t *j = sr_test_wait_job(&w->srv, w->key_a, id, 120);
    free(id);
    assert_non_null(j);
    if (strcmp(jstr(j, "data.status"), "completed")) fail_msg("job failed: %s", jstr(j, "data.error_message"));
    return j;
}

/* Answers 400 naming field. */
static void expect_400(sr_test_world *w, const char *method, const char *path, const char *body, const char *field)
{
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, method, path, w->key_a, body, &r), 400);
    assert_string_equal(jstr(r.json, "code"), "INVALID_REQUEST_BODY");
    assert_string_equal(jstr(r.json, "fields.[0].name"), field);
    sr_http_resp_free(&r);
}

static void test_templates(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    const char *tpl = "{\"name\":\"promo\",\"storyboard\":{\"videoName\":\"{{title}}\",\"videoWidth\":320,"
                      "\"videoHeight\":180,\"scenes\":[{\"story\":\"Buy {{product}} now.\","
                      "\"minimumDuration\":\"{{dur}}\",\"background\":{\"color\":\"#202020\"}}]}}";
    assert_int_equal(sr_test_api(w, "POST", "/v1/templates", w->key_a, tpl, &r), 200);
    char id[64];
    snprintf(id, sizeof id, "%s", jstr(r.json, "data.id"));
    assert_int_equal(json_array_size(jget(r.json, "data.variables")), 3);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/templates", w->key_a, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "[0].name"), "promo");
    assert_string_equal(jstr(r.json, "[0].id"), id);
    sr_http_resp_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/templates/%s", id);
    assert_int_equal(sr_test_api(w, "GET", path, w->key_a, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "storyboard.scenes.[0].story"), "Buy {{product}} now.");
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", path, w->key_b, NULL, &r), 404); /* another account's */
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/templates", w->key_b, NULL, &r), 200);
    assert_int_equal(json_array_size(r.json), 0);
    sr_http_resp_free(&r);

    /* a preview from the template: the job's storyboard holds the values */
    char body[512];
    snprintf(body, sizeof body,
             "{\"templateId\":\"%s\",\"variables\":{\"title\":\"T1\",\"product\":\"widgets\",\"dur\":3},"
             "\"aspectRatio\":\"1:1\"}", id);
    json_t *j = run_job(w, "/v2/video/storyboard", body);
    assert_string_equal(jstr(j, "data.storyboard.videoName"), "T1");
    assert_string_equal(jstr(j, "data.storyboard.scenes.[0].story"), "Buy widgets now.");
    assert_int_equal(json_integer_value(jget(j, "data.storyboard.scenes.[0].minimumDuration")), 3);
    assert_null(jget(j, "data.storyboard.templateId"));
    assert_string_equal(jstr(j, "data.renderParams.output.name"), "T1");
    assert_true(json_number_value(jget(j, "data.renderParams.sceneMarkers.[0].duration")) >= 3.0);
    assert_string_equal(jstr(j, "data.renderParams.subtitles.[0].text"), "Buy widgets now.");
    json_decref(j);

    /* a missing variable, an unknown template, another account's template */
    snprintf(body, sizeof body, "{\"templateId\":\"%s\",\"variables\":{\"title\":\"T\",\"product\":\"p\"}}", id);
    expect_400(w, "POST", "/v2/video/storyboard", body, "variables.dur");
    expect_400(w, "POST", "/v2/video/storyboard", "{\"templateId\":\"nope\"}", "templateId");
    snprintf(body, sizeof body, "{\"templateId\":\"%s\",\"variables\":{\"title\":\"T\",\"product\":\"p\",\"dur\":2}}",
             id);
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard", w->key_b, body, &r), 400);
    sr_http_resp_free(&r);
    expect_400(w, "POST", "/v1/templates", "{\"name\":\"x\",\"storyboard\":{\"scenes\":[]}}", "scenes");
}

static void test_brands(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    expect_400(w, "POST", "/v1/brands", "{\"name\":\"Bad\",\"colors\":{\"primary\":\"#12\"}}", "colors.primary");
    expect_400(w, "POST", "/v1/brands", "{\"name\":\"Bad\",\"logo\":{\"url\":\"logo.png\",\"width\":\"500%\"}}",
               "logo.width");
    const char *kit = "{\"name\":\"Acme\",\"logo\":{\"url\":\"logo.png\",\"position\":\"top-left\",\"width\":\"20%\"},"
                      "\"colors\":{\"primary\":\"#102030\",\"text\":\"#00FFFF\"},\"intro\":{\"visualUrl\":\"intro.png\"}}";
    assert_int_equal(sr_test_api(w, "POST", "/v1/brands", w->key_a, kit, &r), 200);
    char id[64];
    snprintf(id, sizeof id, "%s", jstr(r.json, "data.id"));
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/brands/video", w->key_a, NULL, &r), 200);
    assert_int_equal(json_array_size(r.json), 1);
    assert_string_equal(jstr(r.json, "[0].name"), "Acme");
    assert_string_equal(jstr(r.json, "[0].id"), id);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/brands/video", w->key_b, NULL, &r), 200);
    assert_int_equal(json_array_size(r.json), 0);
    sr_http_resp_free(&r);
    expect_400(w, "POST", "/v2/video/storyboard/render",
               "{\"videoName\":\"x\",\"brandName\":\"Nope\",\"scenes\":[{\"story\":\"Hi.\"}]}", "brandName");
    expect_400(w, "POST", "/v2/video/storyboard/render",
               "{\"videoName\":\"x\",\"brandName\":\"Acme\",\"brandId\":\"x\",\"scenes\":[{\"story\":\"Hi.\"}]}",
               "brandName");

    /* render with the brand (by name, any case): a 3 s blue intro card, then the red scene, logo on top */
    json_t *j = run_job(w, "/v2/video/storyboard/render",
                        "{\"videoName\":\"branded\",\"brandName\":\"acme\",\"videoWidth\":320,\"videoHeight\":180,"
                        "\"scenes\":[{\"background\":{\"color\":\"#FF0000\"},\"minimumDuration\":2}]}");
    double dur = json_number_value(jget(j, "data.videoDuration"));
    assert_true(dur > 4.9 && dur < 5.1);
    const char *video = jstr(j, "data.videoURL");
    assert_non_null(video);
    assert_int_equal(sr_http("GET", video, NULL, NULL, NULL, 0, &r), 200);
    const char *mp4 = sr_test_path(w->srv.dir, "branded.mp4");
    FILE *f = fopen(mp4, "wb");
    fwrite(r.body, 1, r.body_len, f);
    fclose(f);
    sr_http_resp_free(&r);
    json_decref(j);
    static const struct {
        double t;
        int x, y;
        int want; /* 0 red, 1 green, 2 blue: the dominant channel */
    } probes[] = {
        {0.5, 200, 120, 2}, /* the intro card */
        {0.5, 36, 36, 1},   /* the logo over it, top-left, 64 px wide */
        {4.2, 200, 120, 0}, /* the storyboard's own scene */
        {4.2, 36, 36, 1},   /* the logo stays */
    };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        sr_frame *fr = sr_test_decode_frame(mp4, probes[i].t);
        assert_non_null(fr);
        uint8_t rgb[3];
        sr_frame_get_rgb(fr, probes[i].x, probes[i].y, rgb);
        sr_frame_free(fr);
        int k = probes[i].want;
        if (!(rgb[k] > 150 && rgb[(k + 1) % 3] < 100 && rgb[(k + 2) % 3] < 100))
            fail_msg("probe %zu at %.1fs (%d,%d): rgb %d,%d,%d", i, probes[i].t, probes[i].x, probes[i].y, rgb[0],
                     rgb[1], rgb[2]);
    }
}

static void test_styles(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "/v1/styles", w->key_a, NULL, &r), 200);
    int found = 0;
    for (size_t i = 0; i < json_array_size(r.json); i++)
        found |= !strcmp(json_string_value(json_object_get(json_array_get(r.json, i), "name")), "Bold Yellow");
    assert_true(found);
    sr_http_resp_free(&r);
    json_t *j = run_job(w, "/v2/video/storyboard",
                        "{\"subtitleStyleName\":\"Bold Yellow\",\"videoWidth\":320,\"videoHeight\":180,"
                        "\"scenes\":[{\"story\":\"Hello there.\"}]}");
    assert_string_equal(jstr(j, "data.renderParams.subtitles.[0].style.color"), "#FFE000");
    json_decref(j);
    j = run_job(w, "/v2/video/storyboard",
                "{\"subtitleStyleId\":\"bold-yellow\",\"subtitleStyle\":{\"color\":\"#00FFFF\"},"
                "\"scenes\":[{\"story\":\"Hello there.\"}]}");
    assert_string_equal(jstr(j, "data.renderParams.subtitles.[0].style.color"), "#00FFFF"); /* own field wins */
    assert_string_equal(jstr(j, "data.renderParams.subtitles.[0].style.case"), "uppercase");
    json_decref(j);
    expect_400(w, "POST", "/v2/video/storyboard",
               "{\"subtitleStyleId\":\"boxed\",\"subtitleStyleName\":\"Boxed\",\"scenes\":[{\"story\":\"Hi.\"}]}",
               "subtitleStyleName");
    expect_400(w, "POST", "/v2/video/storyboard",
               "{\"subtitleStyleName\":\"Nope\",\"scenes\":[{\"story\":\"Hi.\"}]}", "subtitleStyleName");
    /* an account's own style */
    expect_400(w, "POST", "/v1/styles", "{\"name\":\"Bad\",\"style\":{\"color\":\"nope\"}}", "style.color");
    assert_int_equal(sr_test_api(w, "POST", "/v1/styles", w->key_a, "{\"name\":\"Mine\",\"style\":{\"color\":\"#123456\"}}", &r),
                     200);
    sr_http_resp_free(&r);
    j = run_job(w, "/v2/video/storyboard", "{\"subtitleStyleName\":\"mine\",\"scenes\":[{\"story\":\"Hi there.\"}]}");
    assert_string_equal(jstr(j, "data.renderParams.subtitles.[0].style.color"), "#123456");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_brands),
        cmocka_unit_test(test_styles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
