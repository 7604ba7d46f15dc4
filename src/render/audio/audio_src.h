/* audio_src.h - (private to src/render/audio) one streamed audio source: a
 * file's first audio stream decoded with libavcodec and converted by
 * libswresample to 48 kHz interleaved stereo float, handed out in blocks.
 * Memory is one decoded frame, whatever the file's length. */
#ifndef SR_AUDIO_SRC_H
#define SR_AUDIO_SRC_H

#include <stdint.h>

#include "common/err.h"

typedef struct sr_asrc sr_asrc;

/* Opens path (a local file) and its first audio stream. field names the
 * timeline field for errors. When the file has no audio stream, returns 0
 * with *out = NULL if allow_silent, else SR_EMEDIA_INVALID. Errors:
 * SR_EMEDIA_NOT_FOUND, SR_EMEDIA_UNREADABLE, SR_EMEDIA_INVALID (file named),
 * SR_ENOMEM. The caller frees *out with sr_asrc_close. */
int sr_asrc_open(sr_asrc **out, const char *path, const char *field, int allow_silent, sr_err *err);

/* Decodes until the first audio frame, proving the stream is intact. Call it
 * right after sr_asrc_open; the frame is kept and handed out by
 * sr_asrc_read. Returns 0 or SR_EMEDIA_INVALID / SR_EMEDIA_UNREADABLE. */
int sr_asrc_check(sr_asrc *s, sr_err *err);

/* Positions the source at t seconds of the file (sample-accurate: samples
 * before t are dropped after a seek to the preceding key point). Returns 0
 * or a negative error. */
int sr_asrc_seek(sr_asrc *s, double t, sr_err *err);

/* Reads up to n sample frames (interleaved stereo float) into buf. Returns
 * the number read, 0 at the end of the stream, or a negative error. */
int sr_asrc_read(sr_asrc *s, float *buf, int n, sr_err *err);

/* Current position in the file, in 48 kHz sample frames. */
int64_t sr_asrc_pos(const sr_asrc *s);

void sr_asrc_close(sr_asrc *s); /* accepts NULL */

#endif
