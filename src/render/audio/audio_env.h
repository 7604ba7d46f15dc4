/* audio_env.h - (private to src/render/audio) gain curves computed from the
 * timeline, not from the signal: a set of spans where the gain is `level`,
 * entered with a raised-cosine ramp of `atk` samples that ends as the span
 * starts and left with one of `rel` samples that starts as it ends. Ducking
 * under narration, muted ranges and fades are all such curves. */
#ifndef SR_AUDIO_ENV_H
#define SR_AUDIO_ENV_H

#include <stdint.h>

typedef struct sr_aspan {
    int64_t a, b; /* [a, b) in 48 kHz sample frames */
} sr_aspan;

typedef struct sr_acurve {
    sr_aspan *v;      /* owned by the caller; sorted and merged by sr_acurve_merge */
    int n;            /* spans in v */
    int cur;          /* cursor: first span not yet left behind */
    float level;      /* gain inside a span, 0..1 (outside: 1) */
    int64_t atk, rel; /* ramp lengths in samples, >= 0 */
} sr_acurve;

/* Sorts c->v by start and merges spans that overlap or whose gap is shorter
 * than atk + rel (so the gain does not bob up between them). Resets the
 * cursor. */
void sr_acurve_merge(sr_acurve *c);

/* Multiplies g[0..n) by the curve's gain at sample frames s0 .. s0+n-1.
 * Successive calls must not go back in time (the cursor only moves forward). */
void sr_acurve_apply(sr_acurve *c, int64_t s0, int n, float *g);

/* The curve's gain at sample frame s (no cursor; for tests and checks). */
float sr_acurve_gain(const sr_acurve *c, int64_t s);

#endif
