/* v1.c - Pictory's v1 shapes <-> storyreel's storyboard and timeline (v1.h).
 *
 * Each v1 object has a key table: a key is used (read below), accepted with
 * a warning (Pictory takes it; it changes nothing here), or refused (its
 * meaning cannot be honoured: 400 naming it). Keys in no table are warned
 * about as unknown. The text-style keys (fontFamily, textColor, ...) are one
 * table shared by the body's textStyles, each v1 scene and each renderParams
 * scene's textStyles, and one pair of functions maps them to and from a
 * storyreel fontStyle. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "compiler/fields.h"
#include "compiler/v1.h"

#define MAX_V1_SCENES 500
#define MAX_SUB_SCENES 1000
#define MAX_TEXT_BYTES (64 * 1024) /* a scene's joined text; the compiler caps stories at 15,000 chars */

enum { K_USE, K_WARN, K_REFUSE };

typedef struct v1_key {
    const char *name;
    int kind;
    const char *why; /* K_WARN / K_REFUSE: the sentence's reason */
} v1_key;

#define STYLE_KEYS                                                                                           \
    {"fontFamily", K_USE, NULL}, {"fontSize", K_USE, NULL}, {"textColor", K_USE, NULL},                     \
        {"textBackgroundColor", K_USE, NULL}, {"keywordColor", K_USE, NULL}, {"fontStyle", K_USE, NULL},    \
        {"fontWeight", K_USE, NULL}, {"textDecoration", K_USE, NULL}, {"verticalAlignment", K_USE, NULL},   \
        {"horizontalAlignment", K_USE, NULL},                                                               \
        {"fontName", K_WARN, "the font is the one fontFamily names"}

static const v1_key k_style[] = {STYLE_KEYS, {NULL, 0, NULL}};

static const v1_key k_top[] = {
    {"videoName", K_USE, NULL}, {"videoDescription", K_USE, NULL}, {"language", K_USE, NULL},
    {"audio", K_USE, NULL}, {"scenes", K_USE, NULL}, {"brandLogo", K_USE, NULL}, {"textStyles", K_USE, NULL},
    {"saveProject", K_USE, NULL}, {"webhook", K_USE, NULL}, {"webhookInput", K_USE, NULL},
    {"autoHighlightKeywords", K_USE, NULL}, {"voiceOver", K_USE, NULL}, {"splitTextOnNewLine", K_USE, NULL},
    {"splitTextOnPeriod", K_USE, NULL}, {"aspectRatio", K_USE, NULL}, {"videoWidth", K_USE, NULL},
    {"videoHeight", K_USE, NULL},
    {"brandName", K_WARN, "brand kits apply to v2 storyboards (brandId | brandName)"},
    {NULL, 0, NULL},
};

static const v1_key k_audio[] = {
    {"aiVoiceOver", K_USE, NULL}, {"autoBackgroundMusic", K_USE, NULL}, {"backGroundMusicVolume", K_USE, NULL},
    {NULL, 0, NULL},
};

static const v1_key k_voice[] = {
    {"speaker", K_USE, NULL}, {"speed", K_USE, NULL}, {"amplifyLevel", K_USE, NULL}, {NULL, 0, NULL},
};

static const v1_key k_logo[] = {
    {"url", K_USE, NULL}, {"verticalAlignment", K_USE, NULL}, {"horizontalAlignment", K_USE, NULL},
    {NULL, 0, NULL},
};

static const v1_key k_scene[] = {
    STYLE_KEYS,
    {"text", K_USE, NULL}, {"voiceOver", K_USE, NULL}, {"splitTextOnNewLine", K_USE, NULL},
    {"splitTextOnPeriod", K_USE, NULL}, {"subtitles", K_USE, NULL}, {"minimumDuration", K_USE, NULL},
    {"minDuration", K_USE, NULL}, {"backgroundUri", K_USE, NULL}, {"backgroundType", K_USE, NULL},
    {"backgroundVideoSegments", K_USE, NULL}, {"loopBackgroundVideo", K_USE, NULL},
    {"muteBackgroundVideo", K_USE, NULL}, {"mediaSearchQuery", K_USE, NULL},
    {"backgroundVisualFilter", K_USE, NULL},
    {"caption", K_WARN, "the subtitles show the scene's text"},
    {"captionLanguage", K_WARN, "the subtitles show the scene's text"},
    {"awsConnectionId", K_WARN, "media come from URLs, uploads or the media roots"},
    {"article_url", K_REFUSE, "turning a web page into scenes needs a summarising model; send its text"},
    {"articleUrl", K_REFUSE, "turning a web page into scenes needs a summarising model; send its text"},
    {"pptUrl", K_REFUSE, "slides are not read; send their text and images as scenes"},
    {"voiceOverUri", K_REFUSE, "a scene's own recording is not supported; use a v2 storyboard's "
                               "voiceOver.externalVoice for the whole video"},
    {"voiceOverSegment", K_REFUSE, "a scene's own recording is not supported"},
    {"aiVoiceOvers", K_REFUSE, "a voice per scene is not supported in v1 bodies; audio.aiVoiceOver speaks "
                               "every scene (v2 storyboards take a scene voiceOver)"},
    {NULL, 0, NULL},
};

static const v1_key k_rp[] = {
    {"output", K_USE, NULL}, {"audio", K_USE, NULL}, {"scenes", K_USE, NULL}, {"language", K_USE, NULL},
    {"brandLogo", K_USE, NULL}, {"webhook", K_USE, NULL}, {"webhookInput", K_USE, NULL},
    {"next_generation_video", K_USE, NULL}, {"containsTextToImage", K_USE, NULL}, /* no effect here */
    {NULL, 0, NULL},
};

static const v1_key k_rp_output[] = {
    {"name", K_USE, NULL}, {"title", K_USE, NULL}, {"description", K_USE, NULL}, {"format", K_USE, NULL},
    {"width", K_USE, NULL}, {"height", K_USE, NULL}, {"fps", K_USE, NULL}, {NULL, 0, NULL},
};

