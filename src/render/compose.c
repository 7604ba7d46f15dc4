/* compose.c - the compositor's per-frame primitives: the camera (bilinear
 * sampling of a pre-scaled still), tints, and premultiplied alpha layers. The
 * hot loops work on one plane at a time with row pointers and integer
 * weights, so the compiler can keep them tight. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include "render/compose.h"
#include "render/pixels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

/* ------------------------------------------------------------------ camera */

struct sr_sampler {
    int max_w;
    sr_px_cols cols; /* the column plan: source column and weight of each output column */
    uint16_t *h[2];  /* horizontally filtered source rows (value x 256) */
    int hrow[2];     /* which source row each holds, -1: none */
};

sr_sampler *sr_sampler_create(int max_w)
{
    sr_sampler *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    size_t nb = (size_t)max_w / 8 + 2;
    s->max_w = max_w;
    s->cols.xi = malloc(sizeof *s->cols.xi * (size_t)max_w);
    s->cols.wx = malloc(sizeof *s->cols.wx * (size_t)max_w);
    s->cols.blk_off = malloc(sizeof *s->cols.blk_off * nb);
    s->cols.blk_shuf = malloc(16 * nb);
    s->h[0] = malloc(sizeof *s->h[0] * (size_t)max_w * 2);
    if (!s->cols.xi || !s->cols.wx || !s->cols.blk_off || !s->cols.blk_shuf || !s->h[0]) {
        sr_sampler_destroy(s);
        return NULL;
    }
    s->h[1] = s->h[0] + max_w;
    return s;
}

void sr_sampler_destroy(sr_sampler *s)
{
    if (!s) return;
    free(s->cols.xi);
    free(s->cols.wx);
    free(s->cols.blk_off);
    free(s->cols.blk_shuf);
    free(s->h[0]);
    free(s);
}

/* The source index and 8-bit fraction of position pos on an axis of n samples. */
static inline void axis_pos(double pos, int n, int32_t *idx, int *w)
{
    if (pos < 0) pos = 0;
    if (pos > n - 1) pos = n - 1;
    int i = (int)pos;
    if (i > n - 2) i = n - 2 < 0 ? 0 : n - 2;
    int f = (int)lrint((pos - i) * 256.0);
    /* keep the fraction in 0..255: a weight of 256 overflows the 16-bit
     * vertical weights (it drew black rows) */
    if (f > 255) {
        if (i < n - 2) {
            i++;
            f = 0;
        } else {
            f = 255;
        }
    }
    if (n < 2) f = 0;
    *idx = i;
    *w = f;
}

/* Source row y, horizontally filtered, through the two-row cache; the row
 * keep (the other one needed now) is not evicted. */
static const uint16_t *hrow(sr_sampler *s, const sr_px_ops *px, const uint8_t *src, int sls, int y, int keep)
{
    if (s->hrow[0] == y) return s->h[0];
    if (s->hrow[1] == y) return s->h[1];
    int k = s->hrow[0] == keep ? 1 : 0;
    px->hfilter(s->h[k], src + (size_t)y * sls, &s->cols);
    s->hrow[k] = y;
    return s->h[k];
}

void sr_sample_plane(sr_sampler *s, uint8_t *dst, int dls, int dw, int dh, const uint8_t *src,
                     int sls, int sw, int sh, double x0, double y0, double sx, double sy)
{
    /* whole-pixel copy when the view is unscaled and aligned */
    if (fabs(sx - 1) < 1e-9 && fabs(sy - 1) < 1e-9 && fabs(x0 - lrint(x0)) < 1e-6 &&
        fabs(y0 - lrint(y0)) < 1e-6 && x0 > -0.5 && y0 > -0.5 && lrint(x0) + dw <= sw &&
        lrint(y0) + dh <= sh) {
        long xo = lrint(x0), yo = lrint(y0);
        for (int j = 0; j < dh; j++)
            memcpy(dst + (size_t)j * dls, src + (size_t)(yo + j) * sls + xo, (size_t)dw);
        return;
    }
    if (dw > s->max_w) dw = s->max_w;
    for (int i = 0; i < dw; i++) {
        int w;
        axis_pos(x0 + (i + 0.5) * sx - 0.5, sw, &s->cols.xi[i], &w);
        s->cols.wx[i] = (uint16_t)w;
    }
    s->cols.n = dw;
    sr_px_plan(&s->cols, sw);
    s->hrow[0] = s->hrow[1] = -1;
    const sr_px_ops *px = sr_px();
    sr_px_counters_get()->sampled += (int64_t)dw * dh;
    /* separable: each source row is filtered horizontally once, then output
     * rows are a vertical blend of two filtered rows */
    for (int j = 0; j < dh; j++) {
        int32_t yi;
        int wy;
        axis_pos(y0 + (j + 0.5) * sy - 0.5, sh, &yi, &wy);
        uint8_t *d = dst + (size_t)j * dls;
        const uint16_t *t = hrow(s, px, src, sls, yi, yi + 1);
        if (wy == 0 || sh < 2) {
            px->round8(d, t, dw);
            continue;
        }
        const uint16_t *b = hrow(s, px, src, sls, yi + 1, yi);
        /* 16-bit lanes: high halves of 16x16 products (weights in 1/65536) */
        px->vblend(d, t, b, (uint16_t)((256 - wy) * 256), (uint16_t)(wy * 256), dw);
    }
}

