/* timeline.c - reads and checks the engine's part of a renderParams timeline.
 * Output settings come from one options table (name, type, default, range);
 * every error names the field at fault. */
#include "render/timeline.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* ------------------------------------------------------------ output table */

enum opt_type { OPT_INT, OPT_NUM, OPT_BITRATE, OPT_PRESET, OPT_COLOR };

typedef struct opt {
    const char *name;
    int type;
    size_t off;
    double def; /* NAN: required */
    double min, max;
    const char *sdef; /* default of string options */
} opt;

static const opt output_opts[] = {
    {"width", OPT_INT, offsetof(sr_timeline, w), NAN, SR_TL_MIN_SIDE, SR_TL_MAX_SIDE, NULL},
    {"height", OPT_INT, offsetof(sr_timeline, h), NAN, SR_TL_MIN_SIDE, SR_TL_MAX_SIDE, NULL},
    {"fps", OPT_NUM, offsetof(sr_timeline, fps), 30, 1, 60, NULL},
    {"duration", OPT_NUM, offsetof(sr_timeline, duration), -1, 0, SR_TL_MAX_DURATION, NULL},
    {"crf", OPT_INT, offsetof(sr_timeline, crf), 23, 0, 51, NULL},
    {"audioBitrate", OPT_BITRATE, offsetof(sr_timeline, audio_bitrate), 128000, 16000, 512000, NULL},
    {"preset", OPT_PRESET, offsetof(sr_timeline, preset), 0, 0, 0, "veryfast"},
    {"background", OPT_COLOR, offsetof(sr_timeline, bg), 0, 0, 0, "#000000"},
    {"segmentSeconds", OPT_NUM, offsetof(sr_timeline, seg_seconds), 2.0, 0.5, 60, NULL}, /* segment.h */
};

static const char *const x264_presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                           "medium",    "slow",      "slower",   "veryslow"};

static int parse_opt(sr_timeline *tl, const json_t *obj, const opt *o, sr_err *err)
{
    char field[64];
    snprintf(field, sizeof field, "output.%s", o->name);
    const json_t *v = obj ? json_object_get(obj, o->name) : NULL;
    char *dst = (char *)tl + o->off;
    if (v && json_is_null(v)) v = NULL;
    switch (o->type) {
    case OPT_INT:
    case OPT_NUM:
    case OPT_BITRATE: {
        double d = o->def;
        if (v && json_is_number(v)) d = json_number_value(v);
        else if (v && o->type == OPT_BITRATE && json_is_string(v)) {
            char *end;
            d = strtod(json_string_value(v), &end);
            if (*end == 'k' || *end == 'K') d *= 1000, end++;
            if (*end) return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be a bit rate such as 128000 or \"128k\".", field);
        } else if (v) return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be a number.", field);
        if (isnan(d)) return sr_err_set(err, SR_EINVALID_FIELD, field, "%s is required.", field);
        if (!isfinite(d) || d < o->min || d > o->max)
            return sr_err_set(err, o->off == offsetof(sr_timeline, duration) ? SR_ELIMIT : SR_EINVALID_FIELD, field,
                              "%s must be between %g and %g.", field, o->min, o->max);
        if (o->type == OPT_NUM) *(double *)(void *)dst = d;
        else {
            if (o->type == OPT_INT && d != floor(d))
                return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be a whole number.", field);
            *(int *)(void *)dst = (int)d;
        }
        return 0;
    }
    case OPT_PRESET: {
        const char *s = v && json_is_string(v) ? json_string_value(v) : v ? NULL : o->sdef;
        for (size_t i = 0; s && i < sizeof x264_presets / sizeof *x264_presets; i++)
            if (!strcmp(s, x264_presets[i])) {
                snprintf(dst, sizeof tl->preset, "%s", s);
                return 0;
            }
        return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be an x264 preset such as \"veryfast\".", field);
    }
    case OPT_COLOR: {
        const char *s = v && json_is_string(v) ? json_string_value(v) : v ? "?" : o->sdef;
        if (sr_parse_color(s, (uint8_t *)dst) != 0)
            return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be a colour.", field);
        return 0;
    }
    }
    return 0;
}