static const v1_key k_rp_audio[] = {
    {"aiVoiceOver", K_USE, NULL}, {"src", K_USE, NULL}, {"track_volume", K_USE, NULL},
    {"video_volume", K_USE, NULL},
    {"tts", K_WARN, "the narration is spoken again from the scenes' text and audio.aiVoiceOver"},
    {"audio_id", K_WARN, "the music is audio.src"}, {"audio_library", K_WARN, "the music is audio.src"},
    {NULL, 0, NULL},
};

static const v1_key k_rp_scene[] = {
    {"time", K_USE, NULL}, {"voiceOver", K_USE, NULL}, {"subtitles", K_USE, NULL}, {"background", K_USE, NULL},
    {"sub_scenes", K_USE, NULL}, {"textStyles", K_USE, NULL},
    {"keywords", K_WARN, "keywords are picked from the text again"}, {NULL, 0, NULL},
};

static const v1_key k_rp_bg[] = {
    {"src", K_USE, NULL}, {"color", K_USE, NULL},
    {"bg_animation", K_WARN, "background motion is not taken from v1 renderParams"}, {NULL, 0, NULL},
};

#define STOCK "Pictory's stock-library fields; the visual is url"
static const v1_key k_rp_src[] = {
    {"url", K_USE, NULL}, {"type", K_USE, NULL}, {"mode", K_USE, NULL}, {"loop_video", K_USE, NULL},
    {"mute", K_USE, NULL}, {"clips", K_USE, NULL}, {"color", K_USE, NULL},
    {"colors", K_USE, NULL}, {"angle", K_USE, NULL}, {"motion", K_USE, NULL}, /* a generated gradient: informative */
    {"asset_id", K_WARN, STOCK}, {"library", K_WARN, STOCK}, {"resource_id", K_WARN, STOCK},
    {"frame", K_WARN, STOCK}, {"sessionId", K_WARN, STOCK}, {NULL, 0, NULL},
};

static const v1_key k_rp_sub[] = {
    {"time", K_USE, NULL}, /* informative: cue times follow the speech */
    {"text_lines", K_USE, NULL},
    {"location", K_WARN, "the text's place follows the scene's textStyles"},
    {"displayItems", K_WARN, "display items are not taken from v1 renderParams"}, {NULL, 0, NULL},
};

static const v1_key k_rp_line[] = {
    {"text", K_USE, NULL}, {"text_animation", K_WARN, "text animations are not taken from v1 renderParams"},
    {NULL, 0, NULL},
};

/* ------------------------------------------------------------- helpers */

static void warn(json_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(json_t *w, const char *fmt, ...)
{
    if (!w) return;
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(w, json_string(buf));
}

static int nomem(sr_err *err) { return sr_err_set(err, SR_ENOMEM, NULL, "out of memory"); }

/* Checks o's keys against the table: refused keys fail, others warn. */
static int check_keys(const json_t *o, const char *pfx, const v1_key *keys, json_t *w, sr_err *err)
{
    const char *k;
    const json_t *v;
    char f[SR_FIELD_MAX];
    json_object_foreach((json_t *)o, k, v)
    {
        const v1_key *hit = NULL;
        for (const v1_key *t = keys; t->name && !hit; t++)
            if (!strcmp(t->name, k)) hit = t;
        if (json_is_null(v)) continue;
        sr_fpath(f, pfx, k);
        if (!hit) warn(w, "%s is not a field storyreel knows; it was ignored", f);
        else if (hit->kind == K_WARN) warn(w, "%s is accepted and not used: %s", f, hit->why);
        else if (hit->kind == K_REFUSE) return sr_err_set(err, SR_EINVALID_FIELD, f, "%s is not supported: %s", f, hit->why);
    }
    return 0;
}

/* o[key] as an object that is checked against keys; *out NULL when absent. */
static int sub_obj(const json_t *o, const char *key, const char *pfx, const v1_key *keys, const json_t **out,
                   json_t *w, sr_err *err)
{
    char f[SR_FIELD_MAX];
    int rc = sr_fobj(o, key, pfx, out, err);
    if (rc || !*out) return rc;
    return check_keys(*out, sr_fpath(f, pfx, key), keys, w, err);
}

/* A boolean that may also be sent as the string "true" / "false". */
static int loose_bool(const json_t *o, const char *key, const char *pfx, int def, int *out, sr_err *err)
{
    const json_t *v = json_object_get(o, key);
    const char *s = json_string_value(v);
    if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "false"))) {
        *out = !strcasecmp(s, "true");
        return 0;
    }
    return sr_fbool(o, key, pfx, def, out, err);
}

static int set(json_t *o, const char *key, json_t *v, sr_err *err)
{
    return v && json_object_set_new(o, key, v) == 0 ? 0 : nomem(err);
}

/* Copies a[key] to b[key] when present (not null). */
static int copy(const json_t *from, const char *key, json_t *to, const char *as, sr_err *err)
{
    json_t *v = json_object_get(from, key);
    if (!v || json_is_null(v)) return 0;
    return json_object_set(to, as ? as : key, v) ? nomem(err) : 0;
}

/* --------------------------------------------------------- text styles */

static const char *const k_vert[] = {"top", "center", "middle", "bottom", NULL};
static const char *const k_horz[] = {"left", "center", "right", NULL};
static const char *const k_italic[] = {"normal", "italic", "oblique", NULL};
static const char *const k_decor[] = {"none", "underline", "line-through", "linethrough", "strikethrough", NULL};

/* base[key] unless over has it (over wins); *pfx names where it came from. */
static const json_t *pick(const json_t *base, const char *bpfx, const json_t *over, const char *opfx,
                          const char *key, const char **pfx)
{
    const json_t *v = json_object_get(over, key);
    if (v && !json_is_null(v)) {
        *pfx = opfx;
        return over;
    }
    *pfx = bpfx;
    return base;
}

/* A 9-grid position from v1's vertical and horizontal alignments. */
static void grid_of(int v, int h, char out[32])
{
    static const char *const vs[] = {"top", "center", "center", "bottom"};
    snprintf(out, 32, "%s-%s", vs[v], k_horz[h]);
}

/* The fontStyle of v1 style keys: over's keys win over base's (either may be
 * NULL). *out is a new object holding only what was given. */
