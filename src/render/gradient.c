/* gradient.c - the generated gradient background (gradient.h). */
#include "render/gradient.h"

#include <math.h>
#include <stdio.h>

#include "common/util.h"

#define SWAY_PERIOD_S 12.0
#define MAX_SPEED 90.0

static const char *const default_colors[] = {"#1E2A78", "#6A3FA0", "#0F8B8D"};

int sr_gradient_parse(const json_t *e, const char *field, sr_gradient *g, sr_err *err)
{
    char f[128];
    const json_t *cs = json_object_get(e, "colors");
    g->n = 3;
    for (int i = 0; i < 3; i++)
        sr_parse_color(default_colors[i], g->colors[i]);
    if (cs && !json_is_null(cs)) {
        snprintf(f, sizeof f, "%s.colors", field);
        if (!json_is_array(cs) || json_array_size(cs) < 2 || json_array_size(cs) > 3)
            return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be 2 or 3 colours.", f);
        g->n = (int)json_array_size(cs);
        for (int i = 0; i < g->n; i++) {
            const char *s = json_string_value(json_array_get(cs, (size_t)i));
            if (!s || sr_parse_color(s, g->colors[i]))
                return sr_err_set(err, SR_EINVALID_FIELD, f,
                                  "%s[%d] must be a colour such as \"#1E2A78\".", f, i);
        }
    }
    static const struct {
        const char *key;
        double def, lo, hi;
    } nums[] = {{"angle", 135, -360, 360}, {"motion", 6, 0, MAX_SPEED}};
    double *dst[] = {&g->angle, &g->speed};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(e, nums[i].key);
        *dst[i] = nums[i].def;
        if (!v || json_is_null(v)) continue;
        snprintf(f, sizeof f, "%s.%s", field, nums[i].key);
        if (!json_is_number(v) || json_number_value(v) < nums[i].lo ||
            json_number_value(v) > nums[i].hi)
            return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a number from %g to %g.", f,
                              nums[i].lo, nums[i].hi);
        *dst[i] = json_number_value(v);
    }
    return 0;
}

/* Fills one plane of pw x ph (subsampled by sub) with the gradient's
 * component c (0 Y, 1 U, 2 V). s(x, y) = a*x + b*y + c0 in 0..1 units. */
static void fill_plane(uint8_t *p, int ls, int pw, int ph, int sub, double a, double b, double c0,
                       const double col[3][3], int n, int comp)
{
    double seg = n - 1;
    for (int y = 0; y < ph; y++) {
        uint8_t *row = p + (size_t)y * ls;
        double s = c0 + b * (y * sub + sub * 0.5 - 0.5) + a * (sub * 0.5 - 0.5);
        double ds = a * sub;
        for (int x = 0; x < pw; x++, s += ds) {
            double u = s < 0 ? 0 : s > 1 ? 1 : s;
            u *= seg;
            int k = (int)u;
            if (k >= n - 1) k = n - 2;
            double w = u - k;
            double v = col[k][comp] + (col[k + 1][comp] - col[k][comp]) * w;
            row[x] = (uint8_t)(v + 0.5);
        }
    }
}

void sr_gradient_draw(sr_frame *f, const sr_gradient *g, double t)
{
    double col[3][3];
    for (int i = 0; i < g->n; i++) {
        uint8_t y, u, v;
        sr_rgb_to_yuv(g->colors[i][0], g->colors[i][1], g->colors[i][2], &y, &u, &v);
        col[i][0] = y;
        col[i][1] = u;
        col[i][2] = v;
    }
    double ang = (g->angle + g->speed * t) * M_PI / 180.0;
    /* the sway: up to 15% of the span, scaled with the speed (0 at speed 0) */
    double amp = 0.15 * fmin(1.0, g->speed / 6.0);
    double shift = amp * sin(2 * M_PI * t / SWAY_PERIOD_S);
    double dx = cos(ang), dy = sin(ang);
    /* project pixel centres on the direction; normalise so the frame's
     * corners map to 0..1 (the whole palette always shows) */
    double W = f->w, H = f->h;
    double half = 0.5 * (fabs(dx) * W + fabs(dy) * H);
    if (half < 1) half = 1;
    double a = dx / (2 * half), b = dy / (2 * half);
    double c0 = 0.5 - (dx * W / 2 + dy * H / 2) / (2 * half) + shift;
    fill_plane(f->data[0], f->linesize[0], f->w, f->h, 1, a, b, c0, col, g->n, 0);
    fill_plane(f->data[1], f->linesize[1], f->w / 2, f->h / 2, 2, a, b, c0, col, g->n, 1);
    fill_plane(f->data[2], f->linesize[2], f->w / 2, f->h / 2, 2, a, b, c0, col, g->n, 2);
}
