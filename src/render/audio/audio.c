/* audio.c - the timeline's audio mix, streamed (see audio.h).
 *
 * Each audio-bearing element becomes a track: a placement [t0, t1) on the
 * timeline in 48 kHz sample frames, a volume, the source ranges (clips) it
 * plays in order and loops, and gain curves computed from the timeline
 * (ducking under narration, muted ranges, fades). A track's file is opened
 * when the mix reaches it and closed when it ends, so only the sources
 * playing now hold a decoder. The mix is made in blocks of BLOCK frames. */
#include "render/audio/audio.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "render/audio/audio_env.h"
#include "render/audio/audio_src.h"

#define BLOCK 4096                   /* sample frames mixed per step */
#define MAX_DURATION (12.0 * 3600.0) /* seconds: output.duration and any time */
#define MAX_TRACKS 2048              /* audio-bearing elements */
#define MAX_CLIPS 256                /* clips[] per element */
#define MAX_RANGES 4096              /* mutedRanges[] per element */
#define MAX_ELEMENTS 100000          /* elements[] scanned */
#define MAX_URL 4096
#define LIMIT_KNEE 0.9f /* the soft limiter starts bending here */

enum track_kind { K_VOICE, K_MUSIC, K_VIDEO };
enum curve_id { C_DUCK, C_MUTE, C_FADE_IN, C_FADE_OUT, C__COUNT };

/* audioElement types and their defaults. */
static const struct kind_info {
    const char *type;
    enum track_kind kind;
    int loop;        /* loop default */
    double fade_out; /* fadeOut default (s) */
} kinds[] = {
    {"voiceOver", K_VOICE, 0, 0.0},
    {"music", K_MUSIC, 1, 2.0},
};

/* The numeric fields of an element, read through one table. */
typedef struct elem_cfg {
    double start, dur, volume, fade_in, fade_out;
    double duck_level, duck_atk, duck_rel;
} elem_cfg;

#define REQUIRED NAN
#define KIND_DEFAULT INFINITY /* default comes from kinds[] */
#define M_AUDIO (1u << K_VOICE | 1u << K_MUSIC)
#define M_ALL (M_AUDIO | 1u << K_VIDEO)
static const struct num_opt {
    const char *obj; /* sub-object holding the key, or NULL */
    const char *key;
    size_t off;
    double def, min, max;
    unsigned kinds; /* the track kinds that read it */
} num_opts[] = {
    {NULL, "startTime", offsetof(elem_cfg, start), REQUIRED, 0, MAX_DURATION, M_ALL},
    {NULL, "duration", offsetof(elem_cfg, dur), REQUIRED, 0, MAX_DURATION, M_ALL},
    {NULL, "volume", offsetof(elem_cfg, volume), 1.0, 0, 2, M_AUDIO},
    {NULL, "fadeIn", offsetof(elem_cfg, fade_in), 0.0, 0, MAX_DURATION, M_AUDIO},
    {NULL, "fadeOut", offsetof(elem_cfg, fade_out), KIND_DEFAULT, 0, MAX_DURATION, M_AUDIO},
    {"ducking", "level", offsetof(elem_cfg, duck_level), 0.25, 0, 1, 1u << K_MUSIC},
    {"ducking", "attack", offsetof(elem_cfg, duck_atk), 0.3, 0, 10, 1u << K_MUSIC},
    {"ducking", "release", offsetof(elem_cfg, duck_rel), 0.6, 0, 10, 1u << K_MUSIC},
};

typedef struct clip {
    double start, end; /* source seconds; end < 0: to the end of the file */
} clip;

typedef struct track {
    enum track_kind kind;
    char field[64]; /* "elements[3]" */
    char *path;
    int64_t t0, t1; /* placement on the timeline, sample frames, [t0, t1) */
    float volume;
    clip *clips;
    int nclips, loop;
    sr_acurve curves[C__COUNT]; /* unused ones have n == 0 */

    /* Streaming state. */
    sr_asrc *src;     /* open while the track plays */
    int ci;           /* the clip playing */
    int64_t clip_end; /* its end in file sample frames, -1: the file's end */
    int64_t pass_out; /* frames produced in this pass over the clips */
    int done;         /* nothing more to play: silence */
} track;

