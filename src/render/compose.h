/* compose.h - the engine's private picture operations: decoding stills,
 * sampling a pre-scaled picture through a moving camera, tints, alpha layers
 * (logos, scene images) and transitions. Everything works on sr_frame (YUV
 * 4:2:0, BT.709 limited range) so that nothing is converted per frame.
 *
 * Nothing here knows of the timeline's JSON, text or audio: the compositor and
 * its tests link only this, libav* and frame.c. */
#ifndef SR_COMPOSE_H
#define SR_COMPOSE_H

#include <stdint.h>

#include "common/err.h"
#include "render/frame.h"
#include "render/media.h"

struct AVFrame;

/* Bounds on untrusted pictures when they are decoded: the ceilings of the
 * limits (media.h), which a render checks, as configured, when it probes its
 * media before drawing anything. */
#define SR_MAX_IMAGE_PIXELS SR_MEDIA_CEIL_PIXELS
#define SR_MAX_IMAGE_SIDE SR_MEDIA_MAX_SIDE
#define SR_MAX_ZOOM 4.0

/* ---- stills (image.c) ---- */

/* Decodes the first picture of the image file path (opened by sr_media_open:
 * a format of its allow list) with AV_EF_EXPLODE, so a damaged file fails. field names the timeline
 * field for errors. Returns 0 and *out (caller frees with av_frame_free), or
 * SR_EMEDIA_NOT_FOUND / SR_EMEDIA_UNREADABLE / SR_EMEDIA_INVALID / SR_ELIMIT
 * with the file named. */
int sr_image_decode(const char *path, const char *field, struct AVFrame **out, sr_err *err);

/* The size (even, >= 2) the picture iw x ih takes when scaled by `scale`. */
void sr_scaled_size(int iw, int ih, double scale, int *w, int *h);

/* Converts and scales a decoded picture to a new w x h sr_frame (YUV 4:2:0,
 * BT.709 limited range) with a good filter (bicubic). Returns 0 and *out
 * (sr_frame_free), or SR_ENOMEM / SR_EMEDIA_INVALID. */
int sr_image_to_yuv(const struct AVFrame *src, int w, int h, sr_frame **out, sr_err *err);

/* The scale factor that makes an iw x ih picture cover a W x H frame. */
double sr_cover_scale(int iw, int ih, int W, int H);

/* ---- camera (compose.c) ---- */

/* A camera path: zoom >= 1 relative to the cover fit, centre (x, y) in
 * fractions of the covered picture, from start to end with a smoothstep ease. */
/* round(x / 255) for x in 0..65535 without a division */
static inline int sr_div255(int x)
{
    x += 128;
    return (x + (x >> 8)) >> 8;
}

typedef struct sr_motion {
    double z0, z1, x0, y0, x1, y1;
} sr_motion;

/* Scratch the sampler needs (column tables); one per compositing thread. */
typedef struct sr_sampler sr_sampler;
sr_sampler *sr_sampler_create(int max_w); /* NULL on OOM */
void sr_sampler_destroy(sr_sampler *s);   /* accepts NULL */

/* Draws into dst (the whole frame) the view of pic, a picture pre-scaled to
 * `prescale` times the cover size of dst, that camera m shows at progress u
 * (0..1, eased here). m NULL: the still centred cover crop. Sampling is
 * bilinear at sub-pixel positions (8-bit fractions), so a slow move does not
 * jitter. */
void sr_draw_view(sr_sampler *s, sr_frame *dst, const sr_frame *pic, double prescale,
                  const sr_motion *m, double u);

/* Largest zoom motion m reaches (1 when NULL), capped to SR_MAX_ZOOM. */
double sr_motion_max_zoom(const sr_motion *m);

/* Samples a plane: output pixel (i, j) takes the source at
 * (x0 + (i + 0.5) * sx - 0.5, y0 + (j + 0.5) * sy - 0.5), edges clamped. */
void sr_sample_plane(sr_sampler *s, uint8_t *dst, int dls, int dw, int dh, const uint8_t *src,
                     int sls, int sw, int sh, double x0, double y0, double sx, double sy);

/* Tints the whole frame toward colour (cy, cu, cv) by alpha/255. */
void sr_frame_tint(sr_frame *f, uint8_t cy, uint8_t cu, uint8_t cv, int alpha);

/* ---- alpha layers (compose.c) ---- */

/* A picture with alpha, converted once to premultiplied YUVA 4:2:0. */
typedef struct sr_layer sr_layer;

/* Decodes image path and scales it to w x h (w, h even; premultiplied before
 * scaling so transparent edges do not bleed), times opacity (0..1). Returns 0
 * and *out, or an error naming the file. */
int sr_layer_create(sr_layer **out, const char *path, const char *field, int w, int h,
                    double opacity, sr_err *err);
/* As sr_layer_create from an already decoded picture. */
int sr_layer_from_frame(sr_layer **out, const struct AVFrame *src, int w, int h, double opacity,
                        sr_err *err);
/* Blends the layer onto f with its top-left at (x, y) (rounded down to even so
 * chroma stays aligned; clipped to the frame). */
void sr_layer_blend(const sr_layer *l, sr_frame *f, int x, int y);
void sr_layer_destroy(sr_layer *l); /* accepts NULL */

/* ---- transitions (transitions.c) ---- */

/* A transition draws into out the picture between from (progress 0) and to
 * (progress 1). All three frames have the same size; out differs from both. */
typedef void (*sr_transition_fn)(sr_frame *out, const sr_frame *from, const sr_frame *to, double p);

typedef struct sr_transition {
    const char *name;
    sr_transition_fn fn;
} sr_transition;

/* The transition table, in the order of docs/renderParams.md, and its size. */
extern const sr_transition sr_transitions[];
extern const int sr_ntransitions;
/* The index of the transition called name, or -1. */
int sr_transition_find(const char *name);

#endif
