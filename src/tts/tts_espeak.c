/* tts_espeak.c - the espeak-ng speech backend.
 *
 * espeak-ng keeps all of its state in process globals (the current voice, the
 * rate, the synth callback), so this file keeps the only mutable globals of
 * the TTS layer: a once-flag that initialises the library, and a mutex that
 * serialises every call into it (a service may synthesise from several
 * worker threads). Synthesis runs in AUDIO_OUTPUT_SYNCHRONOUS mode: espeak_Synth
 * returns when the whole text is spoken, having handed 16-bit samples
 * (22050 Hz) and events (espeakEVENT_WORD: audio_position in ms, text_position
 * 1-based in characters) to our callback, which collects them into the
 * caller's struct through the event's user_data.
 *
 * Parameters:
 *  - speed 50..200 (100 = normal) maps to espeakRATE = 175 * speed / 100 words
 *    per minute (clamped to espeak's 80..450).
 *  - amplificationLevel -1..1 is a gain of 2^amp applied to the samples
 *    (-1 = half amplitude, -6 dB; +1 = double, +6 dB; clipped to -1..1);
 *    espeak's own espeakVOLUME stays at its default 100.
 *  - word end times are not reported by espeak: a word ends where its audio
 *    falls silent before the next word starts (or the clip ends). */
#include <espeak-ng/speak_lib.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "tts/tts.h"

#define ESPEAK_MAX_TEXT (256 * 1024)     /* bytes of text per synthesis */
#define ESPEAK_MAX_SECONDS (3600)        /* audio per synthesis */
#define ESPEAK_MAX_WORDS (64 * 1024)     /* word events per synthesis */
#define SILENCE_LEVEL 0.015f             /* |sample| below this is silence */

/* --- process state forced by espeak-ng's global design ------------------ */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_rate; /* sample rate espeak_Initialize reported; <= 0: failed */

/* What the synth callback collects for one espeak_Synth call. */
typedef struct collect {
    float *s;
    int n, cap, max;
    struct {
        int pos, len, ms;
    } *ev;
    int nev, evcap;
    int failed;
} collect;

static int synth_cb(short *wav, int numsamples, espeak_EVENT *events)
{
    collect *c = NULL;
    /* every event, the list terminator included, carries our user_data */
    for (espeak_EVENT *e = events; e; e++) {
        if (!c && e->user_data) c = e->user_data;
        if (e->type == espeakEVENT_LIST_TERMINATED) break;
        if (!c || c->failed || e->type != espeakEVENT_WORD) continue;
        if (c->nev == c->evcap) {
            int ncap = c->evcap ? c->evcap * 2 : 64;
            if (ncap > ESPEAK_MAX_WORDS) { c->failed = 1; break; }
            void *p = realloc(c->ev, (size_t)ncap * sizeof *c->ev);
            if (!p) { c->failed = 1; break; }
            c->ev = p;
            c->evcap = ncap;
        }
        c->ev[c->nev].pos = e->text_position;
        c->ev[c->nev].len = e->length;
        c->ev[c->nev].ms = e->audio_position;
        c->nev++;
    }
    if (!c) return 0;
    if (c->failed) return 1; /* abort synthesis */
    if (wav && numsamples > 0) {
        if (c->n + numsamples > c->max) { c->failed = 1; return 1; }
        if (c->n + numsamples > c->cap) {
            int ncap = c->cap ? c->cap : 22050;
            while (ncap < c->n + numsamples) ncap *= 2;
            if (ncap > c->max) ncap = c->max;
            float *p = realloc(c->s, (size_t)ncap * sizeof *p);
            if (!p) { c->failed = 1; return 1; }
            c->s = p;
            c->cap = ncap;
        }
        for (int i = 0; i < numsamples; i++) c->s[c->n + i] = (float)wav[i] / 32768.0f;
        c->n += numsamples;
    }
    return 0;
}

