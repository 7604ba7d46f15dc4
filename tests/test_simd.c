/* libs: sr_render sr_frame sr_common */
/* The vector versions of the compositor's loops (SSE2, AVX2) give the
 * scalar reference's pixels bit for bit: each loop on random input, the
 * camera sampler at random sub-pixel offsets and zooms, the text mask blend at
 * random (clipped, odd) places; and the transitions that mix only the pixels
 * under their edge give the frames of the every-pixel path, with the counters
 * showing what they skipped. Levels the CPU lacks are skipped. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/compose.h"
#include "render/pixels.h"

static uint32_t g_rng = 12345;

static uint32_t rnd(void)
{
    g_rng = g_rng * 1664525u + 1013904223u;
    return g_rng >> 8;
}

static double rndf(double lo, double hi)
{
    return lo + (hi - lo) * (rnd() & 0xFFFF) / 65535.0;
}

/* random bytes, a quarter of them at the extremes 0 and 255 */
static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rnd();
        p[i] = (r & 7) == 0 ? 0 : (r & 7) == 1 ? 255 : (uint8_t)(r >> 4);
    }
}

#define N 700

/* every op of every vector level against the scalar table, at every length
 * around the vector widths and at random ones */
static void test_ops_equal(void **state)
{
    const sr_px_ops *c = sr_px_ops_of(SR_PX_SCALAR);
    assert_non_null(c);
    uint8_t x[N], y[N], a[N], r0[2 * N], r1[2 * N], d0[N], d1[N], e0[N], e1[N];
    uint16_t t[N], b[N], h0[N], h1[N];
    int32_t xi[N];
    uint16_t wx[N];
    int32_t boff[N / 8 + 2];
    uint8_t bsh[16 * (N / 8 + 2)];
    int tested = 0;
    for (int lv = SR_PX_SSE2; lv <= SR_PX_AVX2; lv++) {
        const sr_px_ops *v = sr_px_ops_of((sr_px_level)lv);
        if (!v) continue;
        tested++;
        for (int it = 0; it < 400; it++) {
            int n = it < 70 ? it + 1 : 1 + (int)(rnd() % (N - 1));
            fill(x, n);
            fill(y, n);
            fill(a, n);
            fill(r0, 2 * (size_t)n);
            fill(r1, 2 * (size_t)n);
            fill(d0, n);
            for (int i = 0; i < n; i++) {
                t[i] = (uint16_t)(rnd() % 65281);
                b[i] = (uint16_t)(rnd() % 65281);
            }
            int w = (int)(rnd() % 257), alpha = 1 + (int)(rnd() % 255), col = (int)(rnd() % 256);
            int col2 = (int)(rnd() % 256), wy = 1 + (int)(rnd() % 255);
            if (it % 7 == 0) alpha = 255;
#define BOTH(call_c, call_v)                                                                       \
    memcpy(d1, d0, (size_t)n);                                                                     \
    memcpy(e0, d0, (size_t)n);                                                                     \
    memcpy(e1, d0, (size_t)n);                                                                     \
    call_c;                                                                                        \
    call_v;
            BOTH(c->mix(e0, x, y, w, n), v->mix(e1, x, y, w, n));
            assert_memory_equal(e0, e1, n);
            BOTH(c->mask_mix(e0, x, y, a, n), v->mask_mix(e1, x, y, a, n));
            assert_memory_equal(e0, e1, n);
            BOTH(c->over(e0, x, a, n), v->over(e1, x, a, n));
            assert_memory_equal(e0, e1, n);
            BOTH(c->tint(e0, 255 - alpha, col * alpha, n), v->tint(e1, 255 - alpha, col * alpha, n));
            assert_memory_equal(e0, e1, n);
            BOTH(c->mask_luma(e0, a, col, alpha, n), v->mask_luma(e1, a, col, alpha, n));
            assert_memory_equal(e0, e1, n);
            BOTH(memcpy(x, y, (size_t)n), memcpy(d1, y, (size_t)n));
            c->mask_chroma(e0, x, r0, r1, col, col2, alpha, n);
            v->mask_chroma(e1, d1, r0, r1, col, col2, alpha, n);
            assert_memory_equal(e0, e1, n);
            assert_memory_equal(x, d1, n);
            c->vblend(e0, t, b, (uint16_t)((256 - wy) * 256), (uint16_t)(wy * 256), n);
            v->vblend(e1, t, b, (uint16_t)((256 - wy) * 256), (uint16_t)(wy * 256), n);
            assert_memory_equal(e0, e1, n);
            c->round8(e0, t, n);
            v->round8(e1, t, n);
            assert_memory_equal(e0, e1, n);
            /* the horizontal filter over a row of sw pixels at a random step */
            double step = rndf(0.2, 2.6), x0 = rndf(-1, 3);
            int sw = (int)(x0 + n * step) + 2 + (int)(rnd() % 16);
            if (sw < 2) sw = 2;
            uint8_t *row = malloc((size_t)sw);
            fill(row, (size_t)sw);
            for (int i = 0; i < n; i++) {
                int k = (int)(x0 + i * step);
                xi[i] = k < 0 ? 0 : k > sw - 2 ? sw - 2 : k;
                wx[i] = (uint16_t)(rnd() % 256);
            }
            sr_px_cols cols = {n, xi, wx, boff, bsh};
            sr_px_plan(&cols, sw);
            c->hfilter(h0, row, &cols);
            v->hfilter(h1, row, &cols);
            assert_memory_equal(h0, h1, sizeof h0[0] * (size_t)n);
            free(row);
#undef BOTH
        }
    }
    if (!tested) skip();
}

