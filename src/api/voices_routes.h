/* voices_routes.h - the voice catalog (GET /v1/voiceovers/tracks) of every
 * speech engine, and the per-voice sample (GET /v1/voiceovers/samples/
 * {engine}/{voice}.wav, no key: samples are public) rendered on demand
 * through the speech cache under the data folder (DATA/cache/tts), so a
 * sample is synthesised once and then served from disk. http.c routes to
 * these; they know nothing of libmicrohttpd. */
#ifndef SR_VOICES_ROUTES_H
#define SR_VOICES_ROUTES_H

#include <jansson.h>

#include "common/err.h"

/* The sentence every sample speaks. */
#define SR_VOICE_SAMPLE_TEXT "Hello! This is how I sound when I read your story."

/* [{id,name,voice,gender,accent,language,engine,service,category,sample}]:
 * voice is the `speaker` value that selects it ("flite:slt" for flite
 * voices, the bare id for the default engine), sample the absolute URL
 * under public_url. 0 or an error. */
int sr_api_voices_list(const char *public_url, json_t **out, sr_err *err);

/* The WAV path (into path, n bytes) of the sample of engine's voice file
 * ("slt.wav"), synthesised into data_dir's speech cache when missing.
 * SR_ENOT_FOUND for an unknown engine or voice. */
int sr_api_voice_sample(const char *data_dir, const char *engine, const char *file, char *path, size_t n,
                        sr_err *err);

#endif
