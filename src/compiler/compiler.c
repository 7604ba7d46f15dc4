/* compiler.c - storyboard -> timeline (docs/storyboard.md -> docs/renderParams.md).
 *
 * Four passes over one context:
 *   1. read and validate the storyboard (top level, then each scene; a
 *      scene's story may be split into several timeline scenes);
 *   2. estimate the video's length from its text and refuse a too-long one
 *      before any speech is made;
 *   3. speak each narrated scene (through the speech cache);
 *   4. place everything on the timeline and write the renderParams JSON. */
#include "compiler/compiler.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "compiler/elements.h"
#include "compiler/fields.h"
#include "compiler/pick.h"
#include "compiler/speech.h"
#include "compiler/ssml.h"
#include "compiler/voicesync.h"
#include "compiler/split.h"
#include "render/text/fonts.h"
#include "render/text/text.h"
#include "compiler/subs.h"
#include "render/format.h"
#include "render/media.h"
#include "tts/pictory_voices.h"
#include "tts/tts.h"

/* --- limits and defaults -------------------------------------------------- */
#define MAX_FILE_BYTES (16u << 20)
#define MAX_SCENES 500
#define MAX_STORY_CP 15000
#define MAX_TEXT_CP 2000
#define MAX_ELEMENTS 20
#define MAX_VIDEO_S 1800.0
#define MAX_VOICES 16
#define MAX_CLIPS 10
#define TRANSITION_S 0.5
#define FIRST_LEAD_S 0.3
#define DEFAULT_END_PAUSE 0.5
#define DEFAULT_MIN_DUR 5.0 /* scenes without narration */
#define MIN_SCENE_S 1.0
#define DEFAULT_FONT "DejaVu Sans"
#define SUB_MAX_CHARS 42    /* characters a subtitle line (timed-text conventions) */
#define SUB_GAP_FRAMES 2.0  /* frames between consecutive cues */
#define SUB_MIN_S (5.0 / 6) /* the shortest cue, unless the next one starts sooner */
#define SUB_LINGER_S 0.5    /* a cue stays after its last word, up to the next */

static const char *const transitions[] = {"none",  "wipeup",      "wipedown",   "wipeleft", "wiperight", "smoothleft",
                                          "smoothright", "radial", "circlecrop", "hblur",    "fade",      NULL};
enum { TR_NONE = 0 };

static const char *const grid[] = {"top-left",    "top-center",    "top-right",    "center-left", "center-center",
                                   "center-right", "bottom-left",  "bottom-center", "bottom-right", "center", NULL};
#define GRID_CENTER_ALIAS 9

static const char *const presets[] = {"ultrafast", "superfast", "veryfast", "faster",  "fast",
                                      "medium",    "slow",      "slower",   "veryslow", "placebo", NULL};

static const struct {
    const char *name;
    int w, h;
} aspects[] = {{"16:9", 1920, 1080}, {"9:16", 1080, 1920}, {"1:1", 1080, 1080}, {"4:5", 1080, 1350}};

/* textVariant defaults (API.md) */
static const struct {
    const char *name;
    int size;
    const char *position;
    double width;
} variants[] = {{"body", 20, "center-center", 0.37},
                {"heading", 66, "center-center", 0.90},
                {"subheading", 42, "top-center", 0.90}};
static const char *const variant_names[] = {"body", "heading", "subheading", NULL};

static const char *const bg_types[] = {"image", "video", NULL};
enum { BG_IMAGE = 0, BG_VIDEO = 1, BG_COLOR = 2 };

static const char *const el_types[] = {"text", "image", "video", "shape", NULL};
enum { EL_TEXT, EL_IMAGE, EL_VIDEO, EL_SHAPE };

/* fontStyle fields: one table drives validation and copying */
enum { FS_STR, FS_NUM, FS_INT, FS_COLOR, FS_BOOL, FS_PCT, FS_GRID, FS_ENUM, FS_DECO, FS_PATH, FS_ANIM };
static const char *const align_names[] = {"left", "center", "right", NULL};
static const char *const case_names[] = {"uppercase", "lowercase", "capitalize", "smallcapitalize", "none", NULL};
static const char *const deco_names[] = {"bold", "underline", "italics", "linethrough", "italic", NULL};
static const struct {
    const char *key;
    int kind;
    double lo, hi;
    const char *const *names;
} style_fields[] = {
    {"fontFamily", FS_STR, 0, 100, NULL},
    {"fontUrl", FS_PATH, 0, 0, NULL},
    {"fontSize", FS_NUM, 4, 200, NULL},
    {"color", FS_COLOR, 0, 0, NULL},
    {"backgroundColor", FS_COLOR, 0, 0, NULL},
    {"showBoxBackground", FS_BOOL, 0, 0, NULL},
    {"shadowColor", FS_COLOR, 0, 0, NULL},
    {"shadowWidth", FS_PCT, 0, 1, NULL},
    {"position", FS_GRID, 0, 0, NULL},
    {"alignment", FS_ENUM, 0, 0, align_names},
    {"decorations", FS_DECO, 0, 0, deco_names},
    {"case", FS_ENUM, 0, 0, case_names},
    {"keywordColor", FS_COLOR, 0, 0, NULL},
    {"paragraphWidth", FS_PCT, 0.05, 1, NULL},
    {"showBullet", FS_BOOL, 0, 0, NULL},
    {"bulletSize", FS_PCT, 0.2, 3, NULL},
    {"bulletFillColor", FS_COLOR, 0, 0, NULL},
    {"animations", FS_ANIM, 0, 0, NULL}, /* checked by the text module (text_anim.c) */
    /* word-by-word captions: cues of at most wordsPerCue words, the word being
     * spoken in activeWordColor at activeWordScale (subs.c, text_anim.c) */
    {"wordsPerCue", FS_INT, 1, 10, NULL},
    {"activeWordColor", FS_COLOR, 0, 0, NULL},
    {"activeWordScale", FS_NUM, 1, 2, NULL},
};

/* --- state ---------------------------------------------------------------- */
typedef struct voice {
    char id[64]; /* backend voice id */
    const sr_tts_backend *be; /* its engine (sr_tts_resolve_any) */
    int speed;
    double amp;
} voice;

typedef struct vocfg {
    int enabled;
    int n;
    voice v[MAX_VOICES];
} vocfg;

/* One storyboard scene, validated. */
typedef struct scene_src {
    int idx;
    char pfx[32]; /* "scenes[3]" */
    int bg_type;  /* BG_* */
    char *bg_url;
    const char *bg_color;
    json_t *bg_clips; /* owned, video only */
    char *bg_query;   /* background.searchFilter as a library query (owned) */
    int bg_mask;      /* its kinds (sr_lib_kind) */
    int bg_auto;      /* no background: picked by the story's words */
    int bg_ai;        /* background.aiVisual: a library pick (or the gradient) stands in, with a warning */
    int loop, mute;
    const char *ov_color;
    double ov_opacity;
    int kenburns, zoompan;
    const char *fit; /* background.fit (elements.c) */
    json_t *vkb;     /* owned: settings.videoKenBurns as a timeline motion, or NULL */
    int transition;
    double min_dur; /* < 0: default */
    double end_pause;
    int hide_subs, max_lines, highlight, music_on;
    json_t *sub_style; /* owned, merged */
    json_t *elements;  /* owned: element templates */
    const vocfg *vo;   /* the scene's voice config (the top level's or vo_own) */
    vocfg vo_own;
} scene_src;

/* One timeline scene. */
typedef struct scene {
    scene_src *src;
    char *text; /* narration (malloc'd) or NULL */
    const voice *v;
    sr_speech sp;
    char *pick_url; /* the background picked from the library (owned) */
    int pick_kind, gradient; /* its sr_lib_kind; 1: the generated gradient */
    int narrated;
    char *ssml; /* the SSML story (isSSMLStory; text is its plain text) or NULL */
    double est; /* estimated narration (s) */
    double start, dur, lead, td;
} scene;

typedef struct cctx {
    const sr_compile_opts *opts;
    sr_err *err;
    const sr_tts_backend *be;
    const char *name;
    int w, h;
    double fps;
    int crf, preset;
    int abr;
    sr_out_format fmt; /* output.format, videoCodec, exact fps, loudness */
    const char *language;
    vocfg vo;
    json_t *sub_style; /* top-level, with defaults */
    int music;
    char *music_url;
    double music_vol;
    json_t *music_clips;
    int logo;
    char *logo_url;
    json_t *logo_place; /* position or left/top + width */
    scene_src *srcs;
    int nsrc;
    scene *sc;
    int nsc;
    char *cache_dir;
    json_t *warnings;
    char *ext_url; /* voiceOver.externalVoice.voiceUrl (absolute) or NULL */
    int ext_sync;
    double ext_amp, ext_dur;
    sr_picker *picker; /* media and music libraries (pick.c) */
    sr_media_budget pictures; /* the pictures probed, against opts->media_limits */
} cctx;

static double r3(double t) { return round(t * 1000.0) / 1000.0; }

static int nomem(cctx *c) { return sr_err_set(c->err, SR_ENOMEM, "", "out of memory"); }

static void warn(cctx *c, const char *field, const char *msg)
{
    char buf[SR_FIELD_MAX + 600];
    snprintf(buf, sizeof buf, "%s: %s", field, msg);
    json_array_append_new(c->warnings, json_string(buf));
}

/* --- media ---------------------------------------------------------------- */

/* Resolves ref (field) to an absolute path in *abs and, unless probing is
 * off, checks that it is a readable file providing expect. */