/* ---------------------------------------------------------------- helpers */

/* Reads number key of obj into *out: def when absent (NAN: required), within [min, max]. */
static int get_num(const json_t *obj, const char *key, double def, double min, double max,
                   const char *prefix, double *out, sr_err *err)
{
    char f[160];
    snprintf(f, sizeof f, "%s.%s", prefix, key);
    const json_t *v = json_object_get(obj, key);
    if (v && json_is_null(v)) v = NULL;
    if (v && !json_is_number(v))
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a number.", f);
    double d = v ? json_number_value(v) : def;
    if (isnan(d)) return sr_err_set(err, SR_EINVALID_FIELD, f, "%s is required.", f);
    if (!isfinite(d) || d < min || d > max)
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be between %g and %g.", f, min, max);
    *out = d;
    return 0;
}

static int get_color(const json_t *obj, const char *key, const char *def, const char *prefix,
                     uint8_t rgba[4], sr_err *err)
{
    const json_t *v = json_object_get(obj, key);
    const char *s = v && json_is_string(v) ? json_string_value(v) : v && !json_is_null(v) ? "?" : def;
    if (!s || sr_parse_color(s, rgba) != 0) {
        char f[160];
        snprintf(f, sizeof f, "%s.%s", prefix, key);
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a colour such as \"#336699\".", f);
    }
    return 0;
}

/* Resolves the media path key of obj; remote URLs must have been fetched. */
static int get_path(const json_t *obj, const char *key, const char *base_dir, const char *prefix,
                    char **out, sr_err *err)
{
    char f[160];
    snprintf(f, sizeof f, "%s.%s", prefix, key);
    const json_t *v = json_object_get(obj, key);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s || !*s) return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must name a media file.", f);
    if (strlen(s) > SR_TL_MAX_PATH) return sr_err_set(err, SR_ELIMIT, f, "%s is too long.", f);
    if (!strncmp(s, "file://", 7)) s += 7;
    else if (strstr(s, "://"))
        return sr_err_set(err, SR_EMEDIA_NOT_FOUND, f,
                          "%s is a remote URL; the engine renders local files only.", f);
    *out = sr_path_resolve(base_dir, s);
    return *out ? 0 : sr_err_set(err, SR_ENOMEM, f, "Out of memory.");
}

static const struct {
    const char *name;
    int grid;
} grid_names[] = {
    {"top-left", 0},    {"top-center", 1},    {"top", 1},       {"top-right", 2},
    {"center-left", 3}, {"left", 3},          {"center", 4},    {"center-center", 4},
    {"middle", 4},      {"center-right", 5},  {"right", 5},     {"bottom-left", 6},
    {"bottom-center", 7}, {"bottom", 7},      {"bottom-right", 8},
};

static int parse_motion(const json_t *m, const char *prefix, sr_motion *out, sr_err *err)
{
    char p[96];
    snprintf(p, sizeof p, "%s.motion", prefix);
    int rc;
    if ((rc = get_num(m, "startZoom", 1, 1, SR_MAX_ZOOM, p, &out->z0, err)) ||
        (rc = get_num(m, "endZoom", out->z0, 1, SR_MAX_ZOOM, p, &out->z1, err)) ||
        (rc = get_num(m, "startX", 0.5, 0, 1, p, &out->x0, err)) ||
        (rc = get_num(m, "startY", 0.5, 0, 1, p, &out->y0, err)) ||
        (rc = get_num(m, "endX", out->x0, 0, 1, p, &out->x1, err)) ||
        (rc = get_num(m, "endY", out->y0, 0, 1, p, &out->y1, err)))
        return rc;
    return 0;
}

