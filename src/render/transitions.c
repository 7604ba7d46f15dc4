/* transitions.c - the table of scene transitions. Each draws the picture
 * between the old scene (progress 0) and the new one (progress 1). Wipes,
 * the clock wipe and the circle are alpha masks with a soft edge of a few
 * pixels (so they do not alias), blended per plane; chroma takes the mask of
 * each 2x2 block's centre.
 *
 * Directions: wipeleft moves the edge from the right to the left (the new
 * scene appears on the right), wiperight from left to right, wipeup from the
 * bottom up, wipedown from the top down. smoothleft: the new scene enters from
 * the right and pushes the old one out to the left; smoothright the mirror. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include "render/compose.h"
#include "render/pixels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* soft edge width in pixels for a frame */
static double soft_px(const sr_frame *f)
{
    double s = (f->w < f->h ? f->w : f->h) / 270.0;
    return s < 2 ? 2 : s;
}

/* 0..255 from a signed distance d (pixels, > 0 toward the new scene) */
static inline uint8_t ramp(double d, double soft)
{
    double a = 0.5 + d / soft;
    return (uint8_t)(a <= 0 ? 0 : a >= 1 ? 255 : lrint(a * 255));
}

static void copy_plane(uint8_t *d, int dls, const uint8_t *s, int sls, int cols, int rows)
{
    for (int r = 0; r < rows; r++) memcpy(d + (size_t)r * dls, s + (size_t)r * sls, (size_t)cols);
}

/* o = a * (256 - w) / 256 + b * w / 256, w 0..256 */
static void mix_plane(uint8_t *d, int dls, const uint8_t *a, int als, const uint8_t *b, int bls,
                      int cols, int rows, int w)
{
    const sr_px_ops *px = sr_px();
    for (int r = 0; r < rows; r++)
        px->mix(d + (size_t)r * dls, a + (size_t)r * als, b + (size_t)r * bls, w, cols);
}

/* out = from * (1 - p) + to * p on every plane */
static void crossfade(sr_frame *out, const sr_frame *from, const sr_frame *to, double p)
{
    int w = (int)lrint(p * 256);
    sr_px_counters *pc = sr_px_counters_get();
    for (int k = 0; k < 3; k++) {
        int rows = k ? out->h / 2 : out->h, cols = k ? out->w / 2 : out->w;
        if (w <= 0) copy_plane(out->data[k], out->linesize[k], from->data[k], from->linesize[k], cols, rows);
        else if (w >= 256) copy_plane(out->data[k], out->linesize[k], to->data[k], to->linesize[k], cols, rows);
        else mix_plane(out->data[k], out->linesize[k], from->data[k], from->linesize[k], to->data[k],
                       to->linesize[k], cols, rows, w);
        *(w <= 0 || w >= 256 ? &pc->copied : &pc->mixed) += (int64_t)rows * cols;
    }
}

/* A mask function: alpha of the new scene at frame position (x, y) (pixel
 * centres, luma units). */
typedef uint8_t (*mask_fn)(double x, double y, int W, int H, double p, double soft);

/* A row of a masked transition as runs of pixels: taken whole from the old
 * scene, whole from the new one, or mixed by the mask (only those are
 * evaluated and blended). A run may be marked mixed where the mask is in
 * fact 0 or 255 (mixing gives the same pixel); never the other way round. */
enum { RUN_FROM, RUN_TO, RUN_MIX };
#define MAX_RUNS 8
typedef struct row_runs {
    int n;
    int start[MAX_RUNS], end[MAX_RUNS];
    uint8_t kind[MAX_RUNS];
} row_runs;

/* Appends the run [s, e) of kind; a run taken whole whose mask is known
 * gets its value in a[] too when it has to be merged into a mixed one (more
 * runs than MAX_RUNS). */