double sr_motion_max_zoom(const sr_motion *m)
{
    if (!m) return 1.0;
    double z = m->z0 > m->z1 ? m->z0 : m->z1;
    if (z < 1) z = 1;
    if (z > SR_MAX_ZOOM) z = SR_MAX_ZOOM;
    return z;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void sr_draw_view(sr_sampler *s, sr_frame *dst, const sr_frame *pic, double prescale,
                  const sr_motion *m, double u)
{
    double z = 1, cx = 0.5, cy = 0.5;
    if (m) {
        u = clampd(u, 0, 1);
        double e = u * u * (3 - 2 * u);
        z = clampd(m->z0 + (m->z1 - m->z0) * e, 1, SR_MAX_ZOOM);
        cx = m->x0 + (m->x1 - m->x0) * e;
        cy = m->y0 + (m->y1 - m->y0) * e;
    }
    double step = prescale / z;
    /* the window, in picture pixels, kept inside the picture */
    double ww = dst->w * step, wh = dst->h * step;
    double ccx = cx * pic->w, ccy = cy * pic->h;
    ccx = ww >= pic->w ? pic->w / 2.0 : clampd(ccx, ww / 2, pic->w - ww / 2);
    ccy = wh >= pic->h ? pic->h / 2.0 : clampd(ccy, wh / 2, pic->h - wh / 2);
    double x0 = ccx - ww / 2, y0 = ccy - wh / 2;
    sr_sample_plane(s, dst->data[0], dst->linesize[0], dst->w, dst->h, pic->data[0],
                    pic->linesize[0], pic->w, pic->h, x0, y0, step, step);
    for (int p = 1; p < 3; p++)
        sr_sample_plane(s, dst->data[p], dst->linesize[p], dst->w / 2, dst->h / 2, pic->data[p],
                        pic->linesize[p], pic->w / 2, pic->h / 2, x0 / 2, y0 / 2, step, step);
}

void sr_frame_tint(sr_frame *f, uint8_t cy, uint8_t cu, uint8_t cv, int alpha)
{
    if (alpha <= 0) return;
    if (alpha > 255) alpha = 255;
    const uint8_t col[3] = {cy, cu, cv};
    for (int p = 0; p < 3; p++) {
        int rows = p ? f->h / 2 : f->h, cols = p ? f->w / 2 : f->w;
        int add = col[p] * alpha, keep = 255 - alpha;
        for (int r = 0; r < rows; r++) sr_px()->tint(f->data[p] + (size_t)r * f->linesize[p], keep, add, cols);
    }
}

/* ------------------------------------------------------------------ layers */

struct sr_layer {
    int w, h;
    uint8_t *y, *a;       /* premultiplied luma and alpha, w x h */
    uint8_t *u, *v, *ca;  /* premultiplied chroma and its alpha, w/2 x h/2 */
};

void sr_layer_destroy(sr_layer *l)
{
    if (!l) return;
    free(l->y);
    free(l);
}

int sr_layer_from_frame(sr_layer **out, const AVFrame *src, int w, int h, double opacity,
                        sr_err *err)
{
    int rc = 0;
    struct SwsContext *a = NULL, *b = NULL;
    uint8_t *full[4] = {NULL}, *sc[4] = {NULL};
    int full_ls[4], sc_ls[4];
    sr_layer *l = NULL;
    *out = NULL;
    w = (w + 1) & ~1;
    h = (h + 1) & ~1;
    if (w < 2) w = 2;
    if (h < 2) h = 2;
    int op = (int)lrint(clampd(opacity, 0, 1) * 256);

    l = calloc(1, sizeof *l);
    size_t ny = (size_t)w * h, nc = ny / 4;
    if (!l || !(l->y = malloc(2 * ny + 3 * nc)) ||
        av_image_alloc(full, full_ls, src->width, src->height, AV_PIX_FMT_RGBA, 64) < 0 ||
        av_image_alloc(sc, sc_ls, w, h, AV_PIX_FMT_RGBA, 64) < 0) {
        rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory for a %dx%d layer.", w, h);
        goto done;
    }
    l->w = w;
    l->h = h;
    l->a = l->y + ny;
    l->u = l->a + ny;
    l->v = l->u + nc;
    l->ca = l->v + nc;
    a = sws_getContext(src->width, src->height, src->format, src->width, src->height,
                       AV_PIX_FMT_RGBA, SWS_POINT | SWS_ACCURATE_RND, NULL, NULL, NULL);
    b = sws_getContext(src->width, src->height, AV_PIX_FMT_RGBA, w, h, AV_PIX_FMT_RGBA,
                       SWS_BICUBIC | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!a || !b) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, "", "The layer's picture format cannot be converted.");
        goto done;
    }
    sws_scale(a, (const uint8_t *const *)src->data, src->linesize, 0, src->height, full, full_ls);
    /* premultiply before scaling, so transparent pixels add no colour */
    for (int y = 0; y < src->height; y++) {
        uint8_t *p = full[0] + (size_t)y * full_ls[0];
        for (int x = 0; x < src->width; x++, p += 4)
            for (int k = 0; k < 3; k++) p[k] = (uint8_t)sr_div255(p[k] * p[3]);
    }
    sws_scale(b, (const uint8_t *const *)full, full_ls, 0, src->height, sc, sc_ls);
    /* to premultiplied YUVA: luma per pixel, chroma from 2x2 alpha-weighted sums */
    for (int y = 0; y < h; y += 2)
        for (int x = 0; x < w; x += 2) {
            int sa = 0, su = 0, sv = 0;
            for (int k = 0; k < 4; k++) {
                int xx = x + (k & 1), yy = y + (k >> 1);
                const uint8_t *p = sc[0] + (size_t)yy * sc_ls[0] + 4 * xx;
                int al = (p[3] * op + 128) >> 8;
                uint8_t Y = 16, U = 128, V = 128;
                if (al > 0) {
                    int rgb[3];
                    for (int c = 0; c < 3; c++) {
                        int pc = p[c] > p[3] ? p[3] : p[c];
                        rgb[c] = p[3] ? (pc * 255 + p[3] / 2) / p[3] : 0;
                    }
                    sr_rgb_to_yuv(rgb[0], rgb[1], rgb[2], &Y, &U, &V);
                }
                l->y[(size_t)yy * w + xx] = (uint8_t)sr_div255(Y * al);
                l->a[(size_t)yy * w + xx] = (uint8_t)al;
                sa += al;
                su += U * al;
                sv += V * al;
            }
            size_t ci = (size_t)(y / 2) * (w / 2) + x / 2;
            l->ca[ci] = (uint8_t)((sa + 2) / 4);
            l->u[ci] = (uint8_t)((su + 510) / 1020);
            l->v[ci] = (uint8_t)((sv + 510) / 1020);
        }
    *out = l;
    l = NULL;