static int style_from_v1(const json_t *base, const char *bpfx, const json_t *over, const char *opfx, json_t **out,
                         sr_err *err)
{
    json_t *st = json_object(), *decor = json_array();
    int rc = 0;
    const char *p, *s;
    double num;
    const json_t *o;
    if (!st || !decor) {
        rc = nomem(err);
        goto done;
    }
    o = pick(base, bpfx, over, opfx, "fontFamily", &p);
    if ((rc = sr_fstr(o, "fontFamily", p, 100, &s, err))) goto done;
    if (s && (rc = set(st, "fontFamily", json_string(s), err))) goto done;
    o = pick(base, bpfx, over, opfx, "fontSize", &p);
    if (sr_fhas(o, "fontSize")) {
        if ((rc = sr_fnum(o, "fontSize", p, 4, 200, 24, &num, err))) goto done;
        if ((rc = set(st, "fontSize", json_real(num), err))) goto done;
    }
    static const struct {
        const char *v1, *sr;
    } colours[] = {{"textColor", "color"}, {"textBackgroundColor", "backgroundColor"}, {"keywordColor", "keywordColor"}};
    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++) {
        o = pick(base, bpfx, over, opfx, colours[i].v1, &p);
        if ((rc = sr_fcolor(o, colours[i].v1, p, &s, err))) goto done;
        if (s && (rc = set(st, colours[i].sr, json_string(s), err))) goto done;
        if (s && i == 1 && (rc = set(st, "showBoxBackground", json_true(), err))) goto done;
    }
    int italic = 0, decoration = 0, vert = 3, horz = 1;
    o = pick(base, bpfx, over, opfx, "fontStyle", &p);
    if ((rc = sr_fenum(o, "fontStyle", p, k_italic, 0, &italic, err))) goto done;
    o = pick(base, bpfx, over, opfx, "fontWeight", &p);
    const json_t *fw = json_object_get(o, "fontWeight");
    int bold = 0;
    if (json_is_number(fw)) bold = json_number_value(fw) >= 600;
    else if (json_is_string(fw)) {
        const char *w = json_string_value(fw);
        if (!strcasecmp(w, "bold") || !strcasecmp(w, "bolder") || atoi(w) >= 600) bold = 1;
        else if (strcasecmp(w, "normal") && strcasecmp(w, "lighter") && atoi(w) <= 0) {
            char f[SR_FIELD_MAX];
            rc = sr_err_set(err, SR_EINVALID_FIELD, sr_fpath(f, p, "fontWeight"),
                            "%s must be normal, bold or a weight such as 700", f);
            goto done;
        }
    } else if (fw && !json_is_null(fw)) {
        char f[SR_FIELD_MAX];
        rc = sr_err_set(err, SR_EINVALID_FIELD, sr_fpath(f, p, "fontWeight"), "%s must be a string or a number", f);
        goto done;
    }
    o = pick(base, bpfx, over, opfx, "textDecoration", &p);
    if ((rc = sr_fenum(o, "textDecoration", p, k_decor, 0, &decoration, err))) goto done;
    if (bold) json_array_append_new(decor, json_string("bold"));
    if (italic) json_array_append_new(decor, json_string("italics"));
    if (decoration == 1) json_array_append_new(decor, json_string("underline"));
    if (decoration > 1) json_array_append_new(decor, json_string("linethrough"));
    if (json_array_size(decor) && (rc = set(st, "decorations", json_incref(decor), err))) goto done;
    int have_v = 0, have_h = 0;
    o = pick(base, bpfx, over, opfx, "verticalAlignment", &p);
    have_v = sr_fhas(o, "verticalAlignment");
    if ((rc = sr_fenum(o, "verticalAlignment", p, k_vert, 3, &vert, err))) goto done;
    o = pick(base, bpfx, over, opfx, "horizontalAlignment", &p);
    have_h = sr_fhas(o, "horizontalAlignment");
    if ((rc = sr_fenum(o, "horizontalAlignment", p, k_horz, 1, &horz, err))) goto done;
    if (have_v || have_h) {
        char grid[32];
        grid_of(vert, horz, grid);
        if ((rc = set(st, "position", json_string(grid), err))) goto done;
        if ((rc = set(st, "alignment", json_string(k_horz[horz]), err))) goto done;
    }
    *out = st;
    st = NULL;
done:
    json_decref(st);
    json_decref(decor);
    return rc;
}

static int has_decor(const json_t *st, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(st, "decorations"), i, d) if (json_is_string(d) &&
                                                                     !strcasecmp(json_string_value(d), name)) return 1;
    return 0;
}

/* A fontStyle (a timeline cue's) in v1's style keys. */
static json_t *style_to_v1(const json_t *st)
{
    json_t *o = json_object();
    if (!o) return NULL;
    copy(st, "fontFamily", o, NULL, NULL);
    copy(st, "fontSize", o, NULL, NULL);
    copy(st, "color", o, "textColor", NULL);
    copy(st, "keywordColor", o, NULL, NULL);
    if (json_is_true(json_object_get(st, "showBoxBackground"))) copy(st, "backgroundColor", o, "textBackgroundColor", NULL);
    json_object_set_new(o, "fontWeight", json_string(has_decor(st, "bold") ? "bold" : "normal"));
    json_object_set_new(o, "fontStyle", json_string(has_decor(st, "italics") || has_decor(st, "italic") ? "italic" : "normal"));
    json_object_set_new(o, "textDecoration", json_string(has_decor(st, "underline")     ? "underline"
                                                         : has_decor(st, "linethrough") ? "line-through"
                                                                                        : "none"));
    const char *pos = json_string_value(json_object_get(st, "position"));
    if (pos) {
        const char *dash = strchr(pos, '-');
        char v[16];
        snprintf(v, sizeof v, "%.*s", dash ? (int)(dash - pos) : (int)strlen(pos), pos);
        json_object_set_new(o, "verticalAlignment", json_string(v));
        json_object_set_new(o, "horizontalAlignment", json_string(dash ? dash + 1 : "center"));
    }
    return o;
}

/* ------------------------------------------------- shared v1 sub-objects */

