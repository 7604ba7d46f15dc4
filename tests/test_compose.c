/* libs: sr_render sr_frame sr_common */
/* The compositor's primitives on real decoded pictures: colour, camera motion,
 * tint and alpha layers, as a viewer would see them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libavutil/frame.h>

#include "render/compose.h"
#include "support/fixtures.h"

#define W 320
#define H 180

static char *g_dir;

static int setup(void **state)
{
    g_dir = sr_test_tmpdir();
    return g_dir ? 0 : -1;
}

static int teardown(void **state)
{
    sr_test_rmdir(g_dir);
    free(g_dir);
    return 0;
}

/* decodes path and pre-scales it to cover a W x H frame times zoom */
static sr_frame *load_cover(const char *path, double zoom)
{
    AVFrame *fr = NULL;
    sr_err err = {0};
    assert_int_equal(sr_image_decode(path, "test", &fr, &err), 0);
    int pw, ph;
    sr_scaled_size(fr->width, fr->height, sr_cover_scale(fr->width, fr->height, W, H) * zoom, &pw, &ph);
    sr_frame *pic = NULL;
    assert_int_equal(sr_image_to_yuv(fr, pw, ph, &pic, &err), 0);
    av_frame_free(&fr);
    return pic;
}

static void assert_rgb_near(const double got[3], double r, double g, double b, double tol)
{
    if (fabs(got[0] - r) > tol || fabs(got[1] - g) > tol || fabs(got[2] - b) > tol)
        fail_msg("colour (%.1f,%.1f,%.1f), expected (%.1f,%.1f,%.1f) +- %.1f", got[0], got[1], got[2],
                 r, g, b, tol);
}

/* a still of one colour, of another aspect ratio, covers the frame in that colour */
static void test_color_background(void **state)
{
    const char *img = sr_test_path(g_dir, "orange.png");
    assert_int_equal(sr_test_write_image(img, 200, 200, 230, 120, 30, 255), 0);
    sr_frame *pic = load_cover(img, 1.0);
    assert_int_equal(pic->w, W);
    sr_frame *f = sr_frame_alloc(W, H);
    sr_sampler *s = sr_sampler_create(W);
    sr_frame_fill(f, 16, 128, 128);
    sr_draw_view(s, f, pic, 1.0, NULL, 0);
    double rgb[3];
    sr_frame_mean_rgb(f, 0, 0, W, H, rgb);
    assert_rgb_near(rgb, 230, 120, 30, 4);
    sr_frame_mean_rgb(f, 0, 0, 4, 4, rgb); /* corners too: covered, no border */
    assert_rgb_near(rgb, 230, 120, 30, 4);
    sr_frame_mean_rgb(f, W - 4, H - 4, 4, 4, rgb);
    assert_rgb_near(rgb, 230, 120, 30, 4);
    /* a JPEG (BT.601 full range inside) comes out in BT.709 limited range */
    sr_frame_free(pic);
    img = sr_test_path(g_dir, "blue.jpg");
    assert_int_equal(sr_test_write_image(img, 400, 300, 40, 70, 200, 255), 0);
    pic = load_cover(img, 1.0);
    sr_draw_view(s, f, pic, 1.0, NULL, 0);
    sr_frame_mean_rgb(f, 0, 0, W, H, rgb);
    assert_rgb_near(rgb, 40, 70, 200, 4);
    sr_sampler_destroy(s);
    sr_frame_free(f);
    sr_frame_free(pic);
}

/* luma-weighted centroid of bright pixels */
static void centroid(const sr_frame *f, double *cx, double *cy)
{
    double sx = 0, sy = 0, sw = 0;
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            int v = f->data[0][(size_t)y * f->linesize[0] + x] - 16;
            if (v < 20) continue;
            sx += (double)v * x;
            sy += (double)v * y;
            sw += v;
        }
    *cx = sw ? sx / sw : -1;
    *cy = sw ? sy / sw : -1;
}