/* the sampler through each level on random planes at random positions and
 * zooms (down to 1/2.7 and up to 3x, both axes apart) */
static void test_sampler_equal(void **state)
{
    const int SW = 517, SH = 301, DW = 333, DH = 197;
    uint8_t *src = malloc((size_t)SW * SH), *ref = malloc((size_t)DW * DH), *got = malloc((size_t)DW * DH);
    sr_sampler *s = sr_sampler_create(DW);
    assert_non_null(s);
    int tested = 0;
    for (int it = 0; it < 60; it++) {
        fill(src, (size_t)SW * SH);
        double sx = rndf(0.33, 2.7), sy = it % 3 ? sx : rndf(0.33, 2.7);
        double x0 = rndf(-2, SW - DW * sx + 2), y0 = rndf(-2, SH - DH * sy + 2);
        if (it == 0) { /* the whole-pixel copy */
            sx = sy = 1.0;
            x0 = 3;
            y0 = 5;
        }
        sr_px_select(SR_PX_SCALAR);
        sr_sample_plane(s, ref, DW, DW, DH, src, SW, SW, SH, x0, y0, sx, sy);
        for (int lv = SR_PX_SSE2; lv <= SR_PX_AVX2; lv++) {
            if (sr_px_select((sr_px_level)lv) != (sr_px_level)lv) continue;
            tested++;
            memset(got, 0, (size_t)DW * DH);
            sr_sample_plane(s, got, DW, DW, DH, src, SW, SW, SH, x0, y0, sx, sy);
            if (memcmp(ref, got, (size_t)DW * DH))
                fail_msg("level %d differs at x0 %.3f y0 %.3f sx %.3f sy %.3f", lv, x0, y0, sx, sy);
        }
    }
    sr_px_select(sr_px_best());
    sr_sampler_destroy(s);
    free(src);
    free(ref);
    free(got);
    if (!tested) skip();
}

static int frames_equal(const sr_frame *a, const sr_frame *b)
{
    for (int p = 0; p < 3; p++) {
        int rows = p ? a->h / 2 : a->h, cols = p ? a->w / 2 : a->w;
        for (int r = 0; r < rows; r++)
            if (memcmp(a->data[p] + (size_t)r * a->linesize[p], b->data[p] + (size_t)r * b->linesize[p], cols))
                return 0;
    }
    return 1;
}

static void fill_frame(sr_frame *f)
{
    for (int p = 0; p < 3; p++)
        for (int r = 0; r < (p ? f->h / 2 : f->h); r++) fill(f->data[p] + (size_t)r * f->linesize[p], p ? f->w / 2 : f->w);
}