/* aiVoiceOver {speaker, speed, amplifyLevel} -> voiceOver {enabled, aiVoices:[...]} in sb. */
static int take_voice(const json_t *parent, const char *pfx, json_t *sb, json_t *w, sr_err *err)
{
    const json_t *av;
    char f[SR_FIELD_MAX];
    int rc = sub_obj(parent, "aiVoiceOver", pfx, k_voice, &av, w, err);
    if (rc || !av) return rc;
    sr_fpath(f, pfx, "aiVoiceOver");
    const char *speaker;
    double speed, amp;
    if ((rc = sr_fstr(av, "speaker", f, 100, &speaker, err))) return rc;
    if ((rc = sr_fnum(av, "speed", f, 50, 200, 100, &speed, err))) return rc;
    if ((rc = sr_fnum(av, "amplifyLevel", f, -1, 1, 0, &amp, err))) return rc;
    json_t *voice = json_pack("{s:f,s:f}", "speed", speed, "amplificationLevel", amp);
    if (voice && speaker) json_object_set_new(voice, "speaker", json_string(speaker));
    return set(sb, "voiceOver", json_pack("{s:b,s:[o]}", "enabled", 1, "aiVoices", voice), err);
}

/* brandLogo {url, verticalAlignment, horizontalAlignment} -> logo {url, position}. */
static int take_logo(const json_t *parent, const char *pfx, json_t *sb, json_t *w, sr_err *err)
{
    const json_t *lg;
    char f[SR_FIELD_MAX];
    int rc = sub_obj(parent, "brandLogo", pfx, k_logo, &lg, w, err);
    if (rc || !lg) return rc;
    sr_fpath(f, pfx, "brandLogo");
    const char *url;
    int v = 0, h = 2;
    if ((rc = sr_fstr(lg, "url", f, 4096, &url, err))) return rc;
    if (!url || !*url) return sr_err_set(err, SR_EINVALID_FIELD, f, "%s.url is required", f);
    if ((rc = sr_fenum(lg, "verticalAlignment", f, k_vert, 0, &v, err))) return rc;
    if ((rc = sr_fenum(lg, "horizontalAlignment", f, k_horz, 2, &h, err))) return rc;
    char grid[32];
    grid_of(v, h, grid);
    return set(sb, "logo", json_pack("{s:s,s:s}", "url", url, "position", grid), err);
}

/* A narrated scene needs the video's voiceOver on (its speaker may come from
 * language): v1 switches narration per scene, storyreel per video and scene. */
static int voice_on(json_t *sb, sr_err *err)
{
    size_t i;
    json_t *sc;
    int any = 0;
    json_array_foreach(json_object_get(sb, "scenes"), i, sc) any |= !json_object_get(sc, "voiceOver");
    if (!any || json_object_get(sb, "voiceOver")) return 0;
    return set(sb, "voiceOver", json_pack("{s:b}", "enabled", 1), err);
}

/* ------------------------------------------------ v1 storyboard body */

/* The scene's text: Pictory's <strong>keyword</strong> marks are dropped
 * (keywords are picked automatically here), with a warning. */
static int scene_story(const char *text, const char *f, json_t *scene, json_t *w, sr_err *err)
{
    size_t n = strlen(text);
    char *out = malloc(n + 1), *q = out;
    if (!out) return nomem(err);
    int marks = 0;
    for (const char *p = text; *p;) {
        static const char *const tags[] = {"<strong>", "</strong>"};
        int hit = 0;
        for (int t = 0; t < 2 && !hit; t++)
            if (!strncasecmp(p, tags[t], strlen(tags[t]))) p += strlen(tags[t]), hit = 1;
        if (hit) marks++;
        else *q++ = *p++;
    }
    *q = 0;
    if (marks) warn(w, "%s: the <strong> marks were dropped; keywords are picked from the text", f);
    const char *s = out;
    while (*s == ' ' || *s == '\n' || *s == '\t') s++;
    int rc = set(scene, "story", json_string(out), err);
    if (!rc && !strncasecmp(s, "<speak", 6)) rc = set(scene, "isSSMLStory", json_true(), err);
    free(out);
    return rc;
}

/* The background of a v1 scene: backgroundUri (+ type, segments, loop, mute),
 * else mediaSearchQuery / backgroundVisualFilter as a library search. */
static int scene_background(const json_t *s, const char *pfx, json_t *scene, sr_err *err)
{
    const char *uri, *query, *cat = NULL;
    const json_t *filter, *segs;
    int loop, mute, rc;
    static const char *const types[] = {"image", "video", "gradient", "color", NULL};
    int t = -1;
    if ((rc = sr_fstr(s, "backgroundUri", pfx, 4096, &uri, err))) return rc;
    if ((rc = sr_fenum(s, "backgroundType", pfx, types, -1, &t, err))) return rc;
    if ((rc = sr_fstr(s, "mediaSearchQuery", pfx, 500, &query, err))) return rc;
    if ((rc = sr_fobj(s, "backgroundVisualFilter", pfx, &filter, err))) return rc;
    if ((rc = sr_farr(s, "backgroundVideoSegments", pfx, 10, &segs, err))) return rc;
    if ((rc = loose_bool(s, "loopBackgroundVideo", pfx, 1, &loop, err))) return rc;
    if ((rc = loose_bool(s, "muteBackgroundVideo", pfx, 1, &mute, err))) return rc;
    char f[SR_FIELD_MAX];
    if (filter) {
        sr_fpath(f, pfx, "backgroundVisualFilter");
        if ((rc = sr_fstr(filter, "category", f, 200, &cat, err))) return rc;
        const char *fq = NULL;
        if ((rc = sr_fstr(filter, "query", f, 500, &fq, err))) return rc;
        if (fq && !query) query = fq;
    }
    json_t *bg;
    if (uri && *uri) {
        bg = json_pack("{s:s,s:{s:b,s:b}}", "visualUrl", uri, "settings", "loop", loop, "mute", mute);
        if (bg && t >= 0 && t <= 1) json_object_set_new(bg, "type", json_string(types[t]));
        if (bg && segs) json_object_set(bg, "clips", (json_t *)segs);
    } else if (query || cat) {
        bg = json_pack("{s:{}}", "searchFilter");
        json_t *sf = json_object_get(bg, "searchFilter");
        if (sf && query) json_object_set_new(sf, "query", json_string(query));
        if (sf && cat) json_object_set_new(sf, "category", json_string(cat));
        if (sf && !query) json_object_set_new(sf, "query", json_string(cat));
        if (bg && t >= 0 && t <= 1) json_object_set_new(bg, "type", json_string(types[t]));
    } else {
        return 0; /* picked from the library by the text, or the generated gradient */
    }
    return set(scene, "background", bg, err);
}