static int parse_clips(const json_t *a, const char *prefix, sr_visual *v, sr_err *err)
{
    char f[128];
    snprintf(f, sizeof f, "%s.clips", prefix);
    if (!json_is_array(a)) return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be an array.", f);
    size_t n = json_array_size(a);
    if (n > SR_TL_MAX_CLIPS) return sr_err_set(err, SR_ELIMIT, f, "%s has more than %d clips.", f, SR_TL_MAX_CLIPS);
    if (!n) return 0;
    v->clips = calloc(n, sizeof *v->clips);
    if (!v->clips) return sr_err_set(err, SR_ENOMEM, f, "Out of memory.");
    for (size_t i = 0; i < n; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s[%zu]", f, i);
        const json_t *c = json_array_get(a, i);
        int rc;
        if (!json_is_object(c)) return sr_err_set(err, SR_EINVALID_FIELD, p, "%s must be an object.", p);
        if ((rc = get_num(c, "start", 0, 0, 1e6, p, &v->clips[i].start, err)) ||
            (rc = get_num(c, "end", 0, 0, 1e6, p, &v->clips[i].end, err)))
            return rc;
        if (v->clips[i].end > 0 && v->clips[i].end <= v->clips[i].start)
            return sr_err_set(err, SR_EINVALID_FIELD, p, "%s ends before it starts.", p);
        v->nclips++;
    }
    return 0;
}

/* ---------------------------------------------------------------- elements */

