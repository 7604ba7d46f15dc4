/* text_shape.c - shape elements as libass vector drawings (see text_shape.h).
 *
 * Every shape is one row of k_shapes: its natural aspect (width:height in
 * pixels) and how its outline is made: a (rounded) rectangle, an ellipse, a
 * star of n points, or a fixed path in a 0..100 x 0..100 box that is
 * stretched to the shape's box. Paths use ASS drawing commands (m, l, b). */
#include "render/text/text_shape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "render/text/shape_library.h"
#include "render/text/text_int.h"

#define SHAPE_MAX_EVENT 16384
#define SHAPE_MAX_PATH 6144 /* a library shape's path, in its 0..100 box */
#define SHAPE_MAX_POINTS 64 /* star points */
#define KAPPA 0.5523        /* cubic Bezier quarter circle */

enum shape_kind { SH_RECT, SH_PILL, SH_ELLIPSE, SH_STAR, SH_PATH };

typedef struct shape_def {
    const char *name;
    double aspect; /* width / height in pixels */
    int kind;
    int points;   /* SH_STAR: points */
    double inner; /* SH_STAR: inner radius / outer radius */
    const char *path; /* SH_PATH: in a 0..100 box */
} shape_def;

static const shape_def k_shapes[] = {
    {"rectangle", 1, SH_RECT, 0, 0, NULL},
    {"square", 1, SH_RECT, 0, 0, NULL},
    {"line", 300.0 / 16.0, SH_RECT, 0, 0, NULL},
    {"pill", 3, SH_PILL, 0, 0, NULL},
    {"circle", 1, SH_ELLIPSE, 0, 0, NULL},
    {"star-4", 1, SH_STAR, 4, 0.40, NULL},
    {"star-5", 1, SH_STAR, 5, 0.382, NULL},
    {"star-6", 1, SH_STAR, 6, 0.50, NULL},
    {"star-8", 1, SH_STAR, 8, 0.55, NULL},
    {"badge-1", 1, SH_STAR, 16, 0.86, NULL}, /* a seal */
    {"badge-2", 0.85, SH_PATH, 0, 0, "m 50 0 l 100 15 l 100 50 b 100 75 75 92 50 100 b 25 92 0 75 0 50 l 0 15"},
    {"triangle-1", 1, SH_PATH, 0, 0, "m 50 0 l 100 100 l 0 100"},
    {"arrow-1", 2, SH_PATH, 0, 0, "m 0 35 l 60 35 l 60 0 l 100 50 l 60 100 l 60 65 l 0 65"},
    {"arrow-2", 2, SH_PATH, 0, 0, "m 100 35 l 40 35 l 40 0 l 0 50 l 40 100 l 40 65 l 100 65"},
    {"arrow-3", 0.5, SH_PATH, 0, 0, "m 35 100 l 35 40 l 0 40 l 50 0 l 100 40 l 65 40 l 65 100"},
    {"arrow-4", 0.5, SH_PATH, 0, 0, "m 35 0 l 35 60 l 0 60 l 50 100 l 100 60 l 65 60 l 65 0"},
    {"checkmark-1", 1.25, SH_PATH, 0, 0, "m 0 55 l 15 40 l 38 62 l 85 8 l 100 22 l 38 92"},
};

/* A shape of the table, or one of Pictory's library (shape_library.c)
 * generated into lib; NULL when the name is neither. */
typedef struct lib_shape {
    shape_def d;
    char path[SHAPE_MAX_PATH];
} lib_shape;

static const shape_def *find(const char *name, lib_shape *lib)
{
    for (size_t i = 0; name && i < sizeof k_shapes / sizeof *k_shapes; i++)
        if (!strcasecmp(name, k_shapes[i].name)) return &k_shapes[i];
    if (!name || !lib || tx_shape_library(name, lib->path, sizeof lib->path, &lib->d.aspect)) return NULL;
    lib->d.name = name;
    lib->d.kind = SH_PATH;
    lib->d.path = lib->path;
    return &lib->d;
}

int sr_shape_known(const char *name) { return sr_shape_aspect(name) > 0; }

double sr_shape_aspect(const char *name)
{
    lib_shape *lib = malloc(sizeof *lib);
    const shape_def *d = find(name, lib);
    double a = d ? d->aspect : 0;
    free(lib);
    return a;
}

static int bad(sr_err *err, const char *pfx, const char *key, const char *what)
{
    char f[128];
    snprintf(f, sizeof f, "%s.%s", pfx, key);
    return sr_err_set(err, SR_EINVALID_FIELD, f, "%s %s.", f, what);
}

