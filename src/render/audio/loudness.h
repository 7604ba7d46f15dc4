/* loudness.h - EBU R128 loudness normalisation of the mix: a first pass
 * measures the integrated loudness of the whole mix (libebur128, streamed in
 * blocks, so memory does not grow with the length), then the encode applies
 * one gain through a peak limiter so that the louder mix never clips. */
#ifndef SR_LOUDNESS_H
#define SR_LOUDNESS_H

#include <jansson.h>

#include "common/err.h"

/* Sample-peak ceiling of the limiter: -1.5 dBFS, which keeps true peaks near
 * or under -1 dBTP for ordinary programme material. */
#define SR_LIMIT_CEILING 0.8414

/* Mixes the timeline rp once (a fresh sr_audio over base_dir) and measures
 * its integrated loudness. *lufs is -HUGE_VAL for silence. Returns 0 or an
 * error from the mixer / SR_ENOMEM. */
int sr_loudness_measure(const json_t *rp, const char *base_dir, double *lufs, sr_err *err);

/* The linear gain that takes a mix measured at lufs to target; 1 for silence
 * or an unmeasurable mix. Capped at +30 dB so that near-silence is not blown up. */
double sr_loudness_gain(double lufs, double target);

typedef struct sr_limiter sr_limiter;

/* A gain stage + peak limiter for interleaved stereo float: instant attack
 * (no sample leaves above SR_LIMIT_CEILING), ~80 ms release. Returns NULL
 * when out of memory. */
sr_limiter *sr_limiter_create(double gain);

/* Applies the gain and the limiter to n stereo sample frames in place. */
void sr_limiter_process(sr_limiter *l, float *buf, int n);

void sr_limiter_destroy(sr_limiter *l); /* accepts NULL */

#endif