struct sr_audio {
    track *tr;
    int ntr;
    int64_t total; /* sample frames of the mix */
    int64_t pos;   /* next frame to mix */
    float mix[BLOCK * SR_AUDIO_CHANNELS];
    float tmp[BLOCK * SR_AUDIO_CHANNELS];
    float gain[BLOCK];
};

static int64_t to_frames(double sec)
{
    return llrint(sec * SR_AUDIO_RATE);
}

/* ---- Reading the timeline ---------------------------------------------- */

static int bad(sr_err *err, const char *field, const char *what)
{
    return sr_err_set(err, SR_EINVALID_FIELD, field, "%s %s", field, what);
}

/* Reads o[key] as a number in [min, max]; def when absent (REQUIRED: an error). */
static int get_num(const json_t *o, const char *key, double def, double min, double max,
                   const char *field, double *out, sr_err *err)
{
    const json_t *v = o ? json_object_get(o, key) : NULL;
    if (!v || json_is_null(v)) {
        if (isnan(def)) return bad(err, field, "is required");
        *out = def;
        return 0;
    }
    if (!json_is_number(v)) return bad(err, field, "must be a number");
    double x = json_number_value(v);
    if (!(x >= min && x <= max)) {
        char buf[96];
        snprintf(buf, sizeof buf, "must be between %g and %g", min, max);
        return bad(err, field, buf);
    }
    *out = x;
    return 0;
}

static int read_cfg(const json_t *el, enum track_kind kind, const struct kind_info *ki,
                    const char *prefix, elem_cfg *c, sr_err *err)
{
    char field[160];
    for (size_t i = 0; i < sizeof num_opts / sizeof num_opts[0]; i++) {
        const struct num_opt *o = &num_opts[i];
        double *dst = (double *)((char *)c + o->off);
        double def = o->def;
        if (isinf(def)) def = ki ? ki->fade_out : 0.0;
        if (!(o->kinds & (1u << kind))) {
            *dst = isnan(def) ? 0.0 : def;
            continue;
        }
        const json_t *obj = el;
        if (o->obj) {
            obj = json_object_get(el, o->obj);
            if (obj && !json_is_object(obj)) {
                snprintf(field, sizeof field, "%s.%s", prefix, o->obj);
                return bad(err, field, "must be an object");
            }
            snprintf(field, sizeof field, "%s.%s.%s", prefix, o->obj, o->key);
        } else {
            snprintf(field, sizeof field, "%s.%s", prefix, o->key);
        }
        int r = get_num(obj, o->key, def, o->min, o->max, field, dst, err);
        if (r < 0) return r;
    }
    return 0;
}

/* Reads a [{start, end}] array (absent: *n = 0). end_optional: a missing end is -1. */
static int read_ranges(const json_t *el, const char *key, int max, int end_optional,
                       const char *prefix, clip **out, int *n, sr_err *err)
{
    char field[160];
    const json_t *a = json_object_get(el, key);
    *out = NULL;
    *n = 0;
    snprintf(field, sizeof field, "%s.%s", prefix, key);
    if (!a || json_is_null(a)) return 0;
    if (!json_is_array(a)) return bad(err, field, "must be an array");
    size_t cnt = json_array_size(a);
    if (cnt == 0) return 0;
    if (cnt > (size_t)max)
        return sr_err_set(err, SR_ELIMIT, field, "%s has more than %d entries", field, max);
    clip *v = calloc(cnt, sizeof *v);
    if (!v) return sr_err_set(err, SR_ENOMEM, field, "out of memory");
    for (size_t i = 0; i < cnt; i++) {
        const json_t *o = json_array_get(a, i);
        char f[200];
        snprintf(f, sizeof f, "%s[%zu]", field, i);
        if (!json_is_object(o)) {
            free(v);
            return bad(err, f, "must be an object");
        }
        char fs[220], fe[220];
        snprintf(fs, sizeof fs, "%s.start", f);
        snprintf(fe, sizeof fe, "%s.end", f);
        int r = get_num(o, "start", 0.0, 0, MAX_DURATION, fs, &v[i].start, err);
        if (r == 0)
            r = get_num(o, "end", end_optional ? -1.0 : REQUIRED, end_optional ? -1.0 : 0,
                        MAX_DURATION, fe, &v[i].end, err);
        if (r == 0 && v[i].end >= 0 && !(v[i].end > v[i].start))
            r = bad(err, fe, "must be after start");
        if (r < 0) {
            free(v);
            return r;
        }
    }
    *out = v;
    *n = (int)cnt;
    return 0;
}