/* A number, or a "12.5%" string (as a fraction); -1 when neither. */
static int num_or_pct(const json_t *v, double *out, int *is_pct)
{
    *is_pct = 0;
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return isfinite(*out) ? 0 : -1;
    }
    if (json_is_string(v) && sr_parse_percent(v, out) == 0) {
        *is_pct = 1;
        return 0;
    }
    return -1;
}

static int get_color(const json_t *el, const char *key, const char *def, uint8_t rgba[4], const char *pfx,
                     sr_err *err)
{
    const json_t *v = json_object_get(el, key);
    const char *s = v && !json_is_null(v) ? json_string_value(v) : def;
    if (!s) return bad(err, pfx, key, "must be a colour such as \"#FF0000\"");
    if (!strcasecmp(s, "transparent") || !strcasecmp(s, "none")) {
        memset(rgba, 0, 4);
        return 0;
    }
    if (sr_parse_color(s, rgba) != 0) return bad(err, pfx, key, "must be a colour such as \"#FF0000\"");
    return 0;
}

/* "&HBBGGRR&" colour and "&HAA&" alpha (ASS alpha: 0 opaque) overrides. */
static void color_tags(sr_buf *b, int which, const uint8_t c[4], double opacity)
{
    char t[64];
    int a = 255 - (int)lrint(c[3] * opacity);
    snprintf(t, sizeof t, "\\%dc&H%02X%02X%02X&\\%da&H%02X&", which, c[2], c[1], c[0], which, a < 0 ? 0 : a);
    sr_buf_append(b, t, strlen(t));
}

#define pr sr_buf_printf

/* Appends the outline of d in a w x h box; r: corner radius (px, SH_RECT). */
static void outline(sr_buf *b, const shape_def *d, double w, double h, double r)
{
    if (d->kind == SH_PILL) r = h / 2;
    if (d->kind == SH_RECT || d->kind == SH_PILL) {
        if (r > w / 2) r = w / 2;
        if (r > h / 2) r = h / 2;
        if (r <= 0.01) {
            pr(b, "m 0 0 l %.2f 0 l %.2f %.2f l 0 %.2f", w, w, h, h);
            return;
        }
        double c = r * (1 - KAPPA);
        pr(b, "m %.2f 0 l %.2f 0 b %.2f 0 %.2f %.2f %.2f %.2f ", r, w - r, w - c, w, c, w, r);
        pr(b, "l %.2f %.2f b %.2f %.2f %.2f %.2f %.2f %.2f ", w, h - r, w, h - c, w - c, h, w - r, h);
        pr(b, "l %.2f %.2f b %.2f %.2f 0 %.2f 0 %.2f ", r, h, c, h, h - c, h - r);
        pr(b, "l 0 %.2f b 0 %.2f %.2f 0 %.2f 0", r, c, c, r);
    } else if (d->kind == SH_ELLIPSE) {
        double cx = w / 2, cy = h / 2, kx = KAPPA * cx, ky = KAPPA * cy;
        pr(b, "m 0 %.2f b 0 %.2f %.2f 0 %.2f 0 ", cy, cy - ky, cx - kx, cx);
        pr(b, "b %.2f 0 %.2f %.2f %.2f %.2f ", cx + kx, w, cy - ky, w, cy);
        pr(b, "b %.2f %.2f %.2f %.2f %.2f %.2f ", w, cy + ky, cx + kx, h, cx, h);
        pr(b, "b %.2f %.2f 0 %.2f 0 %.2f", cx - kx, h, cy + ky, cy);
    } else if (d->kind == SH_STAR) {
        double px[2 * SHAPE_MAX_POINTS], py[2 * SHAPE_MAX_POINTS];
        double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
        int n = 2 * d->points;
        for (int i = 0; i < n; i++) { /* first point straight up */
            double a = -M_PI / 2 + M_PI * i / d->points, rr = i % 2 ? d->inner : 1;
            px[i] = rr * cos(a);
            py[i] = rr * sin(a);
            x0 = fmin(x0, px[i]), x1 = fmax(x1, px[i]), y0 = fmin(y0, py[i]), y1 = fmax(y1, py[i]);
        }
        for (int i = 0; i < n; i++) /* stretched to fill the box */
            pr(b, "%s %.2f %.2f ", i == 0 ? "m" : "l", (px[i] - x0) / (x1 - x0) * w, (py[i] - y0) / (y1 - y0) * h);
    } else {
        const char *s = d->path;
        int axis = 0;
        while (*s) {
            char *end;
            double v = strtod(s, &end);
            if (end != s) {
                pr(b, "%.2f ", v / 100.0 * (axis ? h : w));
                axis ^= 1;
                s = end;
            } else {
                if (*s != ' ') axis = 0, pr(b, "%c ", *s);
                s++;
            }
        }
    }
}

