/* format.h - the output formats (output.format, output.videoCodec, output.fps,
 * output.loudness): one table of containers and one of video codecs, shared by
 * the compiler (storyboard `output`) and the engine (timeline `output`) so that
 * both accept and reject the same values with the same messages. */
#ifndef SR_FORMAT_H
#define SR_FORMAT_H

#include <jansson.h>

#include "common/err.h"

enum sr_fmt { SR_FMT_MP4, SR_FMT_WEBM, SR_FMT_GIF, SR_FMT_MP3, SR_FMT__COUNT };
enum sr_vcodec {
    SR_VC_H264,
    SR_VC_H265,
    SR_VC_VP9,
    SR_VC_AV1,
    SR_VC_GIF,
    SR_VC_NONE,
    SR_VC__COUNT
};

/* GIF limits: longer or larger GIFs are refused (use mp4/webm). */
#define SR_GIF_MAX_SECONDS 60.0
#define SR_GIF_MAX_SIDE 1280

/* Loudness targets (LUFS integrated, EBU R128). */
#define SR_LOUDNESS_DEFAULT (-16.0)
#define SR_LOUDNESS_MIN (-40.0)
#define SR_LOUDNESS_MAX (-5.0)

typedef struct sr_out_format {
    int format;           /* enum sr_fmt */
    int vcodec;           /* enum sr_vcodec (SR_VC_NONE for mp3) */
    int fps_num, fps_den; /* exact frame rate: 30/1, 30000/1001, ... */
    double loudness;      /* target LUFS; NAN: no normalisation */
} sr_out_format;

/* Reads format, videoCodec, fps and loudness from the output object o (NULL:
 * all defaults). fps: a whole number in [fps_min, 60], or 23.976 / 29.97 /
 * 59.94 (taken as 24000/1001, 30000/1001, 60000/1001); loudness: a number in
 * [-40, -5] or false, def_loudness when absent (NAN: off). Errors name the
 * field (output.format, ...): SR_EINVALID_FIELD. */
int sr_out_format_parse(const json_t *o, double fps_min, double def_loudness, sr_out_format *f,
                        sr_err *err);

/* Checks the format's own limits against the video size and length (GIF:
 * 60 s, 1280 px). Returns 0 or SR_ELIMIT naming output.duration / output.width. */
int sr_out_format_check(const sr_out_format *f, int w, int h, double duration, sr_err *err);

/* Names and properties from the tables. */
const char *sr_fmt_name(int format);       /* "mp4" */
const char *sr_fmt_ext(int format);        /* "mp4", "webm", "gif", "mp3" */
const char *sr_fmt_audio_name(int format); /* "aac", "opus", "mp3" or NULL (gif) */
const char *sr_vcodec_name(int vcodec);    /* "h264", ... NULL for none */

#endif
