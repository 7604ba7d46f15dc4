/* layers.c - video element layers and background fit (see layers.h). */
#include "render/layers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/compose.h"
#include "render/media.h"
#include "render/video.h"

#define BLUR_DIV 4        /* the blur works at 1/4 of each side: 1/16 of the area */
#define BLUR_DARKEN 0.55  /* luma contrast kept behind a blurred fill */

struct sr_fitter {
    int W, H;
    sr_sampler *s;
    sr_frame *small;
    int *acc; /* box-blur row/column scratch */
};

void sr_fitter_destroy(sr_fitter *ft)
{
    if (!ft) return;
    sr_sampler_destroy(ft->s);
    sr_frame_free(ft->small);
    free(ft->acc);
    free(ft);
}

sr_fitter *sr_fitter_create(int W, int H)
{
    sr_fitter *ft = calloc(1, sizeof *ft);
    if (!ft) return NULL;
    int sw = (W / BLUR_DIV) & ~1, sh = (H / BLUR_DIV) & ~1;
    ft->W = W;
    ft->H = H;
    ft->s = sr_sampler_create(W);
    ft->small = sr_frame_alloc(sw < 2 ? 2 : sw, sh < 2 ? 2 : sh);
    ft->acc = malloc(sizeof(int) * (size_t)((W > H ? W : H) + 2));
    if (!ft->s || !ft->small || !ft->acc) {
        sr_fitter_destroy(ft);
        return NULL;
    }
    return ft;
}

void sr_contain_size(int iw, int ih, int W, int H, int *w, int *h)
{
    double s = fmin((double)W / iw, (double)H / ih);
    *w = (int)(iw * s) & ~1;
    *h = (int)(ih * s) & ~1;
    if (*w < 2) *w = 2;
    if (*h < 2) *h = 2;
    if (*w > W) *w = W & ~1;
    if (*h > H) *h = H & ~1;
}

/* Samples the rectangle (x0, y0) + (dw x dh) * k of src (luma pixels) into
 * the dw x dh box of dst at (dx, dy) (even), all three planes. */
static void sample(sr_sampler *s, sr_frame *dst, int dx, int dy, int dw, int dh, const sr_frame *src, double x0,
                   double y0, double kx, double ky)
{
    sr_sample_plane(s, dst->data[0] + (size_t)dy * dst->linesize[0] + dx, dst->linesize[0], dw, dh, src->data[0],
                    src->linesize[0], src->w, src->h, x0, y0, kx, ky);
    for (int p = 1; p < 3; p++)
        sr_sample_plane(s, dst->data[p] + (size_t)(dy / 2) * dst->linesize[p] + dx / 2, dst->linesize[p], dw / 2,
                        dh / 2, src->data[p], src->linesize[p], src->w / 2, src->h / 2, x0 / 2, y0 / 2, kx, ky);
}

/* Cover crop of src into the whole of dst. */
static void cover(sr_sampler *s, sr_frame *dst, const sr_frame *src)
{
    double k = fmin((double)src->w / dst->w, (double)src->h / dst->h);
    sample(s, dst, 0, 0, dst->w, dst->h, src, (src->w - dst->w * k) / 2, (src->h - dst->h * k) / 2, k, k);
}

/* One box-blur pass of radius r over n values p[0], p[step], ... (edges clamped). */
static void box1d(uint8_t *p, int n, int step, int r, int *acc)
{
    acc[0] = 0;
    for (int i = 0; i < n; i++) acc[i + 1] = acc[i] + p[(size_t)i * step];
    for (int i = 0; i < n; i++) {
        int a = i - r < 0 ? 0 : i - r, b = i + r + 1 > n ? n : i + r + 1;
        p[(size_t)i * step] = (uint8_t)((acc[b] - acc[a]) / (b - a));
    }
}

static void blur_plane(uint8_t *p, int ls, int w, int h, int r, int *acc)
{
    for (int pass = 0; pass < 2; pass++) { /* two box passes: close to a gaussian */
        for (int y = 0; y < h; y++) box1d(p + (size_t)y * ls, w, 1, r, acc);
        for (int x = 0; x < w; x++) box1d(p + x, h, ls, r, acc);
    }
}

void sr_fit_draw(sr_fitter *ft, sr_frame *dst, const sr_frame *pic, int fit, const uint8_t bg[4])
{
    if (fit == SR_FIT_COVER) {
        cover(ft->s, dst, pic);
        return;
    }
    if (fit == SR_FIT_BLUR) {
        sr_frame *sm = ft->small;
        cover(ft->s, sm, pic);
        int r = sm->w / 24 > 1 ? sm->w / 24 : 1;
        blur_plane(sm->data[0], sm->linesize[0], sm->w, sm->h, r, ft->acc);
        for (int p = 1; p < 3; p++) blur_plane(sm->data[p], sm->linesize[p], sm->w / 2, sm->h / 2, (r + 1) / 2, ft->acc);
        for (int y = 0; y < sm->h; y++) {
            uint8_t *row = sm->data[0] + (size_t)y * sm->linesize[0];
            for (int x = 0; x < sm->w; x++) row[x] = (uint8_t)(16 + (row[x] - 16) * BLUR_DARKEN);
        }
        double kx = (double)sm->w / dst->w, ky = (double)sm->h / dst->h;
        sample(ft->s, dst, 0, 0, dst->w, dst->h, sm, 0, 0, kx, ky);
    } else {
        uint8_t y, u, v;
        sr_rgb_to_yuv(bg[0], bg[1], bg[2], &y, &u, &v);
        sr_frame_fill(dst, y, u, v);
    }
    int cw, ch;
    sr_contain_size(pic->w, pic->h, dst->w, dst->h, &cw, &ch);
    int x = ((dst->w - cw) / 2) & ~1, y = ((dst->h - ch) / 2) & ~1;
    sample(ft->s, dst, x, y, cw, ch, pic, 0, 0, (double)pic->w / cw, (double)pic->h / ch);
}