/* A shape element resolved to pixels: its box [x, x + bw) x [y, y + bh). */
typedef struct shape_geo {
    const shape_def *d;
    lib_shape lib; /* d's storage when it is a library shape */
    uint8_t fill[4], stroke[4];
    double opacity, bord, radius, x, y, bw, bh;
} shape_geo;

static int resolve(const json_t *el, int W, int H, const char *pfx, shape_geo *g, sr_err *err)
{
    const char *name = json_string_value(json_object_get(el, "name"));
    const shape_def *d = g->d = find(name, &g->lib);
    if (!d) return bad(err, pfx, "name", "is not a known shape (circle, rectangle, star-5, ...)");
    double shorts = W < H ? W : H, ref = shorts / 720.0;
    int rc, pct;
    if ((rc = get_color(el, "fill", "#FFFFFF", g->fill, pfx, err)) ||
        (rc = get_color(el, "stroke", "transparent", g->stroke, pfx, err)))
        return rc;
    double sw = 0, radius = 0, width = 0.2, opacity = 1, left = 0, top = 0;
    const json_t *v;
    if ((v = json_object_get(el, "strokeWidth")) && !json_is_null(v) &&
        (num_or_pct(v, &sw, &pct) || pct || sw < 0 || sw > 100))
        return bad(err, pfx, "strokeWidth", "must be a number of pixels from 0 to 100");
    if ((v = json_object_get(el, "width")) && !json_is_null(v) &&
        (num_or_pct(v, &width, &pct) || width <= 0 || width > 1))
        return bad(err, pfx, "width", "must be a fraction of the frame width");
    if ((v = json_object_get(el, "opacity")) && !json_is_null(v) &&
        (num_or_pct(v, &opacity, &pct) || opacity < 0 || opacity > 1))
        return bad(err, pfx, "opacity", "must be from 0 to 1");
    double bw = width * W, bh = bw / d->aspect;
    if ((v = json_object_get(el, "borderRadius")) && !json_is_null(v)) {
        if (num_or_pct(v, &radius, &pct) || radius < 0 || (pct && radius > 0.5) || radius > 1000)
            return bad(err, pfx, "borderRadius", "must be pixels (on the 720-pixel canvas) or a percentage up to 50%");
        radius = pct ? radius * fmin(bw, bh) : radius * ref;
    }
    /* placement: 9-grid with a 2.5% margin (as layerItems), or left/top */
    static const char *const grid[] = {"top-left",    "top-center",    "top-right",
                                       "center-left", "center-center", "center-right",
                                       "bottom-left", "bottom-center", "bottom-right"};
    const char *pos = json_string_value(json_object_get(el, "position"));
    const json_t *jl = json_object_get(el, "left"), *jt = json_object_get(el, "top");
    double x, y;
    if (jl || jt) {
        if ((jl && (num_or_pct(jl, &left, &pct) || left < -1 || left > 1)) ||
            (jt && (num_or_pct(jt, &top, &pct) || top < -1 || top > 1)))
            return bad(err, pfx, jl ? "left" : "top", "must be a fraction of the frame");
        x = left * W;
        y = top * H;
    } else {
        int gi = 4;
        if (pos && !strcmp(pos, "center")) pos = "center-center";
        if (pos) {
            gi = -1;
            for (int i = 0; i < 9; i++)
                if (!strcmp(pos, grid[i])) gi = i;
            if (gi < 0) return bad(err, pfx, "position", "must be a position such as \"top-right\"");
        }
        double m = 0.025 * shorts;
        int col = gi % 3, row = gi / 3;
        x = col == 0 ? m : col == 1 ? (W - bw) / 2 : W - bw - m;
        y = row == 0 ? m : row == 1 ? (H - bh) / 2 : H - bh - m;
    }
    g->opacity = opacity;
    g->bord = g->stroke[3] ? sw * ref : 0.0;
    g->radius = radius;
    g->x = x, g->y = y, g->bw = bw, g->bh = bh;
    return 0;
}

