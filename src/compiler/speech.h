/* speech.h - narration clips through a content-addressed cache: a clip is
 * synthesised once per (engine, voice, speed, amplification, text) and kept as
 * a 16-bit mono WAV plus a JSON of its word timings, both written atomically.
 * Private to the compiler. */
#ifndef SR_SPEECH_H
#define SR_SPEECH_H

#include "common/err.h"
#include "tts/tts.h"

typedef struct sr_speech {
    char *wav;          /* malloc'd path of the cached WAV */
    double duration;    /* seconds */
    sr_tts_word *words; /* malloc'd; byte spans into the text that was spoken */
    int nwords;
    int cached;         /* 1 when it came from the cache */
} sr_speech;

/* The cache folder (malloc'd): opt when given, else $STORYREEL_CACHE, else
 * $XDG_CACHE_HOME/storyreel, else $HOME/.cache/storyreel, else
 * /tmp/storyreel-cache. NULL on OOM. */
char *sr_speech_cache_dir(const char *opt);

/* Fills out with the clip of text spoken by be's voice_id at speed/amp: from
 * cache_dir when present there, else synthesised and stored (the folder is
 * created). Free with sr_speech_free. Returns 0 or an SR_E* code. */
int sr_speech_get(const sr_tts_backend *be, const char *cache_dir, const char *voice_id, int speed, double amp,
                  const char *text, sr_speech *out, sr_err *err);

/* As sr_speech_get for an SSML document (compiler/ssml.h): word spans refer
 * to the document's text without markup. */
int sr_speech_get_ssml(const sr_tts_backend *be, const char *cache_dir, const char *voice_id, int speed, double amp,
                       const char *ssml, sr_speech *out, sr_err *err);

void sr_speech_free(sr_speech *s); /* accepts NULL */

#endif
