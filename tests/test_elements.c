/* libs: sr_compiler sr_render sr_text sr_audio sr_frame sr_common */
/* Video and shape elements, videoKenBurns, background fit: each seen in the
 * pixels of a real render (320x180, a fraction of a second). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "compiler/compiler.h"
#include "fixtures.h"
#include "render/engine.h"
#include "render/frame.h"
#include "render/text/text.h"

#define W 320
#define H 180

static char *dir;

static int setup(void **st)
{
    (void)st;
    dir = sr_test_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    sr_test_rmdir(dir);
    free(dir);
    return 0;
}

/* A one-scene timeline of dur seconds at 10 fps with background bg and extra elements els (stolen). */
static json_t *timeline(double dur, json_t *bg, json_t *els)
{
    json_t *rp = json_pack("{s:i,s:{s:i,s:i,s:i,s:f,s:s},s:[{s:i,s:f,s:f}],s:[]}", "version", 1, "output", "width", W,
                           "height", H, "fps", 10, "duration", dur, "background", "#000000", "sceneMarkers",
                           "sceneIndex", 0, "startTime", 0.0, "duration", dur, "elements");
    json_t *a = json_object_get(rp, "elements");
    json_t *ex = json_pack("{s:s,s:s,s:i,s:f,s:f}", "id", "bg", "elementType", "backgroundElement", "sceneIndex", 0,
                           "startTime", 0.0, "duration", dur);
    json_object_update(bg, ex);
    json_decref(ex);
    json_array_append_new(a, bg);
    size_t i;
    json_t *e;
    json_array_foreach(els, i, e) json_array_append(a, e);
    json_decref(els);
    return rp;
}

/* Renders rp to dir/name.mp4 and returns its frame at t. */
static sr_frame *render_at(json_t *rp, const char *name, double t)
{
    sr_render_opts o = {.out_path = sr_test_path(dir, name), .base_dir = dir, .threads = 1};
    sr_err err = {0};
    int rc = sr_render(rp, &o, &err);
    if (rc) fprintf(stderr, "render: %s (%s)\n", err.msg, err.field);
    assert_int_equal(rc, 0);
    json_decref(rp);
    sr_frame *f = sr_test_decode_frame(sr_test_path(dir, name), t);
    assert_non_null(f);
    return f;
}

static void rgb_at(const sr_frame *f, int x, int y, double c[3]) { sr_frame_mean_rgb(f, x - 1, y - 1, 3, 3, c); }

static int is_color(const double c[3], int r, int g, int b, int tol)
{
    return fabs(c[0] - r) < tol && fabs(c[1] - g) < tol && fabs(c[2] - b) < tol;
}

/* ------------------------------------------------------------ video element */

static void test_video_element(void **st)
{
    (void)st;
    assert_int_equal(sr_test_write_video(sr_test_path(dir, "red.mp4"), 64, 36, 10, 1, "red", 0), 0);
    json_t *els = json_pack("[{s:s,s:s,s:s,s:i,s:s,s:s,s:f}]", "id", "v", "elementType", "layerItem", "type", "video",
                            "sceneIndex", 0, "url", "red.mp4", "position", "center-center", "width", 0.3);
    sr_frame *f = render_at(timeline(0.5, json_pack("{s:s,s:s}", "type", "color", "color", "#0000FF"), els), "ve.mp4", 0.2);
    double c[3];
    rgb_at(f, W / 2, H / 2, c); /* box: 96 x 54 centred */
    assert_true(is_color(c, 255, 0, 0, 60));
    rgb_at(f, 20, 20, c);
    assert_true(is_color(c, 0, 0, 255, 60));
    rgb_at(f, W / 2 - 60, H / 2, c); /* left of the box */
    assert_true(is_color(c, 0, 0, 255, 60));
    sr_frame_free(f);
}

