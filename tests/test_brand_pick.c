/* libs: sr_compiler sr_library sr_render sr_common */
/* test_brand_pick.c - brand colours in the generated background and video
 * elements picked from the media library: a storyboard with brandColors and
 * no library compiles to a gradient of those colours (a third derived by
 * darkening) and renders pixels near them; a brand kit's colours get there
 * too; a bad brandColors names its field. In a temp library of one video and
 * one image, a video element's searchFilter picks the video (kind filter) and
 * renders it inside the element's box; an image element the image; a video
 * background's searchFilter the video; no match drops the element with a
 * warning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/brand.h"
#include "compiler/compiler.h"
#include "render/engine.h"
#include "support/fixtures.h"

typedef struct fx {
    char *dir;
    char lib[1024], cache[1024];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = sr_test_tmpdir();
    snprintf(f->lib, sizeof f->lib, "%s/lib", f->dir);
    snprintf(f->cache, sizeof f->cache, "%s/cache", f->dir);
    if (sr_test_sh("mkdir -p '%s' '%s'", f->lib, f->cache)) return -1;
    /* both match "ocean"; only the kind tells them apart */
    if (sr_test_write_video(sr_test_path(f->lib, "ocean-waves.mp4"), 64, 36, 10, 1.0, "red", 0) ||
        sr_test_write_image(sr_test_path(f->lib, "ocean.jpg"), 64, 36, 0, 200, 0, 255))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    sr_test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Compiles sb (stolen) with or without the library; asserts success. */
static json_t *compile_sb(fx *f, json_t *sb, int with_lib)
{
    assert_non_null(sb);
    sr_compile_opts o = {.base_dir = f->dir, .cache_dir = f->cache, .library_dir = with_lib ? f->lib : NULL};
    json_t *rp = NULL;
    sr_err e = {0};
    int rc = sr_compile(sb, &o, &rp, &e);
    if (rc) fprintf(stderr, "compile: %s: %s\n", e.field, e.msg);
    assert_int_equal(rc, 0);
    json_decref(sb);
    return rp;
}

static json_t *compile(fx *f, const char *json, int with_lib)
{
    json_error_t je;
    json_t *sb = json_loads(json, 0, &je);
    if (!sb) fprintf(stderr, "json: %s\n", je.text);
    return compile_sb(f, sb, with_lib);
}

/* The n-th element of rp whose elementType is type (NULL when none). */
static json_t *nth(const json_t *rp, const char *type, int n)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(rp, "elements"), i, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "elementType")), type) && n-- == 0) return e;
    }
    return NULL;
}

static const char *base_of(const json_t *e)
{
    const char *u = json_string_value(json_object_get(e, "url"));
    const char *s = u ? strrchr(u, '/') : NULL;
    return s ? s + 1 : u ? u : "";
}

static const char *color_at(const json_t *bg, size_t i)
{
    return json_string_value(json_array_get(json_object_get(bg, "colors"), i));
}

/* Renders rp (stolen) to dir/name and returns its frame at t. */
static sr_frame *render_at(fx *f, json_t *rp, const char *name, double t)
{
    char out[1100];
    snprintf(out, sizeof out, "%s/%s", f->dir, name);
    sr_render_opts ro = {.out_path = out, .base_dir = f->dir, .threads = 1};
    sr_err e = {0};
    int rc = sr_render(rp, &ro, &e);
    if (rc) fprintf(stderr, "render: %s: %s\n", e.field, e.msg);
    assert_int_equal(rc, 0);
    json_decref(rp);
    sr_frame *fr = sr_test_decode_frame(out, t);
    assert_non_null(fr);
    return fr;
}

static int near(const double c[3], int r, int g, int b, int tol)
{
    return fabs(c[0] - r) < tol && fabs(c[1] - g) < tol && fabs(c[2] - b) < tol;
}