static void run_add(row_runs *rr, uint8_t *a, int s, int e, int kind)
{
    if (e <= s) return;
    if (rr->n && rr->kind[rr->n - 1] == kind && rr->end[rr->n - 1] == s) {
        rr->end[rr->n - 1] = e;
        return;
    }
    if (rr->n == MAX_RUNS) { /* too many: the rest is mixed */
        int q = rr->n - 1;
        if (rr->kind[q] != RUN_MIX)
            memset(a + rr->start[q], rr->kind[q] == RUN_TO ? 255 : 0, (size_t)(rr->end[q] - rr->start[q]));
        if (kind != RUN_MIX) memset(a + s, kind == RUN_TO ? 255 : 0, (size_t)(e - s));
        rr->kind[q] = RUN_MIX;
        rr->end[q] = e;
        return;
    }
    rr->start[rr->n] = s;
    rr->end[rr->n] = e;
    rr->kind[rr->n++] = (uint8_t)kind;
}

/* The runs of a row whose mask is known: a[0..cols) */
static void runs_of(row_runs *rr, uint8_t *a, int cols)
{
    rr->n = 0;
    for (int i = 0; i < cols;) {
        int k = a[i] == 0 ? RUN_FROM : a[i] == 255 ? RUN_TO : RUN_MIX, j = i + 1;
        while (j < cols && (a[j] == 0 ? RUN_FROM : a[j] == 255 ? RUN_TO : RUN_MIX) == k) j++;
        run_add(rr, a, i, j, k);
        i = j;
    }
}

/* What the masks share: the frame, progress and soft edge, and the plane. */
typedef struct mask_ctx {
    mask_fn m;
    int W, H, sub, cols;
    double p, soft;
} mask_ctx;

/* a[i] for i in [s, e) of row r */
static void mask_eval(const mask_ctx *c, uint8_t *a, int r, int s, int e)
{
    double fy = (r + 0.5) * c->sub;
    for (int i = s; i < e; i++) a[i] = c->m((i + 0.5) * c->sub, fy, c->W, c->H, c->p, c->soft);
}

static uint8_t m_circle(double x, double y, int W, int H, double p, double s);
static uint8_t m_radial(double x, double y, int W, int H, double p, double s);
static uint8_t m_wipeleft(double x, double y, int W, int H, double p, double s);
static uint8_t m_wiperight(double x, double y, int W, int H, double p, double s);
static uint8_t m_wipeup(double x, double y, int W, int H, double p, double s);
static uint8_t m_wipedown(double x, double y, int W, int H, double p, double s);

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The circle's row: old scene outside the ring of the soft edge, new inside
 * (a pixel margin on each side of the exact bounds), the ring mixed. */
static void circle_runs(const mask_ctx *c, row_runs *rr, uint8_t *a, int r)
{
    double cx = c->W / 2.0, dy = (r + 0.5) * c->sub - c->H / 2.0;
    double R = sqrt((double)c->W * c->W + (double)c->H * c->H) / 2 + c->soft;
    double rin = c->p * R - c->soft / 2, rout = c->p * R + c->soft / 2;
    int cols = c->cols, lf = 0, rf = cols, tin0 = 0, tin1 = 0; /* from [0,lf) [rf,cols); to [tin0,tin1) */
    if (rout > fabs(dy)) {
        double hx = sqrt(rout * rout - dy * dy);
        lf = clampi((int)floor((cx - hx - 1) / c->sub - 0.5) + 1, 0, cols);
        rf = clampi((int)ceil((cx + hx + 1) / c->sub - 0.5), lf, cols);
    } else lf = rf = cols;
    if (rin > fabs(dy) + 1) {
        double hx = sqrt(rin * rin - dy * dy);
        tin0 = clampi((int)ceil((cx - hx + 1) / c->sub - 0.5), lf, rf);
        tin1 = clampi((int)floor((cx + hx - 1) / c->sub - 0.5) + 1, tin0, rf);
    } else tin0 = tin1 = lf;
    rr->n = 0;
    mask_eval(c, a, r, lf, tin0);
    mask_eval(c, a, r, tin1, rf);
    run_add(rr, a, 0, lf, RUN_FROM);
    run_add(rr, a, lf, tin0, RUN_MIX);
    run_add(rr, a, tin0, tin1, RUN_TO);
    run_add(rr, a, tin1, rf, RUN_MIX);
    run_add(rr, a, rf, cols, RUN_FROM);
}

