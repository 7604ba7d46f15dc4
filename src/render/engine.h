/* engine.h - the render engine's public API: a timeline (renderParams JSON,
 * docs/renderParams.md) in, finished files out. The engine knows nothing of
 * HTTP, databases or job queues; the CLI, the service's workers and the tests
 * all call these functions.
 *
 * It streams: frames are composited and handed to the encoder as they are
 * made, in a compositor thread beside the encoder's threads, and audio is mixed
 * in blocks, so memory does not grow with the video's length.
 *
 * An MP4 renders in segments (output.segmentSeconds, docs/renderParams.md):
 * runs of frames composited and encoded on their own (closed GOP, first frame
 * an IDR), jobs of them at once, each under a content key so that a cache can
 * hand back the ones that did not change; the audio is mixed and encoded once
 * for the whole video; the segments and the audio are laid, with no
 * re-encode, into the final file and, optionally, an HLS stream that grows
 * as segments finish. sr_render does all of it; sr_render_plan,
 * sr_render_segment and sr_render_assemble let a caller do the parts apart
 * (one segment here, another on another machine). */
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
    int hls_segments;     /* HLS media segments written so far (opts.hls_dir) */
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
#define SR_RENDER_MAX_JOBS 64
#define SR_RENDER_CACHE_MB 2048 /* default bound of the segment cache */

/* What a render did and how long each stage took (opts.stats; the JSON of
 * sr_render_stats_json is storyreel render --stats and a job's renderStats). */
typedef struct sr_render_stats {
    int segments_total, segments_reused, segments_encoded;
    /* seconds: compile (the timeline read and checked; a caller that compiled
     * a storyboard adds its own time), audio (mixed and encoded), video
     * (segments composited and encoded), mux (laid into the files), total */
    double compile_s, audio_s, video_s, mux_s, total_s;
    double av_end_diff_ms;       /* the audio's end minus the video's, ms */
    double max_chars_per_second; /* the fastest subtitle cue */
} sr_render_stats;

/* A segment of the plan: frames [start, start + frames) of the timeline. */
typedef struct sr_segment {
    int64_t start, frames;
} sr_segment;

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
    /* Encoder threads of each segment (0 = automatic: the cores shared among
     * the jobs). They are part of a segment's key: callers rendering segments
     * on several machines (the fleet) fix them so keys match across nodes. */
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
    /* Segments rendered at once (0: automatic, half the cores, at least 1),
     * each with its share of the encoder threads. */
    int jobs;
    /* The segment cache folder (segcache.h), or NULL: no cache. no_cache:
     * encode every segment (and store none). cache_max_mb: its bound (0:
     * SR_RENDER_CACHE_MB), least recently used segments evicted. */
    const char *cache_dir;
    int no_cache;
    int64_t cache_max_mb;
    /* Render an MP4 as one stream, as formats other than MP4 always are (no
     * segments, no cache, no HLS). */
    int no_segments;
    /* When non-NULL, an HLS stream of the video (with its audio) is written
     * there as segments finish: index.m3u8 (EVENT, EXT-X-ENDLIST at the end),
     * init.mp4, seg-NNNNN.m4s. The caller removes the folder. */
    const char *hls_dir;
    /* When non-NULL, filled once the render succeeded. */
    sr_render_stats *stats;
} sr_render_opts;

/* Renders the timeline rp to the files named by opts. Returns 0 or a negative
 * SR_E* code with err filled (the field or file at fault named). rp is not
 * modified. */
int sr_render(const json_t *rp, const sr_render_opts *opts, sr_err *err);

/* The segments rp's video is cut into: returns their count and *out (free),
 * or a negative error. Every caller that renders rp plans the same. */
int sr_render_plan(const json_t *rp, const char *base_dir, sr_segment **out, sr_err *err);

/* Renders segment index of rp's plan alone into path (an MP4 holding its
 * video only; written under a temporary name and renamed), with
 * opts->base_dir, cancel and jobs (its share of encoder threads). MP4 only. */
int sr_render_segment(const json_t *rp, const sr_render_opts *opts, int index, const char *path, sr_err *err);

/* The same for many segments of one timeline: sr_segrender_open parses and
 * plans rp and makes one compositor context (scene pictures, text, buffers:
 * a few frames' worth of memory held until sr_segrender_close); each
 * sr_segrender_run renders segment index into path, in any order, stopping
 * when *cancel (may be NULL) becomes non-zero. opts is copied; rp is not
 * kept. One thread at a time per handle. */
typedef struct sr_segrender sr_segrender;
int sr_segrender_open(sr_segrender **out, const json_t *rp, const sr_render_opts *opts, sr_err *err);
int sr_segrender_run(sr_segrender *s, int index, const char *path, volatile int *cancel, sr_err *err);
void sr_segrender_close(sr_segrender *s);

/* The content keys (64 hex characters each) of rp's n segments (n: what
 * sr_render_plan returns) into keys[0..n): under keys[k], segment k rendered
 * by sr_render_segment with the same opts (base_dir, threads, jobs) may be
 * cached; what sr_render's own segment cache uses. opts->cache_dir, when
 * set, remembers file hashes in its hashes/ folder. SR_EINVALID_FIELD
 * (field "output.format") for a timeline that does not render in segments. */
int sr_render_segment_keys(const json_t *rp, const sr_render_opts *opts, char (*keys)[65], int n, sr_err *err);

/* Writes every file sr_render writes, from segments[0..n) (the files of
 * sr_render_segment for each segment of the plan, in order): the audio is
 * mixed and encoded, and the segments laid in with no re-encode. */
int sr_render_assemble(const json_t *rp, const sr_render_opts *opts, const char *const *segments, int n,
                       sr_err *err);

/* The jobs a render of opts.jobs runs (jobs when > 0, else automatic). */
int sr_render_jobs(int jobs);

/* The renderStats JSON: {"segments":{"total","reused","encoded"},
 * "seconds":{"compile","audio","video","mux","total"}, "avEndDiffMs",
 * "maxCharsPerSecond"}. New reference (NULL when out of memory). */
json_t *sr_render_stats_json(const sr_render_stats *s);

/* Validates a timeline without rendering (fields, limits, media present and
 * decodable, the default picture limits). Returns 0 or an error. */
int sr_render_validate(const json_t *rp, const char *base_dir, sr_err *err);
/* The same with opts' base_dir and picture limits: what sr_render checks
 * before it starts. A caller that renders the segments apart
 * (sr_render_segment, which probes nothing before it loads a file)
 * checks the whole timeline once with it. */
int sr_render_check(const json_t *rp, const sr_render_opts *opts, sr_err *err);

/* Writes OUT.srt, OUT.vtt and OUT.txt from rp's subtitles[] (used by sr_render;
 * exposed for tests). base is the output path without extension. */
int sr_write_subtitle_files(const json_t *rp, const char *base, sr_err *err);

/* The worst reading speed of rp's subtitles[] (hidden cues included, as in
 * the SRT): the most characters per second of display of any cue with text,
 * line breaks not counted; 0 when there is none. A render statistic
 * (renderStats.maxCharsPerSecond). */
double sr_subtitles_max_cps(const json_t *rp);

#endif
