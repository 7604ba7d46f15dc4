/* afeed.h - (private to the engine) the audio feed: the whole video's
 * encoded audio (AAC packets) handed from the audio thread, as it encodes,
 * to the assembler (assemble.h), which lays it beside the segments. So the
 * first segments (and HLS media segments) are written as soon as their own
 * audio exists, not once the whole mix is encoded.
 *
 * One producer, one consumer. The queue is bounded by duration: the producer
 * waits while it holds more than `lead` seconds of audio that the consumer
 * has not taken, which also keeps the audio work paced beside the video's
 * rather than taking the cores from the first segments. */
#ifndef SR_AFEED_H
#define SR_AFEED_H

#include "common/err.h"

struct AVCodecParameters;
struct AVPacket;

typedef struct sr_afeed sr_afeed;

/* Returns 0 and *out, or SR_ENOMEM. */
int sr_afeed_create(sr_afeed **out, double lead, sr_err *err);

/* Producer: the stream's parameters (copied) and time base, once, before any packet. */
int sr_afeed_start(sr_afeed *f, const struct AVCodecParameters *par, int tb_num, int tb_den, sr_err *err);
/* Producer: queues a reference to pkt (timestamps in the time base), waiting
 * for room. SR_ECANCELLED when the consumer has closed the feed. */
int sr_afeed_put(sr_afeed *f, const struct AVPacket *pkt, sr_err *err);
/* Producer: the end of the stream; rc < 0: the audio failed (the consumer gets rc). */
void sr_afeed_end(sr_afeed *f, int rc);
/* Seconds the producer waited for room (not working). */
double sr_afeed_waited(const sr_afeed *f);

/* Consumer: waits for the parameters; 0, or the producer's error. par stays the feed's. */
int sr_afeed_params(sr_afeed *f, const struct AVCodecParameters **par, int *tb_num, int *tb_den);
/* Consumer: waits for the next packet into pkt: 0, 1 at the end, or the producer's error. */
int sr_afeed_next(sr_afeed *f, struct AVPacket *pkt);
/* Consumer: takes no more; a waiting producer returns SR_ECANCELLED. */
void sr_afeed_close(sr_afeed *f);

void sr_afeed_destroy(sr_afeed *f); /* accepts NULL; after both sides are done */

#endif
