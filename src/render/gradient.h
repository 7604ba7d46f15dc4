/* gradient.h - (private to the engine) the generated background: a slow-moving
 * linear gradient of 2-3 colours (backgroundElement type "gradient",
 * docs/renderParams.md). It stands in when a scene has no visual. */
#ifndef SR_GRADIENT_H
#define SR_GRADIENT_H

#include <stdint.h>

#include <jansson.h>

#include "common/err.h"
#include "render/frame.h"

typedef struct sr_gradient {
    uint8_t colors[3][4]; /* RGBA; alpha ignored */
    int n;                /* 2 or 3 */
    double angle;         /* degrees: 0 = left to right, 90 = top to bottom */
    double speed;         /* degrees per second the angle turns (the motion); 0 = still */
} sr_gradient;

/* Reads "colors" (2-3 colour strings, default a dark blue-violet palette),
 * "angle" (-360..360, default 135) and "motion" (degrees per second, 0..90,
 * default 6) of backgroundElement e. field ("elements[3]") prefixes errors.
 * Returns 0 or SR_EINVALID_FIELD naming the field. */
int sr_gradient_parse(const json_t *e, const char *field, sr_gradient *g, sr_err *err);

/* Draws g at t seconds into the element into f: the colours spread along the
 * direction at angle + speed * t, and the bands sway along it (a 12 s
 * period); speed 0 draws a still gradient. Interpolated linearly in YUV
 * (the same as in RGB: the conversion is affine). */
void sr_gradient_draw(sr_frame *f, const sr_gradient *g, double t);

#endif
