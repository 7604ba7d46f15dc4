/* frame.h - the engine's picture: 8-bit YUV 4:2:0 (BT.709, limited range),
 * the format the encoder takes, so nothing is converted per frame. Width and
 * height are even. Planes are 64-byte aligned with linesize a multiple of 64. */
#ifndef SR_FRAME_H
#define SR_FRAME_H

#include <stdint.h>

typedef struct sr_frame {
    int w, h;
    uint8_t *data[3];  /* Y, U (Cb), V (Cr) */
    int linesize[3];
    void *mem;         /* owned allocation (NULL when the planes belong to someone else) */
} sr_frame;

/* Allocates a w x h frame (w, h even, > 0). NULL on OOM. Free with sr_frame_free. */
sr_frame *sr_frame_alloc(int w, int h);
void sr_frame_free(sr_frame *f); /* accepts NULL */
/* Fills the frame with one colour. */
void sr_frame_fill(sr_frame *f, uint8_t y, uint8_t u, uint8_t v);
void sr_frame_copy(sr_frame *dst, const sr_frame *src); /* same size */

/* RGB (0..255, sRGB) to BT.709 limited-range YUV, and back. */
void sr_rgb_to_yuv(int r, int g, int b, uint8_t *y, uint8_t *u, uint8_t *v);
void sr_yuv_to_rgb(int y, int u, int v, uint8_t *r, uint8_t *g, uint8_t *b);

/* Blends a single-colour coverage mask onto the frame: for every mask pixel m
 * (0..255) the frame pixel moves toward colour (y,u,v) by m*alpha/255/255.
 * (x, y0) is the mask's top-left in the frame and may lie partly outside: it is
 * clipped. Chroma uses the mean of the 2x2 mask block. This is the one text
 * primitive: libass images are exactly such masks. */
void sr_frame_blend_mask(sr_frame *f, int x, int y0, const uint8_t *mask, int stride, int w, int h,
                         uint8_t cy, uint8_t cu, uint8_t cv, int alpha);

/* Reads pixel (x, y) as RGB (for tests and thumbnails). */
void sr_frame_get_rgb(const sr_frame *f, int x, int y, uint8_t rgb[3]);
/* Mean RGB over a rectangle (clipped to the frame). */
void sr_frame_mean_rgb(const sr_frame *f, int x, int y, int w, int h, double rgb[3]);

#endif