/* Whether el is an element that read_track may turn into a track. */
static int carries_sound(const json_t *el)
{
    const char *etype = json_string_value(json_object_get(el, "elementType"));
    const char *type = json_string_value(json_object_get(el, "type"));
    if (etype && strcmp(etype, "audioElement") == 0) return 1;
    return etype && (strcmp(etype, "backgroundElement") == 0 || strcmp(etype, "layerItem") == 0) && type &&
           strcmp(type, "video") == 0;
}

/* Fills t from element el; returns 1 when el carries no sound (skip it). */
static int read_track(const json_t *el, size_t idx, track *t, elem_cfg *cfg, int *has_duck,
                      clip **muted, int *nmuted, const char *base_dir, sr_err *err)
{
    char prefix[64], field[96];
    snprintf(prefix, sizeof prefix, "elements[%zu]", idx);
    if (!json_is_object(el)) return bad(err, prefix, "must be an object");
    if (!carries_sound(el)) return 1;
    const char *etype = json_string_value(json_object_get(el, "elementType"));
    const char *type = json_string_value(json_object_get(el, "type"));
    const struct kind_info *ki = NULL;
    enum track_kind kind;
    if (etype && strcmp(etype, "audioElement") == 0) {
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (type && strcmp(type, kinds[i].type) == 0) ki = &kinds[i];
        snprintf(field, sizeof field, "%s.type", prefix);
        if (!ki) return bad(err, field, "must be voiceOver or music");
        kind = ki->kind;
    } else if (carries_sound(el)) { /* a video background or video layerItem */
        const json_t *mute = json_object_get(el, "mute");
        snprintf(field, sizeof field, "%s.mute", prefix);
        if (mute && !json_is_boolean(mute)) return bad(err, field, "must be true or false");
        if (!mute || json_is_true(mute)) return 1;
        kind = K_VIDEO;
    } else {
        return 1;
    }
    t->kind = kind;
    snprintf(t->field, sizeof t->field, "%s", prefix);
    int r = read_cfg(el, kind, ki, prefix, cfg, err);
    if (r < 0) return r;
    *has_duck = json_is_object(json_object_get(el, "ducking"));

    snprintf(field, sizeof field, "%s.url", prefix);
    const char *url = json_string_value(json_object_get(el, "url"));
    if (!url || !*url) return bad(err, field, "is required");
    if (strlen(url) > MAX_URL) return bad(err, field, "is too long");
    t->path = sr_path_resolve(base_dir, url);
    if (!t->path) return sr_err_set(err, SR_ENOMEM, field, "out of memory");

    const json_t *loop = json_object_get(el, "loop");
    snprintf(field, sizeof field, "%s.loop", prefix);
    if (loop && !json_is_boolean(loop)) return bad(err, field, "must be true or false");
    t->loop = loop ? json_is_true(loop) : (ki ? ki->loop : 1);

    r = read_ranges(el, "clips", MAX_CLIPS, 1, prefix, &t->clips, &t->nclips, err);
    if (r < 0) return r;
    if (t->nclips == 0) { /* the whole file */
        t->clips = calloc(1, sizeof *t->clips);
        if (!t->clips) return sr_err_set(err, SR_ENOMEM, prefix, "out of memory");
        t->clips[0] = (clip){0.0, -1.0};
        t->nclips = 1;
    }
    if (kind == K_MUSIC) {
        r = read_ranges(el, "mutedRanges", MAX_RANGES, 0, prefix, muted, nmuted, err);
        if (r < 0) return r;
    }
    t->volume = (float)cfg->volume;
    return 0;
}

/* ---- Gain curves --------------------------------------------------------- */