static int v1_scene(const json_t *top, const json_t *s, const char *pfx, json_t *scene, json_t *w, sr_err *err)
{
    const json_t *styles = json_object_get(top, "textStyles"); /* checked by storyboard_top */
    int rc, narr, split_nl, split_p, subs, hl;
    const char *text;
    double mind;
    if (!json_is_object(s)) return sr_err_set(err, SR_EINVALID_FIELD, pfx, "%s must be an object", pfx);
    if ((rc = check_keys(s, pfx, k_scene, w, err))) return rc;
    if ((rc = sr_fstr(s, "text", pfx, 15000, &text, err))) return rc;
    if (text && (rc = scene_story(text, pfx, scene, w, err))) return rc;
    int top_narr, top_nl, top_p, top_hl;
    if ((rc = loose_bool(top, "voiceOver", "", 0, &top_narr, err))) return rc;
    if ((rc = loose_bool(top, "splitTextOnNewLine", "", 0, &top_nl, err))) return rc;
    if ((rc = loose_bool(top, "splitTextOnPeriod", "", 0, &top_p, err))) return rc;
    if ((rc = loose_bool(top, "autoHighlightKeywords", "", 1, &top_hl, err))) return rc;
    if ((rc = loose_bool(s, "voiceOver", pfx, top_narr, &narr, err))) return rc;
    if ((rc = loose_bool(s, "splitTextOnNewLine", pfx, top_nl, &split_nl, err))) return rc;
    if ((rc = loose_bool(s, "splitTextOnPeriod", pfx, top_p, &split_p, err))) return rc;
    if ((rc = loose_bool(s, "subtitles", pfx, 1, &subs, err))) return rc;
    hl = top_hl;
    const char *mkey = sr_fhas(s, "minimumDuration") ? "minimumDuration" : "minDuration";
    if (sr_fhas(s, mkey)) {
        if ((rc = sr_fnum(s, mkey, pfx, 0, 600, 0, &mind, err))) return rc;
        if ((rc = set(scene, "minimumDuration", json_real(mind), err))) return rc;
    }
    if (!narr && (rc = set(scene, "voiceOver", json_pack("{s:b}", "enabled", 0), err))) return rc;
    if ((split_nl || split_p) && json_is_true(json_object_get(scene, "isSSMLStory"))) {
        warn(w, "%s: an SSML text is spoken as one scene; splitTextOnNewLine / splitTextOnPeriod are not used", pfx);
        split_nl = split_p = 0;
    }
    if (split_nl && (rc = set(scene, "createSceneOnNewLine", json_true(), err))) return rc;
    if (split_p && (rc = set(scene, "createSceneOnEndOfSentence", json_true(), err))) return rc;
    if (!subs && (rc = set(scene, "hideSubtitles", json_true(), err))) return rc;
    if (!hl && (rc = set(scene, "highlightKeywords", json_false(), err))) return rc;
    if ((rc = scene_background(s, pfx, scene, err))) return rc;
    json_t *st = NULL;
    if ((rc = style_from_v1(styles, "textStyles", s, pfx, &st, err))) return rc;
    if (json_object_size(st)) return set(scene, "subtitleStyle", st, err);
    json_decref(st);
    return 0;
}

/* The body's top-level fields (all but scenes) into sb. */
static int storyboard_top(const json_t *v1, json_t *sb, json_t *w, sr_err *err)
{
    int rc;
    const json_t *audio, *styles;
    const char *s;
    static const char *const strs[] = {"videoName", "videoDescription", "language", "aspectRatio"};
    static const int lens[] = {200, 2000, 16, 8};
    for (int i = 0; i < 4; i++) {
        if ((rc = sr_fstr(v1, strs[i], "", lens[i], &s, err))) return rc;
        if (s && (rc = set(sb, strs[i], json_string(s), err))) return rc;
    }
    static const char *const same[] = {"videoWidth", "videoHeight"}; /* the compiler checks them */
    for (int i = 0; i < 2; i++)
        if ((rc = copy(v1, same[i], sb, NULL, err))) return rc;
    int save;
    if ((rc = loose_bool(v1, "saveProject", "", 0, &save, err))) return rc;
    if (save && (rc = set(sb, "saveProject", json_true(), err))) return rc;
    if ((rc = sub_obj(v1, "audio", "", k_audio, &audio, w, err))) return rc;
    if (audio) {
        int music;
        double vol = 1;
        if ((rc = take_voice(audio, "audio", sb, w, err))) return rc;
        if ((rc = loose_bool(audio, "autoBackgroundMusic", "audio", 0, &music, err))) return rc;
        if ((rc = sr_fnum(audio, "backGroundMusicVolume", "audio", 0, 1, 1, &vol, err))) return rc;
        if (music && (rc = set(sb, "backgroundMusic",
                               json_pack("{s:b,s:b,s:f}", "enabled", 1, "autoMusic", 1, "volume", vol), err)))
            return rc;
        if (!music && sr_fhas(audio, "backGroundMusicVolume"))
            warn(w, "audio.backGroundMusicVolume is accepted and not used: there is no music without "
                    "audio.autoBackgroundMusic");
    }
    if ((rc = take_logo(v1, "", sb, w, err))) return rc;
    if ((rc = sub_obj(v1, "textStyles", "", k_style, &styles, w, err)) || !styles) return rc;
    json_t *st = NULL;
    if ((rc = style_from_v1(styles, "textStyles", NULL, "", &st, err))) return rc;
    return set(sb, "subtitleStyle", st, err);
}

/* ------------------------------------------- timeline -> v1 renderParams */

static const struct {
    const char *fit, *mode;
} k_modes[] = {{"cover", "crop"}, {"contain", "fit"}, {"blur", "blur"}};

static const char *mode_of_fit(const char *fit)
{
    for (size_t i = 0; i < sizeof k_modes / sizeof k_modes[0]; i++)
        if (fit && !strcmp(fit, k_modes[i].fit)) return k_modes[i].mode;
    return "crop";
}