static void espeak_init_once(void)
{
    g_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
    if (g_rate > 0) espeak_SetSynthCallback(synth_cb);
}

/* Initialises espeak-ng once; 0 or SR_ETTS. */
static int espeak_ready(sr_err *err)
{
    pthread_once(&g_once, espeak_init_once);
    if (g_rate <= 0)
        return sr_err_set(err, SR_ETTS, "espeak-ng", "espeak-ng could not be initialised (is espeak-ng-data installed?)");
    return 0;
}

/* --- voices --------------------------------------------------------------- */

/* Copies s into d (n bytes) lowercased, with '_' read as ' '. */
static void norm_copy(char *d, size_t n, const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < n; i++) {
        char ch = s[i] == '_' ? ' ' : s[i];
        d[i] = (char)((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
    }
    d[i] = 0;
}

static const char *base_name(const char *id)
{
    const char *s = strrchr(id, '/');
    return s ? s + 1 : id;
}

/* Usable voices: mbrola voices need an external program we do not ship. */
static int voice_usable(const espeak_VOICE *v)
{
    return v && v->identifier && strncmp(v->identifier, "mb/", 3) != 0 && v->languages;
}

/* espeak-ng's voice variants ("en-gb+m3"): a male or female timbre over a
 * language voice; the ones every espeak-ng-data ships. */
static const char *const variants[] = {"m1", "m2", "m3", "m4", "m5", "m6", "m7",
                                       "f1", "f2", "f3", "f4", "f5", NULL};

/* Resolves speaker against the voice list; the caller holds g_lock.
 * "VOICE+VARIANT" resolves VOICE and keeps a known variant. */
static int resolve_locked(const char *speaker, char *voice_id, size_t n, sr_err *err)
{
    char want[128], tmp[128];
    const char *var = NULL;
    if (!speaker || !*speaker || strlen(speaker) >= sizeof want)
        return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "the speaker is empty or too long");
    norm_copy(want, sizeof want, speaker);
    char *plus = strchr(want, '+');
    if (plus) {
        *plus = 0;
        var = speaker + (plus - want) + 1;
        int known = 0;
        for (int i = 0; variants[i]; i++) known |= strcasecmp(var, variants[i]) == 0;
        if (!known)
            return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker",
                              "'%s' is not an espeak-ng variant (m1..m7, f1..f5)", var);
    }
    const espeak_VOICE **vs = espeak_ListVoices(NULL);
    const espeak_VOICE *best = NULL;
    int best_prio = 1 << 30;
    for (int i = 0; vs && vs[i]; i++) {
        const espeak_VOICE *v = vs[i];
        if (!voice_usable(v)) continue;
        /* pass 1: the voice itself, by identifier, file name or name */
        norm_copy(tmp, sizeof tmp, v->identifier);
        if (strcmp(tmp, want) == 0) { best = v; best_prio = -1; break; }
        norm_copy(tmp, sizeof tmp, base_name(v->identifier));
        if (strcmp(tmp, want) == 0) { best = v; best_prio = -1; break; }
        norm_copy(tmp, sizeof tmp, v->name);
        if (strcmp(tmp, want) == 0) { best = v; best_prio = -1; break; }
        /* pass 2: a language the voice speaks, the most preferred wins */
        for (const char *l = v->languages; *l; l += strlen(l + 1) + 2) {
            norm_copy(tmp, sizeof tmp, l + 1);
            if (strcmp(tmp, want) == 0 && l[0] < best_prio) {
                best = v;
                best_prio = l[0];
            }
        }
    }
    if (!best)
        return sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "the speaker '%s' is not an installed espeak-ng voice",
                          speaker);
    if ((size_t)snprintf(voice_id, n, "%s%s%s", best->identifier, var ? "+" : "", var ? var : "") >= n)
        return sr_err_set(err, SR_EINTERNAL, "speaker", "voice id too long");
    for (char *q = var ? strchr(voice_id, '+') : NULL; q && *q; q++)
        *q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
    return 0;
}

