/* speech.c - the narration cache. Files: DIR/tts/<key>.wav and <key>.json,
 * key = 128-bit FNV-1a of the synthesis inputs. The JSON is written last and
 * holds the inputs again, so a hit is verified (no collision, no half-written
 * pair) before it is used. */
#include "compiler/speech.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "compiler/ssml.h"

#define SPEECH_CACHE_VERSION 1
#define SPEECH_JSON_MAX (8u << 20)

char *sr_speech_cache_dir(const char *opt)
{
    const char *e;
    char buf[4096];
    if (opt && *opt) return strdup(opt);
    if ((e = getenv("STORYREEL_CACHE")) && *e) return strdup(e);
    if ((e = getenv("XDG_CACHE_HOME")) && *e) {
        snprintf(buf, sizeof buf, "%s/storyreel", e);
        return strdup(buf);
    }
    if ((e = getenv("HOME")) && *e) {
        snprintf(buf, sizeof buf, "%s/.cache/storyreel", e);
        return strdup(buf);
    }
    return strdup("/tmp/storyreel-cache");
}

/* mkdir -p */
static int make_dirs(const char *path, sr_err *err)
{
    if (!path[0] || strlen(path) >= 4096) return sr_err_set(err, SR_EIO, path, "the cache folder name is unusable");
    if (sr_mkdirs(path, 0755))
        return sr_err_set(err, SR_EIO, path, "cannot create the cache folder %s: %s", path, strerror(errno));
    return 0;
}

static void fnv(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        *h ^= b[i];
        *h *= 0x100000001b3ULL;
    }
}

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

/* A 16-bit mono WAV of clip in a malloc'd buffer. */
static unsigned char *wav_encode(const sr_tts_clip *c, size_t *len)
{
    size_t data = (size_t)c->nsamples * 2;
    unsigned char *b = malloc(44 + data);
    if (!b) return NULL;
    memcpy(b, "RIFF", 4);
    put32(b + 4, (uint32_t)(36 + data));
    memcpy(b + 8, "WAVEfmt ", 8);
    put32(b + 16, 16);
    put16(b + 20, 1); /* PCM */
    put16(b + 22, 1); /* mono */
    put32(b + 24, (uint32_t)c->rate);
    put32(b + 28, (uint32_t)c->rate * 2);
    put16(b + 32, 2);
    put16(b + 34, 16);
    memcpy(b + 36, "data", 4);
    put32(b + 40, (uint32_t)data);
    for (int i = 0; i < c->nsamples; i++) {
        float v = c->samples[i] * 32767.0f;
        int s = (int)(v < 0 ? v - 0.5f : v + 0.5f);
        if (s > 32767) s = 32767;
        if (s < -32768) s = -32768;
        put16(b + 44 + 2 * (size_t)i, (unsigned)(s & 0xFFFF));
    }
    *len = 44 + data;
    return b;
}

/* Loads a verified cache entry into out; 0 on a hit, 1 on a miss. */
static int cache_load(const char *jpath, const char *wpath, const char *engine, const char *voice, int speed,
                      double amp, const char *text, sr_speech *out)
{
    json_error_t je;
    struct stat st;
    int rc = 1;
    if (stat(jpath, &st) != 0 || st.st_size > (off_t)SPEECH_JSON_MAX) return 1;
    json_t *j = json_load_file(jpath, 0, &je);
    if (!j) return 1;
    const char *je_engine = json_string_value(json_object_get(j, "engine"));
    const char *je_voice = json_string_value(json_object_get(j, "voice"));
    const char *je_text = json_string_value(json_object_get(j, "text"));
    const json_t *words = json_object_get(j, "words");
    json_int_t nsamples = json_integer_value(json_object_get(j, "samples"));
    double rate = json_number_value(json_object_get(j, "rate"));
    if (json_integer_value(json_object_get(j, "version")) != SPEECH_CACHE_VERSION || !je_engine || !je_voice ||
        !je_text || strcmp(je_engine, engine) || strcmp(je_voice, voice) || strcmp(je_text, text) ||
        json_integer_value(json_object_get(j, "speed")) != speed ||
        json_number_value(json_object_get(j, "amp")) != amp || !json_is_array(words) || rate <= 0 ||
        nsamples < 0 || stat(wpath, &st) != 0 || st.st_size != 44 + 2 * (off_t)nsamples)
        goto done;
    size_t nw = json_array_size(words), tl = strlen(text);
    out->words = calloc(nw ? nw : 1, sizeof *out->words);
    out->wav = strdup(wpath);
    if (!out->words || !out->wav) goto done;
    for (size_t i = 0; i < nw; i++) {
        const json_t *w = json_array_get(words, i);
        sr_tts_word *o = &out->words[i];
        o->text_off = (int)json_integer_value(json_array_get(w, 0));
        o->text_len = (int)json_integer_value(json_array_get(w, 1));
        o->start = json_number_value(json_array_get(w, 2));
        o->end = json_number_value(json_array_get(w, 3));
        if (o->text_off < 0 || o->text_len < 0 || (size_t)o->text_off + (size_t)o->text_len > tl) goto done;
    }
    out->nwords = (int)nw;
    out->duration = (double)nsamples / rate;
    out->cached = 1;
    rc = 0;
done:
    if (rc) sr_speech_free(out);
    json_decref(j);
    return rc;
}

