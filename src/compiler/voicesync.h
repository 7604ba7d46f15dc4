/* voicesync.h - timing scenes against the user's own narration
 * (voiceOver.externalVoice.syncVoice). Private to the compiler.
 *
 * Method: the file's audio is decoded (first audio stream, downmixed) and
 * measured in 20-ms windows (RMS). The file's level is the RMS over the
 * whole file; a window is silent below 10% of it (-20 dB, and never above
 * 0.01 nor below 1e-4 full scale). A run of silent windows of at least
 * 250 ms between the first and the last sound is a pause. Each boundary
 * between two scenes is expected at the share of the speech span [first
 * sound, last sound] proportional to the scenes' text lengths before it;
 * the boundaries take the pauses (their middles) that minimise the sum of
 * the distances to the expected positions, in order, one pause each
 * (dynamic programming). With fewer pauses than boundaries the expected
 * positions are used as they are. */
#ifndef SR_VOICESYNC_H
#define SR_VOICESYNC_H

#include "common/err.h"

#define SR_VSYNC_WINDOW 0.02
#define SR_VSYNC_MIN_PAUSE 0.25

typedef struct sr_vsync sr_vsync;

/* Measures path's audio (field names it in errors). */
int sr_vsync_open(const char *path, const char *field, sr_vsync **out, sr_err *err);
double sr_vsync_duration(const sr_vsync *v);
int sr_vsync_npauses(const sr_vsync *v);
/* Splits the file into n segments weighted by w[0..n-1] (> 0): bounds[0] =
 * 0, bounds[n] = the duration, bounds[1..n-1] at pauses. Returns 1 when
 * every boundary sits in a pause, 0 when the expected positions were used,
 * or a negative error. */
int sr_vsync_split(const sr_vsync *v, const double *w, int n, double *bounds, sr_err *err);
void sr_vsync_free(sr_vsync *v); /* accepts NULL */

#endif
