/* libs: sr_service sr_common */
/* test_compat_elements.c - elements and fields (issue: drop-in item 6):
 * every name of Pictory's shape library renders as a vector shape (pixels
 * of its fill in its scene); background.aiVisual and elements[].aiVisual get
 * a library visual for their prompt (or the generated gradient) and a job
 * warning that names aiVisual; a font family named with a weight ("Poppins
 * Extrabold") resolves to that family at that weight and draws heavier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "compat.h"
#include "fixtures.h"

static int fill(const char *dir)
{
    return sr_test_write_image(sr_test_path(dir, "lib/beach-sunset.jpg"), 160, 90, 230, 40, 30,
                               255);
}

static int setup(void **state)
{
    return sr_compat_setup_lib(state, fill);
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Pictory's shape catalogue (its published list of elements[].name). */
static int pictory_shapes(char names[][24], int max)
{
    static const struct {
        const char *family;
        int from, to;
    } fam[] = {{"badge", 1, 8},      {"quote", 1, 6},         {"arrow", 1, 19}, {"geometry", 1, 8},
               {"geometry", 10, 10}, {"doodle", 1, 12},       {"star", 1, 6},   {"cross", 1, 8},
               {"checkmark", 1, 6},  {"data-device", 1, 8},   {"blob", 1, 9},   {"word", 1, 9},
               {"line", 1, 17},      {"speech-bubble", 2, 7}, {"square", 1, 5}, {"heart", 1, 3}};
    static const char *const single[] = {"thumbs-up",  "gift",      "leaves",
                                         "paperplane", "idea-bulb", "pill",
                                         "rectangle",  "circle",    "line"};
    int n = 0;
    for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++)
        for (int i = fam[f].from; i <= fam[f].to && n < max; i++)
            snprintf(names[n++], 24, "%s-%d", fam[f].family, i);
    for (size_t i = 0; i < sizeof single / sizeof single[0] && n < max; i++)
        snprintf(names[n++], 24, "%s", single[i]);
    return n;
}

static int bright_pixels(const sr_frame *fr)
{
    int n = 0;
    for (int y = 0; y < fr->h; y++)
        for (int x = 0; x < fr->w; x++)
            n += fr->data[0][y * fr->linesize[0] + x] > 128;
    return n;
}

static void test_every_shape_renders(void **state)
{
    sr_test_world *w = *state;
    static char names[200][24];
    int n = pictory_shapes(names, 200);
    assert_true(n >= 139);
    /* one scene per shape: white on black, centred, 20% wide */
    json_t *scenes = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(scenes,
                              json_pack("{s:{s:s},s:f,s:[{s:s,s:s,s:s,s:s,s:s}]}", "background",
                                        "color", "#000000", "minimumDuration", 0.5, "elements",
                                        "type", "shape", "name", names[i], "fill", "#FFFFFF",
                                        "position", "center-center", "width", "20%"));
    json_t *sb = json_pack("{s:s,s:i,s:i,s:{s:i},s:{s:b},s:o}", "videoName", "shapes", "videoWidth",
                           320, "videoHeight", 180, "output", "fps", 10, "voiceOver", "enabled", 0,
                           "scenes", scenes);
    char *body = json_dumps(sb, JSON_COMPACT);
    json_decref(sb);
    json_t *j = sr_compat_run(w, "POST", "/v2/video/storyboard/render", body, 240);
    free(body);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "completed");
    const char *mp4 =
        sr_compat_fetch(w, jstr(json_object_get(j, "data"), "videoURL"), "shapes.mp4");
    assert_non_null(mp4);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        sr_frame *fr = sr_test_decode_frame(mp4, i * 0.5 + 0.25);
        assert_non_null(fr);
        int px = bright_pixels(fr);
        if (px < 20) fprintf(stderr, "shape %s drew %d pixels\n", names[i], px), bad++;
        sr_frame_free(fr);
    }
    assert_int_equal(bad, 0);
    json_decref(j);

    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/storyboard", w->key_a,
                                 "{\"scenes\":[{\"background\":{\"color\":\"#000000\"},"
                                 "\"elements\":[{\"type\":\"shape\","
                                 "\"name\":\"arrow-20\"}]}]}",
                                 &r),
                     200);
    char id[64];
    snprintf(id, sizeof id, "%s", jstr(json_object_get(r.json, "data"), "jobId"));
    sr_http_resp_free(&r);
    j = sr_test_wait_job(&w->srv, w->key_a, id, 60);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "failed"); /* not in the catalogue */
    assert_string_equal(jstr(json_object_get(j, "data"), "error_code"), "INVALID_REQUEST_BODY");
    json_decref(j);
}