/* A v1 background {src:[{...}], color} of a timeline backgroundElement. */
static json_t *v1_background(const json_t *bg)
{
    const char *type = json_string_value(json_object_get(bg, "type"));
    json_t *src = json_object();
    if (!src) return NULL;
    json_t *color = json_null();
    if (type && (!strcmp(type, "image") || !strcmp(type, "video"))) {
        copy(bg, "url", src, NULL, NULL);
        json_object_set_new(src, "type", json_string(type));
        json_object_set_new(src, "mode", json_string(mode_of_fit(json_string_value(json_object_get(bg, "fit")))));
        int video = !strcmp(type, "video");
        json_object_set_new(src, "loop_video", json_boolean(video && !json_is_false(json_object_get(bg, "loop"))));
        json_object_set_new(src, "mute", json_boolean(!json_is_false(json_object_get(bg, "mute"))));
        copy(bg, "clips", src, NULL, NULL);
    } else { /* a colour, or the generated gradient: no file */
        json_object_set_new(src, "url", json_null());
        json_object_set_new(src, "type", json_string(type ? type : "color"));
        json_object_set_new(src, "loop_video", json_false());
        json_object_set_new(src, "mute", json_true());
        static const char *const gk[] = {"colors", "angle", "motion"};
        for (int i = 0; i < 3; i++) copy(bg, gk[i], src, NULL, NULL);
        if (json_object_get(bg, "color")) {
            copy(bg, "color", src, NULL, NULL);
            json_decref(color);
            color = json_incref(json_object_get(bg, "color"));
        }
    }
    return json_pack("{s:[o],s:o}", "src", src, "color", color);
}

static const char *str_of(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The timeline element with id (NULL when none). */
static const json_t *element_by_id(const json_t *els, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(els, i, e) if (str_of(e, "id") && !strcmp(str_of(e, "id"), id)) return e;
    return NULL;
}

static json_t *v1_scene_of(const json_t *tl, int i, double dur)
{
    const json_t *els = json_object_get(tl, "elements"), *subs = json_object_get(tl, "subtitles");
    char id[48];
    snprintf(id, sizeof id, "bg-%d", i);
    const json_t *bg = element_by_id(els, id);
    snprintf(id, sizeof id, "vo-%d", i);
    int narrated = element_by_id(els, id) != NULL;
    json_t *sub_scenes = json_array(), *scene;
    const json_t *style = NULL;
    int hidden = 0;
    size_t k;
    json_t *cue;
    json_array_foreach(subs, k, cue)
    {
        if (json_integer_value(json_object_get(cue, "sceneIndex")) != i) continue;
        if (!style) style = json_object_get(cue, "style"), hidden = json_is_true(json_object_get(cue, "hidden"));
        double t = json_number_value(json_object_get(cue, "endTime")) - json_number_value(json_object_get(cue, "startTime"));
        json_array_append_new(sub_scenes, json_pack("{s:f,s:[{s:O}]}", "time", t, "text_lines", "text",
                                                    json_object_get(cue, "text")));
    }
    scene = json_pack("{s:f,s:b,s:b,s:o,s:o}", "time", dur, "voiceOver", narrated, "subtitles", !hidden,
                      "background", bg ? v1_background(bg) : json_pack("{s:[],s:n}", "src", "color"),
                      "sub_scenes", sub_scenes);
    if (scene && style) json_object_set_new(scene, "textStyles", style_to_v1(style));
    return scene;
}

int sr_v1_render_params(const json_t *tl, const json_t *sb, json_t **out, sr_err *err)
{
    *out = NULL;
    const json_t *o = json_object_get(tl, "output"), *els = json_object_get(tl, "elements");
    const char *name = str_of(o, "name");
    const char *desc = str_of(sb, "videoDescription");
    json_t *rp = json_pack("{s:{s:s,s:s,s:s,s:O,s:O,s:O,s:O},s:{s:i}}", "output", "name", name ? name : "video",
                           "title", name ? name : "video", "description", desc ? desc : "", "format",
                           json_object_get(o, "format"), "width", json_object_get(o, "width"), "height",
                           json_object_get(o, "height"), "fps", json_object_get(o, "fps"), "audio", "video_volume", 1);
    json_t *scenes = json_array();
    if (!rp || !scenes) {
        json_decref(rp);
        json_decref(scenes);
        return nomem(err);
    }
    json_t *audio = json_object_get(rp, "audio");
    const json_t *sbvo = json_object_get(sb, "voiceOver");
    const json_t *voice = json_array_get(json_object_get(sbvo, "aiVoices"), 0);
    if (sbvo && !json_is_false(json_object_get(sbvo, "enabled"))) {
        json_t *av = json_object();
        copy(voice, "speaker", av, NULL, NULL);
        copy(voice, "speed", av, NULL, NULL);
        copy(voice, "amplificationLevel", av, "amplifyLevel", NULL);
        json_object_set_new(audio, "aiVoiceOver", av);
    }
    const json_t *music = element_by_id(els, "music");
    if (music) {
        copy(music, "url", audio, "src", NULL);
        copy(music, "volume", audio, "track_volume", NULL);
    }
    copy(sb, "language", rp, NULL, NULL);
    const json_t *logo = element_by_id(els, "logo");
    const char *pos = str_of(logo, "position");
    if (logo && pos) {
        const char *dash = strchr(pos, '-');
        char v[16];
        snprintf(v, sizeof v, "%.*s", dash ? (int)(dash - pos) : (int)strlen(pos), pos);
        json_object_set_new(rp, "brandLogo", json_pack("{s:O,s:s,s:s}", "url", json_object_get(logo, "url"),
                                                       "verticalAlignment", v, "horizontalAlignment",
                                                       dash ? dash + 1 : "center"));
    }
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(tl, "sceneMarkers"), i, m)
    {
        json_t *scene = v1_scene_of(tl, (int)i, json_number_value(json_object_get(m, "duration")));
        if (!scene || json_array_append_new(scenes, scene)) {
            json_decref(scenes);
            json_decref(rp);
            return nomem(err);
        }
    }
    json_object_set_new(rp, "scenes", scenes);
    *out = rp;
    return 0;
}