static int media_ref(cctx *c, const char *ref, const char *field, int expect, char **abs, sr_media_info *info)
{
    memset(info, 0, sizeof *info);
    *abs = NULL;
    if (!*ref) return sr_err_set(c->err, SR_EINVALID_FIELD, field, "%s is empty", field);
    if (strstr(ref, "://")) {
        if (strncasecmp(ref, "file://", 7) != 0)
            return sr_err_set(c->err, SR_EFORBIDDEN, field,
                              "%s: fetching media from URLs is not supported yet; give a local file path", field);
        ref += 7;
    }
    char *p = sr_path_resolve(c->opts ? c->opts->base_dir : NULL, ref);
    if (!p) return nomem(c);
    if (p[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) {
            free(p);
            return sr_err_set(c->err, SR_EIO, field, "the current folder is unknown");
        }
        char *q = malloc(strlen(cwd) + strlen(p) + 2);
        if (!q) {
            free(p);
            return nomem(c);
        }
        sprintf(q, "%s/%s", cwd, p);
        free(p);
        p = q;
    }
    if (!(c->opts && c->opts->no_media_probe)) {
        int rc = sr_media_probe_budget(p, expect, field, &c->pictures, info, c->err);
        if (rc) {
            free(p);
            return rc;
        }
    }
    *abs = p;
    return 0;
}

static int ext_is_video(const char *p)
{
    static const char *const exts[] = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".gif", NULL};
    size_t n = strlen(p);
    for (int i = 0; exts[i]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcasecmp(p + n - e, exts[i]) == 0) return 1;
    }
    return 0;
}

/* Validates clips [{start,end}] (pfx names the array); returns a new array or NULL with err. */
static int parse_clips(cctx *c, const json_t *arr, const char *pfx, double media_dur, json_t **out)
{
    char p[SR_FIELD_MAX];
    *out = json_array();
    if (!*out) return nomem(c);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *cl = json_array_get(arr, i);
        sr_fpath_idx(p, pfx, (int)i);
        if (!json_is_object(cl)) return sr_err_set(c->err, SR_EINVALID_FIELD, p, "%s must be an object", p);
        double s, e;
        int rc = sr_fnum(cl, "start", p, 0, 86400, 0, &s, c->err);
        if (!rc) rc = sr_fnum(cl, "end", p, 0, 86400, -1, &e, c->err);
        if (rc) return rc;
        if (e < 0) e = media_dur > 0 ? media_dur : 0;
        if (e <= s) return sr_err_set(c->err, SR_EINVALID_FIELD, p, "%s: end must be after start", p);
        if (media_dur > 0 && s >= media_dur)
            return sr_err_set(c->err, SR_EINVALID_FIELD, p, "%s: start %g is past the media's end (%.3g s)", p, s,
                              media_dur);
        if (media_dur > 0 && e > media_dur) e = media_dur;
        json_array_append_new(*out, json_pack("{s:f,s:f}", "start", s, "end", e));
    }
    return 0;
}

/* --- styles and placement ------------------------------------------------- */

/* Validates fontStyle st (path pfx) and copies its known fields over dst. */
static int parse_style(cctx *c, const json_t *st, const char *pfx, json_t *dst)
{
    char f[SR_FIELD_MAX];
    if (!st) return 0;
    for (size_t i = 0; i < sizeof style_fields / sizeof style_fields[0]; i++) {
        const char *key = style_fields[i].key;
        if (!sr_fhas(st, key)) continue;
        const json_t *v = json_object_get(st, key);
        json_t *nv = NULL;
        int rc = 0, k;
        double d;
        const char *s;
        switch (style_fields[i].kind) {
        case FS_STR:
            rc = sr_fstr(st, key, pfx, (int)style_fields[i].hi, &s, c->err);
            if (!rc && !strcmp(key, "fontFamily") && !sr_fhas(st, "fontUrl")) {
                char fam[128]; /* not installed: a similar family, with a warning (fonts.h) */
                int weight;    /* "Poppins Extrabold": Poppins at 800 */
                int miss = sr_font_resolve_weight(s, fam, sizeof fam, &weight);
                if (weight) json_object_set_new(dst, "fontWeight", json_integer(weight));
                else json_object_del(dst, "fontWeight");
                if (weight && !miss) {
                    nv = json_string(fam);
                    break;
                }
                if (miss) {
                    char msg[300];
                    snprintf(msg, sizeof msg, "the font \"%.100s\" is not installed; \"%s\" is used instead", s, fam);
                    warn(c, sr_fpath(f, pfx, key), msg);
                    s = NULL;
                    nv = json_string(fam);
                    break;
                }
            }
            if (!rc) nv = json_string(s);
            break;
        case FS_ANIM:
            rc = sr_text_check_animations(st, pfx, c->err);
            if (!rc) nv = json_deep_copy(v);
            break;
        case FS_PATH: {
            rc = sr_fstr(st, key, pfx, 4096, &s, c->err);
            if (rc) break;
            sr_fpath(f, pfx, key);
            if (strstr(s, "://"))
                return sr_err_set(c->err, SR_EFORBIDDEN, f, "%s: fetching fonts from URLs is not supported yet", f);
            char *p = sr_path_resolve(c->opts ? c->opts->base_dir : NULL, s);
            if (!p) return nomem(c);
            struct stat sb;
            if (!(c->opts && c->opts->no_media_probe) && stat(p, &sb) != 0) {
                free(p);
                return sr_err_set(c->err, SR_EMEDIA_NOT_FOUND, f, "%s: the font file %s was not found", f, s);
            }
            nv = json_string(p);
            free(p);
            break;
        }
        case FS_NUM:
            rc = sr_fnum(st, key, pfx, style_fields[i].lo, style_fields[i].hi, 0, &d, c->err);
            if (!rc) nv = json_real(d);
            break;
        case FS_INT:
            rc = sr_fint(st, key, pfx, (int)style_fields[i].lo, (int)style_fields[i].hi, 0, &k, c->err);
            if (!rc) nv = json_integer(k);
            break;
        case FS_COLOR:
            rc = sr_fcolor(st, key, pfx, &s, c->err);
            if (!rc) nv = json_string(s);
            break;
        case FS_BOOL:
            rc = sr_fbool(st, key, pfx, 0, &k, c->err);
            if (!rc) nv = json_boolean(k);
            break;
        case FS_PCT:
            rc = sr_fpct(st, key, pfx, style_fields[i].lo, style_fields[i].hi, 0, &d, c->err);
            if (!rc) nv = json_deep_copy(v);
            break;
        case FS_GRID:
            rc = sr_fenum(st, key, pfx, grid, 0, &k, c->err);
            if (!rc) nv = json_string(grid[k == GRID_CENTER_ALIAS ? 4 : k]);
            break;
        case FS_ENUM:
            rc = sr_fenum(st, key, pfx, style_fields[i].names, 0, &k, c->err);
            if (!rc) nv = json_string(style_fields[i].names[k]);
            break;
        case FS_DECO: {
            const json_t *arr;
            rc = sr_farr(st, key, pfx, 8, &arr, c->err);
            if (rc) break;
            nv = json_array();
            sr_fpath(f, pfx, key);
            for (size_t j = 0; nv && j < json_array_size(arr); j++) {
                const char *ds = json_string_value(json_array_get(arr, j));
                int found = -1;
                for (int q = 0; ds && deco_names[q]; q++)
                    if (strcasecmp(ds, deco_names[q]) == 0) found = q;
                if (found < 0) {
                    json_decref(nv);
                    return sr_err_set(c->err, SR_EINVALID_FIELD, f,
                                      "%s[%zu] must be one of: bold, underline, italics, linethrough", f, j);
                }
                json_array_append_new(nv, json_string(found == 4 ? "italics" : deco_names[found]));
            }
            break;
        }
        }
        if (rc) return rc;
        if (!nv || json_object_set_new(dst, key, nv)) return nomem(c);
    }
    return 0;
}

/* Reads `position` | `top`+`left`, and `width`, from o into dst (timeline
 * form: position string, or left/top fractions; width fraction). */
static int parse_place(cctx *c, const json_t *o, const char *pfx, const char *def_pos, double def_w, json_t *dst)
{
    char f[SR_FIELD_MAX];
    int has_pos = sr_fhas(o, "position"), has_t = sr_fhas(o, "top"), has_l = sr_fhas(o, "left");
    int rc, k;
    double w, t, l;
    if (has_pos && (has_t || has_l))
        return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, pfx, "position"),
                          "%s: give either position or top+left, not both", pfx);
    if (has_t != has_l)
        return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, pfx, has_t ? "left" : "top"),
                          "%s: top and left go together", pfx);
    if ((rc = sr_fpct(o, "width", pfx, 0.01, 1, def_w, &w, c->err))) return rc;
    if (has_t) {
        if ((rc = sr_fpct(o, "top", pfx, 0, 1, 0, &t, c->err))) return rc;
        if ((rc = sr_fpct(o, "left", pfx, 0, 1, 0, &l, c->err))) return rc;
        json_object_set_new(dst, "left", json_real(l));
        json_object_set_new(dst, "top", json_real(t));
    } else {
        int def = 4;
        for (int i = 0; grid[i]; i++)
            if (strcmp(grid[i], def_pos) == 0) def = i;
        if ((rc = sr_fenum(o, "position", pfx, grid, def, &k, c->err))) return rc;
        json_object_set_new(dst, "position", json_string(grid[k == GRID_CENTER_ALIAS ? 4 : k]));
    }
    json_object_set_new(dst, "width", json_real(w));
    return 0;
}

/* --- voices --------------------------------------------------------------- */

static const char *default_speaker(const char *language)
{
    static const struct {
        const char *lang, *voice;
    } map[] = {{"en", "en-us"}, {"zh", "cmn"}};
    if (!language) return "en-us";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(language, map[i].lang) == 0) return map[i].voice;
    return language;
}

