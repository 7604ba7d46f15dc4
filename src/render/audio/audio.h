/* audio.h - the audio mix of a timeline, streamed: voice-overs, background
 * music (looped, clipped, ducked under the narration, faded out at the end)
 * and the sound of un-muted video backgrounds, mixed block by block so memory
 * does not grow with the video's length. */
#ifndef SR_AUDIO_H
#define SR_AUDIO_H

#include <stdint.h>

#include <jansson.h>

#include "common/err.h"

typedef struct sr_audio sr_audio;

#define SR_AUDIO_RATE 48000
#define SR_AUDIO_CHANNELS 2

/* Builds the mixer for timeline rp (its audioElement elements and un-muted
 * video backgrounds). base_dir resolves relative paths. Returns 0 or an error
 * naming the file or element at fault. */
int sr_audio_create(sr_audio **out, const json_t *rp, const char *base_dir, sr_err *err);

/* Mixes the next n sample frames (interleaved stereo float, 48 kHz) into buf.
 * Returns the number written (< n only at the end of the timeline; 0 when
 * done), or a negative error. */
int sr_audio_read(sr_audio *a, float *buf, int n, sr_err *err);

/* Total sample frames of the mix (the timeline's duration at 48 kHz). */
int64_t sr_audio_total(const sr_audio *a);

void sr_audio_destroy(sr_audio *a); /* accepts NULL */

#endif
