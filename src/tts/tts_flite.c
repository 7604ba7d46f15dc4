/* tts_flite.c - the flite speech backend (CMU flite 2.x, Debian flite1-dev).
 *
 * Voices are the English voices the package ships, libflite_cmu_us_*: kal,
 * kal16, awb, rms, slt. Each library is opened (dlopen) and its voice
 * registered on first use, and kept for the life of the process: a process
 * that speaks none of them does not map them (linked, their relocated data
 * stayed resident in every process). flite's voices carry mutable feature
 * sets that synthesis reads, so every call into flite is serialised by one
 * mutex (the only mutable global of this file besides the registered voices).
 *
 * Parameters:
 *  - speed 50..200 (100 = normal) sets the voice's duration_stretch to
 *    100 / speed (the stretch is restored after the call).
 *  - amplificationLevel -1..1 is a gain of 2^amp, as for espeak-ng.
 *  - word times come from the utterance: every Token item (a word of the
 *    text as written) maps to the next occurrence of its name in the text;
 *    its time runs from the start of the first segment of its first word to
 *    the end of the last segment of its last word (segment "end" features,
 *    seconds). Tokens that speak no word (punctuation) are skipped. */
#include <dlfcn.h>
#include <flite/flite.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tts/tts.h"

#define FLITE_MAX_TEXT (64 * 1024) /* bytes of text per synthesis */
#define FLITE_MAX_WORDS (16 * 1024)

/* voice id: its library is libflite_cmu_us_<id>.so.1, its entry register_cmu_us_<id> */
static const struct {
    const char *id, *name, *language, *gender;
} voices[] = {
    {"slt", "slt (CMU US female)", "en-us", "female"},
    {"rms", "rms (CMU US male)", "en-us", "male"},
    {"awb", "awb (CMU Scottish male)", "en-gb", "male"},
    {"kal", "kal (CMU US male, diphone 8 kHz)", "en-us", "male"},
    {"kal16", "kal16 (CMU US male, diphone 16 kHz)", "en-us", "male"},
};
#define NVOICES ((int)(sizeof voices / sizeof voices[0]))

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_inited;
static cst_voice *g_voice[NVOICES];

/* The index of speaker ("slt", "cmu_us_slt", case-insensitive) or -1. */
static int find_voice(const char *speaker)
{
    if (!speaker) return -1;
    if (strncasecmp(speaker, "cmu_us_", 7) == 0) speaker += 7;
    for (int i = 0; i < NVOICES; i++)
        if (strcasecmp(voices[i].id, speaker) == 0) return i;
    return -1;
}

static int flite_resolve(const char *speaker, char *voice_id, size_t n, sr_err *err)
{
    int k = find_voice(speaker);
    if (k < 0)
        return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "the speaker '%s' is not a flite voice",
                          speaker ? speaker : "");
    if (strlen(voices[k].id) >= n) return sr_err_set(err, SR_EINTERNAL, "speaker", "voice id too long");
    strcpy(voice_id, voices[k].id);
    return 0;
}

static int flite_list(sr_tts_voice **out, sr_err *err)
{
    sr_tts_voice *arr = calloc(NVOICES, sizeof *arr);
    *out = NULL;
    if (!arr) return sr_err_set(err, SR_ENOMEM, "", "out of memory listing voices");
    for (int i = 0; i < NVOICES; i++) {
        snprintf(arr[i].id, sizeof arr[i].id, "%s", voices[i].id);
        snprintf(arr[i].name, sizeof arr[i].name, "%s", voices[i].name);
        snprintf(arr[i].language, sizeof arr[i].language, "%s", voices[i].language);
        snprintf(arr[i].gender, sizeof arr[i].gender, "%s", voices[i].gender);
    }
    *out = arr;
    return NVOICES;
}

/* The registered voice k; the caller holds g_lock. */
static cst_voice *voice_locked(int k)
{
    if (!g_inited) {
        flite_init();
        g_inited = 1;
    }
    if (!g_voice[k]) {
        char lib[64], sym[64];
        snprintf(lib, sizeof lib, "libflite_cmu_us_%s.so.1", voices[k].id);
        snprintf(sym, sizeof sym, "register_cmu_us_%s", voices[k].id);
        void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL); /* kept open: the voice lives in it */
        cst_voice *(*reg)(const char *) = NULL;
        if (h) *(void **)&reg = dlsym(h, sym);
        if (reg) g_voice[k] = reg(NULL);
        else if (h) dlclose(h);
    }
    return g_voice[k];
}

static float seg_end(const cst_item *seg) { return seg ? item_feat_float(seg, "end") : 0.f; }