/* text masks at random places, partly outside the frame, odd offsets */
static void test_blend_mask_equal(void **state)
{
    const int FW = 200, FH = 120;
    sr_frame *base = sr_frame_alloc(FW, FH), *ref = sr_frame_alloc(FW, FH), *got = sr_frame_alloc(FW, FH);
    uint8_t mask[90 * 70];
    int tested = 0;
    for (int it = 0; it < 200; it++) {
        fill_frame(base);
        fill(mask, sizeof mask);
        int mw = 1 + (int)(rnd() % 90), mh = 1 + (int)(rnd() % 70);
        int x0 = (int)(rnd() % (FW + 60)) - 50, y0 = (int)(rnd() % (FH + 50)) - 40, al = 1 + (int)(rnd() % 255);
        if (it % 4 == 0) al = 255;
        sr_px_select(SR_PX_SCALAR);
        sr_frame_copy(ref, base);
        sr_frame_blend_mask(ref, x0, y0, mask, 90, mw, mh, 200, 60, 220, al);
        for (int lv = SR_PX_SSE2; lv <= SR_PX_AVX2; lv++) {
            if (sr_px_select((sr_px_level)lv) != (sr_px_level)lv) continue;
            tested++;
            sr_frame_copy(got, base);
            sr_frame_blend_mask(got, x0, y0, mask, 90, mw, mh, 200, 60, 220, al);
            if (!frames_equal(ref, got)) fail_msg("level %d differs: mask %dx%d at (%d,%d)", lv, mw, mh, x0, y0);
        }
    }
    sr_px_select(sr_px_best());
    sr_frame_free(base);
    sr_frame_free(ref);
    sr_frame_free(got);
    if (!tested) skip();
}

/* Every transition at progress through its length: the short path (only the
 * pixels under the edge mixed) draws the every-pixel path's frame, and the
 * wipes and the circle mix a fraction of the frame there. */
static void test_transitions_skip_equal(void **state)
{
    const int FW = 320, FH = 180;
    sr_frame *a = sr_frame_alloc(FW, FH), *b = sr_frame_alloc(FW, FH), *ref = sr_frame_alloc(FW, FH),
             *got = sr_frame_alloc(FW, FH);
    fill_frame(a);
    fill_frame(b);
    const int64_t total = (int64_t)FW * FH * 3 / 2;
    for (int t = 0; t < sr_ntransitions; t++) {
        const char *name = sr_transitions[t].name;
        int edge = !strncmp(name, "wipe", 4) || !strcmp(name, "circlecrop") || !strcmp(name, "radial");
        for (int k = 0; k <= 10; k++) {
            double p = k / 10.0 + (k > 0 && k < 10 ? 0.013 : 0);
            sr_px_set_skip(0);
            *sr_px_counters_get() = (sr_px_counters){0};
            sr_transitions[t].fn(ref, a, b, p);
            int64_t full_mixed = sr_px_counters_get()->mixed;
            sr_px_set_skip(1);
            *sr_px_counters_get() = (sr_px_counters){0};
            sr_transitions[t].fn(got, a, b, p);
            sr_px_counters c = *sr_px_counters_get();
            if (!frames_equal(ref, got)) fail_msg("%s at %.3f: the short path differs", name, p);
            if (edge && k > 0 && k < 10) {
                if (full_mixed != total) fail_msg("%s at %.3f: the long path mixed %lld", name, p, (long long)full_mixed);
                if (c.mixed + c.copied != total || c.mixed > total / 3)
                    fail_msg("%s at %.3f: mixed %lld copied %lld of %lld", name, p, (long long)c.mixed,
                             (long long)c.copied, (long long)total);
            }
        }
    }
    sr_frame_free(a);
    sr_frame_free(b);
    sr_frame_free(ref);
    sr_frame_free(got);
}

/* the level named by STORYREEL_SIMD is the one used (never above the CPU's) */
static void test_select(void **state)
{
    sr_px_level best = sr_px_best();
    assert_int_equal(sr_px_select(SR_PX_SCALAR), SR_PX_SCALAR);
    assert_string_equal(sr_px()->name, "scalar");
    assert_int_equal(sr_px_select(SR_PX_AVX2), best);
    assert_ptr_equal(sr_px(), sr_px_ops_of(best));
    assert_null(best < SR_PX_AVX2 ? sr_px_ops_of(SR_PX_AVX2) : NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_equal),        cmocka_unit_test(test_sampler_equal),
        cmocka_unit_test(test_blend_mask_equal), cmocka_unit_test(test_transitions_skip_equal),
        cmocka_unit_test(test_select),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
