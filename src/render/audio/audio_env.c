/* audio_env.c - timeline gain curves with raised-cosine ramps (see audio_env.h). */
#include "render/audio/audio_env.h"

#include <math.h>
#include <stdlib.h>

static int span_cmp(const void *x, const void *y)
{
    const sr_aspan *p = x, *q = y;
    return p->a < q->a ? -1 : p->a > q->a;
}

void sr_acurve_merge(sr_acurve *c)
{
    c->cur = 0;
    if (c->n <= 1) return;
    qsort(c->v, (size_t)c->n, sizeof *c->v, span_cmp);
    int m = 0;
    for (int i = 1; i < c->n; i++) {
        sr_aspan *last = &c->v[m];
        if (c->v[i].a - last->b < c->atk + c->rel) {
            if (c->v[i].b > last->b) last->b = c->v[i].b;
        } else {
            c->v[++m] = c->v[i];
        }
    }
    c->n = m + 1;
}

/* Weight 0..1 of "inside" on a rising raised-cosine ramp at x of len. */
static float rise(int64_t x, int64_t len)
{
    return (float)(0.5 - 0.5 * cos(M_PI * (double)x / (double)len));
}

/* The weight of span sp at sample s (0 outside its ramps, 1 inside). */
static float weight(const sr_acurve *c, const sr_aspan *sp, int64_t s)
{
    if (s < sp->a - c->atk || s >= sp->b + c->rel) return 0.0f;
    if (s < sp->a) return rise(s - (sp->a - c->atk), c->atk);
    if (s < sp->b) return 1.0f;
    return 1.0f - rise(s - sp->b, c->rel);
}

float sr_acurve_gain(const sr_acurve *c, int64_t s)
{
    float w = 0.0f;
    for (int i = 0; i < c->n; i++) {
        float x = weight(c, &c->v[i], s);
        if (x > w) w = x;
    }
    return 1.0f - (1.0f - c->level) * w;
}

void sr_acurve_apply(sr_acurve *c, int64_t s0, int n, float *g)
{
    const float depth = 1.0f - c->level;
    int i = 0;
    while (i < n) {
        int64_t s = s0 + i;
        while (c->cur < c->n && s >= c->v[c->cur].b + c->rel)
            c->cur++;
        if (c->cur >= c->n) return; /* past every span: gain 1 */
        const sr_aspan *sp = &c->v[c->cur];
        int64_t ra = sp->a - c->atk, end;
        if (s < ra) { /* before the attack: gain 1 */
            end = ra;
            i = (int)(end - s0 < n ? end - s0 : n);
            continue;
        }
        if (s >= sp->a && s < sp->b) { /* inside: constant level */
            end = sp->b - s0 < n ? sp->b - s0 : n;
            for (; i < end; i++)
                g[i] *= c->level;
            continue;
        }
        /* On a ramp: up to the span's start or to the release's end. */
        end = s < sp->a ? sp->a : sp->b + c->rel;
        end = end - s0 < n ? end - s0 : n;
        for (; i < end; i++)
            g[i] *= 1.0f - depth * weight(c, sp, s0 + i);
    }
}
