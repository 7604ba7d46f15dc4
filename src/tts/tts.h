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
    char engine[16];   /* the backend's name; filled by sr_tts_list_all */
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

/* Resolves speaker across all backends: "ENGINE:VOICE" (e.g. "flite:slt",
 * "espeak-ng:en-us"; "espeak:" is read as espeak-ng) asks that engine only;
 * a bare name must resolve in exactly one engine (else SR_EINVALID_SPEAKER
 * asking for a prefix). Sets *be and voice_id; 0 or an SR_E* code. */
int sr_tts_resolve_any(const char *speaker, const sr_tts_backend **be, char *voice_id, size_t n, sr_err *err);

/* sr_tts_resolve_any, then Pictory's voice names (pictory_voices.h): a
 * speaker that no engine knows but Pictory's catalogue names resolves to its
 * espeak-ng stand-in, and *subst points at that entry (else NULL). A name in
 * neither stays SR_EINVALID_SPEAKER (the engines' error). */
struct sr_pictory_voice;
int sr_tts_resolve_named(const char *speaker, const sr_tts_backend **be, char *voice_id, size_t n,
                         const struct sr_pictory_voice **subst, sr_err *err);

/* Lists every backend's voices (engine filled in) into a malloc'd array;
 * returns the count or an error. */
int sr_tts_list_all(sr_tts_voice **voices, sr_err *err);

#endif