static int curve_init(sr_acurve *c, int n, float level, double atk, double rel)
{
    c->v = n ? calloc((size_t)n, sizeof *c->v) : NULL;
    if (n && !c->v) return SR_ENOMEM;
    c->n = 0;
    c->level = level;
    c->atk = to_frames(atk);
    c->rel = to_frames(rel);
    return 0;
}

static void curve_add(sr_acurve *c, int64_t a, int64_t b)
{
    if (b > a) c->v[c->n++] = (sr_aspan){a, b};
}

/* Builds the music's curves: ducking under voice spans, muted ranges, fades. */
static int build_curves(track *t, const elem_cfg *cfg, int has_duck, const sr_aspan *voices,
                        int nvoices, const clip *muted, int nmuted, sr_err *err)
{
    double atk = cfg->duck_atk, rel = cfg->duck_rel;
    double len = (double)(t->t1 - t->t0) / SR_AUDIO_RATE;
    double fi = cfg->fade_in, fo = cfg->fade_out;
    if (fi + fo > len && fi + fo > 0) { /* fades longer than the element share it */
        double k = len / (fi + fo);
        fi *= k;
        fo *= k;
    }
    sr_acurve *c = t->curves;
    if (curve_init(&c[C_DUCK], has_duck ? nvoices : 0, (float)cfg->duck_level, atk, rel) ||
        curve_init(&c[C_MUTE], nmuted, 0.0f, atk, rel) ||
        curve_init(&c[C_FADE_IN], 1, 0.0f, 0.0, fi) || curve_init(&c[C_FADE_OUT], 1, 0.0f, fo, 0.0))
        return sr_err_set(err, SR_ENOMEM, t->field, "out of memory");
    if (has_duck)
        for (int i = 0; i < nvoices; i++)
            curve_add(&c[C_DUCK], voices[i].a, voices[i].b);
    for (int i = 0; i < nmuted; i++)
        curve_add(&c[C_MUTE], to_frames(muted[i].start), to_frames(muted[i].end));
    if (c[C_FADE_IN].rel > 0) curve_add(&c[C_FADE_IN], INT64_MIN / 4, t->t0);
    if (c[C_FADE_OUT].atk > 0) curve_add(&c[C_FADE_OUT], t->t1, INT64_MAX / 4);
    for (int i = 0; i < C__COUNT; i++)
        sr_acurve_merge(&c[i]);
    return 0;
}

/* ---- Tracks: streaming over clips ----------------------------------------- */

static void track_free(track *t)
{
    sr_asrc_close(t->src);
    free(t->path);
    free(t->clips);
    for (int i = 0; i < C__COUNT; i++)
        free(t->curves[i].v);
}

/* Positions the open source at clip t->ci. */
static int clip_begin(track *t, sr_err *err)
{
    const clip *c = &t->clips[t->ci];
    t->clip_end = c->end < 0 ? -1 : to_frames(c->end);
    return sr_asrc_seek(t->src, c->start, err);
}

/* Moves to the next clip, looping when allowed; marks the track done at the end. */
static int clip_next(track *t, sr_err *err)
{
    if (++t->ci >= t->nclips) {
        if (!t->loop || t->pass_out == 0) { /* played once, or nothing to loop */
            t->done = 1;
            sr_asrc_close(t->src);
            t->src = NULL;
            return 0;
        }
        t->ci = 0;
        t->pass_out = 0;
    }
    return clip_begin(t, err);
}

/* Reads exactly n frames of the track's sound (silence once it is done). */
static int track_pull(track *t, float *dst, int n, sr_err *err)
{
    int got = 0, r;
    while (got < n) {
        if (t->done) {
            memset(dst + (size_t)got * SR_AUDIO_CHANNELS, 0,
                   (size_t)(n - got) * SR_AUDIO_CHANNELS * sizeof *dst);
            break;
        }
        if (!t->src) {
            r = sr_asrc_open(&t->src, t->path, t->field, t->kind == K_VIDEO, err);
            if (r < 0) return r;
            if (!t->src) { /* a video without sound */
                t->done = 1;
                continue;
            }
            t->ci = 0;
            t->pass_out = 0;
            if ((r = clip_begin(t, err)) < 0) return r;
        }
        int want = n - got;
        if (t->clip_end >= 0) {
            int64_t left = t->clip_end - sr_asrc_pos(t->src);
            if (left < want) want = left > 0 ? (int)left : 0;
        }
        int k =
            want > 0 ? sr_asrc_read(t->src, dst + (size_t)got * SR_AUDIO_CHANNELS, want, err) : 0;
        if (k < 0) return k;
        got += k;
        t->pass_out += k;
        if (k < want || want == 0) {
            if ((r = clip_next(t, err)) < 0) return r;
        }
    }
    return 0;
}

