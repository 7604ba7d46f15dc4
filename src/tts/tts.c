/* tts.c - the table of speech backends and what they share. */
#include "tts/tts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Backends, defined in their own files (tts_espeak.c, ...). */
extern const sr_tts_backend sr_tts_espeak;

/* The first entry is the default. */
static const sr_tts_backend *const backends[] = {
    &sr_tts_espeak,
};

const sr_tts_backend *sr_tts_get(const char *name)
{
    if (!name || !*name) return backends[0];
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcasecmp(backends[i]->name, name) == 0) return backends[i];
    return NULL;
}

void sr_tts_clip_free(sr_tts_clip *clip)
{
    if (!clip) return;
    free(clip->samples);
    free(clip->words);
    memset(clip, 0, sizeof *clip);
}
