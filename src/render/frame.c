#include "render/frame.h"
#include "render/pixels.h"

#include <stdlib.h>
#include <string.h>

static int align64(int v)
{
    return (v + 63) & ~63;
}

sr_frame *sr_frame_alloc(int w, int h)
{
    if (w <= 0 || h <= 0 || (w & 1) || (h & 1) || w > 16384 || h > 16384) return NULL;
    sr_frame *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    int ly = align64(w), lc = align64(w / 2);
    size_t sy = (size_t)ly * h, sc = (size_t)lc * (h / 2);
    /* one extra row of padding per plane keeps SIMD-friendly over-reads safe */
    f->mem = aligned_alloc(64, sy + 2 * sc + 3 * 64 + ly);
    if (!f->mem) {
        free(f);
        return NULL;
    }
    uint8_t *p = f->mem;
    f->w = w;
    f->h = h;
    f->data[0] = p;
    f->data[1] = p + sy;
    f->data[2] = p + sy + sc;
    f->linesize[0] = ly;
    f->linesize[1] = f->linesize[2] = lc;
    return f;
}

void sr_frame_free(sr_frame *f)
{
    if (!f) return;
    free(f->mem);
    free(f);
}

void sr_frame_fill(sr_frame *f, uint8_t y, uint8_t u, uint8_t v)
{
    for (int r = 0; r < f->h; r++) memset(f->data[0] + (size_t)r * f->linesize[0], y, f->w);
    for (int r = 0; r < f->h / 2; r++) {
        memset(f->data[1] + (size_t)r * f->linesize[1], u, f->w / 2);
        memset(f->data[2] + (size_t)r * f->linesize[2], v, f->w / 2);
    }
}

void sr_frame_copy(sr_frame *dst, const sr_frame *src)
{
    for (int p = 0; p < 3; p++) {
        int rows = p ? src->h / 2 : src->h, cols = p ? src->w / 2 : src->w;
        for (int r = 0; r < rows; r++)
            memcpy(dst->data[p] + (size_t)r * dst->linesize[p],
                   src->data[p] + (size_t)r * src->linesize[p], cols);
    }
}

static uint8_t clamp8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

void sr_rgb_to_yuv(int r, int g, int b, uint8_t *y, uint8_t *u, uint8_t *v)
{
    /* BT.709, limited range, 16.16 fixed point */
    int Y = (int)((0.2126 * 219 / 255 * 65536) * r +
                  (0.7152 * 219 / 255 * 65536) * g + (0.0722 * 219 / 255 * 65536) * b);
    int U = (int)((-0.2126 / 1.8556 * 224 / 255 * 65536) * r +
                  (-0.7152 / 1.8556 * 224 / 255 * 65536) * g + (0.5 * 224 / 255 * 65536) * b);
    int V = (int)((0.5 * 224 / 255 * 65536) * r + (-0.7152 / 1.5748 * 224 / 255 * 65536) * g +
                  (-0.0722 / 1.5748 * 224 / 255 * 65536) * b);
    *y = clamp8(16 + ((Y + 32768) >> 16));
    *u = clamp8(128 + ((U + 32768) >> 16));
    *v = clamp8(128 + ((V + 32768) >> 16));
}

void sr_yuv_to_rgb(int y, int u, int v, uint8_t *r, uint8_t *g, uint8_t *b)
{
    double Y = (y - 16) * 255.0 / 219, U = (u - 128) * 255.0 / 224, V = (v - 128) * 255.0 / 224;
    *r = clamp8((int)(Y + 1.5748 * V + 0.5));
    *g = clamp8((int)(Y - 0.1873 * U - 0.4681 * V + 0.5));
    *b = clamp8((int)(Y + 1.8556 * U + 0.5));
}

/* d moved toward c by a/255 (a 0..255), rounded. */
static inline uint8_t mix8(int d, int c, int a)
{
    return (uint8_t)((d * (255 - a) + c * a + 127) / 255);
}

