/* libs: sr_compiler sr_render sr_text sr_frame sr_common */
/* Animations on shape elements (text_shape.c through text_anim.c): seen in
 * the pixels the text module draws at chosen times (320x180 frames, no
 * encoding), and the compiler's checks naming the field. */
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
#include "render/frame.h"
#include "render/text/text.h"

#define W 320
#define H 180

/* A red circle 30% of the frame wide (96 px, centred: centre (160, 90)),
 * shown [0, 2) s with animations anims (a JSON text), as a timeline. */
static json_t *circle_tl(const char *anims)
{
    json_error_t je;
    json_t *an = json_loads(anims, 0, &je);
    assert_non_null(an);
    return json_pack("{s:[{s:s,s:s,s:i,s:f,s:f,s:s,s:s,s:f,s:s,s:o}]}", "elements", "id", "s", "elementType",
                     "SceneShape", "sceneIndex", 0, "startTime", 0.0, "duration", 2.0, "name", "circle", "fill",
                     "#FF0000", "width", 0.3, "position", "center-center", "animations", an);
}

/* What the shape draws at times t[0..n): per time, the drawn coverage (sum
 * of the red channel / 255, in pixels) and its red-weighted centroid. */
typedef struct shot {
    double cover, cx, cy;
} shot;

static void draw_at(json_t *rp, const double *t, int n, shot *out)
{
    sr_text *tx = NULL;
    sr_err err = {0};
    int rc = sr_text_create(&tx, rp, W, H, NULL, &err);
    if (rc) fprintf(stderr, "text: %s (%s)\n", err.msg, err.field);
    assert_int_equal(rc, 0);
    uint8_t y, u, v;
    sr_rgb_to_yuv(0, 0, 0, &y, &u, &v);
    for (int i = 0; i < n; i++) {
        sr_frame *f = sr_frame_alloc(W, H);
        assert_non_null(f);
        sr_frame_fill(f, y, u, v);
        assert_int_equal(sr_text_draw_scene(tx, f, t[i], 0), 0);
        double s = 0, sx = 0, sy = 0;
        uint8_t c[3];
        for (int py = 0; py < H; py++)
            for (int px = 0; px < W; px++) {
                sr_frame_get_rgb(f, px, py, c);
                double r = c[0] > 20 ? c[0] / 255.0 : 0; /* ignore codec-free rounding noise */
                s += r, sx += r * px, sy += r * py;
            }
        out[i] = (shot){s, s > 0 ? sx / s : -1, s > 0 ? sy / s : -1};
        sr_frame_free(f);
    }
    sr_text_destroy(tx);
    json_decref(rp);
}

/* fade (slow: 1 s): the drawn coverage rises through the entry, then holds
 * the whole disc; the exit (fast) brings it down at the end. */
static void test_fade_in_circle(void **st)
{
    (void)st;
    double t[] = {0.1, 0.4, 0.7, 1.3, 1.95};
    shot s[5];
    draw_at(circle_tl("[{\"name\":\"fade\",\"type\":\"entry\",\"speed\":\"slow\"},"
                      "{\"name\":\"fade\",\"type\":\"exit\",\"speed\":\"fast\"}]"),
            t, 5, s);
    double full = M_PI * 48 * 48;
    assert_true(s[3].cover > full * 0.9 && s[3].cover < full * 1.1); /* the hold: all of it */
    assert_true(s[0].cover < full * 0.25);
    assert_true(s[0].cover < s[1].cover);
    assert_true(s[1].cover < s[2].cover);
    assert_true(s[2].cover < s[3].cover);
    assert_true(s[4].cover < full * 0.3); /* fading out */
    for (int i = 0; i < 5; i++) /* a fade does not move it */
        assert_true(fabs(s[i].cx - 160) < 1.5 && fabs(s[i].cy - 90) < 1.5);
}

/* drift right (medium: 0.6 s, 8% of 180 px = 14.4 px): the centroid moves
 * right into place; drift up on exit: it leaves upwards. */
static void test_drift_moves_in_direction(void **st)
{
    (void)st;
    double t[] = {0.05, 0.3, 1.0, 1.9};
    shot s[4];
    draw_at(circle_tl("[{\"name\":\"drift\",\"direction\":\"right\"},"
                      "{\"name\":\"drift\",\"type\":\"exit\",\"direction\":\"up\"}]"),
            t, 4, s);
    assert_true(s[0].cx < 160 - 10); /* starts behind, to the left */
    assert_true(s[0].cx < s[1].cx && s[1].cx < s[2].cx);
    assert_true(fabs(s[2].cx - 160) < 1.5 && fabs(s[2].cy - 90) < 1.5);
    assert_true(fabs(s[0].cy - 90) < 1.5); /* horizontally only */
    assert_true(s[3].cy < 90 - 5);         /* the exit goes up */
    assert_true(fabs(s[3].cx - 160) < 1.5);
}

/* typewriter on a shape is a wipe in its direction (default right): mid-entry
 * the left part is drawn, the right part not yet. */
static void test_typewriter_wipes(void **st)
{
    (void)st;
    double t[] = {0.3, 1.0};
    shot s[2];
    draw_at(circle_tl("[{\"name\":\"typewriter\"}]"), t, 2, s);
    assert_true(s[0].cover > 0.2 * s[1].cover && s[0].cover < 0.8 * s[1].cover);
    assert_true(s[0].cx < 160 - 8); /* the visible part is the left one */
    assert_true(fabs(s[1].cx - 160) < 1.5);
}

