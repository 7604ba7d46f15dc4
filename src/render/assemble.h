/* assemble.h - (private to the engine) the assembler: encoded segments
 * (segment.h, each an MP4 with one video stream whose first frame is an IDR)
 * laid end to end, with no re-encode, beside the whole video's audio (AAC
 * packets from an audio feed, afeed.h, mixed and encoded once, taken as the
 * segments need them), into the final MP4
 * (+faststart) and, optionally, an HLS stream written as segments arrive:
 * DIR/index.m3u8 (EXT-X-PLAYLIST-TYPE:EVENT, EXT-X-MAP:URI="init.mp4",
 * fMP4 media segments seg-NNNNN.m4s, EXT-X-ENDLIST when finished).
 *
 * Timestamps are carried, not recomputed: a segment's frames keep their pts
 * (offset by its first frame), decode timestamps run on across segments, so
 * the video has exactly the planned frames at 1/fps each. Segments must be
 * added in order. */
#ifndef SR_ASSEMBLE_H
#define SR_ASSEMBLE_H

#include <stdint.h>

#include "common/err.h"

struct sr_afeed;

typedef struct sr_assembler sr_assembler;

typedef struct sr_asm_cfg {
    const char *path;       /* the final MP4, written exactly there (kept until the first segment) */
    struct sr_afeed *audio; /* the whole audio as it is encoded, or NULL: no audio; the assembler
                             * consumes it and closes it when destroyed */
    const char *hls_dir;    /* the HLS folder (created), or NULL: none */
    int fps_num, fps_den;
    double max_seg_seconds; /* the longest segment (EXT-X-TARGETDURATION) */
} sr_asm_cfg;

/* Returns 0 and *out, or SR_EIO / SR_EENCODE / SR_ENOMEM. */
int sr_assembler_open(sr_assembler **out, const sr_asm_cfg *cfg, sr_err *err);

/* Appends the segment file seg (frames frames from frame start) and the
 * audio up to its end (all that is left when last), waiting for the audio
 * thread to have encoded that far. Returns 0, or SR_EENCODE
 * when the segment does not fit the stream (other codec settings), SR_EIO. */
int sr_assembler_add(sr_assembler *a, const char *seg, int64_t start, int64_t frames, int last, sr_err *err);

/* Writes the trailers (the MP4 rewritten for faststart) and the HLS
 * EXT-X-ENDLIST. The files are complete only then. */
int sr_assembler_finish(sr_assembler *a, sr_err *err);

/* Seconds of audio minus seconds of video laid so far (for renderStats). */
double sr_assembler_av_end_diff(const sr_assembler *a);
/* HLS media segments written so far. */
int sr_assembler_hls_segments(const sr_assembler *a);

void sr_assembler_destroy(sr_assembler *a); /* accepts NULL; leaves files */

#endif
