/* encode.h - (private to the engine) the encoders of the output formats
 * (format.h): MP4 (H.264 libx264 or H.265 libx265 tagged hvc1, AAC, faststart),
 * WebM (VP9 libvpx-vp9 or AV1 libsvtav1, Opus), GIF (a palette per frame) and
 * MP3 (audio only); the audio alone as a side MP3 (libmp3lame), and a JPEG
 * thumbnail. Files are written exactly where named: the caller picks
 * temporary names and renames them. */
#ifndef SR_ENCODE_H
#define SR_ENCODE_H

#include <stdint.h>

#include "common/err.h"
#include "render/frame.h"

struct AVFrame;
struct sr_afeed;

typedef struct sr_encoder sr_encoder;

typedef struct sr_enc_cfg {
    const char *path;     /* the main file, in the container of format */
    int format;           /* enum sr_fmt */
    int vcodec;           /* enum sr_vcodec; SR_VC_NONE: no video stream (mp3) */
    const char *mp3_path; /* the audio alone as MP3; NULL: none */
    int w, h;
    int fps_num, fps_den; /* exact frame rate; the video time base is its inverse */
    int crf;              /* x264 scale 0..51; mapped for the other codecs */
    const char *preset;
    int audio_bitrate; /* AAC / Opus, bits per second */
    int mp3_bitrate;   /* bits per second */
    /* A segment (segment.h): video only, no faststart, its first frame an IDR
     * and its GOPs closed, so that segments concatenate (assemble.h). */
    int segment;
    int threads; /* encoder threads (H.264: slices); 0: automatic (encode.c) */
    /* MP4 audio only (vcodec SR_VC_NONE): no main file (path unused); the AAC
     * packets go to this feed (afeed.h) as they are made. The caller ends it. */
    struct sr_afeed *audio_feed;
} sr_enc_cfg;

/* Opens the encoders and writes the containers' headers. Returns 0 and *out,
 * or SR_EENCODE / SR_EIO / SR_ENOMEM. */
int sr_encoder_open(sr_encoder **out, const sr_enc_cfg *cfg, sr_err *err);

/* Encodes frame f (YUV420P, w x h) as frame number idx (pts idx / fps). The
 * encoder takes a reference to f's buffers: the caller must make f writable
 * (av_frame_make_writable) before drawing into it again. GIF: f is converted
 * to 256 colours first (f itself is not changed). Not called for mp3. */
int sr_encoder_video(sr_encoder *e, struct AVFrame *f, int64_t idx, sr_err *err);

/* Adds n sample frames of interleaved stereo float at 48 kHz to every audio
 * encoder (none for GIF) (encoded whenever a full codec frame is buffered). */
int sr_encoder_audio(sr_encoder *e, const float *buf, int n, sr_err *err);

/* Sample frames of audio given so far. */
int64_t sr_encoder_audio_pos(const sr_encoder *e);

/* Flushes every encoder and writes the trailers (the MP4 is rewritten for
 * faststart). Returns 0 or an error; the files are complete only then. */
int sr_encoder_finish(sr_encoder *e, sr_err *err);

void sr_encoder_destroy(sr_encoder *e); /* accepts NULL; does not delete files */

/* Encodes f as a JPEG (full-range, BT.601 as JPEG expects) in memory.
 * *data is av_malloc'd (av_free). Returns 0 or SR_EENCODE / SR_ENOMEM. */
int sr_encode_jpeg(const sr_frame *f, uint8_t **data, int *len, sr_err *err);

#endif