static int parse_voiceover(cctx *c, const json_t *vo, const char *pfx, vocfg *out)
{
    char p[SR_FIELD_MAX], f[SR_FIELD_MAX], vp[SR_FIELD_MAX];
    const json_t *arr;
    int rc;
    memset(out, 0, sizeof *out);
    if (!vo) return 0;
    if ((rc = sr_fbool(vo, "enabled", pfx, 1, &out->enabled, c->err))) return rc;
    if (!out->enabled) return 0;
    if (sr_fhas(vo, "externalVoice")) { /* the user's narration replaces the voices (voicesync.h) */
        const json_t *ev;
        const char *url = NULL;
        sr_media_info mi;
        sr_fpath(p, pfx, "externalVoice");
        if (strcmp(pfx, "voiceOver") != 0)
            return sr_err_set(c->err, SR_EINVALID_FIELD, p, "%s: only the storyboard's voiceOver takes an externalVoice", p);
        if ((rc = sr_fobj(vo, "externalVoice", pfx, &ev, c->err))) return rc;
        if ((rc = sr_fstr(ev, "voiceUrl", p, 4096, &url, c->err))) return rc;
        if (!url) return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, p, "voiceUrl"), "%s is required", f);
        if ((rc = sr_fbool(ev, "syncVoice", p, 0, &c->ext_sync, c->err))) return rc;
        if ((rc = sr_fnum(ev, "amplificationLevel", p, -1, 1, 0, &c->ext_amp, c->err))) return rc;
        if ((rc = media_ref(c, url, sr_fpath(f, p, "voiceUrl"), SR_MEDIA_AUDIO, &c->ext_url, &mi))) return rc;
        c->ext_dur = mi.duration;
        return 0; /* no aiVoices: n = 0 */
    }
    if ((rc = sr_farr(vo, "aiVoices", pfx, MAX_VOICES, &arr, c->err))) return rc;
    sr_fpath(p, pfx, "aiVoices");
    size_t n = arr ? json_array_size(arr) : 0;
    for (size_t i = 0; i < (n ? n : 1); i++) {
        const json_t *av = arr && n ? json_array_get(arr, i) : NULL;
        voice *v = &out->v[i];
        const char *speaker = NULL;
        sr_fpath_idx(vp, p, (int)i);
        if (arr && n && !json_is_object(av))
            return sr_err_set(c->err, SR_EINVALID_FIELD, vp, "%s must be an object", vp);
        if ((rc = sr_fstr(av, "speaker", vp, 100, &speaker, c->err))) return rc;
        if ((rc = sr_fint(av, "speed", vp, 50, 200, 100, &v->speed, c->err))) return rc;
        if ((rc = sr_fnum(av, "amplificationLevel", vp, -1, 1, 0, &v->amp, c->err))) return rc;
        if (!speaker) speaker = default_speaker(c->language);
        sr_err e = {0};
        const sr_pictory_voice *pv;
        if (sr_tts_resolve_named(speaker, &v->be, v->id, sizeof v->id, &pv, &e))
            return sr_err_set(c->err, e.code, sr_fpath(f, vp, "speaker"), "%s: %s", f, e.msg);
        if (pv) { /* Pictory's voice name: its stand-in here, said on the job */
            char msg[256];
            snprintf(msg, sizeof msg, "speaker '%s' is rendered with espeak-ng voice %s", pv->name, pv->voice);
            warn(c, sr_fpath(f, vp, "speaker"), msg);
        }
    }
    out->n = n ? (int)n : 1;
    return 0;
}

/* --- scenes --------------------------------------------------------------- */

static int parse_background(cctx *c, const json_t *sc, scene_src *s)
{
    char pfx[SR_FIELD_MAX], f[SR_FIELD_MAX], sp[SR_FIELD_MAX];
    const json_t *bg, *settings, *ov, *clips;
    const char *url, *color;
    int rc, type;
    s->bg_type = BG_COLOR;
    s->bg_color = "#000000";
    s->loop = s->mute = 1;
    if ((rc = sr_fobj(sc, "background", s->pfx, &bg, c->err))) return rc;
    s->bg_auto = !bg; /* picked from the library by the story's words (pick.c) */
    if (!bg) return 0;
    sr_fpath(pfx, s->pfx, "background");
    int nsrc = sr_fhas(bg, "visualUrl") + sr_fhas(bg, "color") + sr_fhas(bg, "searchFilter") + sr_fhas(bg, "aiVisual");
    if (nsrc > 1)
        return sr_err_set(c->err, SR_EINVALID_FIELD, pfx,
                          "%s: give only one of visualUrl, color, searchFilter and aiVisual", pfx);
    if (sr_fhas(bg, "aiVisual")) { /* pick.h: the prompt searches the library, else the story's words */
        if ((rc = sr_pick_ai_query(json_object_get(bg, "aiVisual"), sr_fpath(f, pfx, "aiVisual"), &s->bg_query,
                                   c->err)))
            return rc;
        s->bg_ai = 1;
        s->bg_auto = !s->bg_query;
    }
    if (sr_fhas(bg, "searchFilter") &&
        (rc = sr_pick_filter_query(json_object_get(bg, "searchFilter"), sr_fpath(f, pfx, "searchFilter"),
                                   &s->bg_query, c->err)))
        return rc;
    if ((rc = sr_fstr(bg, "visualUrl", pfx, 4096, &url, c->err))) return rc;
    if ((rc = sr_fcolor(bg, "color", pfx, &color, c->err))) return rc;
    if ((rc = sr_fenum(bg, "type", pfx, bg_types, -1, &type, c->err))) return rc;
    s->bg_mask = type == BG_IMAGE ? SR_LIB_IMAGE : type == BG_VIDEO ? SR_LIB_VIDEO : SR_LIB_VISUAL;
    if ((rc = sr_fobj(bg, "settings", pfx, &settings, c->err))) return rc;
    sr_fpath(sp, pfx, "settings");
    if ((rc = sr_fbool(settings, "loop", sp, 1, &s->loop, c->err))) return rc;
    if ((rc = sr_fbool(settings, "mute", sp, 1, &s->mute, c->err))) return rc;
    if ((rc = sr_fbool(settings, "kenBurnsEffect", sp, 0, &s->kenburns, c->err))) return rc;
    if ((rc = sr_fbool(settings, "zoomAndPan", sp, 0, &s->zoompan, c->err))) return rc;
    if (s->kenburns && s->zoompan)
        return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, sp, "zoomAndPan"),
                          "%s: kenBurnsEffect and zoomAndPan cannot both be on", sp);
    if ((rc = sr_fobj(bg, "colorOverlay", pfx, &ov, c->err))) return rc;
    if (ov) {
        sr_fpath(f, pfx, "colorOverlay");
        if ((rc = sr_fcolor(ov, "color", f, &s->ov_color, c->err))) return rc;
        if ((rc = sr_fnum(ov, "opacity", f, 0, 1, 0.4, &s->ov_opacity, c->err))) return rc;
        if (!s->ov_color) s->ov_color = "#000000";
    }
    if ((rc = sr_farr(bg, "clips", pfx, MAX_CLIPS, &clips, c->err))) return rc;
    if (color) {
        s->bg_color = color;
        if (s->kenburns)
            return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, sp, "kenBurnsEffect"),
                              "%s: kenBurnsEffect applies to images only", f);
        s->zoompan = 0;
        return 0;
    }
    if (!url) return 0; /* settings or an overlay alone: a black background */
    sr_media_info mi;
    sr_fpath(f, pfx, "visualUrl");
    int expect = type == BG_IMAGE ? SR_MEDIA_IMAGE : SR_MEDIA_IMAGE | SR_MEDIA_VIDEO;
    if ((rc = media_ref(c, url, f, expect, &s->bg_url, &mi))) return rc;
    if (!(c->opts && c->opts->no_media_probe)) {
        if (type == BG_IMAGE && !mi.is_image)
            return sr_err_set(c->err, SR_EMEDIA_INVALID, f, "%s: %s is a video, not an image", f, url);
        s->bg_type = mi.is_image ? BG_IMAGE : BG_VIDEO;
    } else {
        s->bg_type = type >= 0 ? type : ext_is_video(url) ? BG_VIDEO : BG_IMAGE;
    }
    if (s->kenburns && s->bg_type != BG_IMAGE)
        return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, sp, "kenBurnsEffect"),
                          "%s: kenBurnsEffect applies to images only (use zoomAndPan)", f);
    if (clips && s->bg_type == BG_VIDEO) {
        sr_fpath(f, pfx, "clips");
        if ((rc = parse_clips(c, clips, f, mi.duration, &s->bg_clips))) return rc;
    }
    return sr_el_background(bg, pfx, mi.width, mi.height, c->w, c->h, &s->fit, &s->vkb, c->err);
}

/* An element's searchFilter: *path the best library match of the kinds in
 * mask, or NULL (a warning; the element is then dropped like a missing file). */
static int pick_element(cctx *c, const json_t *el, const char *ep, const char *key, int mask, char **path)
{
    char f[SR_FIELD_MAX], *q = NULL;
    int kind, ai = !strcmp(key, "aiVisual");
    sr_fpath(f, ep, key);
    int rc = ai ? sr_pick_ai_query(json_object_get(el, key), f, &q, c->err)
                : sr_pick_filter_query(json_object_get(el, key), f, &q, c->err);
    if (!rc && q) rc = sr_pick_visual(c->picker, q, mask, NULL, 1, f, path, &kind, c->err);
    free(q);
    if (ai && rc >= 0) warn(c, f, rc > 0 ? SR_PICK_AI_PICKED : SR_PICK_AI_NONE "; the element was dropped");
    else if (rc == 0)
        warn(c, f, mask == SR_LIB_VIDEO ? "no library video matches; the element was dropped"
                                        : "no library image matches; the element was dropped");
    return rc < 0 ? rc : 0;
}