/* The clock wipe's angle (0 at 12 o'clock, clockwise) and radius at pixel i
 * of row r, as m_radial computes them. */
static void radial_at(const mask_ctx *c, int r, int i, double *ang, double *rad)
{
    double dx = (i + 0.5) * c->sub - c->W / 2.0, dy = (r + 0.5) * c->sub - c->H / 2.0;
    *ang = atan2(dx, -dy);
    if (*ang < 0) *ang += 2 * M_PI;
    *rad = sqrt(dx * dx + dy * dy);
}

/* Pixels [i0, i1) of row r on one side of the vertical centre line, where
 * the angle and the radius are monotonic: bounds from the ends say whether
 * the whole span is past the sweeping hand (new scene), before it (old), or
 * must be split; spans of 8 pixels or fewer are evaluated. */
static void radial_span(const mask_ctx *c, row_runs *rr, uint8_t *a, int r, int i0, int i1)
{
    if (i1 <= i0) return;
    if (i1 - i0 > 8) {
        double a0, a1, r0, r1;
        radial_at(c, r, i0, &a0, &r0);
        radial_at(c, r, i1 - 1, &a1, &r1);
        double lo = fmin(a0, a1), hi = fmax(a0, a1), rmin = fmax(fmin(r0, r1), 1), need = c->soft / 2 + 0.01;
        double P = c->p * 2 * M_PI;
        if ((P - hi) * rmin >= need) { /* d >= soft / 2 everywhere: 255 */
            run_add(rr, a, i0, i1, RUN_TO);
            return;
        }
        if ((lo - P) * rmin >= need) { /* d <= -soft / 2 everywhere: 0 */
            run_add(rr, a, i0, i1, RUN_FROM);
            return;
        }
        int mid = i0 + (i1 - i0) / 2;
        radial_span(c, rr, a, r, i0, mid);
        radial_span(c, rr, a, r, mid, i1);
        return;
    }
    mask_eval(c, a, r, i0, i1);
    run_add(rr, a, i0, i1, RUN_MIX);
}

static void radial_runs(const mask_ctx *c, row_runs *rr, uint8_t *a, int r)
{
    int half = clampi((int)ceil(c->W / 2.0 / c->sub - 0.5), 0, c->cols); /* first pixel with x >= W / 2 */
    rr->n = 0;
    radial_span(c, rr, a, r, 0, half);
    radial_span(c, rr, a, r, half, c->cols);
}

/* Blends with a mask computed per luma pixel and per chroma pixel (at the
 * centre of its 2x2 block), touching only the pixels the mask mixes: a wipe's
 * mask depends on one axis (evaluated once per plane, or once per row), the
 * circle's mixed pixels are a ring, and the clock wipe's lie along its hand
 * (found by bisecting each half row). With skipping off (sr_px_set_skip) every pixel is evaluated
 * and mixed: the reference the tests compare with. */