static void test_video_element_advances(void **st)
{
    (void)st;
    assert_int_equal(sr_test_write_video(sr_test_path(dir, "pat.mp4"), 160, 90, 10, 2, NULL, 0), 0);
    json_t *els = json_pack("[{s:s,s:s,s:s,s:i,s:s,s:f,s:f,s:f,s:b}]", "id", "v", "elementType", "layerItem", "type",
                            "video", "sceneIndex", 0, "url", "pat.mp4", "left", 0.5, "top", 0.0, "width", 0.5, "loop", 1);
    json_t *rp = timeline(1.5, json_pack("{s:s,s:s}", "type", "color", "color", "#000000"), els);
    json_incref(rp);
    sr_frame *a = render_at(rp, "va.mp4", 0.1);
    sr_frame *b = sr_test_decode_frame(sr_test_path(dir, "va.mp4"), 1.2);
    json_decref(rp);
    assert_non_null(b);
    double diff = 0, left = 0;
    for (int y = 0; y < 90; y += 2)
        for (int x = 0; x < W; x += 2) {
            int d = abs(a->data[0][y * a->linesize[0] + x] - b->data[0][y * b->linesize[0] + x]);
            if (x >= W / 2) diff += d;
            else left += d;
        }
    assert_true(diff / (80 * 45) > 4); /* the picture in the box moved */
    assert_true(left / (80 * 45) < 2); /* outside it, the black background */
    sr_frame_free(a);
    sr_frame_free(b);
}

/* ------------------------------------------------------------------ shapes */

/* Draws shape (a SceneShape JSON object, stolen) on black into a new frame. */
static sr_frame *shape_frame(json_t *shape)
{
    json_t *ex = json_pack("{s:s,s:s,s:i,s:f,s:f}", "id", "s", "elementType", "SceneShape", "sceneIndex", 0,
                           "startTime", 0.0, "duration", 1.0);
    json_object_update(shape, ex);
    json_decref(ex);
    json_t *rp = json_pack("{s:[o]}", "elements", shape);
    sr_text *tx = NULL;
    sr_err err = {0};
    int rc = sr_text_create(&tx, rp, W, H, NULL, &err);
    if (rc) fprintf(stderr, "text: %s\n", err.msg);
    assert_int_equal(rc, 0);
    sr_frame *f = sr_frame_alloc(W, H);
    uint8_t y, u, v;
    sr_rgb_to_yuv(0, 0, 0, &y, &u, &v);
    sr_frame_fill(f, y, u, v);
    assert_int_equal(sr_text_draw_scene(tx, f, 0.5, 0), 0);
    sr_text_destroy(tx);
    json_decref(rp);
    return f;
}

static int count_red(const sr_frame *f)
{
    int n = 0;
    uint8_t c[3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            sr_frame_get_rgb(f, x, y, c);
            n += c[0] > 150 && c[1] < 100;
        }
    return n;
}

static void test_shape_circle(void **st)
{
    (void)st;
    /* 96 px wide, square in pixels: the box is (112, 42) .. (208, 138) */
    sr_frame *f = shape_frame(json_pack("{s:s,s:s,s:f,s:s}", "name", "circle", "fill", "#FF0000", "width", 0.3,
                                        "position", "center-center"));
    double c[3];
    rgb_at(f, 160, 90, c);
    assert_true(is_color(c, 255, 0, 0, 50));
    rgb_at(f, 160 + 40, 90, c); /* inside the radius */
    assert_true(is_color(c, 255, 0, 0, 50));
    rgb_at(f, 160, 90 - 40, c); /* square in pixels: as far up */
    assert_true(is_color(c, 255, 0, 0, 50));
    rgb_at(f, 116, 46, c); /* the box's corner */
    assert_true(is_color(c, 0, 0, 0, 30));
    rgb_at(f, 204, 134, c);
    assert_true(is_color(c, 0, 0, 0, 30));
    int n = count_red(f), want = (int)(M_PI * 48 * 48);
    assert_true(n > want * 0.9 && n < want * 1.1);
    sr_frame_free(f);
}