/* ssml: text is an SSML document (ssml.h), spoken segment by segment. */
static int speech_get(const sr_tts_backend *be, const char *cache_dir, const char *voice_id, int speed, double amp,
                      const char *text, int ssml, sr_speech *out, sr_err *err)
{
    sr_tts_clip clip = {0};
    unsigned char *wav = NULL;
    json_t *j = NULL;
    char *js = NULL;
    char dir[4096], wpath[4200], jpath[4200];
    int rc = 0;
    memset(out, 0, sizeof *out);
    amp = (double)(int)(amp * 1000 + (amp < 0 ? -0.5 : 0.5)) / 1000; /* the key sees 3 decimals */

    /* key */
    char ampbuf[32], speedbuf[16];
    snprintf(ampbuf, sizeof ampbuf, "%.3f", amp);
    snprintf(speedbuf, sizeof speedbuf, "%d", speed);
    const char *parts[] = {ssml ? "storyreel-ssml-v1" : "storyreel-tts-v1", be->name, voice_id, speedbuf, ampbuf, text};
    uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        fnv(&h1, parts[i], strlen(parts[i]) + 1);
        fnv(&h2, parts[sizeof parts / sizeof parts[0] - 1 - i], strlen(parts[sizeof parts / sizeof parts[0] - 1 - i]) + 1);
    }
    snprintf(dir, sizeof dir, "%s/tts", cache_dir);
    snprintf(wpath, sizeof wpath, "%s/%016llx%016llx.wav", dir, (unsigned long long)h1, (unsigned long long)h2);
    snprintf(jpath, sizeof jpath, "%s/%016llx%016llx.json", dir, (unsigned long long)h1, (unsigned long long)h2);

    if (cache_load(jpath, wpath, be->name, voice_id, speed, amp, text, out) == 0) return 0;

    if ((rc = make_dirs(dir, err))) goto cleanup;
    if (ssml) {
        sr_ssml *doc = NULL;
        if ((rc = sr_ssml_parse(text, "story", &doc, err))) goto cleanup;
        rc = sr_ssml_synth(doc, be, voice_id, speed, amp, &clip, err);
        sr_ssml_free(doc);
        if (rc) goto cleanup;
    } else if ((rc = be->synth(voice_id, speed, amp, text, &clip, err)))
        goto cleanup;
    size_t wlen;
    wav = wav_encode(&clip, &wlen);
    if (!wav) {
        rc = sr_err_set(err, SR_ENOMEM, "story", "out of memory encoding speech");
        goto cleanup;
    }
    if ((rc = sr_write_file_atomic(wpath, wav, wlen, err))) goto cleanup;
    j = json_pack("{s:i, s:s, s:s, s:i, s:f, s:s, s:i, s:I, s:[]}", "version", SPEECH_CACHE_VERSION, "engine",
                  be->name, "voice", voice_id, "speed", speed, "amp", amp, "text", text, "rate", clip.rate,
                  "samples", (json_int_t)clip.nsamples, "words");
    if (!j) {
        rc = sr_err_set(err, SR_ENOMEM, "story", "out of memory");
        goto cleanup;
    }
    json_t *words = json_object_get(j, "words");
    for (int i = 0; i < clip.nwords; i++) {
        const sr_tts_word *w = &clip.words[i];
        if (json_array_append_new(words, json_pack("[i,i,f,f]", w->text_off, w->text_len, w->start, w->end))) {
            rc = sr_err_set(err, SR_ENOMEM, "story", "out of memory");
            goto cleanup;
        }
    }
    js = json_dumps(j, JSON_COMPACT);
    if (!js) {
        rc = sr_err_set(err, SR_ENOMEM, "story", "out of memory");
        goto cleanup;
    }
    if ((rc = sr_write_file_atomic(jpath, js, strlen(js), err))) goto cleanup;

    out->wav = strdup(wpath);
    if (!out->wav) {
        rc = sr_err_set(err, SR_ENOMEM, "story", "out of memory");
        goto cleanup;
    }
    out->words = clip.words; /* hand over */
    out->nwords = clip.nwords;
    clip.words = NULL;
    clip.nwords = 0;
    out->duration = clip.rate > 0 ? (double)clip.nsamples / clip.rate : 0;
    out->cached = 0;

cleanup:
    if (rc) sr_speech_free(out);
    sr_tts_clip_free(&clip);
    free(wav);
    free(js);
    json_decref(j);
    return rc;
}

int sr_speech_get(const sr_tts_backend *be, const char *cache_dir, const char *voice_id, int speed, double amp,
                  const char *text, sr_speech *out, sr_err *err)
{
    return speech_get(be, cache_dir, voice_id, speed, amp, text, 0, out, err);
}

int sr_speech_get_ssml(const sr_tts_backend *be, const char *cache_dir, const char *voice_id, int speed, double amp,
                       const char *ssml, sr_speech *out, sr_err *err)
{
    return speech_get(be, cache_dir, voice_id, speed, amp, ssml, 1, out, err);
}

void sr_speech_free(sr_speech *s)
{
    if (!s) return;
    free(s->wav);
    free(s->words);
    memset(s, 0, sizeof *s);
}