static int parse_visual(sr_timeline *tl, const json_t *e, int idx, int is_bg, const char *base_dir,
                        sr_err *err)
{
    sr_visual *v = &tl->vis[tl->nvis];
    memset(v, 0, sizeof *v);
    snprintf(v->field, sizeof v->field, "elements[%d]", idx);
    const char *p = v->field;
    double scene;
    int rc;
    if ((rc = get_num(e, "sceneIndex", -1, -1, tl->nscenes - 1, p, &scene, err))) return rc;
    v->scene = (int)scene;
    double dstart = v->scene >= 0 ? tl->scenes[v->scene].start : 0;
    double ddur = v->scene >= 0 ? tl->scenes[v->scene].dur : tl->duration;
    if ((rc = get_num(e, "startTime", dstart, 0, SR_TL_MAX_DURATION, p, &v->start, err)) ||
        (rc = get_num(e, "duration", ddur, 0, SR_TL_MAX_DURATION, p, &v->dur, err)))
        return rc;
    const char *type = json_string_value(json_object_get(e, "type"));
    char f[96];
    if (is_bg) {
        if (v->scene < 0) {
            snprintf(f, sizeof f, "%s.sceneIndex", p);
            return sr_err_set(err, SR_EINVALID_FIELD, f, "A backgroundElement must belong to a scene.");
        }
        if (type && !strcmp(type, "color")) {
            v->kind = SR_VIS_COLOR;
            if ((rc = get_color(e, "color", "#000000", p, v->color, err))) return rc;
        } else if (type && !strcmp(type, "gradient")) {
            v->kind = SR_VIS_GRADIENT;
            if ((rc = sr_gradient_parse(e, p, &v->grad, err))) return rc;
        } else if (type && (!strcmp(type, "image") || !strcmp(type, "video"))) {
            v->kind = !strcmp(type, "image") ? SR_VIS_IMAGE : SR_VIS_VIDEO;
            if ((rc = get_path(e, "url", base_dir, p, &v->path, err))) return rc;
        } else {
            snprintf(f, sizeof f, "%s.type", p);
            return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be \"image\", \"video\", \"color\" or \"gradient\".", f);
        }
        const json_t *m = json_object_get(e, "motion");
        if (json_is_object(m)) {
            v->has_motion = 1;
            if ((rc = parse_motion(m, p, &v->motion, err))) return rc;
        }
        const json_t *fit = json_object_get(e, "fit");
        static const char *const fits[] = {"cover", "contain", "blur"};
        v->fit = fit && !json_is_null(fit) ? -1 : SR_FIT_COVER;
        for (int k = 0; k < 3 && v->fit < 0; k++)
            if (json_is_string(fit) && !strcmp(json_string_value(fit), fits[k])) v->fit = k;
        if (v->fit < 0) {
            snprintf(f, sizeof f, "%s.fit", p);
            return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be \"cover\", \"contain\" or \"blur\".", f);
        }
        if (tl->scenes[v->scene].bg < 0) tl->scenes[v->scene].bg = tl->nvis;
    } else {
        v->kind = type && !strcmp(type, "video") ? SR_VIS_VLAYER : SR_VIS_LAYER;
        if ((rc = get_path(e, "url", base_dir, p, &v->path, err))) return rc;
    }
    if (is_bg || v->kind == SR_VIS_VLAYER) { /* video settings and the tint */
        const json_t *ov = json_object_get(e, "colorOverlay");
        if (json_is_object(ov)) {
            snprintf(f, sizeof f, "%s.colorOverlay", p);
            v->has_overlay = 1;
            if ((rc = get_color(ov, "color", "#000000", f, v->ov_color, err)) ||
                (rc = get_num(ov, "opacity", 0.4, 0, 1, f, &v->ov_opacity, err)))
                return rc;
        }
        const json_t *lp = json_object_get(e, "loop");
        v->loop = lp ? json_is_true(lp) : 1;
        const json_t *cl = json_object_get(e, "clips");
        if (cl && !json_is_null(cl) && (rc = parse_clips(cl, p, v, err))) return rc;
        if (is_bg && (rc = get_num(e, "sourceOffset", 0, 0, SR_TL_MAX_DURATION, p, &v->offset, err))) return rc;
    }
    if (!is_bg) {
        const json_t *pos = json_object_get(e, "position");
        v->grid = -1;
        if (json_is_string(pos)) {
            for (size_t i = 0; i < sizeof grid_names / sizeof *grid_names; i++)
                if (!strcmp(json_string_value(pos), grid_names[i].name)) v->grid = grid_names[i].grid;
            if (v->grid < 0) {
                snprintf(f, sizeof f, "%s.position", p);
                return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a position such as \"top-right\".", f);
            }
        }
        double wdef = 0.2;
        const json_t *wv = json_object_get(e, "width");
        if (json_is_string(wv)) { /* "12.5%" */
            if (sr_parse_percent(wv, &wdef) != 0 || wdef <= 0 || wdef > 1) {
                snprintf(f, sizeof f, "%s.width", p);
                return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a fraction of the frame width.", f);
            }
            if ((rc = get_num(e, "left", 0, -1, 1, p, &v->left, err)) ||
                (rc = get_num(e, "top", 0, -1, 1, p, &v->top, err)) ||
                (rc = get_num(e, "opacity", 1, 0, 1, p, &v->opacity, err)))
                return rc;
            v->width = wdef;
        } else if ((rc = get_num(e, "width", wdef, 0.001, 1, p, &v->width, err)) ||
                   (rc = get_num(e, "left", 0, -1, 1, p, &v->left, err)) ||
                   (rc = get_num(e, "top", 0, -1, 1, p, &v->top, err)) ||
                   (rc = get_num(e, "opacity", 1, 0, 1, p, &v->opacity, err)))
            return rc;
    }
    tl->nvis++;
    return 0;
}