static int espeak_resolve(const char *speaker, char *voice_id, size_t n, sr_err *err)
{
    int rc = espeak_ready(err);
    if (rc) return rc;
    pthread_mutex_lock(&g_lock);
    rc = resolve_locked(speaker, voice_id, n, err);
    pthread_mutex_unlock(&g_lock);
    return rc;
}

static int espeak_list(sr_tts_voice **out, sr_err *err)
{
    *out = NULL;
    int rc = espeak_ready(err);
    if (rc) return rc;
    pthread_mutex_lock(&g_lock);
    const espeak_VOICE **vs = espeak_ListVoices(NULL);
    int cnt = 0, k = 0;
    for (int i = 0; vs && vs[i]; i++) cnt += voice_usable(vs[i]);
    sr_tts_voice *arr = calloc(cnt ? (size_t)cnt : 1, sizeof *arr);
    if (!arr) {
        rc = sr_err_set(err, SR_ENOMEM, "", "out of memory listing voices");
        goto done;
    }
    for (int i = 0; vs && vs[i] && k < cnt; i++) {
        const espeak_VOICE *v = vs[i];
        if (!voice_usable(v)) continue;
        sr_tts_voice *o = &arr[k++];
        norm_copy(o->id, sizeof o->id, v->languages + 1); /* primary language: "en-us" */
        snprintf(o->name, sizeof o->name, "%s", v->name ? v->name : v->identifier);
        norm_copy(o->language, sizeof o->language, v->languages + 1);
        snprintf(o->gender, sizeof o->gender, "%s", v->gender == 1 ? "male" : v->gender == 2 ? "female" : "");
    }
    *out = arr;
    rc = k;
done:
    pthread_mutex_unlock(&g_lock);
    return rc;
}

/* --- synthesis ------------------------------------------------------------ */

/* The end (s) of the audible part of samples [a, b): the last sample louder
 * than SILENCE_LEVEL plus a 30 ms tail, or a + 50 ms when all is silent. */
static double audible_end(const float *s, int a, int b, int rate)
{
    for (int i = b - 1; i >= a; i--)
        if (fabsf(s[i]) > SILENCE_LEVEL) {
            int e = i + rate * 30 / 1000;
            return (double)(e < b ? e : b) / rate;
        }
    int e = a + rate / 20;
    return (double)(e < b ? e : b) / rate;
}

