/* pixels.h - (private to the engine) the compositor's per-pixel loops, each
 * in a scalar, an SSE2 and an AVX2 version behind one table of function
 * pointers, picked at run time from what the CPU supports.
 *
 * Every version computes the same integer formula, so the results are bit
 * identical (tests/test_simd.c checks it on random input). The scalar table
 * is the reference and the fallback on other architectures.
 *
 * The level is chosen once, on first use: the best the CPU has, lowered by
 * the environment variable STORYREEL_SIMD=scalar|sse2|avx2 (a level the CPU
 * lacks is never used). sr_px_select() changes it (tests, benchmarks); call
 * it while no frame is being drawn. */
#ifndef SR_PIXELS_H
#define SR_PIXELS_H

#include <stdint.h>

typedef enum { SR_PX_SCALAR = 0, SR_PX_SSE2 = 1, SR_PX_AVX2 = 2 } sr_px_level;

/* A horizontal resampling plan for one row width: output column i blends
 * source columns xi[i] and xi[i] + 1 with weight wx[i] (0..255) toward the
 * right one. blk_off/blk_shuf are filled by sr_px_plan for the vector
 * versions: per block of 8 outputs, the offset of a 16-byte source window
 * that holds all their pairs (-1: none does) and the byte of each left sample
 * in it (16 bytes: lo = index, hi = 0x80). */
typedef struct sr_px_cols {
    int n;
    int32_t *xi;
    uint16_t *wx;
    int32_t *blk_off;  /* (n + 7) / 8 entries + 1 */
    uint8_t *blk_shuf; /* 16 bytes per block */
} sr_px_cols;

/* Fills c's block tables from c->xi for source rows of sw pixels. */
void sr_px_plan(sr_px_cols *c, int sw);

typedef struct sr_px_ops {
    const char *name;
    /* h[i] = 256 * r[xi] + (r[xi + 1] - r[xi]) * wx[i], i < c->n */
    void (*hfilter)(uint16_t *h, const uint8_t *r, const sr_px_cols *c);
    /* d[i] = ((t[i] * w0 >> 16) + (b[i] * w1 >> 16) + 128) >> 8, w0 + w1 <= 65536 */
    void (*vblend)(uint8_t *d, const uint16_t *t, const uint16_t *b, uint16_t w0, uint16_t w1, int n);
    /* d[i] = (t[i] + 128) >> 8 */
    void (*round8)(uint8_t *d, const uint16_t *t, int n);
    /* o[i] = (x[i] * (256 - w) + y[i] * w + 128) >> 8, w 0..256 */
    void (*mix)(uint8_t *o, const uint8_t *x, const uint8_t *y, int w, int n);
    /* o[i] = div255(x[i] * (255 - a[i]) + y[i] * a[i]) */
    void (*mask_mix)(uint8_t *o, const uint8_t *x, const uint8_t *y, const uint8_t *a, int n);
    /* d[i] = min(255, div255(d[i] * (255 - a[i])) + p[i]): premultiplied over */
    void (*over)(uint8_t *d, const uint8_t *p, const uint8_t *a, int n);
    /* d[i] = div255(d[i] * keep + add), keep 0..255, add <= 255 * (255 - keep) */
    void (*tint)(uint8_t *d, int keep, int add, int n);
    /* text luma: a = div255(m[i] * alpha); d[i] = (d[i] * (255 - a) + c * a + 127) / 255 */
    void (*mask_luma)(uint8_t *d, const uint8_t *m, int c, int alpha, int n);
    /* text chroma of n 2x2 blocks: s = r0[2i] + r0[2i+1] + r1[2i] + r1[2i+1],
     * a = (s * alpha * 257 + 131584) >> 18; du, dv move toward cu, cv by a as in mask_luma */
    void (*mask_chroma)(uint8_t *du, uint8_t *dv, const uint8_t *r0, const uint8_t *r1, int cu, int cv,
                        int alpha, int n);
} sr_px_ops;

/* The table in use (never NULL). */
const sr_px_ops *sr_px(void);
/* The table of level l, or NULL when the CPU (or the build) lacks it. */
const sr_px_ops *sr_px_ops_of(sr_px_level l);
/* Uses level l (or the best below it the CPU has) from now on; returns the
 * level in use. */
sr_px_level sr_px_select(sr_px_level l);
/* The best level the CPU has. */
sr_px_level sr_px_best(void);

/* Work counters of the calling thread (pixels each path produced), for
 * profiles and for tests that check that work was skipped. */
typedef struct sr_px_counters {
    int64_t sampled;      /* camera pixels resampled */
    int64_t mixed;        /* transition pixels blended */
    int64_t copied;       /* transition pixels copied whole from one scene */
    int64_t stills_drawn; /* scene pictures composited from scratch */
    int64_t stills_reused; /* scene pictures taken from the still cache */
} sr_px_counters;
sr_px_counters *sr_px_counters_get(void); /* the calling thread's; reset by zeroing */

/* Whether the compositor skips work whose result it knows (a still scene's
 * picture kept, transition pixels outside the mix copied): on unless the
 * environment has STORYREEL_NO_SKIP=1; for the whole process. Off, every
 * pixel is drawn the long way: the reference that tests compare the short
 * way with. */
int sr_px_skip(void);
void sr_px_set_skip(int on);

#endif
