/* media.h - opening and probing media files with libavformat: the one
 * guarded open every decoder uses, what a file holds (checked before a render
 * starts so that a bad file fails at once with its name), and the limits on
 * decoded pictures. */
#ifndef SR_MEDIA_H
#define SR_MEDIA_H

#include <stdint.h>

#include "common/err.h"

struct AVFormatContext;

/* ---- limits on decoded pictures (media_open.c) */

#define SR_MEDIA_MAX_SIDE 16384                        /* px a side: the ceiling and the default */
#define SR_MEDIA_CEIL_PIXELS (8192LL * 8192LL)         /* one picture: the most any setting allows */
#define SR_MEDIA_DEF_PIXELS (50LL * 1000 * 1000)       /* one picture: 50 Mpx by default */
#define SR_MEDIA_DEF_JOB_PIXELS (1000LL * 1000 * 1000) /* one render: 1000 Mpx by default */

/* Limits on the pictures a render decodes; 0 in a field: its default. Values
 * above the ceilings are lowered to them. */
typedef struct sr_media_limits {
    int max_side;       /* width and height of one picture, px */
    int64_t max_pixels; /* width x height of one picture */
    int64_t job_pixels; /* all the pictures one render (or compile) opens, together */
} sr_media_limits;

/* An account of decoded pixels: the limits (resolved) and the sum so far. */
typedef struct sr_media_budget {
    sr_media_limits lim;
    int64_t used;
} sr_media_budget;

/* Starts an empty budget with lim (NULL: all defaults). */
void sr_media_budget_init(sr_media_budget *b, const sr_media_limits *lim);
/* Checks a picture of w x h against b and charges it to b; b NULL: the
 * ceilings of one picture, nothing charged. Returns 0 or SR_ELIMIT naming
 * field and the file (path's base name). */
int sr_media_charge(sr_media_budget *b, const char *path, const char *field, int w, int h, sr_err *err);

/* ---- the guarded open (media_open.c) */

/* Opens the local file path for reading with libavformat and reads its stream
 * info: the one way storyreel opens media (images, video, audio, probes). The
 * file is probed and must be of a demuxer of the allow list (sr_media_formats:
 * stills, mp4/mov, matroska/webm, mp3, wav, ogg, flac, aac); it is opened as
 * file:PATH with protocol_whitelist "file", and the context may open no URL
 * but its own, so no playlist (HLS), concat list, image sequence or reference
 * can pull in another file or a network URL.
 *
 * The picture (the best video stream, not cover art) is checked against
 * budget and charged to it (NULL: the ceilings, nothing charged): from the
 * container's or the PNG's header before anything is decoded, and every
 * decoder refuses a picture over the limit before allocating it.
 *
 * On success *out is the open context (close with avformat_close_input).
 * Returns 0, SR_EMEDIA_NOT_FOUND, SR_EMEDIA_UNREADABLE, SR_EMEDIA_INVALID (not
 * a file or format storyreel reads, or damaged), SR_ELIMIT (a picture over
 * the limits, a file over 4 GiB) or SR_ENOMEM, with err naming field (path
 * when NULL) and the file by its base name. */
int sr_media_open(struct AVFormatContext **out, const char *path, const char *field, sr_media_budget *budget,
                  sr_err *err);
/* How errors name the media file at path: its last component (inside path). */
const char *sr_media_name(const char *path);
/* The allow list, comma-separated libavformat demuxer names. */
const char *sr_media_formats(void);
/* 1 when the demuxer named name (libavformat's, e.g. "mov,mp4,m4a,3gp,3g2,mj2")
 * is on the allow list. */
int sr_media_format_allowed(const char *name);

/* ---- probing (media.c) */

enum sr_media_kind { SR_MEDIA_IMAGE = 1, SR_MEDIA_VIDEO = 2, SR_MEDIA_AUDIO = 4 };

typedef struct sr_media_info {
    int has_video, has_audio, is_image; /* is_image: a still (jpeg, png, webp, ...) */
    int width, height;
    double duration; /* seconds; 0 for a still */
} sr_media_info;

/* Opens path (a local file, through sr_media_open), reads its header, and
 * decodes its first video and/or audio frame to prove it is intact. expect is
 * a mask of sr_media_kind: the file must provide one of them (an image where an
 * image or video is expected, audio where audio is expected). field names the
 * storyboard field for the error. Returns 0 or SR_EMEDIA_NOT_FOUND /
 * SR_EMEDIA_UNREADABLE / SR_EMEDIA_INVALID / SR_ELIMIT with the file named. */
int sr_media_probe(const char *path, int expect, const char *field, sr_media_info *info, sr_err *err);
/* sr_media_probe, with the picture checked against budget and charged to it
 * (sr_media_open). sr_media_probe is this with budget NULL: the ceilings. */
int sr_media_probe_budget(const char *path, int expect, const char *field, sr_media_budget *budget,
                          sr_media_info *info, sr_err *err);

#endif
