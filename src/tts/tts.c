/* tts.c - the table of speech backends and what they share. */
#include "tts/tts.h"

#include "tts/pictory_voices.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>

/* Backends, defined in their own files (tts_espeak.c, ...). */
extern const sr_tts_backend sr_tts_espeak;
extern const sr_tts_backend sr_tts_flite;

/* The first entry is the default. */
static const sr_tts_backend *const backends[] = {
    &sr_tts_espeak,
    &sr_tts_flite,
};
#define NBACKENDS (sizeof backends / sizeof backends[0])

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

int sr_tts_resolve_any(const char *speaker, const sr_tts_backend **be, char *voice_id, size_t n, sr_err *err)
{
    *be = NULL;
    if (!speaker || !*speaker) return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "the speaker is empty");
    const char *colon = strchr(speaker, ':');
    if (colon) {
        char eng[32];
        size_t el = (size_t)(colon - speaker);
        if (el == 0 || el >= sizeof eng)
            return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "'%s' names no speech engine", speaker);
        memcpy(eng, speaker, el);
        eng[el] = 0;
        const sr_tts_backend *b = strcasecmp(eng, "espeak") == 0 ? &sr_tts_espeak : sr_tts_get(eng);
        if (!b)
            return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "'%s' is not a speech engine (espeak-ng, flite)", eng);
        int rc = b->resolve(colon + 1, voice_id, n, err);
        if (rc == 0) *be = b;
        return rc;
    }
    int found = 0;
    char tmp[128];
    for (size_t i = 0; i < NBACKENDS; i++) {
        sr_err e = {0};
        if (backends[i]->resolve(speaker, tmp, sizeof tmp, &e) != 0) continue;
        if (found++) {
            *be = NULL;
            return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker",
                              "the speaker '%s' is a voice of several engines; prefix it (flite:%s)", speaker, speaker);
        }
        if (strlen(tmp) >= n) return sr_err_set(err, SR_EINTERNAL, "speaker", "voice id too long");
        strcpy(voice_id, tmp);
        *be = backends[i];
    }
    if (!found)
        return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "the speaker '%s' is not an installed voice", speaker);
    return 0;
}

int sr_tts_resolve_named(const char *speaker, const sr_tts_backend **be, char *voice_id, size_t n,
                         const sr_pictory_voice **subst, sr_err *err)
{
    *subst = NULL;
    sr_err first = {0};
    int rc = sr_tts_resolve_any(speaker, be, voice_id, n, &first);
    const sr_pictory_voice *pv = rc == SR_EINVALID_SPEAKER ? sr_pictory_voice_find(speaker) : NULL;
    if (pv) {
        sr_err e2 = {0};
        *be = &sr_tts_espeak;
        if (sr_tts_espeak.resolve(pv->voice, voice_id, n, &e2) == 0) {
            *subst = pv;
            return 0;
        }
        *be = NULL;
    }
    if (rc && err) *err = first;
    return rc;
}

int sr_tts_list_all(sr_tts_voice **voices, sr_err *err)
{
    sr_tts_voice *all = NULL;
    int total = 0;
    *voices = NULL;
    for (size_t i = 0; i < NBACKENDS; i++) {
        sr_tts_voice *v = NULL;
        int n = backends[i]->list(&v, err);
        if (n < 0) {
            free(all);
            return n;
        }
        sr_tts_voice *p = realloc(all, ((size_t)total + (size_t)n + 1) * sizeof *p);
        if (!p) {
            free(v);
            free(all);
            return sr_err_set(err, SR_ENOMEM, "", "out of memory listing voices");
        }
        all = p;
        for (int k = 0; k < n; k++) {
            all[total + k] = v[k];
            snprintf(all[total + k].engine, sizeof all[total + k].engine, "%s", backends[i]->name);
        }
        total += n;
        free(v);
    }
    *voices = all;
    return total;
}