static int parse_elements(cctx *c, const json_t *sc, scene_src *s)
{
    char pfx[SR_FIELD_MAX], ep[SR_FIELD_MAX], f[SR_FIELD_MAX];
    const json_t *arr;
    int rc;
    s->elements = json_array();
    if (!s->elements) return nomem(c);
    if ((rc = sr_farr(sc, "elements", s->pfx, MAX_ELEMENTS, &arr, c->err)) || !arr) return rc;
    sr_fpath(pfx, s->pfx, "elements");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *el = json_array_get(arr, i);
        int type;
        sr_fpath_idx(ep, pfx, (int)i);
        if (!json_is_object(el)) return sr_err_set(c->err, SR_EINVALID_FIELD, ep, "%s must be an object", ep);
        if (!sr_fhas(el, "type"))
            return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, ep, "type"), "%s is required", f);
        if ((rc = sr_fenum(el, "type", ep, el_types, EL_TEXT, &type, c->err))) return rc;
        json_t *o = json_object();
        if (!o || json_array_append_new(s->elements, o)) return nomem(c);
        if (type == EL_SHAPE) { /* elements.c */
            if ((rc = sr_el_shape(el, ep, o, c->err))) return rc;
            if ((rc = parse_place(c, el, ep, "center-center", 0.20, o))) return rc;
        } else if (type == EL_TEXT) {
            const char *text;
            int var;
            if ((rc = sr_fstr(el, "text", ep, MAX_TEXT_CP, &text, c->err))) return rc;
            if (!text)
                return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, ep, "text"), "%s is required", f);
            if ((rc = sr_fenum(el, "textVariant", ep, variant_names, 0, &var, c->err))) return rc;
            const json_t *st;
            if ((rc = sr_fobj(el, "style", ep, &st, c->err))) return rc;
            json_t *style = json_pack("{s:s,s:i,s:s,s:s}", "fontFamily", DEFAULT_FONT, "fontSize",
                                      variants[var].size, "color", "#FFFFFF", "alignment", "center");
            if (!style) return nomem(c);
            json_object_set_new(o, "style", style);
            sr_fpath(f, ep, "style");
            if ((rc = parse_style(c, st, f, style))) return rc;
            json_object_del(style, "position"); /* placement is the element's */
            json_object_set_new(o, "elementType", json_string("SceneText"));
            json_object_set_new(o, "type", json_string("text"));
            json_object_set_new(o, "text", json_string(text));
            if ((rc = parse_place(c, el, ep, variants[var].position, variants[var].width, o))) return rc;
        } else {
            const char *url;
            char *abs = NULL;
            sr_media_info mi;
            sr_err e = {0};
            char *picked = NULL; /* searchFilter: a library file (pick.c) */
            if ((rc = sr_fstr(el, "visualUrl", ep, 4096, &url, c->err))) return rc;
            const char *pick_key = sr_fhas(el, "searchFilter") ? "searchFilter"
                                   : sr_fhas(el, "aiVisual")   ? "aiVisual"
                                                               : NULL;
            if (!url && pick_key &&
                (rc = pick_element(c, el, ep, pick_key, type == EL_VIDEO ? SR_LIB_VIDEO : SR_LIB_IMAGE, &picked)))
                return rc;
            if (picked) url = picked;
            json_object_set_new(o, "elementType", json_string("layerItem"));
            json_object_set_new(o, "type", json_string("image"));
            if ((rc = parse_place(c, el, ep, "center-center", 0.30, o))) return rc;
            sr_fpath(f, ep, "visualUrl");
            sr_err *keep = c->err;
            c->err = &e;
            int expect = type == EL_VIDEO ? SR_MEDIA_VIDEO | SR_MEDIA_IMAGE : SR_MEDIA_IMAGE;
            rc = url ? media_ref(c, url, f, expect, &abs, &mi) : SR_EMEDIA_NOT_FOUND;
            c->err = keep;
            free(picked); /* url is not read again */
            if (rc == SR_ENOMEM) return nomem(c);
            if (rc) { /* API.md: an element whose media cannot be found is dropped */
                if (url || !pick_key) /* else pick_element warned */
                    warn(c, f, url ? e.msg : "no visualUrl; the element was dropped");
                json_array_remove(s->elements, json_array_size(s->elements) - 1);
                continue;
            }
            json_object_set_new(o, "url", json_string(abs));
            json_object_set_new(o, "opacity", json_real(1.0));
            free(abs);
            if (type == EL_VIDEO && !mi.is_image) { /* a video layerItem (elements.c) */
                json_object_set_new(o, "type", json_string("video"));
                if ((rc = sr_el_video(el, ep, o, c->err))) return rc;
            }
        }
    }
    return 0;
}

/* A scene's caption (on-screen text that is not spoken): a SceneText element
 * styled like the scene's subtitles, at top-center (bottom-center when the
 * subtitles are at the top), wrapped at the style's paragraphWidth. */
static int add_caption(cctx *c, scene_src *s, const json_t *sc, const char *story, int split)
{
    char f[SR_FIELD_MAX];
    const char *caption;
    int rc;
    if ((rc = sr_fstr(sc, "caption", s->pfx, MAX_TEXT_CP, &caption, c->err)) || !caption || !*caption) return rc;
    sr_fpath(f, s->pfx, "caption");
    if (!story) return sr_err_set(c->err, SR_EINVALID_FIELD, f, "%s needs a story", f);
    if (split)
        return sr_err_set(c->err, SR_EINVALID_FIELD, f,
                          "%s cannot be used with createSceneOnNewLine or createSceneOnEndOfSentence", f);
    json_t *style = json_deep_copy(s->sub_style), *o = json_object();
    if (!style || !o || json_array_append_new(s->elements, o)) {
        json_decref(style);
        return nomem(c);
    }
    const char *pos = json_string_value(json_object_get(style, "position"));
    json_object_set_new(o, "elementType", json_string("SceneText"));
    json_object_set_new(o, "type", json_string("text"));
    json_object_set_new(o, "text", json_string(caption));
    json_object_set_new(o, "position", json_string(pos && !strncmp(pos, "top", 3) ? "bottom-center" : "top-center"));
    json_object_del(style, "position");
    json_object_set_new(style, "autoOutline", json_true()); /* legible like the subtitles (text.c) */
    json_object_set_new(o, "style", style);
    return 0;
}

/* Parses storyboard scene k and appends its timeline scenes to c->sc. */
static int parse_scene(cctx *c, const json_t *sc, int k)
{
    scene_src *s = &c->srcs[k];
    char f[SR_FIELD_MAX];
    const char *story;
    const json_t *o;
    int rc, split_nl, split_sent;
    s->idx = k;
    snprintf(s->pfx, sizeof s->pfx, "scenes[%d]", k);
    if (!json_is_object(sc)) return sr_err_set(c->err, SR_EINVALID_FIELD, s->pfx, "%s must be an object", s->pfx);

    int nsrc = sr_fhas(sc, "story") + sr_fhas(sc, "audioUrl") + sr_fhas(sc, "videoUrl");
    if (nsrc > 1)
        return sr_err_set(c->err, SR_EINVALID_FIELD, s->pfx,
                          "%s: give only one content source (story, audioUrl or videoUrl)", s->pfx);
    if (sr_fhas(sc, "audioUrl") || sr_fhas(sc, "videoUrl"))
        return sr_err_set(c->err, SR_EINVALID_FIELD, sr_fpath(f, s->pfx, sr_fhas(sc, "audioUrl") ? "audioUrl" : "videoUrl"),
                          "%s: audio and video scenes are not supported yet; use story", f);
    if ((rc = sr_fstr(sc, "story", s->pfx, MAX_STORY_CP, &story, c->err))) return rc;
    int ssml;
    if ((rc = sr_fbool(sc, "isSSMLStory", s->pfx, 0, &ssml, c->err))) return rc;
    if ((rc = sr_fbool(sc, "createSceneOnNewLine", s->pfx, 0, &split_nl, c->err))) return rc;
    if ((rc = sr_fbool(sc, "createSceneOnEndOfSentence", s->pfx, 0, &split_sent, c->err))) return rc;
    if ((rc = sr_fnum(sc, "minimumDuration", s->pfx, 0, 600, -1, &s->min_dur, c->err))) return rc;
    if ((rc = sr_fnum(sc, "endPauseDuration", s->pfx, 0, 60, DEFAULT_END_PAUSE, &s->end_pause, c->err))) return rc;
    if ((rc = sr_fbool(sc, "hideSubtitles", s->pfx, 0, &s->hide_subs, c->err))) return rc;
    if ((rc = sr_fint(sc, "maxSubtitleLines", s->pfx, 1, 4, 2, &s->max_lines, c->err))) return rc;
    if ((rc = sr_fbool(sc, "highlightKeywords", s->pfx, 1, &s->highlight, c->err))) return rc;
    if ((rc = sr_fenum(sc, "sceneTransition", s->pfx, transitions, TR_NONE, &s->transition, c->err))) return rc;
    s->music_on = 1;
    if ((rc = sr_fobj(sc, "backgroundMusic", s->pfx, &o, c->err))) return rc;
    if (o && (rc = sr_fbool(o, "enabled", sr_fpath(f, s->pfx, "backgroundMusic"), 1, &s->music_on, c->err)))
        return rc;
    /* subtitle style: the top level's, overridden field by field */
    s->sub_style = json_deep_copy(c->sub_style);
    if (!s->sub_style) return nomem(c);
    if ((rc = sr_fobj(sc, "subtitleStyle", s->pfx, &o, c->err))) return rc;
    if ((rc = parse_style(c, o, sr_fpath(f, s->pfx, "subtitleStyle"), s->sub_style))) return rc;
    /* voice-over override */
    s->vo = &c->vo;
    if ((rc = sr_fobj(sc, "voiceOver", s->pfx, &o, c->err))) return rc;
    if (o) {
        if ((rc = parse_voiceover(c, o, sr_fpath(f, s->pfx, "voiceOver"), &s->vo_own))) return rc;
        s->vo = &s->vo_own;
    }
    if ((rc = parse_background(c, sc, s))) return rc;
    if ((rc = parse_elements(c, sc, s))) return rc;
    if ((rc = add_caption(c, s, sc, story, split_nl || split_sent))) return rc;

    if (ssml && story) { /* one timeline scene speaking the document (ssml.c) */
        sr_ssml *doc = NULL;
        if (c->nsc + 1 > MAX_SCENES)
            return sr_err_set(c->err, SR_ELIMIT, s->pfx, "the storyboard makes more than %d scenes", MAX_SCENES);
        if ((rc = sr_ssml_parse(story, sr_fpath(f, s->pfx, "story"), &doc, c->err))) return rc;
        scene *t = &c->sc[c->nsc++];
        t->src = s;
        t->text = strdup(sr_ssml_text(doc));
        t->ssml = strdup(story);
        sr_ssml_free(doc);
        if (!t->text || !t->ssml) return nomem(c);
        return 0;
    }
    /* timeline scenes: the story's pieces, or one visual-only scene */
    size_t sl = story ? strlen(story) : 0;
    int np = story ? sr_split_story(story, sl, split_nl, split_sent, NULL, 0) : 0;
    if (c->nsc + (np ? np : 1) > MAX_SCENES)
        return sr_err_set(c->err, SR_ELIMIT, s->pfx, "the storyboard makes more than %d scenes", MAX_SCENES);
    sr_span *sp = malloc((np ? (size_t)np : 1) * sizeof *sp);
    if (!sp) return nomem(c);
    if (story) sr_split_story(story, sl, split_nl, split_sent, sp, np);
    for (int i = 0; i < (np ? np : 1); i++) {
        scene *t = &c->sc[c->nsc++];
        t->src = s;
        if (np) {
            t->text = strndup(story + sp[i].off, (size_t)sp[i].len);
            if (!t->text) {
                free(sp);
                return nomem(c);
            }
        }
    }
    free(sp);
    return 0;
}