/* Fills clip->words from utterance u spoken from text; the caller holds g_lock. */
static int collect_words(cst_utterance *u, const char *text, sr_tts_clip *clip, sr_err *err)
{
    cst_relation *tr = utt_relation(u, "Token");
    int cap = 0, cursor = 0, tlen = (int)strlen(text);
    for (const cst_item *t = tr ? relation_head(tr) : NULL; t; t = item_next(t)) cap++;
    if (cap > FLITE_MAX_WORDS) return sr_err_set(err, SR_ELIMIT, "story", "the text has too many words");
    clip->words = calloc(cap ? (size_t)cap : 1, sizeof *clip->words);
    if (!clip->words) return sr_err_set(err, SR_ENOMEM, "story", "out of memory");
    for (const cst_item *t = tr ? relation_head(tr) : NULL; t; t = item_next(t)) {
        const char *name = item_feat_string(t, "name");
        const cst_item *w1 = item_daughter(item_as(t, "Token"));
        const cst_item *wn = item_last_daughter(item_as(t, "Token"));
        if (!name || !*name || !w1 || !wn) continue;
        const char *hit = strstr(text + cursor, name);
        if (!hit) continue;
        int off = (int)(hit - text), len = (int)strlen(name);
        cursor = off + len;
        const cst_item *s1 = path_to_item(w1, "R:SylStructure.daughter1.daughter1.R:Segment");
        const cst_item *sn = path_to_item(wn, "R:SylStructure.daughtern.daughtern.R:Segment");
        if (!s1 || !sn) continue;
        sr_tts_word *o = &clip->words[clip->nwords++];
        o->text_off = off;
        o->text_len = len < tlen - off ? len : tlen - off;
        o->start = seg_end(item_prev(s1));
        o->end = seg_end(sn);
        if (o->end < o->start) o->end = o->start;
    }
    return 0;
}

static int flite_synth(const char *voice_id, int speed, double amp, const char *text, sr_tts_clip *clip,
                       sr_err *err)
{
    memset(clip, 0, sizeof *clip);
    int k = find_voice(voice_id), rc = 0;
    if (k < 0) return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "'%s' is not a flite voice", voice_id);
    if (!text) return sr_err_set(err, SR_EINTERNAL, "story", "no text to synthesise");
    if (strlen(text) > FLITE_MAX_TEXT)
        return sr_err_set(err, SR_ELIMIT, "story", "the text to synthesise is longer than %d bytes", FLITE_MAX_TEXT);
    if (speed < 50 || speed > 200)
        return sr_err_set(err, SR_EINVALID_FIELD, "speed", "speed must be between 50 and 200 (it is %d)", speed);
    if (!(amp >= -1 && amp <= 1))
        return sr_err_set(err, SR_EINVALID_FIELD, "amplificationLevel", "amplificationLevel must be between -1 and 1");

    pthread_mutex_lock(&g_lock);
    cst_voice *v = voice_locked(k);
    cst_utterance *u = NULL;
    if (!v) {
        rc = sr_err_set(err, SR_ETTS, "speaker", "flite could not load the voice '%s'", voices[k].id);
        goto done;
    }
    float keep = flite_get_param_float(v->features, "duration_stretch", 1.0f);
    flite_feat_set_float(v->features, "duration_stretch", 100.0f / (float)speed);
    u = flite_synth_text(text, v);
    flite_feat_set_float(v->features, "duration_stretch", keep);
    const cst_wave *w = u ? utt_wave(u) : NULL;
    if (!w || w->num_channels != 1 || w->sample_rate <= 0) {
        rc = sr_err_set(err, SR_ETTS, "story", "flite failed to speak the text");
        goto done;
    }
    clip->rate = w->sample_rate;
    clip->nsamples = w->num_samples;
    clip->samples = malloc((w->num_samples ? (size_t)w->num_samples : 1) * sizeof *clip->samples);
    if (!clip->samples) {
        rc = sr_err_set(err, SR_ENOMEM, "story", "out of memory");
        goto done;
    }
    float gain = (float)pow(2.0, amp);
    for (int i = 0; i < w->num_samples; i++) {
        float s = (float)w->samples[i] / 32768.0f * gain;
        clip->samples[i] = s > 1.f ? 1.f : s < -1.f ? -1.f : s;
    }
    rc = collect_words(u, text, clip, err);
    double total = (double)clip->nsamples / clip->rate;
    for (int i = 0; i < clip->nwords; i++) {
        if (clip->words[i].end > total) clip->words[i].end = total;
        if (clip->words[i].start > clip->words[i].end) clip->words[i].start = clip->words[i].end;
    }
done:
    if (u) delete_utterance(u);
    pthread_mutex_unlock(&g_lock);
    if (rc) sr_tts_clip_free(clip);
    return rc;
}

const sr_tts_backend sr_tts_flite = {
    .name = "flite",
    .resolve = flite_resolve,
    .synth = flite_synth,
    .list = flite_list,
};