/* ------------------------------------------------------------ video layers */

struct sr_vlayer {
    sr_video *vid;
    int x, y, w, h; /* the box in the frame (x, y even) */
    int tint;       /* overlay alpha 0..255 */
    uint8_t ty, tu, tv;
    double start;
};

void sr_vlayer_close(sr_vlayer *l)
{
    if (!l) return;
    sr_video_close(l->vid);
    free(l);
}

int sr_vlayer_open(sr_vlayer **out, const sr_visual *v, int W, int H, sr_err *err)
{
    *out = NULL;
    sr_media_info info;
    char f[64];
    snprintf(f, sizeof f, "%s.url", v->field);
    int rc = sr_media_probe(v->path, SR_MEDIA_VIDEO | SR_MEDIA_IMAGE, f, &info, err);
    if (rc) return rc;
    if (info.width <= 0 || info.height <= 0)
        return sr_err_set(err, SR_EMEDIA_INVALID, f, "The video %s has no picture size.", v->path);
    sr_vlayer *l = calloc(1, sizeof *l);
    if (!l) return sr_err_set(err, SR_ENOMEM, v->field, "Out of memory.");
    l->w = (int)lrint(v->width * W / 2) * 2;
    if (l->w < 2) l->w = 2;
    l->h = (int)lrint((double)l->w * info.height / info.width / 2) * 2;
    if (l->h < 2) l->h = 2;
    if (l->h > 2 * H) l->h = 2 * H;
    if (v->grid >= 0) {
        double m = 0.025 * (W < H ? W : H);
        int col = v->grid % 3, row = v->grid / 3;
        l->x = (int)lrint(col == 0 ? m : col == 1 ? (W - l->w) / 2.0 : W - l->w - m);
        l->y = (int)lrint(row == 0 ? m : row == 1 ? (H - l->h) / 2.0 : H - l->h - m);
    } else {
        l->x = (int)lrint(v->left * W);
        l->y = (int)lrint(v->top * H);
    }
    l->x &= ~1;
    l->y &= ~1;
    l->start = v->start;
    if (v->has_overlay) {
        l->tint = (int)lrint(v->ov_opacity * v->ov_color[3]);
        sr_rgb_to_yuv(v->ov_color[0], v->ov_color[1], v->ov_color[2], &l->ty, &l->tu, &l->tv);
    }
    if ((rc = sr_video_open(&l->vid, v->path, v->field, v->clips, v->nclips, v->loop, l->w, l->h, err))) {
        sr_vlayer_close(l);
        return rc;
    }
    *out = l;
    return 0;
}

static inline uint8_t mix(uint8_t a, uint8_t b, int t) { return (uint8_t)(a + ((b - a) * t + 127) / 255); }

int sr_vlayer_draw(sr_vlayer *l, sr_frame *f, double t, sr_err *err)
{
    const sr_frame *pic;
    int rc = sr_video_frame(l->vid, t, &pic, err);
    if (rc) return rc;
    /* the centre of the (cover-sized, maybe slightly larger) picture */
    int ox = ((pic->w - l->w) / 2) & ~1, oy = ((pic->h - l->h) / 2) & ~1;
    int x0 = l->x < 0 ? 0 : l->x, y0 = l->y < 0 ? 0 : l->y;
    int x1 = l->x + l->w > f->w ? f->w : l->x + l->w, y1 = l->y + l->h > f->h ? f->h : l->y + l->h;
    if (x1 <= x0 || y1 <= y0) return 0;
    for (int p = 0; p < 3; p++) {
        int sh = p ? 1 : 0;
        uint8_t c = p == 0 ? l->ty : p == 1 ? l->tu : l->tv;
        for (int y = y0 >> sh; y < y1 >> sh; y++) {
            uint8_t *d = f->data[p] + (size_t)y * f->linesize[p];
            const uint8_t *s = pic->data[p] + (size_t)(y - (l->y >> sh) + (oy >> sh)) * pic->linesize[p] +
                               (ox >> sh) - (l->x >> sh);
            for (int x = x0 >> sh; x < x1 >> sh; x++) d[x] = l->tint ? mix(s[x], c, l->tint) : s[x];
        }
    }
    return 0;
}