/* --- top level -------------------------------------------------------------- */

/* backgroundMusic.autoMusic am: *on 0 when false; *path the picked track
 * (malloc'd) or NULL with a warning when no library or no track matches. */
static int auto_music(cctx *c, const json_t *am, int *on, char **path)
{
    static const char field[] = "backgroundMusic.autoMusic";
    char *q, *mood;
    int rc;
    *path = NULL;
    if ((rc = sr_pick_auto_music(am, field, on, &q, &mood, c->err)) || !*on) return rc;
    rc = sr_pick_music(c->picker, q, mood, field, path, c->err);
    free(q);
    free(mood);
    if (rc == 0) warn(c, field, "no music library track matches; the video has no music");
    return rc < 0 ? rc : 0;
}

static int parse_top(cctx *c, const json_t *sb)
{
    const json_t *o;
    const char *s;
    int rc;
    if (!json_is_object(sb)) return sr_err_set(c->err, SR_EINVALID_FIELD, "", "the storyboard must be a JSON object");
    if (sr_fhas(sb, "templateId"))
        return sr_err_set(c->err, SR_EINVALID_FIELD, "templateId", "templateId: templates are not supported yet");
    if ((rc = sr_fstr(sb, "videoName", "", 200, &c->name, c->err))) return rc;
    if (!c->name) c->name = "video";
    if ((rc = sr_fstr(sb, "language", "", 16, &c->language, c->err))) return rc;
    for (const char *p = c->language; p && *p; p++) /* a language tag: the text's case rules (ICU) */
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return sr_err_set(c->err, SR_EINVALID_FIELD, "language", "language must be a language tag like \"de\"");

    /* size */
    int hw = sr_fhas(sb, "videoWidth"), hh = sr_fhas(sb, "videoHeight");
    if (hw != hh)
        return sr_err_set(c->err, SR_EINVALID_FIELD, hw ? "videoHeight" : "videoWidth",
                          "videoWidth and videoHeight go together");
    if (hw) {
        static const char *const keys[] = {"videoWidth", "videoHeight"};
        int *dst[] = {&c->w, &c->h};
        for (int i = 0; i < 2; i++) {
            const json_t *v = json_object_get(sb, keys[i]);
            if (!json_is_integer(v) && !(json_is_real(v) && json_real_value(v) == floor(json_real_value(v))))
                return sr_err_set(c->err, SR_EINVALID_FIELD, keys[i], "%s must be a whole number", keys[i]);
            double d = json_number_value(v);
            if (d < 16 || d > 3840)
                return sr_err_set(c->err, SR_ELIMIT, keys[i], "%s must be between 16 and 3840 (it is %g)", keys[i], d);
            if ((long)d % 2)
                return sr_err_set(c->err, SR_EINVALID_FIELD, keys[i], "%s must be even (it is %g)", keys[i], d);
            *dst[i] = (int)d;
        }
    } else {
        static const char *const names[] = {"16:9", "9:16", "1:1", "4:5", NULL};
        int a;
        if ((rc = sr_fenum(sb, "aspectRatio", "", names, 0, &a, c->err))) return rc;
        c->w = aspects[a].w;
        c->h = aspects[a].h;
    }

    /* output */
    if ((rc = sr_fobj(sb, "output", "", &o, c->err))) return rc;
    if ((rc = sr_fnum(o, "fps", "output", 1, 60, 30, &c->fps, c->err))) return rc;
    /* format, codec, NTSC rates, loudness (-16 LUFS unless changed or false) */
    if ((rc = sr_out_format_parse(o, 1, SR_LOUDNESS_DEFAULT, &c->fmt, c->err))) return rc;
    c->fps = (double)c->fmt.fps_num / c->fmt.fps_den;
    if ((rc = sr_fint(o, "crf", "output", 0, 51, 23, &c->crf, c->err))) return rc;
    if ((rc = sr_fenum(o, "preset", "output", presets, 2, &c->preset, c->err))) return rc;
    c->abr = 128000;
    const json_t *ab = o ? json_object_get(o, "audioBitrate") : NULL;
    if (ab && !json_is_null(ab)) {
        double bps = -1;
        if (json_is_number(ab)) {
            bps = json_number_value(ab);
            if (bps <= 320) bps *= 1000; /* a small number is kbit/s */
        } else if (json_is_string(ab)) {
            char *end;
            double v = strtod(json_string_value(ab), &end);
            if (end != json_string_value(ab) && (*end == 'k' || *end == 'K') && end[1] == 0) bps = v * 1000;
            else if (end != json_string_value(ab) && *end == 0) bps = v;
        }
        if (bps < 0)
            return sr_err_set(c->err, SR_EINVALID_FIELD, "output.audioBitrate",
                              "output.audioBitrate must be like \"128k\" or a number of bits per second");
        if (bps < 32000 || bps > 320000)
            return sr_err_set(c->err, SR_EINVALID_FIELD, "output.audioBitrate",
                              "output.audioBitrate must be between 32k and 320k");
        c->abr = (int)bps;
    }

    /* subtitle style */
    c->sub_style = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s}", "fontFamily", DEFAULT_FONT, "fontSize", 24, "color",
                             "#FFFFFF", "position", "bottom-center", "alignment", "center", "paragraphWidth", "80%",
                             "keywordColor", "#FFD700");
    if (!c->sub_style) return nomem(c);
    if ((rc = sr_fobj(sb, "subtitleStyle", "", &o, c->err))) return rc;
    if ((rc = parse_style(c, o, "subtitleStyle", c->sub_style))) return rc;

    /* voice-over */
    if ((rc = sr_fobj(sb, "voiceOver", "", &o, c->err))) return rc;
    if ((rc = parse_voiceover(c, o, "voiceOver", &c->vo))) return rc;

    /* music */
    if ((rc = sr_fobj(sb, "backgroundMusic", "", &o, c->err))) return rc;
    if (o) {
        const json_t *clips;
        if ((rc = sr_fbool(o, "enabled", "backgroundMusic", 1, &c->music, c->err))) return rc;
        if ((rc = sr_fnum(o, "volume", "backgroundMusic", 0, 1, 1, &c->music_vol, c->err))) return rc;
        if ((rc = sr_fstr(o, "musicUrl", "backgroundMusic", 4096, &s, c->err))) return rc;
        if ((rc = sr_farr(o, "clips", "backgroundMusic", MAX_CLIPS, &clips, c->err))) return rc;
        char *picked = NULL; /* autoMusic: a track from the music library (pick.c) */
        if (c->music && !s && sr_fhas(o, "autoMusic")) {
            int on;
            if ((rc = auto_music(c, json_object_get(o, "autoMusic"), &on, &picked))) return rc;
            if (on && !picked) c->music = 0; /* no track: no music (a warning), not an error */
            s = picked;
        }
        if (c->music && !s)
            return sr_err_set(c->err, SR_EINVALID_FIELD, "backgroundMusic.musicUrl",
                              "backgroundMusic.musicUrl is required when the music is enabled");
        if (c->music) {
            sr_media_info mi;
            rc = media_ref(c, s, "backgroundMusic.musicUrl", SR_MEDIA_AUDIO, &c->music_url, &mi);
            free(picked);
            if (rc) return rc;
            if (clips && (rc = parse_clips(c, clips, "backgroundMusic.clips", mi.duration, &c->music_clips)))
                return rc;
        }
    }

    /* logo */
    if ((rc = sr_fobj(sb, "logo", "", &o, c->err))) return rc;
    if (o) {
        if ((rc = sr_fstr(o, "url", "logo", 4096, &s, c->err))) return rc;
        if (!s) return sr_err_set(c->err, SR_EINVALID_FIELD, "logo.url", "logo.url is required");
        sr_media_info mi;
        if ((rc = media_ref(c, s, "logo.url", SR_MEDIA_IMAGE, &c->logo_url, &mi))) return rc;
        c->logo_place = json_object();
        if (!c->logo_place) return nomem(c);
        if ((rc = parse_place(c, o, "logo", "top-right", 0.10, c->logo_place))) return rc;
        c->logo = 1;
    }
    return 0;
}

