/* engine.h - the render engine's public API: a timeline (renderParams JSON,
 * docs/renderParams.md) in, finished files out. The engine knows nothing of
 * HTTP, databases or job queues; the CLI, the service's workers and the tests
 * all call these functions.
 *
 * It streams: frames are composited and handed to the encoder as they are
 * made, in a compositor thread beside the encoder's threads, and audio is mixed
 * in blocks, so memory does not grow with the video's length. */
#ifndef SR_ENGINE_H
#define SR_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "common/err.h"
#include "render/media.h"

typedef struct sr_progress {
    int64_t frame;        /* frames encoded so far */
    int64_t total_frames;
    double percent;       /* 0..100 */
    double fps;           /* encoded frames per second of wall time */
    double eta_s;         /* estimated seconds left */
} sr_progress;

/* Where a render's CPU time went, per stage (thread CPU clocks around each
 * stage), and what the compositor did and skipped. Filled at the end of
 * sr_render when sr_render_opts.profile is non-NULL. */
typedef struct sr_render_profile {
    double wall_s;    /* sr_render from start to end */
    double cpu_s;     /* the whole process's CPU over the same time */
    double compose_s; /* the compositor: scenes, camera, layers, transitions (text excluded) */
    double text_s;    /* text elements and subtitles (libass and blending) */
    double audio_s;   /* the mix, the loudness pass and audio encoding */
    double encode_s;  /* the rest: the video encoder's threads and calls, muxing, setup */
    int64_t frames;
    int64_t stills_drawn, stills_reused; /* scene pictures composited / taken from the still cache */
    int64_t sampled_px, mixed_px, copied_px; /* camera pixels; transition pixels mixed / copied */
    const char *simd;                        /* the compositor's loops: "scalar", "sse2" or "avx2" */
} sr_render_profile;

/* Writes p as one line ("profile: " and a JSON object) to f. */
void sr_render_profile_print(const sr_render_profile *p, FILE *f);

typedef struct sr_render_opts {
    /* OUT.mp4; OUT.srt, OUT.vtt, OUT.txt, OUT.jpg and OUT.mp3 are written beside
     * it (the extension of out_path is replaced). Every file is written under a
     * temporary name and renamed when complete. */
    const char *out_path;
    /* Folder that relative media paths in the timeline resolve against (NULL: "."). */
    const char *base_dir;
    /* Called from the rendering thread at most ~4 times a second. May be NULL. */
    void (*progress)(void *ud, const sr_progress *p);
    void *progress_ud;
    /* When non-NULL and *cancel becomes non-zero, the render stops within a
     * frame or two and returns SR_ECANCELLED (no output left behind). */
    volatile int *cancel;
    /* Worker threads for compositing (0 = automatic). */
    int threads;
    /* The main file's extension follows the timeline's output.format (OUT.mp4,
     * OUT.webm, OUT.gif, OUT.mp3): when non-NULL, out_written receives the path
     * actually written (NUL-terminated, truncated to out_written_size). An mp3
     * render writes no separate OUT.mp3 and no thumbnail. */
    char *out_written;
    size_t out_written_size;
    /* Limits on the pictures the render decodes (media.h; zeros: the defaults,
     * 16384 px a side, 50 Mpx a picture, 1000 Mpx in all): every visual's
     * size is checked from its file's header, before it is decoded, and
     * charged once (each is decoded once to be drawn); over a limit, the
     * render fails with SR_ELIMIT naming the file. */
    sr_media_limits limits;
    /* When non-NULL, receives the render's profile (also when it fails). */
    sr_render_profile *profile;
} sr_render_opts;

/* Renders the timeline rp to the files named by opts. Returns 0 or a negative
 * SR_E* code with err filled (the field or file at fault named). rp is not
 * modified. */
int sr_render(const json_t *rp, const sr_render_opts *opts, sr_err *err);

/* Validates a timeline without rendering (fields, limits, media present and
 * decodable, the default picture limits). Returns 0 or an error. */
int sr_render_validate(const json_t *rp, const char *base_dir, sr_err *err);

/* Writes OUT.srt, OUT.vtt and OUT.txt from rp's subtitles[] (used by sr_render;
 * exposed for tests). base is the output path without extension. */
int sr_write_subtitle_files(const json_t *rp, const char *base, sr_err *err);

/* The worst reading speed of rp's subtitles[] (hidden cues included, as in
 * the SRT): the most characters per second of display of any cue with text,
 * line breaks not counted; 0 when there is none. A render statistic
 * (renderStats.maxCharsPerSecond). */
double sr_subtitles_max_cps(const json_t *rp);

#endif