static void test_ai_visual(void **state)
{
    sr_test_world *w = *state;
    json_t *j = sr_compat_run(
        w, "POST", "/v2/video/storyboard",
        "{\"videoName\":\"ai\",\"voiceOver\":{\"enabled\":false},\"scenes\":["
        "{\"background\":{\"aiVisual\":{\"prompt\":\"a beach at "
        "sunset\",\"model\":\"flux-schnell\","
        "\"mediaStyle\":\"photorealistic\"},\"type\":\"image\"},\"minimumDuration\":1},"
        "{\"background\":{\"aiVisual\":{\"prompt\":\"spaceship "
        "cockpit\",\"model\":\"veo3.1\"},\"type\":\"video\"},"
        "\"minimumDuration\":1},"
        "{\"background\":{\"color\":\"#102030\"},\"minimumDuration\":1,\"elements\":["
        "{\"type\":\"image\",\"aiVisual\":{\"prompt\":\"sunset\",\"model\":\"seedream3.0\"}},"
        "{\"type\":\"image\",\"aiVisual\":{\"prompt\":\"a purple giraffe\"}}]}]}",
        120);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "completed");
    /* the warnings name the field, and what stood in */
    assert_true(sr_compat_warned(
        j, "scenes[0].background.aiVisual: AI visuals are not generated here; the library"));
    assert_true(sr_compat_warned(
        j, "scenes[1].background.aiVisual: AI visuals are not generated here, and no library"));
    assert_true(sr_compat_warned(
        j, "scenes[2].elements[0].aiVisual: AI visuals are not generated here; the library"));
    assert_true(sr_compat_warned(j, "scenes[2].elements[1].aiVisual"));
    const json_t *rp = json_object_get(json_object_get(j, "data"), "renderParams");
    const json_t *bgs[3], *layers[4];
    assert_int_equal(sr_test_find(rp, "backgroundElement", NULL, bgs, 3), 3);
    const char *u0 = sr_test_str(bgs[0], "url");
    assert_non_null(u0);
    assert_non_null(strstr(u0, "beach-sunset.jpg")); /* the library's match for the prompt */
    assert_null(sr_test_str(bgs[1], "url"));         /* no match: the generated gradient */
    assert_int_equal(sr_test_find(rp, "layerItem", NULL, layers, 4),
                     1); /* the giraffe was dropped */
    assert_non_null(strstr(sr_test_str(layers[0], "url"), "beach-sunset.jpg"));
    json_decref(j);
}

/* White pixels of a render of "HEAVY" in family at frame time 0.5. */
static int ink_of(sr_test_world *w, const char *family, const char *file, json_t **job)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"videoName\":\"f\",\"videoWidth\":320,\"videoHeight\":180,\"voiceOver\":{"
             "\"enabled\":false},"
             "\"scenes\":[{\"background\":{\"color\":\"#000000\"},\"minimumDuration\":1,"
             "\"elements\":[{\"type\":\"text\","
             "\"text\":\"HEAVY\",\"style\":{\"fontFamily\":\"%s\",\"fontSize\":60,\"color\":\"#"
             "FFFFFF\"}}]}]}",
             family);
    sr_frame *fr = sr_compat_render_frame(w, body, file, 0.5, job);
    assert_non_null(fr);
    int n = bright_pixels(fr);
    sr_frame_free(fr);
    return n;
}

static void test_font_weight_names(void **state)
{
    sr_test_world *w = *state;
    json_t *jr, *jx;
    int regular = ink_of(w, "Poppins", "regular.mp4", &jr);
    int extra = ink_of(w, "Poppins Extrabold", "extrabold.mp4", &jx);
    fprintf(stderr, "ink: Poppins %d, Poppins Extrabold %d\n", regular, extra);
    assert_false(sr_compat_warned(jx, "not installed"));
    assert_true(extra > regular * 1.15); /* the heavier face */
    json_decref(jr);
    json_decref(jx);

    /* the preview's timeline names the face: the weight's own family when it is
     * installed (scripts/install-fonts puts @fontsource's "Poppins ExtraBold" there),
     * else Poppins at weight 800 */
    json_t *j = sr_compat_run(
        w, "POST", "/v2/video/storyboard",
        "{\"voiceOver\":{\"enabled\":false},\"scenes\":[{\"background\":{\"color\":\"#000000\"},"
        "\"elements\":[{\"type\":\"text\",\"text\":\"x\",\"style\":{\"fontFamily\":\"Poppins "
        "Extrabold\"}}]}]}",
        120);
    assert_non_null(j);
    const json_t *rp = json_object_get(json_object_get(j, "data"), "renderParams"), *t[1];
    assert_int_equal(sr_test_find(rp, "SceneText", NULL, t, 1), 1);
    const json_t *st = json_object_get(t[0], "style");
    const char *fam = sr_test_str(st, "fontFamily");
    assert_non_null(fam);
    if (strcasecmp(fam, "Poppins Extrabold") != 0) {
        assert_string_equal(fam, "Poppins");
        assert_int_equal((int)sr_test_num(st, "fontWeight"), 800);
    }
    assert_false(sr_compat_warned(j, "not installed"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_shape_renders),
        cmocka_unit_test(test_ai_visual),
        cmocka_unit_test(test_font_weight_names),
    };
    return cmocka_run_group_tests(tests, setup, sr_compat_teardown);
}