/* ------------------------------------------- v1 renderParams -> storyboard */

/* The scene's text: every sub_scene's text_lines joined with spaces. */
static int rp_text(const json_t *s, const char *pfx, json_t *scene, json_t *w, sr_err *err)
{
    const json_t *subs;
    char f[SR_FIELD_MAX], g[SR_FIELD_MAX], h[SR_FIELD_MAX];
    int rc = sr_farr(s, "sub_scenes", pfx, MAX_SUB_SCENES, &subs, err);
    if (rc || !subs) return rc;
    sr_fpath(f, pfx, "sub_scenes");
    sr_buf text;
    sr_buf_init(&text, MAX_TEXT_BYTES);
    for (size_t i = 0; i < json_array_size(subs) && !rc; i++) {
        const json_t *sub = json_array_get(subs, i), *lines;
        sr_fpath_idx(g, f, (int)i);
        if (!json_is_object(sub)) {
            rc = sr_err_set(err, SR_EINVALID_FIELD, g, "%s must be an object", g);
            break;
        }
        if ((rc = check_keys(sub, g, k_rp_sub, w, err))) break;
        if ((rc = sr_farr(sub, "text_lines", g, MAX_SUB_SCENES, &lines, err))) break;
        sr_fpath(g, g, "text_lines");
        for (size_t j = 0; j < json_array_size(lines) && !rc; j++) {
            const json_t *line = json_array_get(lines, j);
            const char *t;
            sr_fpath_idx(h, g, (int)j);
            if (!json_is_object(line)) {
                rc = sr_err_set(err, SR_EINVALID_FIELD, h, "%s must be an object", h);
                break;
            }
            if ((rc = check_keys(line, h, k_rp_line, w, err))) break;
            if ((rc = sr_fstr(line, "text", h, 15000, &t, err))) break;
            if (!t || !*t) continue;
            if (text.len) sr_buf_append(&text, " ", 1);
            sr_buf_append(&text, t, strlen(t));
        }
    }
    if (!rc && text.failed) rc = sr_err_set(err, SR_ELIMIT, f, "the text of %s is longer than %d bytes", f, MAX_TEXT_BYTES);
    if (!rc && text.len) rc = set(scene, "story", json_stringn(text.p, text.len), err);
    sr_buf_free(&text);
    return rc;
}

static int rp_background(const json_t *s, const char *pfx, json_t *scene, json_t *w, sr_err *err)
{
    const json_t *bg, *srcs, *src = NULL;
    char f[SR_FIELD_MAX], g[SR_FIELD_MAX];
    int rc = sub_obj(s, "background", pfx, k_rp_bg, &bg, w, err);
    if (rc || !bg) return rc;
    sr_fpath(f, pfx, "background");
    if ((rc = sr_farr(bg, "src", f, 16, &srcs, err))) return rc;
    if (json_array_size(srcs) > 1) warn(w, "%s.src has %zu entries; only the first is shown", f, json_array_size(srcs));
    if (json_array_size(srcs)) {
        src = json_array_get(srcs, 0);
        sr_fpath(g, f, "src[0]");
        if (!json_is_object(src)) return sr_err_set(err, SR_EINVALID_FIELD, g, "%s must be an object", g);
        if ((rc = check_keys(src, g, k_rp_src, w, err))) return rc;
    }
    static const char *const types[] = {"image", "video", "color", "gradient", NULL};
    static const char *const modes[] = {"crop", "fit", "blur", NULL};
    const char *url = NULL, *color = NULL;
    int type = -1, mode = 0, loop = 1, mute = 1;
    if (src) {
        if ((rc = sr_fstr(src, "url", g, 4096, &url, err))) return rc;
        if ((rc = sr_fenum(src, "type", g, types, -1, &type, err))) return rc;
        if ((rc = sr_fenum(src, "mode", g, modes, 0, &mode, err))) return rc;
        if ((rc = loose_bool(src, "loop_video", g, 1, &loop, err))) return rc;
        if ((rc = loose_bool(src, "mute", g, 1, &mute, err))) return rc;
    }
    json_t *out;
    int visual = url && *url && type != 2 && type != 3;
    if (!visual) { /* the colour matters only without a visual (Pictory sends one with every visual) */
        if (src && (rc = sr_fcolor(src, "color", g, &color, err))) return rc;
        if (!color && (rc = sr_fcolor(bg, "color", f, &color, err))) return rc;
    } else if (sr_fhas(bg, "color") || sr_fhas(src, "color"))
        warn(w, "%s.color is accepted and not used: the visual covers the frame", f);
    if (visual) {
        out = json_pack("{s:s,s:s,s:{s:b,s:b}}", "visualUrl", url, "fit", k_modes[mode].fit, "settings", "loop",
                        loop, "mute", mute);
        if (out && type >= 0) json_object_set_new(out, "type", json_string(types[type]));
        if (out) copy(src, "clips", out, NULL, NULL);
    } else if (color && type != 3) {
        out = json_pack("{s:s}", "color", color);
    } else {
        return 0; /* the generated gradient (or a library pick by the text) again */
    }
    return set(scene, "background", out, err);
}

static int rp_scene(const json_t *rp, const json_t *s, const char *pfx, json_t *scene, json_t *w, sr_err *err)
{
    (void)rp;
    int rc, narr, subs;
    double t;
    const json_t *styles;
    if (!json_is_object(s)) return sr_err_set(err, SR_EINVALID_FIELD, pfx, "%s must be an object", pfx);
    if ((rc = check_keys(s, pfx, k_rp_scene, w, err))) return rc;
    if ((rc = rp_text(s, pfx, scene, w, err))) return rc;
    if ((rc = loose_bool(s, "voiceOver", pfx, 1, &narr, err))) return rc;
    subs = 1;
    if (json_is_array(json_object_get(s, "subtitles"))) /* Pictory's own cue list */
        warn(w, "%s.subtitles (a list) is accepted and not used: the subtitles follow the speech", pfx);
    else if ((rc = loose_bool(s, "subtitles", pfx, 1, &subs, err))) return rc;
    if (sr_fhas(s, "time")) {
        if ((rc = sr_fnum(s, "time", pfx, 0, 600, 0, &t, err))) return rc;
        if ((rc = set(scene, "minimumDuration", json_real(t), err))) return rc;
    }
    if (!narr && (rc = set(scene, "voiceOver", json_pack("{s:b}", "enabled", 0), err))) return rc;
    if (!subs && (rc = set(scene, "hideSubtitles", json_true(), err))) return rc;
    if ((rc = rp_background(s, pfx, scene, w, err))) return rc;
    char f[SR_FIELD_MAX];
    if ((rc = sub_obj(s, "textStyles", pfx, k_style, &styles, w, err)) || !styles) return rc;
    json_t *st = NULL;
    if ((rc = style_from_v1(NULL, "", styles, sr_fpath(f, pfx, "textStyles"), &st, err))) return rc;
    return set(scene, "subtitleStyle", st, err);
}