static int espeak_synth(const char *voice_id, int speed, double amp, const char *text, sr_tts_clip *clip,
                        sr_err *err)
{
    collect c = {0};
    int *char_off = NULL;
    int rc;
    memset(clip, 0, sizeof *clip);
    if (!text) return sr_err_set(err, SR_EINTERNAL, "story", "no text to synthesise");
    size_t tlen = strlen(text);
    if (tlen > ESPEAK_MAX_TEXT)
        return sr_err_set(err, SR_ELIMIT, "story", "the text to synthesise is longer than %d bytes", ESPEAK_MAX_TEXT);
    if (speed < 50 || speed > 200)
        return sr_err_set(err, SR_EINVALID_FIELD, "speed", "speed must be between 50 and 200 (it is %d)", speed);
    if (!(amp >= -1 && amp <= 1))
        return sr_err_set(err, SR_EINVALID_FIELD, "amplificationLevel", "amplificationLevel must be between -1 and 1");
    if ((rc = espeak_ready(err))) return rc;

    /* char_off[k] = byte offset of the k-th code point (0-based); [nchars] = tlen */
    char_off = malloc((tlen + 2) * sizeof *char_off);
    if (!char_off) return sr_err_set(err, SR_ENOMEM, "story", "out of memory");
    int nchars = 0;
    for (size_t i = 0; i < tlen;) {
        uint32_t cp;
        char_off[nchars++] = (int)i;
        i += (size_t)sr_utf8_next(text + i, &cp);
    }
    char_off[nchars] = (int)tlen;

    pthread_mutex_lock(&g_lock);
    char vid[128];
    rc = resolve_locked(voice_id, vid, sizeof vid, err);
    if (rc == 0 && espeak_SetVoiceByName(vid) != EE_OK)
        rc = sr_err_set(err, SR_EINVALID_SPEAKER, "speaker", "espeak-ng could not load the voice '%s'", vid);
    if (rc == 0) {
        int wpm = (int)lround(espeakRATE_NORMAL * speed / 100.0);
        if (wpm < espeakRATE_MINIMUM) wpm = espeakRATE_MINIMUM;
        if (wpm > espeakRATE_MAXIMUM) wpm = espeakRATE_MAXIMUM;
        espeak_SetParameter(espeakRATE, wpm, 0);
        espeak_SetParameter(espeakVOLUME, 100, 0);
        espeak_SetParameter(espeakPUNCTUATION, espeakPUNCT_NONE, 0);
        espeak_SetParameter(espeakCAPITALS, 0, 0);
        espeak_SetParameter(espeakWORDGAP, 0, 0);
        c.max = ESPEAK_MAX_SECONDS * g_rate;
        espeak_ERROR e = espeak_Synth(text, tlen + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, &c);
        if (e != EE_OK || c.failed)
            rc = sr_err_set(err, c.failed ? SR_ELIMIT : SR_ETTS, "story",
                            c.failed ? "the speech is too long or memory ran out" : "espeak-ng failed to speak the text");
    }
    pthread_mutex_unlock(&g_lock);
    if (rc) goto cleanup;

    /* gain */
    float gain = (float)pow(2.0, amp);
    for (int i = 0; i < c.n; i++) {
        float v = c.s[i] * gain;
        c.s[i] = v > 1.f ? 1.f : v < -1.f ? -1.f : v;
    }

    /* words: merge repeated events at one position, map characters to bytes */
    clip->words = calloc(c.nev ? (size_t)c.nev : 1, sizeof *clip->words);
    if (!clip->words) {
        rc = sr_err_set(err, SR_ENOMEM, "story", "out of memory");
        goto cleanup;
    }
    int nw = 0, last_pos = -1;
    for (int i = 0; i < c.nev; i++) {
        int pos = c.ev[i].pos - 1, len = c.ev[i].len;
        if (pos < 0 || pos >= nchars || pos <= last_pos) continue;
        if (len < 1) len = 1;
        if (pos + len > nchars) len = nchars - pos;
        last_pos = pos;
        sr_tts_word *w = &clip->words[nw++];
        w->text_off = char_off[pos];
        w->text_len = char_off[pos + len] - char_off[pos];
        w->start = c.ev[i].ms / 1000.0;
    }
    double total = g_rate > 0 ? (double)c.n / g_rate : 0;
    for (int i = 0; i < nw; i++) {
        sr_tts_word *w = &clip->words[i];
        double next = i + 1 < nw ? clip->words[i + 1].start : total;
        if (w->start > total) w->start = total;
        if (next < w->start) next = w->start;
        int a = (int)(w->start * g_rate), b = (int)(next * g_rate);
        if (b > c.n) b = c.n;
        w->end = a < b ? audible_end(c.s, a, b, g_rate) : next;
        if (w->end < w->start) w->end = w->start;
    }
    clip->nwords = nw;
    clip->samples = c.s;
    clip->nsamples = c.n;
    clip->rate = g_rate;
    c.s = NULL;

cleanup:
    if (rc) sr_tts_clip_free(clip);
    free(c.s);
    free(c.ev);
    free(char_off);
    return rc;
}

const sr_tts_backend sr_tts_espeak = {
    .name = "espeak-ng",
    .resolve = espeak_resolve,
    .synth = espeak_synth,
    .list = espeak_list,
};