static void test_shape_rounded_rect(void **st)
{
    (void)st;
    sr_frame *f = shape_frame(json_pack("{s:s,s:s,s:f,s:s}", "name", "rectangle", "fill", "#FF0000", "width", 0.3,
                                        "borderRadius", "25%"));
    double c[3];
    rgb_at(f, 114, 44, c); /* rounded corner: background */
    assert_true(is_color(c, 0, 0, 0, 30));
    rgb_at(f, 115, 90, c); /* the straight left edge: filled */
    assert_true(is_color(c, 255, 0, 0, 60));
    rgb_at(f, 160, 45, c); /* the straight top edge */
    assert_true(is_color(c, 255, 0, 0, 60));
    sr_frame_free(f);
    /* without a radius the corner is filled */
    f = shape_frame(json_pack("{s:s,s:s,s:f}", "name", "rectangle", "fill", "#FF0000", "width", 0.3));
    rgb_at(f, 114, 44, c);
    assert_true(is_color(c, 255, 0, 0, 60));
    sr_frame_free(f);
}

static void test_shape_star_and_stroke(void **st)
{
    (void)st;
    sr_frame *circle = shape_frame(json_pack("{s:s,s:s,s:f}", "name", "circle", "fill", "#FF0000", "width", 0.3));
    sr_frame *star = shape_frame(json_pack("{s:s,s:s,s:f}", "name", "star-5", "fill", "#FF0000", "width", 0.3));
    int nc = count_red(circle), ns = count_red(star);
    assert_true(ns > 500);
    assert_true(ns < nc * 0.75); /* a star is not a circle */
    double c[3];
    rgb_at(star, 160, 50, c); /* its top point is on the centre line */
    assert_true(is_color(c, 255, 0, 0, 80));
    sr_frame_free(circle);
    sr_frame_free(star);
    /* stroke: 16 px on the 720 canvas = 4 px here, outside the fill */
    sr_frame *f = shape_frame(json_pack("{s:s,s:s,s:s,s:i,s:f}", "name", "circle", "fill", "#FF0000", "stroke",
                                        "#FFFFFF", "strokeWidth", 16, "width", 0.3));
    rgb_at(f, 208 + 1, 90, c);
    assert_true(is_color(c, 255, 255, 255, 60));
    rgb_at(f, 160, 90, c);
    assert_true(is_color(c, 255, 0, 0, 50));
    sr_frame_free(f);
    /* unknown names fail naming the field */
    json_t *rp = json_pack("{s:[{s:s,s:s,s:i,s:f,s:f}]}", "elements", "elementType", "SceneShape", "name", "blob",
                           "sceneIndex", 0, "startTime", 0.0, "duration", 1.0);
    sr_text *tx = NULL;
    sr_err err = {0};
    assert_int_equal(sr_text_create(&tx, rp, W, H, NULL, &err), SR_EINVALID_FIELD);
    assert_string_equal(err.field, "elements[0].name");
    json_decref(rp);
}

/* ------------------------------------------------------------- camera, fit */

/* A 160x90 video: black with a white 20x20 square in the middle. */
static void write_square_video(const char *name)
{
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i color=black:s=160x90:d=1:r=10 -vf "
                                "drawbox=x=70:y=35:w=20:h=20:color=white:t=fill -c:v libx264 -preset ultrafast "
                                "-pix_fmt yuv420p '%s'",
                                sr_test_path(dir, name)),
                     0);
}

static int count_white(const sr_frame *f)
{
    int n = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) n += f->data[0][y * f->linesize[0] + x] > 160;
    return n;
}