/* output.name without the extension Pictory's names carry ("Santa Claus.mp4"). */
static json_t *video_name(const char *name)
{
    static const char *const exts[] = {".mp4", ".webm", ".gif", ".mp3"};
    size_t n = strlen(name);
    for (int i = 0; i < 4; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && !strcasecmp(name + n - e, exts[i])) return json_stringn(name, n - e);
    }
    return json_string(name);
}

/* The renderParams' top-level fields (all but scenes) into sb. */
static int render_params_top(const json_t *rp, json_t *sb, json_t *w, sr_err *err)
{
    int rc;
    const json_t *o, *audio;
    const char *s;
    if ((rc = sub_obj(rp, "output", "", k_rp_output, &o, w, err))) return rc;
    if ((rc = sr_fstr(o, "name", "output", 200, &s, err))) return rc;
    if ((rc = set(sb, "videoName", s && *s ? video_name(s) : json_string("video"), err))) return rc;
    if ((rc = sr_fstr(o, "description", "output", 2000, &s, err))) return rc;
    if (s && (rc = set(sb, "videoDescription", json_string(s), err))) return rc;
    if (sr_fhas(o, "width") != sr_fhas(o, "height"))
        return sr_err_set(err, SR_EINVALID_FIELD, "output.width", "output.width and output.height go together");
    if ((rc = copy(o, "width", sb, "videoWidth", err)) || (rc = copy(o, "height", sb, "videoHeight", err))) return rc;
    if (sr_fhas(o, "format") || sr_fhas(o, "fps")) {
        json_t *so = json_object();
        if ((rc = set(sb, "output", so, err))) return rc;
        if ((rc = copy(o, "format", so, NULL, err)) || (rc = copy(o, "fps", so, NULL, err))) return rc;
    }
    if ((rc = sr_fstr(rp, "language", "", 16, &s, err))) return rc;
    if (s && (rc = set(sb, "language", json_string(s), err))) return rc;
    if ((rc = sub_obj(rp, "audio", "", k_rp_audio, &audio, w, err))) return rc;
    if (audio) {
        double vv, tv;
        if ((rc = take_voice(audio, "audio", sb, w, err))) return rc;
        if ((rc = sr_fnum(audio, "video_volume", "audio", 0, 1, 1, &vv, err))) return rc;
        if (vv != 1) warn(w, "audio.video_volume is accepted and not used: un-muted videos play at volume 1");
        if ((rc = sr_fstr(audio, "src", "audio", 4096, &s, err))) return rc;
        if ((rc = sr_fnum(audio, "track_volume", "audio", 0, 1, 1, &tv, err))) return rc;
        if (s && *s && (rc = set(sb, "backgroundMusic", json_pack("{s:b,s:s,s:f}", "enabled", 1, "musicUrl", s,
                                                                   "volume", tv), err)))
            return rc;
    }
    return take_logo(rp, "", sb, w, err);
}

/* --------------------------------------------- both shapes -> storyboard */

/* A v1 shape read into a storyboard: top() reads the top-level fields,
 * scene() each of scenes[] into a new storyboard scene. */
typedef struct v1_shape {
    const v1_key *keys;
    const char *what;
    int (*top)(const json_t *in, json_t *sb, json_t *w, sr_err *err);
    int (*scene)(const json_t *in, const json_t *s, const char *pfx, json_t *scene, json_t *w, sr_err *err);
} v1_shape;

static int read_shape(const v1_shape *sh, const json_t *in, json_t **out, json_t *w, sr_err *err)
{
    *out = NULL;
    if (!json_is_object(in)) return sr_err_set(err, SR_EINVALID_FIELD, "body", "the body must be %s", sh->what);
    int rc = check_keys(in, "", sh->keys, w, err);
    if (rc) return rc;
    json_t *sb = json_object(), *scenes = json_array();
    const json_t *arr;
    if (!sb || !scenes) {
        rc = nomem(err);
        goto done;
    }
    if ((rc = sh->top(in, sb, w, err))) goto done;
    if ((rc = sr_farr(in, "scenes", "", MAX_V1_SCENES, &arr, err))) goto done;
    if (!json_array_size(arr)) {
        rc = sr_err_set(err, SR_EINVALID_FIELD, "scenes", "scenes must be an array of at least one scene");
        goto done;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char f[SR_FIELD_MAX];
        json_t *scene = json_object();
        if (!scene || json_array_append_new(scenes, scene)) {
            rc = nomem(err);
            goto done;
        }
        if ((rc = sh->scene(in, json_array_get(arr, i), sr_fpath_idx(f, "scenes", (int)i), scene, w, err)))
            goto done;
    }
    if (!(rc = set(sb, "scenes", json_incref(scenes), err))) rc = voice_on(sb, err);
done:
    json_decref(scenes);
    if (rc) json_decref(sb);
    else *out = sb;
    return rc;
}

int sr_v1_storyboard(const json_t *v1, json_t **out, json_t *w, sr_err *err)
{
    static const v1_shape shape = {k_top, "a JSON object (a v1 storyboard)", storyboard_top, v1_scene};
    return read_shape(&shape, v1, out, w, err);
}

int sr_v1_from_render_params(const json_t *rp, json_t **out, json_t *w, sr_err *err)
{
    static const v1_shape shape = {k_rp, "a v1 renderParams object", render_params_top, rp_scene};
    return read_shape(&shape, rp, out, w, err);
}
