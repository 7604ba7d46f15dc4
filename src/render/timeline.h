/* timeline.h - (private to the engine) the parts of a renderParams timeline
 * (docs/renderParams.md) that the compositor and encoder need, parsed and
 * checked once: output settings, scenes, and the visual elements
 * (backgrounds and image layerItems). Text and audio elements are read by
 * their own modules; the timeline only collects their media paths so that
 * validation can probe every file. */
#ifndef SR_TIMELINE_H
#define SR_TIMELINE_H

#include <stdint.h>

#include <jansson.h>

#include "common/err.h"
#include "render/compose.h"
#include "render/gradient.h"
#include "render/format.h"

/* Limits on untrusted timelines. */
#define SR_TL_MAX_SIDE 3840
#define SR_TL_MIN_SIDE 16
#define SR_TL_MAX_DURATION 1800.0
#define SR_TL_MAX_SCENES 1000
#define SR_TL_MAX_ELEMENTS 10000
#define SR_TL_MAX_CLIPS 256
#define SR_TL_MAX_SUBTITLES 50000
#define SR_TL_MAX_PATH 4096

enum sr_vis_kind { SR_VIS_COLOR, SR_VIS_IMAGE, SR_VIS_VIDEO, SR_VIS_LAYER, SR_VIS_VLAYER /* video layerItem */,
                  SR_VIS_GRADIENT /* generated background, gradient.h */ };
/* How a background's picture meets the frame (backgroundElement.fit, layers.h). */
enum sr_fit { SR_FIT_COVER, SR_FIT_CONTAIN, SR_FIT_BLUR };

typedef struct sr_clip {
    double start, end; /* seconds of the source; end <= 0: to the file's end */
} sr_clip;

/* A visual element: a scene background or an image layerItem. */
typedef struct sr_visual {
    int kind;          /* enum sr_vis_kind */
    int scene;         /* scene index, -1 for the whole video */
    double start, dur; /* visible over [start, start + dur) */
    char *path;        /* resolved media path (image, video, layer) */
    char field[48];    /* "elements[3]" for errors */
    uint8_t color[4];  /* colour background */
    int has_motion;
    sr_motion motion;
    int has_overlay;
    uint8_t ov_color[4];
    double ov_opacity;
    sr_clip *clips; /* video */
    int nclips;
    int loop;
    double offset; /* video background: seconds into its clips at start (sourceOffset) */
    int fit; /* background: enum sr_fit */
    sr_gradient grad; /* SR_VIS_GRADIENT */
    /* layers: 9-grid position (0..8, row-major from top-left) or -1 for left/top */
    int grid;
    double left, top, width, opacity;
} sr_visual;

typedef struct sr_scene {
    double start, dur, tdur; /* tdur: the transition into this scene */
    int transition;          /* index into sr_transitions */
    int bg;                  /* index of its background in vis, or -1 */
} sr_scene;

typedef struct sr_media_ref {
    char *path;
    char field[48];
} sr_media_ref;

typedef struct sr_timeline {
    int w, h;
    double fps, duration;
    int64_t frames; /* round(duration * fps) */
    int crf, audio_bitrate;
    char preset[24];
    uint8_t bg[4];
    double seg_seconds; /* output.segmentSeconds: the longest segment (segment.h) */
    sr_out_format fmt; /* format, codec, exact fps, loudness (fps == fps_num / fps_den) */
    sr_scene *scenes;
    int nscenes;
    sr_visual *vis;
    int nvis;
    sr_media_ref *audio; /* audioElement files, for probing */
    int naudio;
} sr_timeline;

/* Parses and checks rp: every field the engine reads, with its limits; the
 * error names the field (output.width, sceneMarkers[2].transition, ...).
 * Media paths are resolved against base_dir (NULL: "."); files are not opened.
 * Returns 0 and *out (sr_timeline_free), or SR_EINVALID_FIELD / SR_ELIMIT /
 * SR_ENOMEM. */
int sr_timeline_parse(const json_t *rp, const char *base_dir, sr_timeline **out, sr_err *err);
void sr_timeline_free(sr_timeline *tl); /* accepts NULL */

#endif
