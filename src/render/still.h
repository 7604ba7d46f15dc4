/* still.h - (private to the engine) the still cache: a scene's picture
 * before its text (background, camera, tint, image layers), kept while
 * nothing in it can change, so that a still scene is composited once and
 * copied on every later frame.
 *
 * A picture is still at t when its background is a colour, a still gradient,
 * or an image whose camera does not move (no Ken Burns, or one whose start and
 * end views are the same), and none of the scene's visible layers is a video;
 * its key is the scene and the set of its layers visible at t. Video
 * backgrounds, moving cameras and moving gradients are never cached. Two
 * pictures are kept (the two scenes of a transition), allocated on first use. */
#ifndef SR_STILL_H
#define SR_STILL_H

#include "render/frame.h"
#include "render/timeline.h"

typedef struct sr_still sr_still;

sr_still *sr_still_create(int w, int h); /* NULL on OOM */
void sr_still_destroy(sr_still *c);      /* accepts NULL */

/* When scene s's picture at t is still and kept, copies it into f (the
 * frame size given to sr_still_create) and returns 1; else returns 0 and the
 * caller draws it, then offers it with sr_still_put. Counts stills_reused or
 * stills_drawn (pixels.h's counters). */
int sr_still_get(sr_still *c, const sr_timeline *tl, int s, double t, sr_frame *f);
/* Keeps f as scene s's picture at t when that picture is still (and skipping
 * is on: sr_px_skip); otherwise does nothing. Out of memory: nothing kept. */
void sr_still_put(sr_still *c, const sr_timeline *tl, int s, double t, const sr_frame *f);

#endif
