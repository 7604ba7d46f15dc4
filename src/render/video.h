/* video.h - (private to the engine) a video background decoded as a stream:
 * its clips played in order and looped, the frame shown at each time picked
 * by timestamp (the last frame whose pts <= t), scaled to cover the output.
 * Memory is a few decoded frames, whatever the file's length. */
#ifndef SR_VIDEO_H
#define SR_VIDEO_H

#include "common/err.h"
#include "render/frame.h"
#include "render/timeline.h"

typedef struct sr_video sr_video;

/* Opens path for a W x H output. clips (may be NULL / 0: the whole file) are
 * source ranges played in order; loop restarts them when they run out (else
 * the last frame holds). field names the element for errors. Returns 0 and
 * *out, or SR_EMEDIA_* with the file named, or SR_ENOMEM. */
int sr_video_open(sr_video **out, const char *path, const char *field, const sr_clip *clips,
                  int nclips, int loop, int W, int H, sr_err *err);

/* The picture at t seconds after the element's start: *pic (owned by v, valid
 * until the next call) is pre-scaled to cover W x H (prescale 1 for
 * sr_draw_view). Returns 0 or an error. */
int sr_video_frame(sr_video *v, double t, const sr_frame **pic, sr_err *err);

void sr_video_close(sr_video *v); /* accepts NULL */

#endif