static void mask_mix(sr_frame *out, const sr_frame *from, const sr_frame *to, double p, mask_fn m)
{
    uint8_t a[SR_MAX_IMAGE_SIDE];
    const sr_px_ops *px = sr_px();
    sr_px_counters *pc = sr_px_counters_get();
    int skip = sr_px_skip();
    int by_x = m == m_wipeleft || m == m_wiperight, by_y = m == m_wipeup || m == m_wipedown;
    for (int k = 0; k < 3; k++) {
        int sub = k ? 2 : 1;
        mask_ctx c = {m, out->w, out->h, sub, out->w / sub, p, soft_px(out)};
        row_runs rr = {0};
        if (skip && by_x) { /* one mask row for the plane */
            mask_eval(&c, a, 0, 0, c.cols);
            runs_of(&rr, a, c.cols);
        }
        for (int r = 0; r < out->h / sub; r++) {
            uint8_t *o = out->data[k] + (size_t)r * out->linesize[k];
            const uint8_t *x = from->data[k] + (size_t)r * from->linesize[k];
            const uint8_t *y = to->data[k] + (size_t)r * to->linesize[k];
            if (!skip || (!by_x && !by_y && m != m_circle && m != m_radial)) { /* every pixel */
                mask_eval(&c, a, r, 0, c.cols);
                rr.n = 1;
                rr.start[0] = 0;
                rr.end[0] = c.cols;
                rr.kind[0] = RUN_MIX;
            } else if (by_y) { /* one value for the row */
                mask_eval(&c, a, r, 0, 1);
                memset(a, a[0], (size_t)c.cols);
                runs_of(&rr, a, 1);
                rr.end[0] = c.cols;
            } else if (m == m_circle) circle_runs(&c, &rr, a, r);
            else if (m == m_radial) radial_runs(&c, &rr, a, r);
            for (int q = 0; q < rr.n; q++) {
                int s0 = rr.start[q], n = rr.end[q] - s0;
                if (rr.kind[q] == RUN_MIX) px->mask_mix(o + s0, x + s0, y + s0, a + s0, n);
                else memcpy(o + s0, (rr.kind[q] == RUN_FROM ? x : y) + s0, (size_t)n);
                *(rr.kind[q] == RUN_MIX ? &pc->mixed : &pc->copied) += n;
            }
        }
    }
}

/* the edge travels from -soft to size + soft, so progress 0 and 1 are exact */
static double edge(double p, int size, double soft)
{
    return -soft + p * (size + 2 * soft);
}

static uint8_t m_wipeleft(double x, double y, int W, int H, double p, double s)
{
    return ramp(x - (W - edge(p, W, s)), s);
}
static uint8_t m_wiperight(double x, double y, int W, int H, double p, double s)
{
    return ramp(edge(p, W, s) - x, s);
}
static uint8_t m_wipeup(double x, double y, int W, int H, double p, double s)
{
    return ramp(y - (H - edge(p, H, s)), s);
}
static uint8_t m_wipedown(double x, double y, int W, int H, double p, double s)
{
    return ramp(edge(p, H, s) - y, s);
}

/* clock wipe from 12 o'clock, clockwise */
static uint8_t m_radial(double x, double y, int W, int H, double p, double s)
{
    if (p <= 0) return 0;
    if (p >= 1) return 255;
    double dx = x - W / 2.0, dy = y - H / 2.0;
    double ang = atan2(dx, -dy); /* 0 at 12 o'clock, growing clockwise */
    if (ang < 0) ang += 2 * M_PI;
    double r = sqrt(dx * dx + dy * dy);
    /* signed distance in pixels to the sweeping hand; the 12 o'clock edge
     * is the vertical line x = W/2, which needs no softening */
    double d = (p * 2 * M_PI - ang) * (r < 1 ? 1 : r);
    return ramp(d, s);
}

static uint8_t m_circle(double x, double y, int W, int H, double p, double s)
{
    double dx = x - W / 2.0, dy = y - H / 2.0;
    double R = sqrt((double)W * W + (double)H * H) / 2 + s;
    return ramp(p * R - sqrt(dx * dx + dy * dy), s);
}

static void t_none(sr_frame *out, const sr_frame *from, const sr_frame *to, double p)
{
    crossfade(out, from, to, p >= 1 ? 1 : 0);
}
static void t_fade(sr_frame *out, const sr_frame *from, const sr_frame *to, double p)
{
    crossfade(out, from, to, p);
}

#define MASK_T(name, fn)                                                                           \
    static void t_##name(sr_frame *out, const sr_frame *from, const sr_frame *to, double p)        \
    {                                                                                              \
        if (p <= 0) crossfade(out, from, to, 0);                                                   \
        else if (p >= 1) crossfade(out, from, to, 1);                                              \
        else mask_mix(out, from, to, p, fn);                                                       \
    }
MASK_T(wipeup, m_wipeup)
MASK_T(wipedown, m_wipedown)
MASK_T(wipeleft, m_wipeleft)
MASK_T(wiperight, m_wiperight)
MASK_T(radial, m_radial)
MASK_T(circlecrop, m_circle)
#undef MASK_T