/* elastic scales about the shape's centre: small at first, centred. */
static void test_elastic_about_centre(void **st)
{
    (void)st;
    double t[] = {0.1, 1.0};
    shot s[2];
    draw_at(circle_tl("[{\"name\":\"elastic\"}]"), t, 2, s);
    assert_true(s[0].cover < 0.5 * s[1].cover);
    assert_true(fabs(s[0].cx - 160) < 2 && fabs(s[0].cy - 90) < 2);
}

/* Every animation a shape takes is under way mid-entry (less drawn, or
 * moved off centre) and done after it (the whole disc, in place). */
static void test_every_animation(void **st)
{
    (void)st;
    static const char *const names[] = {"fade", "drift", "wipe", "text reveal", "elastic", "typewriter", "blur",
                                        "bulletin"};
    double full = M_PI * 48 * 48;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char a[128];
        snprintf(a, sizeof a, "[{\"name\":\"%s\",\"speed\":\"slow\"}]", names[i]);
        double t[] = {0.25, 1.5};
        shot s[2];
        draw_at(circle_tl(a), t, 2, s);
        int busy = s[0].cover < 0.85 * s[1].cover || fabs(s[0].cx - 160) > 3 || fabs(s[0].cy - 90) > 3;
        if (!busy || s[1].cover < full * 0.9 || s[1].cover > full * 1.1)
            fail_msg("%s: %.0f px at 0.25 s (%.1f, %.1f), %.0f at 1.5 s", names[i], s[0].cover, s[0].cx, s[0].cy,
                     s[1].cover);
        assert_true(fabs(s[1].cx - 160) < 1.5 && fabs(s[1].cy - 90) < 1.5);
    }
}

static json_t *compile_sb(const char *sb_text, sr_err *e)
{
    json_error_t je;
    json_t *sb = json_loads(sb_text, 0, &je);
    if (!sb) fail_msg("bad storyboard JSON: %s", je.text);
    sr_compile_opts o = {.base_dir = ".", .cache_dir = ".", .no_media_probe = 1};
    json_t *rp = NULL;
    sr_err_clear(e);
    int rc = sr_compile(sb, &o, &rp, e);
    json_decref(sb);
    return rc ? NULL : rp;
}

/* The timeline's first SceneShape, or NULL. */
static const json_t *first_shape(const json_t *rp)
{
    size_t i;
    const json_t *el;
    json_array_foreach(json_object_get(rp, "elements"), i, el)
    {
        const char *et = json_string_value(json_object_get(el, "elementType"));
        if (et && !strcmp(et, "SceneShape")) return el;
    }
    return NULL;
}

#define SB_SHAPE(X) \
    "{\"scenes\":[{\"background\":{\"visualUrl\":\"bg.png\"},\"minimumDuration\":2,\"elements\":[{\"type\":\"shape\"," X "}]}]}"

/* The compiler passes animations[] (from the element or its style) to the
 * timeline, and an invalid one is an error naming the field. */
static void test_compiler_animations(void **st)
{
    (void)st;
    sr_err e = {0};
    json_t *rp = compile_sb(SB_SHAPE("\"name\":\"circle\",\"style\":{\"animations\":[{\"name\":\"wipe\"}]}"), &e);
    if (!rp) fprintf(stderr, "compile: %s (%s)\n", e.msg, e.field);
    assert_non_null(rp);
    const json_t *sh = first_shape(rp);
    assert_non_null(sh);
    const json_t *an = json_array_get(json_object_get(sh, "animations"), 0);
    assert_string_equal(json_string_value(json_object_get(an, "name")), "wipe");
    json_decref(rp);

    assert_null(compile_sb(SB_SHAPE("\"animations\":[{\"name\":\"spin\"}]"), &e));
    assert_int_equal(e.code, SR_EINVALID_FIELD);
    assert_string_equal(e.field, "scenes[0].elements[0].animations[0].name");
    assert_null(compile_sb(SB_SHAPE("\"animations\":[{\"name\":\"fade\"},{\"name\":\"karaoke\"}]"), &e));
    assert_string_equal(e.field, "scenes[0].elements[0].animations[1].name");
    assert_non_null(strstr(e.msg, "shapes"));
    assert_null(compile_sb(SB_SHAPE("\"style\":{\"animations\":[{\"name\":\"fade\",\"speed\":\"warp\"}]}"), &e));
    assert_string_equal(e.field, "scenes[0].elements[0].style.animations[0].speed");
    assert_null(compile_sb(SB_SHAPE("\"animations\":[{\"name\":\"fade\"}],\"style\":{\"animations\":[]}"), &e));
    assert_string_equal(e.field, "scenes[0].elements[0].style.animations");

    /* the renderer checks a timeline the same way */
    json_t *tl = circle_tl("[{\"name\":\"drift\",\"direction\":\"sideways\"}]");
    sr_text *tx = NULL;
    sr_err_clear(&e);
    assert_int_equal(sr_text_create(&tx, tl, W, H, NULL, &e), SR_EINVALID_FIELD);
    assert_string_equal(e.field, "elements[0].animations[0].direction");
    json_decref(tl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fade_in_circle),       cmocka_unit_test(test_drift_moves_in_direction),
        cmocka_unit_test(test_typewriter_wipes),     cmocka_unit_test(test_elastic_about_centre),
        cmocka_unit_test(test_every_animation),      cmocka_unit_test(test_compiler_animations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