/* Opens the file and decodes its first frame, then closes it again. */
static int track_check(const track *t, sr_err *err)
{
    sr_asrc *s = NULL;
    int r = sr_asrc_open(&s, t->path, t->field, t->kind == K_VIDEO, err);
    if (r == 0 && s) r = sr_asrc_check(s, err);
    sr_asrc_close(s);
    return r;
}

/* ---- The mixer ------------------------------------------------------------- */

static int span_of(const track *t, sr_aspan *sp)
{
    sp->a = t->t0;
    sp->b = t->t1;
    return t->t1 > t->t0;
}

int sr_audio_create(sr_audio **out, const json_t *rp, const char *base_dir, sr_err *err)
{
    *out = NULL;
    int r = 0, nvoices = 0;
    size_t cap = 0;
    elem_cfg *cfgs = NULL;
    int *ducks = NULL, *nmuted = NULL;
    clip **muted = NULL;
    sr_aspan *voices = NULL;
    sr_audio *a = calloc(1, sizeof *a);
    if (!a) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");

    if (!json_is_object(rp)) {
        r = bad(err, "renderParams", "must be an object");
        goto fail;
    }
    const json_t *output = json_object_get(rp, "output");
    if (!json_is_object(output)) {
        r = bad(err, "output", "must be an object");
        goto fail;
    }
    double dur;
    if ((r = get_num(output, "duration", REQUIRED, 0, MAX_DURATION, "output.duration", &dur, err)) <
        0)
        goto fail;
    a->total = to_frames(dur);

    const json_t *els = json_object_get(rp, "elements");
    size_t nel = 0;
    if (els && !json_is_array(els)) {
        r = bad(err, "elements", "must be an array");
        goto fail;
    }
    nel = json_array_size(els);
    if (nel > MAX_ELEMENTS) {
        r = sr_err_set(err, SR_ELIMIT, "elements", "elements has more than %d entries",
                       MAX_ELEMENTS);
        goto fail;
    }
    for (size_t i = 0; i < nel; i++)
        cap += carries_sound(json_array_get(els, i));
    if (cap > MAX_TRACKS) {
        r = sr_err_set(err, SR_ELIMIT, "elements", "the timeline has more than %d sound elements",
                       MAX_TRACKS);
        goto fail;
    }
    a->tr = calloc(cap ? cap : 1, sizeof *a->tr);
    cfgs = calloc(cap ? cap : 1, sizeof *cfgs);
    ducks = calloc(cap ? cap : 1, sizeof *ducks);
    nmuted = calloc(cap ? cap : 1, sizeof *nmuted);
    muted = calloc(cap ? cap : 1, sizeof *muted);
    voices = calloc(cap ? cap : 1, sizeof *voices);
    if (!a->tr || !cfgs || !ducks || !nmuted || !muted || !voices) {
        r = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
        goto fail;
    }

    /* Pass 1: every audio-bearing element becomes a track. */
    for (size_t i = 0; i < nel; i++) {
        track *t = &a->tr[a->ntr];
        r = read_track(json_array_get(els, i), i, t, &cfgs[a->ntr], &ducks[a->ntr], &muted[a->ntr],
                       &nmuted[a->ntr], base_dir, err);
        if (r < 0) {
            a->ntr++; /* freed with the rest */
            goto fail;
        }
        if (r == 1) continue;
        elem_cfg *c = &cfgs[a->ntr];
        t->t0 = to_frames(c->start);
        t->t1 = to_frames(c->start + c->dur);
        if (t->t1 > a->total) t->t1 = a->total;
        if (t->kind == K_VOICE && span_of(t, &voices[nvoices])) nvoices++;
        a->ntr++;
    }
    r = 0;

    /* Pass 2: the gain curves (ducking needs every voice). */
    for (int i = 0; i < a->ntr; i++) {
        track *t = &a->tr[i];
        if (t->kind == K_VIDEO) continue;
        r = build_curves(t, &cfgs[i], t->kind == K_MUSIC && ducks[i], voices, nvoices, muted[i],
                         nmuted[i], err);
        if (r < 0) goto fail;
    }

    /* Pass 3: every file is opened and its first frame decoded now, so a bad
     * file fails the render before any encoding. */
    for (int i = 0; i < a->ntr; i++)
        if ((r = track_check(&a->tr[i], err)) < 0) goto fail;

    *out = a;
    a = NULL;
fail:
    if (muted)
        for (size_t i = 0; i < cap; i++)
            free(muted[i]);
    free(muted);
    free(nmuted);
    free(ducks);
    free(cfgs);
    free(voices);
    sr_audio_destroy(a);
    return r;
}