/* a pan moves a white square smoothly: monotonically, sub-pixel, where expected */
static void test_motion_smooth(void **state)
{
    const char *img = sr_test_path(g_dir, "square.png");
    /* 640x360: covers 320x180 at scale 0.5; the square's centre is at (320,180) */
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i color=c=black:s=640x360 -vf "
                                "drawbox=x=300:y=160:w=40:h=40:color=white:t=fill -frames:v 1 '%s'",
                                img),
                     0);
    sr_motion m = {.z0 = 1.5, .z1 = 1.5, .x0 = 0.45, .y0 = 0.5, .x1 = 0.55, .y1 = 0.5};
    double zmax = sr_motion_max_zoom(&m);
    assert_true(fabs(zmax - 1.5) < 1e-9);
    sr_frame *pic = load_cover(img, zmax);
    sr_frame *f = sr_frame_alloc(W, H);
    sr_sampler *s = sr_sampler_create(W);
    double prev = 1e9;
    int fractional = 0, n = 24;
    for (int i = 0; i <= n; i++) {
        double u = (double)i / n, e = u * u * (3 - 2 * u);
        sr_draw_view(s, f, pic, zmax, &m, u);
        double cx, cy;
        centroid(f, &cx, &cy);
        /* square centre 160 in covered coords; the view centre moves right */
        double view = (0.45 + 0.10 * e) * 320;
        double expect = (160 - view) * 1.5 + W / 2.0;
        if (fabs(cx - expect) > 0.6) fail_msg("frame %d: centroid %.2f, expected %.2f", i, cx, expect);
        assert_true(fabs(cy - H / 2.0 + 0.5) < 1.0);
        if (i > 0 && !(cx < prev)) fail_msg("frame %d: centroid %.3f did not move left of %.3f", i, cx, prev);
        if (fabs(cx - floor(cx + 0.5)) > 0.1) fractional++;
        prev = cx;
    }
    assert_true(fractional > 0); /* sub-pixel positions, not whole-pixel jumps */
    sr_sampler_destroy(s);
    sr_frame_free(f);
    sr_frame_free(pic);
}

/* a zoom keeps the square centred and makes it bigger */
static void test_motion_zoom(void **state)
{
    const char *img = sr_test_path(g_dir, "square2.png");
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i color=c=black:s=640x360 -vf "
                                "drawbox=x=300:y=160:w=40:h=40:color=white:t=fill -frames:v 1 '%s'",
                                img),
                     0);
    sr_motion m = {.z0 = 1.0, .z1 = 2.0, .x0 = 0.5, .y0 = 0.5, .x1 = 0.5, .y1 = 0.5};
    sr_frame *pic = load_cover(img, 2.0);
    sr_frame *f = sr_frame_alloc(W, H);
    sr_sampler *s = sr_sampler_create(W);
    int last = 0;
    for (int i = 0; i <= 4; i++) {
        sr_draw_view(s, f, pic, 2.0, &m, i / 4.0);
        int bright = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) bright += f->data[0][(size_t)y * f->linesize[0] + x] > 128;
        double cx, cy;
        centroid(f, &cx, &cy);
        assert_true(fabs(cx - (W / 2.0 - 0.5)) < 0.6);
        assert_true(bright > last);
        last = bright;
    }
    /* at zoom 2 the 20x20 covered square is 40x40 on screen */
    assert_true(abs(last - 1600) < 120);
    sr_sampler_destroy(s);
    sr_frame_free(f);
    sr_frame_free(pic);
}

/* a 40% black overlay darkens the picture to 60% */
static void test_color_overlay(void **state)
{
    sr_frame *f = sr_frame_alloc(W, H);
    uint8_t y, u, v, ky, ku, kv;
    sr_rgb_to_yuv(200, 200, 200, &y, &u, &v);
    sr_frame_fill(f, y, u, v);
    sr_rgb_to_yuv(0, 0, 0, &ky, &ku, &kv);
    sr_frame_tint(f, ky, ku, kv, (int)lrint(0.4 * 255));
    double rgb[3];
    sr_frame_mean_rgb(f, 0, 0, W, H, rgb);
    assert_rgb_near(rgb, 120, 120, 120, 3);
    /* a red tint moves the colour toward red */
    sr_rgb_to_yuv(255, 0, 0, &ky, &ku, &kv);
    sr_frame_fill(f, y, u, v);
    sr_frame_tint(f, ky, ku, kv, 128);
    sr_frame_mean_rgb(f, 0, 0, W, H, rgb);
    assert_rgb_near(rgb, 227, 100, 100, 4);
    sr_frame_free(f);
}