/* --- timing ----------------------------------------------------------------- */

/* 1 when timeline scene i continues scene i - 1's visual: both pieces of one
 * split storyboard scene whose background is given (not picked per piece
 * from the library). */
static int same_visual(const cctx *c, int i)
{
    const scene_src *s = c->sc[i].src;
    return i > 0 && c->sc[i - 1].src == s && !s->bg_query && !s->bg_auto;
}

/* Scene durations and starts from each scene's narration length (real when
 * spoken, else estimated). Returns the total. */
static double place_scenes(cctx *c, int use_estimate)
{
    for (int i = 0; i < c->nsc; i++) {
        scene *t = &c->sc[i];
        /* no transition between the pieces of one split scene: one visual */
        t->td = i == 0 || t->src->transition == TR_NONE || same_visual(c, i) ? 0 : TRANSITION_S;
        t->lead = i == 0 ? FIRST_LEAD_S : t->td;
    }
    double start = 0, end = 0;
    for (int i = 0; i < c->nsc; i++) {
        scene *t = &c->sc[i];
        double narr = t->narrated && !use_estimate ? t->sp.duration : t->text ? t->est : 0;
        double base = t->text ? t->lead + narr + t->src->end_pause : 0;
        double mind = t->src->min_dur >= 0 ? t->src->min_dur : t->narrated ? 0 : DEFAULT_MIN_DUR;
        double next_td = i + 1 < c->nsc ? c->sc[i + 1].td : 0;
        double d = fmax(fmax(base, mind), fmax(MIN_SCENE_S, t->td + next_td + 0.1));
        t->dur = r3(d);
        t->start = i == 0 ? 0 : r3(start - t->td);
        start = t->start + t->dur;
        end = start;
    }
    return r3(end);
}

/* Times the scenes against the external narration (voicesync.h): scene i
 * spans [b_i, b_i+1), its text weighted by length, no lead or transition
 * overlap, subtitles spread over the segment. */
static int sync_scenes(cctx *c, double *total)
{
    sr_vsync *v = NULL;
    double *w = malloc(((size_t)c->nsc * 2 + 1) * sizeof *w), *b = w ? w + c->nsc : NULL;
    int rc;
    if (!w) return nomem(c);
    if ((rc = sr_vsync_open(c->ext_url, "voiceOver.externalVoice.voiceUrl", &v, c->err))) {
        free(w);
        return rc;
    }
    for (int i = 0; i < c->nsc; i++) w[i] = c->sc[i].text ? (double)strlen(c->sc[i].text) + 1 : 1;
    rc = sr_vsync_split(v, w, c->nsc, b, c->err);
    if (rc == 0) warn(c, "voiceOver.externalVoice.syncVoice", "fewer pauses than scenes; scenes split by text length");
    if (rc >= 0) {
        for (int i = 0; i < c->nsc; i++) {
            scene *t = &c->sc[i];
            t->start = r3(b[i]);
            t->dur = r3(fmax(b[i + 1] - b[i], 0.1));
            t->lead = t->td = 0;
            t->est = t->dur;
        }
        c->ext_dur = sr_vsync_duration(v);
        *total = r3(c->sc[c->nsc - 1].start + c->sc[c->nsc - 1].dur);
        rc = 0;
    }
    sr_vsync_free(v);
    free(w);
    return rc;
}

/* --- output ----------------------------------------------------------------- */

static json_t *times(json_t *o, double start, double dur, int scene)
{
    json_object_set_new(o, "startTime", json_real(r3(start)));
    json_object_set_new(o, "duration", json_real(r3(dur)));
    json_object_set_new(o, "sceneIndex", json_integer(scene));
    return o;
}

static json_t *motion_for(const scene *t, int i)
{
    /* Ken Burns: 1.0 <-> 1.12, zoom in on even scenes and out on odd ones, with
     * a small pan whose direction turns with the scene index; zoomAndPan: the
     * same, gentler. The zoomed end sits off centre, inside the picture. */
    static const double dirs[4][2] = {{1, 0.5}, {-1, -0.5}, {0.5, -1}, {-0.5, 1}};
    double z = t->src->kenburns ? 1.12 : 1.06, pan = t->src->kenburns ? 0.035 : 0.02;
    double zx = 0.5 + pan * dirs[i % 4][0], zy = 0.5 + pan * dirs[i % 4][1];
    int in = i % 2 == 0;
    return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}", "startZoom", in ? 1.0 : z, "endZoom", in ? z : 1.0, "startX",
                     in ? 0.5 : zx, "startY", in ? 0.5 : zy, "endX", in ? zx : 0.5, "endY", in ? zy : 0.5);
}

/* The part of camera path run (over [a, b); reference taken over) that the
 * piece [start, start + dur) shows: its ends are the run's eased positions
 * there (the engine eases each element with smoothstep), so the camera does
 * not jump at the piece's boundaries. NULL when out of memory. */
static json_t *piece_motion(json_t *run, double a, double b, double start, double dur)
{
    static const char *const keys[3][2] = {{"startZoom", "endZoom"}, {"startX", "endX"}, {"startY", "endY"}};
    double u[2] = {(start - a) / (b - a), (start + dur - a) / (b - a)};
    json_t *o = json_object();
    for (int k = 0; o && k < 3; k++) {
        double v0 = json_number_value(json_object_get(run, keys[k][0]));
        double v1 = json_number_value(json_object_get(run, keys[k][1]));
        for (int e = 0; e < 2; e++) {
            double x = fmin(fmax(u[e], 0), 1), w = x * x * (3 - 2 * x);
            json_object_set_new(o, keys[k][e], json_real(v0 + (v1 - v0) * w));
        }
    }
    json_decref(run);
    return o;
}

static int add(cctx *c, json_t *arr, json_t *o)
{
    if (!o || json_array_append_new(arr, o)) return nomem(c);
    return 0;
}

/* The text of cue words [a, b): the words with single spaces (none where the
 * narration has none) and a line break before each word brk[] marks. */
static void cue_text(const char *text, const sr_dword *w, int a, int b, const unsigned char *brk, sr_buf *tb)
{
    for (int j = a; j < b; j++) {
        if (j > a && brk[j - a]) sr_buf_append(tb, "\n", 1);
        else if (j > a && w[j].off > w[j - 1].off + w[j - 1].len) sr_buf_append(tb, " ", 1);
        sr_buf_append(tb, text + w[j].off, (size_t)w[j].len);
    }
}

/* Scene i's subtitle cues, following the timed-text conventions (Netflix
 * Timed Text Style Guide, BBC guidelines): at most SUB_MAX_CHARS characters a
 * line and maxLines lines, broken at phrase boundaries (subs.c; the burned-in
 * caption breaks where the SRT does); at least SUB_GAP_FRAMES frames between
 * consecutive cues; a cue lingers SUB_LINGER_S after its last word and lasts
 * at least SUB_MIN_S unless the next cue starts sooner. */
static int emit_subtitles(cctx *c, int i, json_t *subs, double total)
{
    scene *t = &c->sc[i];
    sr_dword *w = NULL;
    int nw = 0, *first = NULL, rc = 0;
    unsigned char *brk = NULL;
    if (!t->text) return 0;
    if (t->narrated) rc = sr_subs_words(t->text, t->sp.words, t->sp.nwords, t->sp.duration, &w, &nw);
    else rc = sr_subs_words(t->text, NULL, 0, t->est, &w, &nw);
    if (rc) return nomem(c);
    if (t->src->highlight) sr_subs_keywords(t->text, w, nw);
    const json_t *style = t->src->sub_style;
    double fs = json_number_value(json_object_get(style, "fontSize"));
    double pw = 0.8;
    sr_parse_percent(json_object_get(style, "paragraphWidth"), &pw);
    double em = fs * 4.0 / 3.0 * (c->w < c->h ? c->w : c->h) / 720.0;
    sr_cue_fit fit = {em > 0 ? pw * c->w / em : 1e9, SUB_MAX_CHARS, t->src->max_lines,
                      (int)json_integer_value(json_object_get(style, "wordsPerCue"))};
    int nc = sr_subs_cues(t->text, w, nw, &fit, &first);
    brk = malloc(nw ? (size_t)nw : 1);
    if (nc < 0 || !brk) {
        free(first);
        free(brk);
        free(w);
        return nomem(c);
    }
    double t0 = t->start + t->lead, scene_end = fmin(t->start + t->dur, total);
    double gap = SUB_GAP_FRAMES / c->fps;
    for (int k = 0; k < nc; k++) {
        int a = first[k], b = k + 1 < nc ? first[k + 1] : nw; /* words [a, b) */
        double cs = t0 + w[a].start, ce = t0 + w[b - 1].end;
        /* the next cue (the next scene's starts at this one's end or later) */
        /* on the millisecond grid of the timeline and the SRT, the gap never rounds below 2 frames */
        double limit = floor(((k + 1 < nc ? fmin(r3(t0 + w[b].start), scene_end) : scene_end) - gap) * 1000) / 1000;
        ce = fmax(ce + SUB_LINGER_S, cs + SUB_MIN_S);
        if (ce > limit) ce = limit;
        if (ce < cs + 0.05) ce = cs + 0.05; /* never empty */
        json_t *words = json_array();
        if (!words) {
            rc = nomem(c);
            break;
        }
        for (int j = a; j < b; j++) {
            json_t *wj = json_pack("{s:s%,s:f,s:f,s:b}", "text", t->text + w[j].off, (size_t)w[j].len, "startTime",
                                   r3(fmin(t0 + w[j].start, ce)), "endTime", r3(fmin(t0 + w[j].end, ce)), "keyword",
                                   w[j].keyword); /* inside the cue: it may end 2 frames before the next */
            if ((rc = add(c, words, wj))) break;
        }
        if (!rc && sr_subs_breaks(t->text, w + a, b - a, &fit, brk) < 0) rc = nomem(c);
        sr_buf tb;
        sr_buf_init(&tb, 64 * 1024);
        if (!rc) cue_text(t->text, w, a, b, brk, &tb);
        char id[48];
        snprintf(id, sizeof id, "sub-%d-%d", i, k);
        json_t *cue = rc ? NULL
                         : json_pack("{s:s,s:i,s:f,s:f,s:s,s:o,s:i,s:O,s:b}", "id", id, "sceneIndex", i, "startTime",
                                     r3(cs), "endTime", r3(ce), "text", tb.p ? tb.p : "", "words", words, "maxLines",
                                     t->src->max_lines, "style", style, "hidden", t->src->hide_subs);
        if (rc) json_decref(words);
        int failed = tb.failed;
        sr_buf_free(&tb);
        if (!rc && failed) rc = nomem(c);
        if (rc || (rc = add(c, subs, cue))) break;
    }
    free(brk);
    free(first);
    free(w);
    return rc;
}