void sr_frame_blend_mask(sr_frame *f, int x0, int y0, const uint8_t *mask, int stride, int w, int h,
                         uint8_t cy, uint8_t cu, uint8_t cv, int alpha)
{
    if (alpha <= 0 || w <= 0 || h <= 0) return;
    if (alpha > 255) alpha = 255;
    int xs = x0 < 0 ? -x0 : 0, ys = y0 < 0 ? -y0 : 0;
    int xe = x0 + w > f->w ? f->w - x0 : w, ye = y0 + h > f->h ? f->h - y0 : h;
    if (xs >= xe || ys >= ye) return;
    const sr_px_ops *px = sr_px();
    for (int my = ys; my < ye; my++) /* luma: toward cy by m * alpha / 255 */
        px->mask_luma(f->data[0] + (size_t)(y0 + my) * f->linesize[0] + x0 + xs, mask + (size_t)my * stride + xs, cy,
                      alpha, xe - xs);
    /* chroma: 2x2 blocks aligned to the frame grid; mask samples outside the
     * clipped mask count as 0. Frame x of mask column mx is x0 + mx. */
    int fx_lo = x0 + xs, fx_hi = x0 + xe; /* frame columns covered: [fx_lo, fx_hi) */
    int cx0 = fx_lo >> 1, cx1 = (fx_hi + 1) >> 1;
    int cy0 = (y0 + ys) >> 1, cy1 = (y0 + ye + 1) >> 1;
    /* interior chroma columns: both frame columns 2c and 2c+1 inside [fx_lo, fx_hi) */
    int in0 = (fx_lo + 1) >> 1, in1 = fx_hi >> 1;
    if (in0 < cx0) in0 = cx0;
    if (in1 > cx1) in1 = cx1;
    if (in1 < in0) in1 = in0;
    for (int c_y = cy0; c_y < cy1; c_y++) {
        int fy0 = 2 * c_y - y0, fy1 = fy0 + 1;
        const uint8_t *r0 = fy0 >= ys && fy0 < ye ? mask + (size_t)fy0 * stride : NULL;
        const uint8_t *r1 = fy1 >= ys && fy1 < ye ? mask + (size_t)fy1 * stride : NULL;
        uint8_t *du = f->data[1] + (size_t)c_y * f->linesize[1];
        uint8_t *dv = f->data[2] + (size_t)c_y * f->linesize[2];
        if (r0 && r1 && in1 > in0) { /* the interior blocks with both rows, vectorised */
            int mx = 2 * in0 - x0;
            px->mask_chroma(du + in0, dv + in0, r0 + mx, r1 + mx, cu, cv, alpha, in1 - in0);
        }
        for (int c_x = cx0; c_x < cx1; c_x++) {
            int fx = 2 * c_x, mx = fx - x0, sum;
            if (c_x >= in0 && c_x < in1) {
                if (r0 && r1) {
                    c_x = in1 - 1; /* done above */
                    continue;
                }
                sum = (r0 ? r0[mx] + r0[mx + 1] : 0) + (r1 ? r1[mx] + r1[mx + 1] : 0);
            } else {
                int okl = fx >= fx_lo && fx < fx_hi, okr = fx + 1 >= fx_lo && fx + 1 < fx_hi;
                sum = 0;
                if (r0) sum += (okl ? r0[mx] : 0) + (okr ? r0[mx + 1] : 0);
                if (r1) sum += (okl ? r1[mx] : 0) + (okr ? r1[mx + 1] : 0);
            }
            if (!sum) continue;
            int a = (sum * alpha * 257 + 4 * 32896) >> 18; /* sum/4 * alpha/255, 0..255 */
            du[c_x] = mix8(du[c_x], cu, a);
            dv[c_x] = mix8(dv[c_x], cv, a);
        }
    }
}

void sr_frame_get_rgb(const sr_frame *f, int x, int y, uint8_t rgb[3])
{
    int Y = f->data[0][(size_t)y * f->linesize[0] + x];
    int U = f->data[1][(size_t)(y / 2) * f->linesize[1] + x / 2];
    int V = f->data[2][(size_t)(y / 2) * f->linesize[2] + x / 2];
    sr_yuv_to_rgb(Y, U, V, &rgb[0], &rgb[1], &rgb[2]);
}

void sr_frame_mean_rgb(const sr_frame *f, int x, int y, int w, int h, double rgb[3])
{
    double s[3] = {0, 0, 0};
    long n = 0;
    for (int yy = y < 0 ? 0 : y; yy < y + h && yy < f->h; yy++)
        for (int xx = x < 0 ? 0 : x; xx < x + w && xx < f->w; xx++) {
            uint8_t c[3];
            sr_frame_get_rgb(f, xx, yy, c);
            for (int k = 0; k < 3; k++) s[k] += c[k];
            n++;
        }
    for (int k = 0; k < 3; k++) rgb[k] = n ? s[k] / n : 0;
}