static void test_brand_gradient(void **state)
{
    fx *f = *state;
    json_t *rp = compile(f,
                         "{\"videoWidth\":320,\"videoHeight\":180,\"voiceOver\":{\"enabled\":false},"
                         "\"brandColors\":[\"#C81E1E\",\"#1EC81E\"],"
                         "\"scenes\":[{\"story\":\"Hi.\",\"hideSubtitles\":true,\"minimumDuration\":1},"
                         "{\"story\":\"Bye.\",\"hideSubtitles\":true,\"minimumDuration\":1}]}",
                         0);
    json_t *bg = nth(rp, "backgroundElement", 0), *bg1 = nth(rp, "backgroundElement", 1);
    assert_non_null(bg);
    assert_non_null(bg1);
    assert_string_equal(json_string_value(json_object_get(bg, "type")), "gradient");
    /* the brand's two colours and the first at half brightness; rotated per scene */
    assert_int_equal(json_array_size(json_object_get(bg, "colors")), 3);
    assert_string_equal(color_at(bg, 0), "#C81E1E");
    assert_string_equal(color_at(bg, 1), "#1EC81E");
    assert_string_equal(color_at(bg, 2), "#640F0F");
    assert_string_equal(color_at(bg1, 0), "#1EC81E");
    assert_string_equal(color_at(bg1, 2), "#C81E1E");
    /* still and left to right: left edge, middle and right edge show the three */
    json_object_set_new(bg, "angle", json_real(0));
    json_object_set_new(bg, "motion", json_real(0));
    sr_frame *fr = render_at(f, rp, "brand.mp4", 0.2);
    double l[3], m[3], r[3];
    sr_frame_mean_rgb(fr, 2, 82, 8, 16, l);
    sr_frame_mean_rgb(fr, 156, 82, 8, 16, m);
    sr_frame_mean_rgb(fr, 310, 82, 8, 16, r);
    fprintf(stderr, "brand gradient: left %.0f %.0f %.0f, middle %.0f %.0f %.0f, right %.0f %.0f %.0f\n", l[0],
            l[1], l[2], m[0], m[1], m[2], r[0], r[1], r[2]);
    assert_true(near(l, 0xC8, 0x1E, 0x1E, 45));
    assert_true(near(m, 0x1E, 0xC8, 0x1E, 45));
    assert_true(near(r, 0x64, 0x0F, 0x0F, 45));
    sr_frame_free(fr);

    /* no brandColors: the default palette */
    rp = compile(f, "{\"voiceOver\":{\"enabled\":false},\"scenes\":[{\"story\":\"Hi.\",\"minimumDuration\":1}]}",
                 0);
    assert_string_equal(color_at(nth(rp, "backgroundElement", 0), 0), "#1E2A78");
    json_decref(rp);

    /* one colour: two darker copies */
    rp = compile(f,
                 "{\"voiceOver\":{\"enabled\":false},\"brandColors\":[\"#808080\"],"
                 "\"scenes\":[{\"story\":\"Hi.\",\"minimumDuration\":1}]}",
                 0);
    bg = nth(rp, "backgroundElement", 0);
    assert_string_equal(color_at(bg, 0), "#808080");
    assert_string_equal(color_at(bg, 1), "#404040");
    assert_string_equal(color_at(bg, 2), "#202020");
    json_decref(rp);
}