static void test_video_kenburns(void **st)
{
    (void)st;
    write_square_video("sq.mp4");
    /* the compiler maps settings.videoKenBurns to the timeline's motion */
    json_t *sb = json_pack("{s:s,s:[{s:{s:s,s:{s:{s:{s:f,s:f,s:f},s:{s:f,s:f,s:f}}}},s:f}]}", "videoName", "kb",
                           "scenes", "background", "visualUrl", "sq.mp4", "settings", "videoKenBurns", "start", "zoom",
                           1.0, "centerX", 0.5, "centerY", 0.5, "end", "zoom", 2.0, "centerX", 0.5, "centerY", 0.5,
                           "minimumDuration", 1.0);
    sr_compile_opts co = {.base_dir = dir, .cache_dir = dir};
    json_t *rp = NULL;
    sr_err err = {0};
    int rc = sr_compile(sb, &co, &rp, &err);
    if (rc) fprintf(stderr, "compile: %s (%s)\n", err.msg, err.field);
    assert_int_equal(rc, 0);
    json_decref(sb);
    json_t *bg = json_array_get(json_object_get(rp, "elements"), 0);
    json_t *m = json_object_get(bg, "motion");
    assert_non_null(m);
    assert_true(fabs(json_number_value(json_object_get(m, "endZoom")) - 2.0) < 1e-9);
    assert_string_equal(json_string_value(json_object_get(bg, "fit")), "cover");
    json_object_set_new(json_object_get(rp, "output"), "width", json_integer(W));
    json_object_set_new(json_object_get(rp, "output"), "height", json_integer(H));
    json_object_set_new(json_object_get(rp, "output"), "fps", json_integer(10));
    json_incref(rp);
    sr_frame *a = render_at(rp, "kb.mp4", 0.0);
    sr_frame *b = sr_test_decode_frame(sr_test_path(dir, "kb.mp4"), 0.9);
    json_decref(rp);
    assert_non_null(b);
    int na = count_white(a), nb = count_white(b);
    assert_true(na > 500);   /* 40 x 40 at the start */
    assert_true(nb > na * 3); /* about 80 x 80 at the end */
    sr_frame_free(a);
    sr_frame_free(b);
}

static void fit_case(const char *media, const char *type, const char *fit, int expect_blur)
{
    char name[64];
    snprintf(name, sizeof name, "fit-%s-%s.mp4", type, fit);
    sr_frame *f = render_at(timeline(0.3, json_pack("{s:s,s:s,s:s}", "type", type, "url", media, "fit", fit), json_array()),
                            name, 0.1);
    double c[3];
    rgb_at(f, W / 2, H / 2, c); /* the contained picture: green */
    assert_true(c[1] > 150 && c[0] < 80);
    rgb_at(f, 15, H / 2, c); /* the sides */
    if (expect_blur) assert_true(c[1] > 40 && c[1] > c[0] + 25 && c[1] < 150); /* blurred, darkened green */
    else assert_true(is_color(c, 0, 0, 0, 25)); /* the background colour */
    sr_frame_free(f);
}

static void test_fit(void **st)
{
    (void)st;
    assert_int_equal(sr_test_write_image(sr_test_path(dir, "tall.png"), 90, 160, 0, 200, 0, 255), 0);
    assert_int_equal(sr_test_write_video(sr_test_path(dir, "tall.mp4"), 90, 160, 10, 1, "0x00C800", 0), 0);
    fit_case("tall.png", "image", "blur", 1);
    fit_case("tall.png", "image", "contain", 0);
    fit_case("tall.mp4", "video", "blur", 1);
    fit_case("tall.mp4", "video", "contain", 0);
    /* cover: the whole frame is the picture */
    sr_frame *f = render_at(timeline(0.3, json_pack("{s:s,s:s}", "type", "image", "url", "tall.png"), json_array()),
                            "fit-cover.mp4", 0.1);
    double c[3];
    rgb_at(f, 15, H / 2, c);
    assert_true(c[1] > 150);
    sr_frame_free(f);
    /* the compiler picks blur for portrait media in a landscape video */
    json_t *sb = json_pack("{s:s,s:i,s:i,s:[{s:{s:s},s:f}]}", "videoName", "fit", "videoWidth", W, "videoHeight",
                           H, "scenes", "background", "visualUrl", "tall.png", "minimumDuration", 1.0);
    sr_compile_opts co = {.base_dir = dir, .cache_dir = dir};
    json_t *rp = NULL;
    sr_err err = {0};
    int rc = sr_compile(sb, &co, &rp, &err);
    if (rc) fprintf(stderr, "compile: %s (%s)\n", err.msg, err.field);
    assert_int_equal(rc, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(rp, "elements"), 0), "fit")),
                        "blur");
    json_decref(rp);
    json_decref(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_circle),       cmocka_unit_test(test_shape_rounded_rect),
        cmocka_unit_test(test_shape_star_and_stroke), cmocka_unit_test(test_video_element),
        cmocka_unit_test(test_video_element_advances), cmocka_unit_test(test_video_kenburns),
        cmocka_unit_test(test_fit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