/* The event text of g: anchored at its box's centre (so elastic scales about
 * it), moved by move ({dx0, dy0, dx1, dy1, t0, t1} or NULL), with the
 * animation's tags. NULL when out of memory. */
static char *shape_text(const shape_geo *g, const double *move, const char *tags)
{
    sr_buf b;
    sr_buf_init(&b, SHAPE_MAX_EVENT);
    double cx = g->x + g->bw / 2, cy = g->y + g->bh / 2;
    if (move)
        pr(&b, "{\\an5\\move(%.2f,%.2f,%.2f,%.2f,%lld,%lld)", cx + move[0], cy + move[1], cx + move[2],
           cy + move[3], llround(move[4]), llround(move[5]));
    else
        pr(&b, "{\\an5\\pos(%.2f,%.2f)", cx, cy);
    pr(&b, "\\fscx100\\fscy100\\frz0\\shad0\\blur0\\be0\\bord%.2f", g->bord);
    color_tags(&b, 1, g->fill, g->opacity);
    color_tags(&b, 3, g->stroke, g->opacity);
    if (tags) sr_buf_append(&b, tags, strlen(tags));
    pr(&b, "\\p1}");
    outline(&b, g->d, g->bw, g->bh, g->radius);
    pr(&b, "{\\p0}");
    if (b.failed || !b.p) {
        sr_buf_free(&b);
        return NULL;
    }
    return b.p;
}

/* ---- animations -------------------------------------------------------- */

/* The animations[] of el (pfx: its path) as block animations: karaoke is
 * refused, typewriter becomes a wipe in its direction, writingStyle is not
 * used (one unit: the whole shape). */
static int shape_anims(const json_t *el, const char *pfx, tx_anims *a, sr_err *err)
{
    memset(a, 0, sizeof *a);
    const json_t *arr = json_object_get(el, "animations"), *it;
    size_t i;
    json_array_foreach(arr, i, it)
    {
        const char *name = json_string_value(json_object_get(it, "name"));
        if (name && !strcasecmp(name, "karaoke")) {
            char f[160];
            snprintf(f, sizeof f, "%s.animations[%d].name", pfx, (int)i);
            return sr_err_set(err, SR_EINVALID_FIELD, f,
                              "%s: karaoke highlights spoken words and does not apply to shapes.", f);
        }
    }
    int rc = tx_anims_parse(el, pfx, a, err);
    if (rc) return rc;
    tx_anim1 *one[] = {&a->entry, &a->exit};
    for (int k = 0; k < 2; k++) {
        if (one[k]->kind == TXA_TYPEWRITER) one[k]->kind = TXA_WIPE;
        one[k]->ws = TXA_WS_PARAGRAPH;
    }
    return 0;
}

int sr_shape_check_animations(const json_t *obj, const char *pfx, sr_err *err)
{
    tx_anims a;
    return shape_anims(obj, pfx, &a, err);
}

static char *drawing_cb(void *arg, const double *move, const char *tags)
{
    return shape_text(arg, move, tags);
}

int tx_shape_events(const json_t *el, int W, int H, const char *pfx, long long start, long long end,
                    int (*emit)(void *arg, long long start, long long dur, int box_pass, char *text),
                    void *arg, sr_err *err)
{
    shape_geo g;
    tx_style st;
    memset(&st, 0, sizeof st);
    int rc;
    if ((rc = resolve(el, W, H, pfx, &g, err)) || (rc = shape_anims(el, pfx, &st.anim, err))) return rc;
    if (st.anim.entry.kind == TXA_NONE && st.anim.exit.kind == TXA_NONE) {
        char *t = shape_text(&g, NULL, NULL);
        rc = t ? emit(arg, start, end - start, 0, t) : SR_ENOMEM;
    } else {
        st.outline_px = g.bord;
        tx_place pl = {g.x, g.bw, g.y, TX_V_TOP};
        tx_block_src bs;
        memset(&bs, 0, sizeof bs);
        bs.st = &st;
        bs.pl = &pl;
        bs.frame_w = W;
        bs.frame_h = H;
        bs.text = "";
        bs.ink[0] = g.x, bs.ink[1] = g.y, bs.ink[2] = g.x + g.bw, bs.ink[3] = g.y + g.bh;
        bs.drawing = drawing_cb;
        bs.drawing_arg = &g;
        rc = tx_anim_events(&bs, start, end, emit, arg);
    }
    return rc ? sr_err_set(err, rc, pfx, "Out of memory while building the shape.") : 0;
}