static void test_brand_kit_colors(void **state)
{
    fx *f = *state;
    json_t *sb = json_loads("{\"voiceOver\":{\"enabled\":false},\"scenes\":[{\"story\":\"Hi.\",\"minimumDuration\":1}]}",
                            0, NULL);
    json_t *kit = json_loads("{\"colors\":{\"primary\":\"#1E3A8A\",\"secondary\":\"#60A5FA\"}}", 0, NULL);
    assert_int_equal(sr_brand_apply(sb, kit, NULL), 0);
    json_decref(kit);
    json_t *rp = compile_sb(f, sb, 0);
    json_t *bg = nth(rp, "backgroundElement", 0);
    assert_string_equal(color_at(bg, 0), "#1E3A8A");
    assert_string_equal(color_at(bg, 1), "#60A5FA");
    json_decref(rp);

    /* a bad colour names its field; the wrong shape too */
    static const struct {
        const char *sb, *field;
    } bad[] = {
        {"{\"brandColors\":[\"#112233\",\"nope\"],\"scenes\":[{\"story\":\"Hi.\"}]}", "brandColors[1]"},
        {"{\"brandColors\":\"#112233\",\"scenes\":[{\"story\":\"Hi.\"}]}", "brandColors"},
        {"{\"brandColors\":[\"#1\",\"#2\",\"#3\",\"#4\"],\"scenes\":[{\"story\":\"Hi.\"}]}", "brandColors"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = json_loads(bad[i].sb, 0, NULL);
        sr_compile_opts o = {.base_dir = f->dir, .cache_dir = f->cache};
        sr_err e = {0};
        json_t *out = NULL;
        assert_int_equal(sr_compile(b, &o, &out, &e), SR_EINVALID_FIELD);
        assert_string_equal(e.field, bad[i].field);
        json_decref(b);
    }
}

static void test_video_element_from_library(void **state)
{
    fx *f = *state;
    json_t *rp = compile(
        f,
        "{\"videoWidth\":320,\"videoHeight\":180,\"voiceOver\":{\"enabled\":false},\"scenes\":["
        "{\"background\":{\"color\":\"#0000FF\"},\"minimumDuration\":1,\"elements\":["
        "{\"type\":\"video\",\"searchFilter\":{\"query\":\"ocean\"},\"position\":\"center-center\"},"
        "{\"type\":\"video\",\"searchFilter\":{\"keywords\":[\"zebra\"]}},"
        "{\"type\":\"image\",\"searchFilter\":{\"query\":\"ocean\"},\"position\":\"top-left\"}]},"
        "{\"background\":{\"type\":\"video\",\"searchFilter\":{\"query\":\"ocean\"}},\"minimumDuration\":1}]}",
        1);
    /* the video element took the video, as a video layer; the image element the image */
    json_t *v = nth(rp, "layerItem", 0), *im = nth(rp, "layerItem", 1);
    assert_non_null(v);
    assert_non_null(im);
    assert_null(nth(rp, "layerItem", 2)); /* "zebra" matched nothing: dropped */
    assert_string_equal(base_of(v), "ocean-waves.mp4");
    assert_string_equal(json_string_value(json_object_get(v, "type")), "video");
    assert_string_equal(base_of(im), "ocean.jpg");
    assert_string_equal(json_string_value(json_object_get(im, "type")), "image");
    /* the dropped one left one warning naming its searchFilter */
    int warned = 0;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(rp, "warnings"), i, w)
    {
        warned += strstr(json_string_value(w), "scenes[0].elements[1].searchFilter") != NULL;
        assert_null(strstr(json_string_value(w), "scenes[0].elements[1].visualUrl"));
    }
    assert_int_equal(warned, 1);
    /* the video background's searchFilter took the video */
    json_t *bg = nth(rp, "backgroundElement", 1);
    assert_string_equal(json_string_value(json_object_get(bg, "type")), "video");
    assert_string_equal(base_of(bg), "ocean-waves.mp4");

    /* rendered: red inside the centred box (96 x 54), the blue background outside it */
    sr_frame *fr = render_at(f, rp, "velib.mp4", 0.5);
    double c[3];
    sr_frame_mean_rgb(fr, 155, 85, 10, 10, c);
    assert_true(near(c, 255, 0, 0, 60));
    sr_frame_mean_rgb(fr, 155, 150, 10, 10, c); /* below the box */
    assert_true(near(c, 0, 0, 255, 60));
    sr_frame_mean_rgb(fr, 90, 85, 10, 10, c); /* left of it */
    assert_true(near(c, 0, 0, 255, 60));
    sr_frame_free(fr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brand_gradient),
        cmocka_unit_test(test_brand_kit_colors),
        cmocka_unit_test(test_video_element_from_library),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