static int parse_scenes(sr_timeline *tl, const json_t *a, sr_err *err)
{
    if (!json_is_array(a) || json_array_size(a) == 0)
        return sr_err_set(err, SR_ENO_SCENES, "sceneMarkers", "sceneMarkers must list at least one scene.");
    size_t n = json_array_size(a);
    if (n > SR_TL_MAX_SCENES)
        return sr_err_set(err, SR_ELIMIT, "sceneMarkers", "A timeline has at most %d scenes.", SR_TL_MAX_SCENES);
    tl->scenes = calloc(n, sizeof *tl->scenes);
    if (!tl->scenes) return sr_err_set(err, SR_ENOMEM, "sceneMarkers", "Out of memory.");
    for (size_t i = 0; i < n; i++) {
        char p[64], f[96];
        snprintf(p, sizeof p, "sceneMarkers[%zu]", i);
        const json_t *s = json_array_get(a, i);
        sr_scene *sc = &tl->scenes[i];
        int rc;
        if (!json_is_object(s)) return sr_err_set(err, SR_EINVALID_FIELD, p, "%s must be an object.", p);
        if ((rc = get_num(s, "startTime", NAN, 0, SR_TL_MAX_DURATION, p, &sc->start, err)) ||
            (rc = get_num(s, "duration", NAN, 0, SR_TL_MAX_DURATION, p, &sc->dur, err)) ||
            (rc = get_num(s, "transitionDuration", 0, 0, 60, p, &sc->tdur, err)))
            return rc;
        const json_t *tv = json_object_get(s, "transition");
        const char *tn = json_is_string(tv) ? json_string_value(tv) : tv && !json_is_null(tv) ? "?" : "none";
        sc->transition = sr_transition_find(tn);
        if (sc->transition < 0) {
            snprintf(f, sizeof f, "%s.transition", p);
            return sr_err_set(err, SR_EINVALID_FIELD, f, "%s \"%s\" is not a known transition.", f, tn);
        }
        if (sc->tdur > sc->dur) sc->tdur = sc->dur;
        sc->bg = -1;
        tl->nscenes++;
    }
    return 0;
}

static int parse_subtitles(const json_t *a, sr_err *err)
{
    if (!a || json_is_null(a)) return 0;
    if (!json_is_array(a)) return sr_err_set(err, SR_EINVALID_FIELD, "subtitles", "subtitles must be an array.");
    if (json_array_size(a) > SR_TL_MAX_SUBTITLES)
        return sr_err_set(err, SR_ELIMIT, "subtitles", "A timeline has at most %d subtitle cues.", SR_TL_MAX_SUBTITLES);
    for (size_t i = 0; i < json_array_size(a); i++) {
        char p[64];
        snprintf(p, sizeof p, "subtitles[%zu]", i);
        const json_t *c = json_array_get(a, i);
        double s, e;
        int rc;
        if (!json_is_object(c)) return sr_err_set(err, SR_EINVALID_FIELD, p, "%s must be an object.", p);
        if ((rc = get_num(c, "startTime", NAN, 0, SR_TL_MAX_DURATION, p, &s, err)) ||
            (rc = get_num(c, "endTime", NAN, 0, SR_TL_MAX_DURATION, p, &e, err)))
            return rc;
        if (e < s) return sr_err_set(err, SR_EINVALID_FIELD, p, "%s ends before it starts.", p);
    }
    return 0;
}

void sr_timeline_free(sr_timeline *tl)
{
    if (!tl) return;
    for (int i = 0; i < tl->nvis; i++) {
        free(tl->vis[i].path);
        free(tl->vis[i].clips);
    }
    for (int i = 0; i < tl->naudio; i++) free(tl->audio[i].path);
    free(tl->vis);
    free(tl->audio);
    free(tl->scenes);
    free(tl);
}