/* --- library picks (pick.c) --------------------------------------------------- */

/* Each timeline scene's background from the library: a searchFilter takes its
 * best match, a scene with a story and no background the best match of its
 * story's words; never the previous scene's visual (a searchFilter whose only
 * match it is keeps it). No library or no match: the generated gradient. */
static int pick_backgrounds(cctx *c)
{
    const char *prev = NULL;
    char f[SR_FIELD_MAX];
    for (int i = 0; i < c->nsc; i++) {
        scene *t = &c->sc[i];
        scene_src *s = t->src;
        int rc;
        if (s->bg_query) {
            sr_fpath(f, s->pfx, s->bg_ai ? "background.aiVisual" : "background.searchFilter");
            rc = sr_pick_visual(c->picker, s->bg_query, s->bg_mask, prev, 1, f, &t->pick_url, &t->pick_kind, c->err);
            if (rc == 0 && !s->bg_ai) warn(c, f, "no library visual matches; a generated gradient stands in");
        } else if (s->bg_ai && !t->text) {
            rc = 0; /* nothing to search for: the gradient */
        } else if (s->bg_auto && t->text) {
            char *q = sr_pick_story_query(t->text);
            if (!q) return nomem(c);
            sr_fpath(f, s->pfx, "background");
            rc = sr_pick_visual(c->picker, q, SR_LIB_VISUAL, prev, 0, f, &t->pick_url, &t->pick_kind, c->err);
            free(q);
        } else {
            prev = s->bg_type == BG_COLOR ? NULL : s->bg_url;
            continue;
        }
        if (rc < 0) return rc;
        if (s->bg_ai)
            warn(c, sr_fpath(f, s->pfx, "background.aiVisual"),
                 rc ? SR_PICK_AI_PICKED : SR_PICK_AI_NONE "; a generated gradient stands in");
        t->gradient = !rc;
        prev = t->pick_url;
    }
    return 0;
}

/* A library pick or the gradient replaces scene i's background source. */
static int apply_pick(cctx *c, const scene *t, int i, json_t *bg)
{
    if (!t->gradient && !t->pick_url) return 0;
    json_object_del(bg, "color");
    if (t->gradient) {
        json_t *g = sr_pick_gradient(c->picker, i); /* brandColors when given */
        if (!g || json_object_update(bg, g)) {
            json_decref(g);
            return nomem(c);
        }
        json_decref(g);
        return 0;
    }
    int video = t->pick_kind == SR_LIB_VIDEO;
    json_object_set_new(bg, "type", json_string(video ? "video" : "image"));
    json_object_set_new(bg, "url", json_string(t->pick_url));
    json_object_set_new(bg, "fit", json_string("cover"));
    if ((t->src->kenburns && !video) || t->src->zoompan) json_object_set_new(bg, "motion", motion_for(t, i));
    if (video) {
        json_object_set_new(bg, "loop", json_boolean(t->src->loop));
        json_object_set_new(bg, "mute", json_boolean(t->src->mute));
    }
    return 0;
}

static int emit(cctx *c, double total, json_t **out)
{
    int rc = 0;
    json_t *rp = json_object(), *markers = json_array(), *els = json_array(), *subs = json_array();
    sr_buf tr;
    sr_buf_init(&tr, 64u << 20);
    if (!rp || !markers || !els || !subs) {
        json_decref(markers);
        json_decref(els);
        json_decref(subs);
        rc = nomem(c);
        goto done;
    }
    json_object_set_new(rp, "version", json_integer(1));
    if (c->language && *c->language) json_object_set_new(rp, "language", json_string(c->language));
    json_object_set_new(rp, "output",
                        json_pack("{s:s,s:i,s:i,s:f,s:f,s:s,s:s,s:i,s:s,s:i,s:s}", "name", c->name, "width", c->w,
                                  "height", c->h, "fps", c->fps, "duration", total, "videoCodec", "h264", "audioCodec",
                                  "aac", "crf", c->crf, "preset", presets[c->preset], "audioBitrate", c->abr,
                                  "background", "#000000"));
    {
        json_t *out = json_object_get(rp, "output");
        const char *vc = sr_vcodec_name(c->fmt.vcodec), *ac = sr_fmt_audio_name(c->fmt.format);
        json_object_set_new(out, "format", json_string(sr_fmt_name(c->fmt.format)));
        json_object_set_new(out, "videoCodec", vc ? json_string(vc) : json_null());
        json_object_set_new(out, "audioCodec", ac ? json_string(ac) : json_null());
        json_object_set_new(out, "loudness", isnan(c->fmt.loudness) ? json_false() : json_real(c->fmt.loudness));
        if ((rc = sr_out_format_check(&c->fmt, c->w, c->h, total, c->err))) { /* not yet in rp */
            json_decref(markers);
            json_decref(els);
            json_decref(subs);
            goto done;
        }
    }
    json_object_set_new(rp, "sceneMarkers", markers);
    json_object_set_new(rp, "elements", els);
    json_object_set_new(rp, "subtitles", subs);

    for (int i = 0; i < c->nsc && !rc; i++) {
        scene *t = &c->sc[i];
        scene_src *s = t->src;
        char id[48];
        rc = add(c, markers,
                 json_pack("{s:i,s:f,s:f,s:s,s:f}", "sceneIndex", i, "startTime", t->start, "duration", t->dur,
                           "transition", transitions[t->td > 0 ? s->transition : TR_NONE], "transitionDuration", t->td));
        if (rc) break;
        /* background */
        json_t *bg = json_object();
        snprintf(id, sizeof id, "bg-%d", i);
        if (!bg) {
            rc = nomem(c);
            break;
        }
        json_object_set_new(bg, "id", json_string(id));
        json_object_set_new(bg, "elementType", json_string("backgroundElement"));
        json_object_set_new(bg, "type", json_string(s->bg_type == BG_COLOR ? "color" : bg_types[s->bg_type]));
        times(bg, t->start, t->dur, i);
        if (s->bg_type == BG_COLOR) json_object_set_new(bg, "color", json_string(s->bg_color));
        else {
            json_object_set_new(bg, "url", json_string(s->bg_url));
            json_object_set_new(bg, "fit", json_string(s->fit ? s->fit : "cover"));
        }
        /* the pieces of a split scene share one visual: one camera path and
         * one video across them (k: the run's first piece) */
        int k = i, m = i;
        while (k > 0 && same_visual(c, k)) k--;
        while (m + 1 < c->nsc && same_visual(c, m + 1)) m++;
        json_t *mo = NULL;
        if (s->bg_type != BG_COLOR && s->vkb) mo = json_incref(s->vkb); /* explicit path wins */
        else if (s->bg_type != BG_COLOR && (s->kenburns || s->zoompan)) mo = motion_for(&c->sc[k], k);
        if (mo && m > k) mo = piece_motion(mo, c->sc[k].start, c->sc[m].start + c->sc[m].dur, t->start, t->dur);
        if (mo) json_object_set_new(bg, "motion", mo);
        if (s->bg_type == BG_VIDEO) {
            if (k < i) json_object_set_new(bg, "sourceOffset", json_real(r3(t->start - c->sc[k].start)));
            if (s->bg_clips) json_object_set(bg, "clips", s->bg_clips);
            json_object_set_new(bg, "loop", json_boolean(s->loop));
            json_object_set_new(bg, "mute", json_boolean(s->mute));
        }
        if (s->ov_color)
            json_object_set_new(bg, "colorOverlay",
                                json_pack("{s:s,s:f}", "color", s->ov_color, "opacity", s->ov_opacity));
        if ((rc = apply_pick(c, t, i, bg))) {
            json_decref(bg);
            break;
        }
        if ((rc = add(c, els, bg))) break;
        /* scene elements */
        for (size_t j = 0; j < json_array_size(s->elements) && !rc; j++) {
            json_t *e = json_deep_copy(json_array_get(s->elements, j));
            if (!e) {
                rc = nomem(c);
                break;
            }
            snprintf(id, sizeof id, "%s-%d-%zu",
                     strcmp(json_string_value(json_object_get(e, "type")), "text") == 0 ? "text" : "image", i, j);
            json_object_set_new(e, "id", json_string(id));
            rc = add(c, els, times(e, t->start, t->dur, i));
        }
        if (rc) break;
        /* narration */
        if (t->narrated) {
            snprintf(id, sizeof id, "vo-%d", i);
            json_t *vo = json_pack("{s:s,s:s,s:s,s:s,s:f}", "id", id, "elementType", "audioElement", "type",
                                   "voiceOver", "url", t->sp.wav, "volume", 1.0);
            if (vo) times(vo, t->start + t->lead, t->sp.duration, i);
            if ((rc = add(c, els, vo))) break;
        }
        if (t->text) {
            if (tr.len) sr_buf_append(&tr, "\n", 1);
            sr_buf_append(&tr, t->text, strlen(t->text));
        }
        rc = emit_subtitles(c, i, subs, total);
    }
    if (rc) goto done;

    if (c->music) {
        json_t *muted = json_array();
        for (int i = 0; muted && i < c->nsc; i++) {
            if (c->sc[i].src->music_on) continue;
            double a = r3(c->sc[i].start), b = r3(c->sc[i].start + c->sc[i].dur);
            size_t n = json_array_size(muted);
            json_t *last = n ? json_array_get(muted, n - 1) : NULL;
            if (last && json_number_value(json_object_get(last, "end")) >= a)
                json_object_set_new(last, "end", json_real(b));
            else json_array_append_new(muted, json_pack("{s:f,s:f}", "start", a, "end", b));
        }
        json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:f,s:b,s:{s:f,s:f,s:f},s:f,s:o}", "id", "music", "elementType",
                              "audioElement", "type", "music", "url", c->music_url, "volume", c->music_vol, "loop", 1,
                              "ducking", "level", 0.3, "attack", 0.3, "release", 0.6, "fadeOut", fmin(2.0, total / 2),
                              "mutedRanges", muted);
        if (m) {
            times(m, 0, total, -1);
            if (c->music_clips) json_object_set(m, "clips", c->music_clips);
        }
        if ((rc = add(c, els, m))) goto done;
    }
    if (c->logo) {
        json_t *l = json_deep_copy(c->logo_place);
        if (l) {
            json_object_set_new(l, "id", json_string("logo"));
            json_object_set_new(l, "elementType", json_string("layerItem"));
            json_object_set_new(l, "type", json_string("image"));
            json_object_set_new(l, "url", json_string(c->logo_url));
            json_object_set_new(l, "opacity", json_real(1.0));
            times(l, 0, total, -1);
        }
        if ((rc = add(c, els, l))) goto done;
    }
    if (tr.failed) {
        rc = nomem(c);
        goto done;
    }
    json_object_set_new(rp, "transcript", json_string(tr.p ? tr.p : ""));
    if (json_array_size(c->warnings)) json_object_set(rp, "warnings", c->warnings);
    *out = rp;
    rp = NULL;
