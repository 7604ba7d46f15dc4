#include "render/frame.h"

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

void sr_frame_blend_mask(sr_frame *f, int x0, int y0, const uint8_t *mask, int stride, int w, int h,
                         uint8_t cy, uint8_t cu, uint8_t cv, int alpha)
{
    if (alpha <= 0 || w <= 0 || h <= 0) return;
    if (alpha > 255) alpha = 255;
    int xs = x0 < 0 ? -x0 : 0, ys = y0 < 0 ? -y0 : 0;
    int xe = x0 + w > f->w ? f->w - x0 : w, ye = y0 + h > f->h ? f->h - y0 : h;
    if (xs >= xe || ys >= ye) return;
    for (int my = ys; my < ye; my++) {
        uint8_t *dy = f->data[0] + (size_t)(y0 + my) * f->linesize[0] + x0;
        const uint8_t *m = mask + (size_t)my * stride;
        for (int mx = xs; mx < xe; mx++) {
            int a = m[mx] * alpha;
            if (!a) continue;
            a = (a + 128) >> 8; /* 0..255 */
            dy[mx] = (uint8_t)((dy[mx] * (255 - a) + cy * a + 127) / 255);
        }
    }
    /* chroma: 2x2 blocks aligned to the frame grid */
    int cx0 = (x0 + xs) >> 1, cx1 = (x0 + xe + 1) >> 1;
    int cy0 = (y0 + ys) >> 1, cy1 = (y0 + ye + 1) >> 1;
    for (int cyy = cy0; cyy < cy1; cyy++) {
        uint8_t *du = f->data[1] + (size_t)cyy * f->linesize[1];
        uint8_t *dv = f->data[2] + (size_t)cyy * f->linesize[2];
        for (int cxx = cx0; cxx < cx1; cxx++) {
            int sum = 0;
            for (int k = 0; k < 4; k++) {
                int fx = 2 * cxx + (k & 1) - x0, fy = 2 * cyy + (k >> 1) - y0;
                if (fx >= xs && fx < xe && fy >= ys && fy < ye) sum += mask[(size_t)fy * stride + fx];
            }
            if (!sum) continue;
            int a = (sum * alpha / 4 + 128) >> 8;
            du[cxx] = (uint8_t)((du[cxx] * (255 - a) + cu * a + 127) / 255);
            dv[cxx] = (uint8_t)((dv[cxx] * (255 - a) + cv * a + 127) / 255);
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
