/* segment.h - (private to the engine) the segment planner: a timeline's
 * frames cut into segments, each composited and encoded on its own (closed
 * GOP, first frame IDR) so that segments decode alone and concatenate into
 * one stream with no re-encode.
 *
 * Boundaries fall where scenes change: at a cut, or just before and just
 * after a transition (a transition is one segment of its own, never split,
 * even when it is longer than the maximum), and where the picture falls back
 * to the background (a gap after a scene). Between boundaries, segments are
 * max_frames long counted from the boundary, the last one shorter. So a
 * scene that only moves in time keeps the same segments, relative to it. */
#ifndef SR_SEGMENT_H
#define SR_SEGMENT_H

#include <stdint.h>

/* Default and limits of output.segmentSeconds. */
#define SR_SEG_SECONDS_DEFAULT 2.0
#define SR_SEG_SECONDS_MIN 0.5
#define SR_SEG_SECONDS_MAX 60.0

typedef struct sr_seg {
    int64_t start;  /* first frame (on the whole timeline) */
    int64_t frames; /* frame count (>= 1) */
} sr_seg;

typedef struct sr_seg_scene {
    double start, dur, tdur; /* as sr_scene: visible over [start, start + dur), transition tdur */
} sr_seg_scene;

/* The first frame i with i / fps >= t (the compositor's rule for what shows
 * at frame i), clamped to >= 0. */
int64_t sr_seg_first_frame(double t, double fps);

/* The longest segment, in frames: floor(seconds x fps_num / fps_den), at
 * least 1 (2 s: 60 at 30 fps, 59 at 29.97, 47 at 23.976, 119 at 59.94). */
int64_t sr_seg_max_frames(double seconds, int fps_num, int fps_den);

/* Plans frames frames at fps_num/fps_den over scenes sc[0..n) (in order) into
 * segments of at most seconds each (but a transition is never split).
 * Returns the segment count (>= 1 when frames >= 1) and *out (free), or -1
 * when out of memory. */
int sr_seg_plan(const sr_seg_scene *sc, int n, int64_t frames, int fps_num, int fps_den,
                double seconds, sr_seg **out);

#endif