/* a half-transparent red logo over blue mixes in its box and leaves the rest */
static void test_logo_blend(void **state)
{
    const char *img = sr_test_path(g_dir, "logo.png");
    assert_int_equal(sr_test_write_image(img, 120, 60, 255, 0, 0, 128), 0);
    sr_layer *l = NULL;
    sr_err err = {0};
    assert_int_equal(sr_layer_create(&l, img, "logo", 64, 32, 1.0, &err), 0);
    sr_frame *f = sr_frame_alloc(W, H);
    uint8_t y, u, v;
    sr_rgb_to_yuv(0, 0, 255, &y, &u, &v);
    sr_frame_fill(f, y, u, v);
    sr_layer_blend(l, f, 200, 20);
    double rgb[3];
    sr_frame_mean_rgb(f, 204, 24, 56, 24, rgb);
    assert_rgb_near(rgb, 128, 0, 127, 8);
    /* outside the box: exactly the background */
    int bad = 0;
    for (int yy = 0; yy < H; yy++)
        for (int xx = 0; xx < W; xx++) {
            if (xx >= 200 && xx < 264 && yy >= 20 && yy < 52) continue;
            uint8_t c[3];
            sr_frame_get_rgb(f, xx, yy, c);
            bad += c[0] > 2 || c[1] > 2 || c[2] < 252;
        }
    assert_int_equal(bad, 0);
    /* opacity 0.5 halves the logo's weight again */
    sr_layer_destroy(l);
    assert_int_equal(sr_layer_create(&l, img, "logo", 64, 32, 0.5, &err), 0);
    sr_frame_fill(f, y, u, v);
    sr_layer_blend(l, f, 200, 20);
    sr_frame_mean_rgb(f, 204, 24, 56, 24, rgb);
    assert_rgb_near(rgb, 64, 0, 191, 8);
    /* clipped at the frame's edge without harm */
    sr_layer_blend(l, f, W - 10, H - 10);
    sr_layer_blend(l, f, -30, -20);
    sr_layer_destroy(l);
    sr_frame_free(f);
}

/* a truncated image fails, naming the file */
static void test_truncated_image(void **state)
{
    const char *img = sr_test_path(g_dir, "big.jpg");
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i testsrc2=s=640x360 -frames:v 1 '%s'", img), 0);
    assert_int_equal(sr_test_sh("truncate -s 3000 '%s'", img), 0);
    AVFrame *fr = NULL;
    sr_err err = {0};
    int rc = sr_image_decode(img, "elements[0].url", &fr, &err);
    assert_int_equal(rc, SR_EMEDIA_INVALID);
    assert_null(fr);
    assert_non_null(strstr(err.msg, "big.jpg"));
    sr_err_clear(&err);
    assert_int_equal(sr_image_decode(sr_test_path(g_dir, "missing.png"), "x", &fr, &err), SR_EMEDIA_NOT_FOUND);
}

/* A flat picture stays flat at every sub-pixel offset and scale: no row or
 * column may come out dark (a weight of 256 once overflowed to black rows). */
static void test_sampler_flat_at_all_offsets(void **state)
{
    (void)state;
    enum { SW = 97, SH = 61, DW = 64, DH = 40 };
    uint8_t src[SW * SH], dst[DW * DH];
    memset(src, 180, sizeof src);
    sr_sampler *s = sr_sampler_create(DW);
    assert_non_null(s);
    for (int k = 0; k < 2000; k++) {
        double sc = 0.8 + (k % 37) * 0.01;
        double x0 = (k * 0.0137) - (int)(k * 0.0137), y0 = (k * 0.00391) * 7 - (int)((k * 0.00391) * 7);
        sr_sample_plane(s, dst, DW, DW, DH, src, SW, SW, SH, x0, y0 + (k % 5) * 0.999, sc, sc);
        for (int i = 0; i < DW * DH; i++)
            if (dst[i] < 179 || dst[i] > 181) fail_msg("pixel %d = %d at step %d", i, dst[i], k);
    }
    sr_sampler_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_color_background), cmocka_unit_test(test_sampler_flat_at_all_offsets), cmocka_unit_test(test_motion_smooth),
        cmocka_unit_test(test_motion_zoom),      cmocka_unit_test(test_color_overlay),
        cmocka_unit_test(test_logo_blend),       cmocka_unit_test(test_truncated_image),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