done:
    sr_buf_free(&tr);
    json_decref(rp);
    return rc;
}

/* --- entry points ------------------------------------------------------------ */

int sr_compile(const json_t *sb, const sr_compile_opts *opts, json_t **out, sr_err *err)
{
    static const sr_compile_opts no_opts = {0};
    cctx c = {0};
    const json_t *scenes;
    int rc;
    *out = NULL;
    c.opts = opts ? opts : &no_opts;
    c.err = err;
    sr_media_budget_init(&c.pictures, &c.opts->media_limits);
    c.be = sr_tts_get(NULL);
    c.warnings = json_array();
    if (!c.be) return sr_err_set(err, SR_EINTERNAL, "voiceOver", "no speech backend is built in");
    if (!c.warnings) return nomem(&c);
    if ((rc = sr_picker_create(c.opts->library_dir, c.opts->music_library_dir, &c.picker, err))) goto cleanup;
    if (json_is_object(sb) &&
        (rc = sr_picker_set_palette(c.picker, json_object_get(sb, "brandColors"), "brandColors", err)))
        goto cleanup;

    if ((rc = parse_top(&c, sb))) goto cleanup;
    if (!sr_fhas(sb, "scenes") || (json_is_array(json_object_get(sb, "scenes")) &&
                                   json_array_size(json_object_get(sb, "scenes")) == 0)) {
        rc = sr_err_set(err, SR_ENO_SCENES, "scenes", "the storyboard has no scenes");
        goto cleanup;
    }
    if ((rc = sr_farr(sb, "scenes", "", MAX_SCENES, &scenes, err))) goto cleanup;
    c.nsrc = (int)json_array_size(scenes);
    c.srcs = calloc((size_t)c.nsrc, sizeof *c.srcs);
    c.sc = calloc(MAX_SCENES, sizeof *c.sc);
    if (!c.srcs || !c.sc) {
        rc = nomem(&c);
        goto cleanup;
    }
    for (int k = 0; k < c.nsrc; k++)
        if ((rc = parse_scene(&c, json_array_get(scenes, k), k))) goto cleanup;
    if ((rc = pick_backgrounds(&c))) goto cleanup;

    /* voices rotate over the timeline scenes; estimate before speaking */
    for (int i = 0; i < c.nsc; i++) {
        scene *t = &c.sc[i];
        const vocfg *vo = t->src->vo;
        if (!t->text) continue;
        t->narrated = vo->enabled && vo->n > 0 && !c.ext_sync;
        if (t->narrated) t->v = &vo->v[i % vo->n];
        t->est = sr_subs_estimate(t->text) * (t->narrated ? 100.0 / t->v->speed : 1.0);
    }
    double est_total = place_scenes(&c, 1);
    if (est_total > MAX_VIDEO_S) {
        rc = sr_err_set(err, SR_ELIMIT, "scenes", "the video would last about %.0f minutes; the limit is %.0f",
                        est_total / 60, MAX_VIDEO_S / 60);
        goto cleanup;
    }

    /* speak */
    for (int i = 0; i < c.nsc; i++) {
        scene *t = &c.sc[i];
        if (!t->narrated) continue;
        if (!c.cache_dir && !(c.cache_dir = sr_speech_cache_dir(c.opts->cache_dir))) {
            rc = nomem(&c);
            goto cleanup;
        }
        sr_err e = {0};
        const sr_tts_backend *tbe = t->v->be ? t->v->be : c.be;
        rc = t->ssml ? sr_speech_get_ssml(tbe, c.cache_dir, t->v->id, t->v->speed, t->v->amp, t->ssml, &t->sp, &e)
                     : sr_speech_get(tbe, c.cache_dir, t->v->id, t->v->speed, t->v->amp, t->text, &t->sp, &e);
        if (rc) {
            char f[SR_FIELD_MAX];
            sr_fpath(f, t->src->pfx, "story");
            sr_err_set(err, rc, rc == SR_EIO ? e.field : f, "%s", e.msg);
            goto cleanup;
        }
    }
    double total = place_scenes(&c, 0);
    if (c.ext_url && c.ext_sync && (rc = sync_scenes(&c, &total))) goto cleanup;
    if (total > MAX_VIDEO_S) {
        rc = sr_err_set(err, SR_ELIMIT, "scenes", "the video lasts %.0f s; the limit is %.0f s", total, MAX_VIDEO_S);
        goto cleanup;
    }
    rc = emit(&c, total, out);
    if (rc == 0 && c.ext_url) { /* one narration from the start, across the scenes */
        double d = c.ext_dur > 0 ? fmin(c.ext_dur, total) : total;
        json_t *vo = json_pack("{s:s,s:s,s:s,s:s,s:f}", "id", "vo-external", "elementType", "audioElement", "type",
                               "voiceOver", "url", c.ext_url, "volume", pow(2.0, c.ext_amp));
        if (vo) times(vo, 0, d, 0);
        rc = add(&c, json_object_get(*out, "elements"), vo);
    }

cleanup:
    for (int k = 0; k < c.nsrc && c.srcs; k++) {
        free(c.srcs[k].bg_url);
        free(c.srcs[k].bg_query);
        json_decref(c.srcs[k].bg_clips);
        json_decref(c.srcs[k].sub_style);
        json_decref(c.srcs[k].elements);
        json_decref(c.srcs[k].vkb);
    }
    for (int i = 0; i < c.nsc; i++) {
        free(c.sc[i].text);
        free(c.sc[i].pick_url);
        free(c.sc[i].ssml);
        sr_speech_free(&c.sc[i].sp);
    }
    free(c.srcs);
    free(c.sc);
    free(c.music_url);
    free(c.logo_url);
    free(c.ext_url);
    free(c.cache_dir);
    json_decref(c.music_clips);
    json_decref(c.logo_place);
    json_decref(c.sub_style);
    json_decref(c.warnings);
    sr_picker_destroy(c.picker);
    return rc;
}

int sr_is_render_params(const json_t *doc)
{
    return json_is_object(doc) && json_is_object(json_object_get(doc, "output")) &&
           json_is_array(json_object_get(doc, "elements"));
}

int sr_load_json_file(const char *path, json_t **out, sr_err *err)
{
    char *data = NULL;
    size_t len = 0;
    json_error_t je;
    *out = NULL;
    int rc = sr_read_file(path, MAX_FILE_BYTES, &data, &len, err);
    if (rc) return rc;
    *out = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    free(data);
    if (!*out)
        return sr_err_set(err, SR_EINVALID_JSON, path, "%s: line %d, column %d: %s", path, je.line, je.column,
                          je.text);
    return 0;
}