int sr_timeline_parse(const json_t *rp, const char *base_dir, sr_timeline **out, sr_err *err)
{
    int rc = 0;
    *out = NULL;
    sr_timeline *tl = calloc(1, sizeof *tl);
    if (!tl) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    if (!json_is_object(rp)) {
        rc = sr_err_set(err, SR_EINVALID_FIELD, "", "The timeline must be a JSON object.");
        goto fail;
    }
    const json_t *o = json_object_get(rp, "output");
    if (!json_is_object(o)) {
        rc = sr_err_set(err, SR_EINVALID_FIELD, "output", "output is required.");
        goto fail;
    }
    for (size_t i = 0; i < sizeof output_opts / sizeof *output_opts; i++)
        if ((rc = parse_opt(tl, o, &output_opts[i], err))) goto fail;
    /* format, codec, exact (NTSC) frame rate, loudness: absent = off here */
    if ((rc = sr_out_format_parse(o, 1, NAN, &tl->fmt, err))) goto fail;
    tl->fps = (double)tl->fmt.fps_num / tl->fmt.fps_den;
    if ((tl->w & 1) || (tl->h & 1)) {
        rc = sr_err_set(err, SR_EINVALID_FIELD, tl->w & 1 ? "output.width" : "output.height",
                        "The output's width and height must be even.");
        goto fail;
    }
    if ((rc = parse_scenes(tl, json_object_get(rp, "sceneMarkers"), err))) goto fail;
    if (tl->duration < 0) { /* absent: the end of the last scene */
        tl->duration = 0;
        for (int i = 0; i < tl->nscenes; i++)
            if (tl->scenes[i].start + tl->scenes[i].dur > tl->duration)
                tl->duration = tl->scenes[i].start + tl->scenes[i].dur;
        if (tl->duration > SR_TL_MAX_DURATION) {
            rc = sr_err_set(err, SR_ELIMIT, "output.duration", "A video is at most %g seconds long.", SR_TL_MAX_DURATION);
            goto fail;
        }
    }
    tl->frames = llround(tl->duration * tl->fps);
    if ((rc = sr_out_format_check(&tl->fmt, tl->w, tl->h, tl->duration, err))) goto fail;
    if (tl->frames < 1) {
        rc = sr_err_set(err, SR_EINVALID_FIELD, "output.duration", "The video must last at least one frame.");
        goto fail;
    }
    const json_t *els = json_object_get(rp, "elements");
    if (els && !json_is_array(els)) {
        rc = sr_err_set(err, SR_EINVALID_FIELD, "elements", "elements must be an array.");
        goto fail;
    }
    size_t n = json_array_size(els);
    if (n > SR_TL_MAX_ELEMENTS) {
        rc = sr_err_set(err, SR_ELIMIT, "elements", "A timeline has at most %d elements.", SR_TL_MAX_ELEMENTS);
        goto fail;
    }
    tl->vis = calloc(n ? n : 1, sizeof *tl->vis);
    tl->audio = calloc(n ? n : 1, sizeof *tl->audio);
    if (!tl->vis || !tl->audio) {
        rc = sr_err_set(err, SR_ENOMEM, "elements", "Out of memory.");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(els, i);
        char p[48];
        snprintf(p, sizeof p, "elements[%zu]", i);
        if (!json_is_object(e)) {
            rc = sr_err_set(err, SR_EINVALID_FIELD, p, "%s must be an object.", p);
            goto fail;
        }
        const char *et = json_string_value(json_object_get(e, "elementType"));
        const char *ty = json_string_value(json_object_get(e, "type"));
        if (!et) {
            rc = sr_err_set(err, SR_EINVALID_FIELD, p, "%s.elementType is required.", p);
            goto fail;
        }
        if (!strcmp(et, "backgroundElement")) rc = parse_visual(tl, e, (int)i, 1, base_dir, err);
        else if (!strcmp(et, "layerItem") && (!ty || !strcmp(ty, "image") || !strcmp(ty, "video")))
            rc = parse_visual(tl, e, (int)i, 0, base_dir, err);
        else if (!strcmp(et, "audioElement")) {
            sr_media_ref *m = &tl->audio[tl->naudio];
            snprintf(m->field, sizeof m->field, "%s", p);
            if ((rc = get_path(e, "url", base_dir, p, &m->path, err)) == 0) tl->naudio++;
        }
        if (rc) { /* a visual refused half-way may hold its path and clips (vis has n zeroed slots) */
            free(tl->vis[tl->nvis].path);
            free(tl->vis[tl->nvis].clips);
            goto fail;
        }
    }
    if ((rc = parse_subtitles(json_object_get(rp, "subtitles"), err))) goto fail;
    *out = tl;
    return 0;
fail:
    sr_timeline_free(tl);
    return rc;
}
