/* voices_routes.c - the voice catalog and voice samples (voices_routes.h). */
#include "api/voices_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/speech.h"
#include "tts/pictory_voices.h"
#include "tts/tts.h"

int sr_api_voices_list(const char *public_url, json_t **out, sr_err *err)
{
    sr_tts_voice *v = NULL;
    const sr_tts_backend *def = sr_tts_get(NULL);
    int n = sr_tts_list_all(&v, err);
    *out = NULL;
    if (n < 0) return n;
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        char speaker[96], url[1024];
        int is_def = strcmp(v[i].engine, def->name) == 0;
        snprintf(speaker, sizeof speaker, "%s%s%s", is_def ? "" : v[i].engine, is_def ? "" : ":", v[i].id);
        snprintf(url, sizeof url, "%s/pictoryapis/v1/voiceovers/samples/%s/%s.wav", public_url, v[i].engine, v[i].id);
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", v[i].id, "name", v[i].name, "voice",
                              speaker, "gender", v[i].gender, "accent", v[i].language, "language", v[i].language,
                              "engine", v[i].engine, "service", "storyreel", "category", "standard", "sample", url);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(v);
    /* Pictory's voice names, each with the espeak-ng voice that speaks it here */
    const sr_pictory_voice *pv;
    for (int i = 0; arr && (pv = sr_pictory_voice_at(i)); i++) {
        char url[1024], uses[96];
        snprintf(url, sizeof url, "%s/pictoryapis/v1/voiceovers/samples/espeak-ng/%s.wav", public_url, pv->voice);
        snprintf(uses, sizeof uses, "espeak-ng:%s", pv->voice);
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", pv->name, "name", pv->name,
                              "voice", pv->name, "gender", pv->gender, "accent", pv->accent, "language",
                              pv->language, "engine", "espeak-ng", "service", "storyreel", "category", "pictory",
                              "renderedWith", uses, "sample", url);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (!arr) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    *out = arr;
    return 0;
}

int sr_api_voice_sample(const char *data_dir, const char *engine, const char *file, char *path, size_t n,
                        sr_err *err)
{
    const sr_tts_backend *be = engine ? sr_tts_get(engine) : NULL;
    char id[64], vid[64], cache[1200];
    size_t fl = file ? strlen(file) : 0;
    if (!be || fl < 5 || fl - 4 >= sizeof id || strcmp(file + fl - 4, ".wav") != 0)
        return sr_err_set(err, SR_ENOT_FOUND, "voice", "no such voice sample");
    memcpy(id, file, fl - 4);
    id[fl - 4] = 0;
    sr_err e = {0};
    if (be->resolve(id, vid, sizeof vid, &e))
        return sr_err_set(err, SR_ENOT_FOUND, "voice", "no such voice sample");
    snprintf(cache, sizeof cache, "%s/cache/tts", data_dir);
    sr_speech sp;
    int rc = sr_speech_get(be, cache, vid, 100, 0, SR_VOICE_SAMPLE_TEXT, &sp, err);
    if (rc) return rc;
    if (strlen(sp.wav) >= n) rc = sr_err_set(err, SR_EINTERNAL, "voice", "the sample path is too long");
    else strcpy(path, sp.wav);
    sr_speech_free(&sp);
    return rc;
}