done:
    av_freep(&full[0]);
    av_freep(&sc[0]);
    sws_freeContext(a);
    sws_freeContext(b);
    sr_layer_destroy(l);
    return rc;
}

int sr_layer_create(sr_layer **out, const char *path, const char *field, int w, int h,
                    double opacity, sr_err *err)
{
    AVFrame *fr = NULL;
    *out = NULL;
    int rc = sr_image_decode(path, field, &fr, err);
    if (rc == 0) {
        rc = sr_layer_from_frame(out, fr, w, h, opacity, err);
        if (rc) sr_err_set(err, rc, field ? field : path, "The image %s cannot be used.", path);
    }
    av_frame_free(&fr);
    return rc;
}

/* Blends rows of premultiplied values: d = d * (255 - a) / 255 + pre. */
static void blend_rows(uint8_t *dst, int dls, const uint8_t *pre, const uint8_t *al, int sls,
                       int cols, int rows)
{
    const sr_px_ops *px = sr_px();
    for (int r = 0; r < rows; r++)
        px->over(dst + (size_t)r * dls, pre + (size_t)r * sls, al + (size_t)r * sls, cols);
}

void sr_layer_blend(const sr_layer *l, sr_frame *f, int x, int y)
{
    x &= ~1;
    y &= ~1;
    int sx = x < 0 ? -x : 0, sy = y < 0 ? -y : 0;
    int ex = x + l->w > f->w ? f->w - x : l->w, ey = y + l->h > f->h ? f->h - y : l->h;
    if (sx >= ex || sy >= ey) return;
    size_t lo = (size_t)sy * l->w + sx;
    blend_rows(f->data[0] + (size_t)(y + sy) * f->linesize[0] + x + sx, f->linesize[0],
               l->y + lo, l->a + lo, l->w, ex - sx, ey - sy);
    size_t co = (size_t)(sy / 2) * (l->w / 2) + sx / 2;
    for (int p = 1; p < 3; p++)
        blend_rows(f->data[p] + (size_t)((y + sy) / 2) * f->linesize[p] + (x + sx) / 2,
                   f->linesize[p], (p == 1 ? l->u : l->v) + co, l->ca + co, l->w / 2,
                   (ex - sx) / 2, (ey - sy) / 2);
}