/* A soft limiter: unchanged below the knee, bent smoothly towards 1 above it. */
static inline float soft_limit(float x)
{
    float ax = fabsf(x);
    if (ax <= LIMIT_KNEE) return x;
    float y = LIMIT_KNEE + (1.0f - LIMIT_KNEE) * tanhf((ax - LIMIT_KNEE) / (1.0f - LIMIT_KNEE));
    return copysignf(y, x);
}

/* Mixes one block of m <= BLOCK frames at a->pos into a->mix. */
static int mix_block(sr_audio *a, int m, sr_err *err)
{
    int64_t p0 = a->pos, p1 = a->pos + m;
    memset(a->mix, 0, (size_t)m * SR_AUDIO_CHANNELS * sizeof *a->mix);
    for (int i = 0; i < a->ntr; i++) {
        track *t = &a->tr[i];
        if (t->t1 <= p0 || t->t0 >= p1) continue;
        int64_t s = t->t0 > p0 ? t->t0 : p0, e = t->t1 < p1 ? t->t1 : p1;
        int len = (int)(e - s), off = (int)(s - p0);
        int r = track_pull(t, a->tmp, len, err);
        if (r < 0) return r;
        for (int k = 0; k < len; k++)
            a->gain[k] = t->volume;
        for (int c = 0; c < C__COUNT; c++)
            if (t->curves[c].n) sr_acurve_apply(&t->curves[c], s, len, a->gain);
        float *dst = a->mix + (size_t)off * SR_AUDIO_CHANNELS;
        for (int k = 0; k < len; k++) {
            dst[2 * k] += a->tmp[2 * k] * a->gain[k];
            dst[2 * k + 1] += a->tmp[2 * k + 1] * a->gain[k];
        }
        if (t->t1 <= p1) { /* the element ends in this block: release its file */
            sr_asrc_close(t->src);
            t->src = NULL;
            t->done = 1;
        }
    }
    for (int k = 0; k < m * SR_AUDIO_CHANNELS; k++)
        a->mix[k] = soft_limit(a->mix[k]);
    return 0;
}

int sr_audio_read(sr_audio *a, float *buf, int n, sr_err *err)
{
    if (n < 0) return sr_err_set(err, SR_EINTERNAL, NULL, "negative audio read");
    int got = 0;
    while (got < n && a->pos < a->total) {
        int64_t left = a->total - a->pos;
        int m = n - got < BLOCK ? n - got : BLOCK;
        if (m > left) m = (int)left;
        int r = mix_block(a, m, err);
        if (r < 0) return r;
        memcpy(buf + (size_t)got * SR_AUDIO_CHANNELS, a->mix,
               (size_t)m * SR_AUDIO_CHANNELS * sizeof *buf);
        a->pos += m;
        got += m;
    }
    return got;
}

int64_t sr_audio_total(const sr_audio *a)
{
    return a->total;
}

void sr_audio_destroy(sr_audio *a)
{
    if (!a) return;
    for (int i = 0; i < a->ntr; i++)
        track_free(&a->tr[i]);
    free(a->tr);
    free(a);
}
