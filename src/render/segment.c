/* segment.c - the segment planner (see segment.h). */
#include "render/segment.h"

#include <math.h>
#include <stdlib.h>

int64_t sr_seg_first_frame(double t, double fps)
{
    if (!(t > 0)) return 0;
    int64_t k = (int64_t)ceil(t * fps);
    while (k > 0 && (k - 1) / fps >= t) k--;
    while (k / fps < t) k++;
    return k;
}

int64_t sr_seg_max_frames(double seconds, int fps_num, int fps_den)
{
    int64_t m = (int64_t)floor(seconds * fps_num / fps_den + 1e-9);
    return m < 1 ? 1 : m;
}

typedef struct span {
    int64_t a, b; /* a transition's frames [a, b) */
} span;

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static int inside(const span *sp, int nsp, int64_t k)
{
    for (int i = 0; i < nsp; i++)
        if (k > sp[i].a && k < sp[i].b) return 1;
    return 0;
}

static int is_span(const span *sp, int nsp, int64_t a, int64_t b)
{
    for (int i = 0; i < nsp; i++)
        if (sp[i].a == a && sp[i].b == b) return 1;
    return 0;
}

int sr_seg_plan(const sr_seg_scene *sc, int n, int64_t frames, int fps_num, int fps_den,
                double seconds, sr_seg **out)
{
    *out = NULL;
    double fps = (double)fps_num / fps_den;
    int64_t maxf = sr_seg_max_frames(seconds, fps_num, fps_den);
    /* the boundaries: 0, frames, and per scene its start, its transition's
     * end and its own end */
    int64_t *cut = malloc(sizeof *cut * (size_t)(3 * n + 2));
    span *sp = malloc(sizeof *sp * (size_t)(n + 1));
    if (!cut || !sp) {
        free(cut);
        free(sp);
        return -1;
    }
    int nc = 0, nsp = 0;
    cut[nc++] = 0;
    cut[nc++] = frames;
    for (int s = 0; s < n; s++) {
        int64_t a = sr_seg_first_frame(sc[s].start, fps);
        int64_t e = sr_seg_first_frame(sc[s].start + sc[s].dur, fps);
        cut[nc++] = a;
        cut[nc++] = e;
        if (s > 0 && sc[s].tdur > 0) {
            int64_t b = sr_seg_first_frame(sc[s].start + sc[s].tdur, fps);
            if (b > a) {
                cut[nc++] = b;
                sp[nsp++] = (span){a, b};
            }
        }
    }
    qsort(cut, (size_t)nc, sizeof *cut, cmp_i64);
    int m = 0; /* in range, unique, not inside a transition */
    for (int i = 0; i < nc; i++) {
        int64_t k = cut[i];
        if (k < 0 || k > frames || (m && cut[m - 1] == k) || inside(sp, nsp, k)) continue;
        cut[m++] = k;
    }
    int64_t count = 0;
    for (int i = 0; i + 1 < m; i++) {
        int64_t len = cut[i + 1] - cut[i];
        count += is_span(sp, nsp, cut[i], cut[i + 1]) ? 1 : (len + maxf - 1) / maxf;
    }
    sr_seg *seg = malloc(sizeof *seg * (size_t)(count ? count : 1));
    if (!seg || count > 1000000) {
        free(seg);
        free(cut);
        free(sp);
        return -1;
    }
    int k = 0;
    for (int i = 0; i + 1 < m; i++) {
        int64_t a = cut[i], b = cut[i + 1];
        int64_t step = is_span(sp, nsp, a, b) ? b - a : maxf;
        for (int64_t f = a; f < b; f += step) seg[k++] = (sr_seg){f, f + step <= b ? step : b - f};
    }
    free(cut);
    free(sp);
    *out = seg;
    return k;
}
