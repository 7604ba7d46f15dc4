/* tts.h - speech synthesis behind one backend table. The first backend is
 * espeak-ng (tts_espeak.c); others (flite, ...) add a table entry.
 *
 * A synthesis gives mono float samples and the time of every word, taken
 * from the engine's own word events, so subtitles follow the voice. */
#ifndef SR_TTS_H
#define SR_TTS_H

#include <jansson.h>

#include "common/err.h"

typedef struct sr_tts_word {
    int text_off, text_len; /* byte span of the word in the synthesised text */
    double start, end;      /* seconds from the start of the clip */
} sr_tts_word;

typedef struct sr_tts_clip {
    float *samples; /* mono, -1..1 */
    int nsamples;
    int rate;
    sr_tts_word *words;
    int nwords;
} sr_tts_clip;

typedef struct sr_tts_voice {
    char id[64];       /* what `speaker` names: "en-us", "de", ... */
    char name[96];
    char language[32];
    char gender[16];   /* "male", "female", "" */
} sr_tts_voice;

typedef struct sr_tts_backend {
    const char *name; /* "espeak-ng" */
    /* Resolves a speaker (voice id or name, case-insensitive) to a voice id;
     * 0 or SR_EINVALID_SPEAKER. */
    int (*resolve)(const char *speaker, char *voice_id, size_t n, sr_err *err);
    /* Synthesises text with voice, speed (50..200, 100 = normal) and
     * amplification (-1..1, 0 = normal). Fills clip (free with sr_tts_clip_free). */
    int (*synth)(const char *voice_id, int speed, double amp, const char *text, sr_tts_clip *clip,
                 sr_err *err);
    /* Lists installed voices into a malloc'd array; returns the count or an error. */
    int (*list)(sr_tts_voice **voices, sr_err *err);
} sr_tts_backend;

/* The backend for name ("espeak-ng"; NULL = the default), or NULL. */
const sr_tts_backend *sr_tts_get(const char *name);
void sr_tts_clip_free(sr_tts_clip *clip);

#endif