/* push: the two scenes side by side, shifted by an even number of pixels */
static void push(sr_frame *out, const sr_frame *from, const sr_frame *to, double p, int dir)
{
    int W = out->w;
    int off = (int)lrint(p * W / 2.0) * 2; /* how far the new scene has come in */
    if (off > W) off = W;
    for (int k = 0; k < 3; k++) {
        int sub = k ? 2 : 1, rows = out->h / sub, cols = W / sub, o = off / sub;
        for (int r = 0; r < rows; r++) {
            uint8_t *d = out->data[k] + (size_t)r * out->linesize[k];
            const uint8_t *a = from->data[k] + (size_t)r * from->linesize[k];
            const uint8_t *b = to->data[k] + (size_t)r * to->linesize[k];
            if (dir < 0) { /* leftwards: old shifted left by o, new at the right */
                memcpy(d, a + o, (size_t)(cols - o));
                memcpy(d + cols - o, b, (size_t)o);
            } else {
                memcpy(d, b + cols - o, (size_t)o);
                memcpy(d + o, a, (size_t)(cols - o));
            }
        }
    }
}
static void t_smoothleft(sr_frame *out, const sr_frame *from, const sr_frame *to, double p)
{
    push(out, from, to, p, -1);
}
static void t_smoothright(sr_frame *out, const sr_frame *from, const sr_frame *to, double p)
{
    push(out, from, to, p, 1);
}

/* horizontal box blur of radius r of one row (running sum, edges clamped) */
static void blur_row(uint8_t *d, const uint8_t *s, int n, int r)
{
    int win = 2 * r + 1, sum = 0;
    for (int i = -r; i <= r; i++) sum += s[i < 0 ? 0 : i >= n ? n - 1 : i];
    for (int i = 0; i < n; i++) {
        d[i] = (uint8_t)((sum + win / 2) / win);
        int add = i + r + 1, rem = i - r;
        sum += s[add >= n ? n - 1 : add] - s[rem < 0 ? 0 : rem];
    }
}

/* horizontal blur out of the old scene and into the new one, crossfaded */
static void t_hblur(sr_frame *out, const sr_frame *from, const sr_frame *to, double p)
{
    if (p <= 0 || p >= 1) {
        crossfade(out, from, to, p >= 1 ? 1 : 0);
        return;
    }
    int maxr = out->w / 40 < 2 ? 2 : out->w / 40;
    int r = (int)lrint(sin(M_PI * p) * maxr);
    int w = (int)lrint(p * 256);
    uint8_t *ta = malloc((size_t)out->w * 2);
    if (!ta) {
        crossfade(out, from, to, p);
        return;
    }
    uint8_t *tb = ta + out->w;
    for (int k = 0; k < 3; k++) {
        int sub = k ? 2 : 1, rows = out->h / sub, cols = out->w / sub, rr = r / sub;
        for (int row = 0; row < rows; row++) {
            const uint8_t *a = from->data[k] + (size_t)row * from->linesize[k];
            const uint8_t *b = to->data[k] + (size_t)row * to->linesize[k];
            if (rr > 0) {
                blur_row(ta, a, cols, rr);
                blur_row(tb, b, cols, rr);
                a = ta;
                b = tb;
            }
            mix_plane(out->data[k] + (size_t)row * out->linesize[k], 0, a, 0, b, 0, cols, 1, w);
        }
    }
    free(ta);
}

const sr_transition sr_transitions[] = {
    {"none", t_none},           {"wipeup", t_wipeup},         {"wipedown", t_wipedown},
    {"wipeleft", t_wipeleft},   {"wiperight", t_wiperight},   {"smoothleft", t_smoothleft},
    {"smoothright", t_smoothright}, {"radial", t_radial},     {"circlecrop", t_circlecrop},
    {"hblur", t_hblur},         {"fade", t_fade},
};
const int sr_ntransitions = (int)(sizeof sr_transitions / sizeof sr_transitions[0]);

int sr_transition_find(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < sr_ntransitions; i++)
        if (!strcmp(sr_transitions[i].name, name)) return i;
    return -1;
}
