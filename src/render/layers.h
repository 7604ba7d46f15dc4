/* layers.h - (private to the engine) video element layers (layerItem type
 * video: a streamed video in a box on a scene) and background fit: contain
 * (letterboxed on a colour) or blur (a blurred, darkened copy of the picture
 * fills behind a contained copy). */
#ifndef SR_LAYERS_H
#define SR_LAYERS_H

#include <stdint.h>

#include "common/err.h"
#include "render/frame.h"
#include "render/timeline.h"

/* ---- fit ---- */

typedef struct sr_fitter sr_fitter;
/* Scratch for fitting pictures into W x H frames. NULL on OOM. */
sr_fitter *sr_fitter_create(int W, int H);
void sr_fitter_destroy(sr_fitter *ft); /* accepts NULL */
/* Draws pic into the whole of dst (dst->w x dst->h <= the fitter's W x H):
 * SR_FIT_CONTAIN: pic scaled to fit, centred, on colour bg (RGBA);
 * SR_FIT_BLUR: the same over a blurred (downscaled to 1/16 of the area,
 * box-blurred, upscaled), darkened cover copy of pic; SR_FIT_COVER: a cover
 * crop. */
void sr_fit_draw(sr_fitter *ft, sr_frame *dst, const sr_frame *pic, int fit, const uint8_t bg[4]);
/* The size (even, >= 2) that an iw x ih picture takes inside W x H when
 * contained. */
void sr_contain_size(int iw, int ih, int W, int H, int *w, int *h);

/* ---- video element layers ---- */

typedef struct sr_vlayer sr_vlayer;
/* Opens the video layerItem v for a W x H frame: its box is v->width of the
 * frame wide, the video's own aspect, placed by v's 9-grid position (2.5%
 * margin) or left/top. Returns 0 and *out, or an error naming the file. */
int sr_vlayer_open(sr_vlayer **out, const sr_visual *v, int W, int H, sr_err *err);
/* Draws the layer's picture at t seconds after its start into f (with its
 * colour overlay, clipped to the frame). */
int sr_vlayer_draw(sr_vlayer *l, sr_frame *f, double t, sr_err *err);
void sr_vlayer_close(sr_vlayer *l); /* accepts NULL */

#endif
