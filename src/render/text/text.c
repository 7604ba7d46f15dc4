/* text.c - scene text elements and subtitles drawn by libass.
 *
 * One ASS_Library + ASS_Renderer per sr_text, sized to the output. Every
 * scene that has text gets its own in-memory ASS track (so its text can be
 * drawn into that scene's picture during a transition), and the subtitles get
 * one more. Events are added with millisecond times; each one starts with an
 * override block that places it with \an + \pos and wraps it between its
 * margins, so no layout depends on libass's collision handling.
 *
 * Sizes follow the Sizes rule of the API: an em is fontSize x 4/3 x short
 * side / 720 px; the ASS font size is the em times the font's
 * (ascender + descender) / units-per-em (text_font.c); lines are spaced by
 * 0.2 em (ass_set_line_spacing, set per draw from the visible blocks) and
 * boxes are padded 0.25 em.
 *
 * The layout box of an element (9-grid cell with a margin of 5% of the short
 * side, or left/top, and width) includes the 0.25-em padding whether or not a
 * box is drawn, so turning a background on does not move the text. Line
 * spacing is per renderer: when blocks of different sizes are visible in one
 * track at once, the largest em sets it. Draws are serialised by a mutex (one
 * libass renderer).
 *
 * Choices the API leaves open:
 *   - shadowWidth "N%" is an outline of N% of the frame's short side (1% is
 *     7.2 px at 720p) in shadowColor; shadowColor alone gives 0.4%; at most 5%.
 *   - a subtitle style with neither shadowColor, shadowWidth nor a box gets a
 *     black outline of TX_AUTO_OUTLINE_EM of its em (2.2 px for the default
 *     24 pt at 1080p, at least 1 px), so that captions, keywords included,
 *     read on any background; shadowWidth 0 turns it off. A text element's
 *     style gets it with autoOutline: true (the compiler's scene captions).
 *   - backgroundColor draws one box per line (ASS BorderStyle 3) padded 0.25
 *     em, in a separate event under the text so that outline and box combine.
 *   - smallcapitalize: real small caps (lower-case letters as capitals at 80%).
 *   - a subtitle cue that libass would wrap to more than maxLines lines is
 *     shrunk in steps of 10% (at most TX_MAX_CUE_SHRINK steps) until it fits;
 *     the line count is measured by rendering the cue once off-screen.
 *   - fontUrl: the file is handed to libass and fontconfig before the
 *     styles are read, and the text uses the file's own family name.
 *   - fonts_dir (default: the project's font folder, fonts.h): the files of
 *     each family a style names are handed to libass (ass_add_font).
 *   - animations[] and karaoke: text_anim.c splits a block into phase events.
 *   - showBullet: a bullet before each line as written.
 *   - emoji are drawn in colour (Noto Color Emoji) where libass lays out an
 *     invisible placeholder, with the block's animation (text_emoji.c).
 *   - the base direction of each line follows its first strong character
 *     (ASS Encoding -1): Arabic and Hebrew lines are right-to-left. */
#include <ass/ass.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/text/fonts.h"
#include "render/text/text_int.h"
#include "render/text/text_shape.h"

enum { TX_STYLE_TEXT = 0, TX_STYLE_BOX = 1 }; /* style ids in every track */

typedef struct tx_span {
    long long start, end; /* ms, [start, end) */
    double em;
} tx_span;

/* One ASS track and the spans of its blocks (for line spacing). */
typedef struct tx_layer {
    ASS_Track *track;
    tx_span *spans;
    int n, cap;
} tx_layer;

struct sr_text {
    int w, h;
    double short_side;
    ASS_Library *lib;
    ASS_Renderer *rnd;
    tx_layer *scenes; /* index sceneIndex + 1 (scene -1 at 0) */
    int n_scenes;
    tx_layer subs;
    ASS_Track *probe; /* scratch track for measuring subtitle cues */
    tx_fonts *fonts;
    char lang[TX_MAX_LANG + 1]; /* the timeline's language (ICU locale of the case rules), or "" */
    tx_emoji *emoji;             /* colour emoji table (text_emoji.c), or NULL */
    int missing_glyphs, fallbacks;
    pthread_mutex_t lock; /* one libass renderer: draws from several threads take turns */
};

/* ---- libass messages -------------------------------------------------- */

static void on_ass_msg(int level, const char *fmt, va_list va, void *data)
{
    sr_text *tx = data;
    (void)level;
    (void)va;
    if (strstr(fmt, "not found in font") || strstr(fmt, "failed to find any fallback"))
        tx->missing_glyphs++;
    else if (strstr(fmt, "not found, selecting one more font"))
        tx->fallbacks++;
}

int sr_text_missing_glyphs(const sr_text *tx)
{
    return tx ? tx->missing_glyphs : 0;
}

int sr_text_fallbacks(const sr_text *tx)
{
    return tx ? tx->fallbacks : 0;
}

/* ---- tracks ------------------------------------------------------------ */

static ASS_Track *new_track(sr_text *tx)
{
    ASS_Track *t = ass_new_track(tx->lib);
    if (!t) return NULL;
    char hdr[1024];
    int n =
        snprintf(hdr, sizeof hdr,
                 "[Script Info]\nScriptType: v4.00+\nPlayResX: %d\nPlayResY: %d\n"
                 "ScaledBorderAndShadow: yes\nWrapStyle: 0\nKerning: yes\nYCbCr Matrix: None\n\n"
                 "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
                 "OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, "
                 "Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, "
                 "MarginV, Encoding\n"
                 "Style: T,DejaVu Sans,20,&H00FFFFFF,&H00FFFFFF,&H00000000,&HFF000000,0,0,0,0,"
                 "100,100,0,0,1,0,0,7,0,0,0,-1\n"
                 "Style: B,DejaVu Sans,20,&HFF000000,&HFF000000,&H00000000,&HFF000000,0,0,0,0,"
                 "100,100,0,0,3,0,0,7,0,0,0,-1\n\n"
                 "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
                 "Effect, Text\n",
                 tx->w, tx->h);
    ass_process_data(t, hdr, n);
    ass_track_set_feature(t, ASS_FEATURE_WRAP_UNICODE, 1); /* may be unavailable: -1 */
    ass_track_set_feature(t, ASS_FEATURE_WHOLE_TEXT_LAYOUT, 1);
    if (t->n_styles < 3) { /* "Default" + T + B */
        ass_free_track(t);
        return NULL;
    }
    return t;
}

static int style_id(const ASS_Track *t, const char *name)
{
    for (int i = 0; i < t->n_styles; i++)
        if (t->styles[i].Name && strcmp(t->styles[i].Name, name) == 0) return i;
    return 0;
}

/* Adds one event; takes ownership of text (malloc'd). */
static int add_event(ASS_Track *t, long long start, long long dur, int layer, int box, int ml,
                     int mr, char *text)
{
    int id = ass_alloc_event(t);
    if (id < 0) {
        free(text);
        return SR_ENOMEM;
    }
    ASS_Event *ev = &t->events[id];
    ev->Start = start;
    ev->Duration = dur;
    ev->ReadOrder = id;
    ev->Layer = layer;
    ev->Style = style_id(t, box ? "B" : "T");
    ev->MarginL = ml;
    ev->MarginR = mr;
    ev->MarginV = 0;
    ev->Name = strdup("");
    ev->Effect = strdup("");
    ev->Text = text;
    if (!ev->Name || !ev->Effect) return SR_ENOMEM;
    return 0;
}

static int layer_add_span(tx_layer *L, long long start, long long end, double em)
{
    if (L->n == L->cap) {
        int nc = L->cap ? 2 * L->cap : 8;
        tx_span *ns = realloc(L->spans, (size_t)nc * sizeof *ns);
        if (!ns) return SR_ENOMEM;
        L->spans = ns;
        L->cap = nc;
    }
    L->spans[L->n++] = (tx_span){start, end, em};
    return 0;
}

/* A text block: a box event (when the style has a box) under the text event. */
typedef struct tx_block {
    const char *text;    /* user text */
    const json_t *words; /* subtitles: words[] for keyword colouring, or NULL */
    double t0;           /* the block's start (s): words' times are absolute */
} tx_block;

static void block_src(const sr_text *tx, const tx_style *st, const tx_place *pl, const tx_block *bk,
                      tx_block_src *bs)
{
    memset(bs, 0, sizeof *bs);
    bs->st = st;
    bs->pl = pl;
    bs->frame_w = tx->w;
    bs->frame_h = tx->h;
    bs->text = bk->text;
    bs->words = bk->words;
    bs->t0 = bk->t0;
    bs->lang = tx->lang;
    bs->emoji = tx->emoji;
}

static char *build_event_text(sr_text *tx, const tx_style *st, const tx_place *pl,
                              const tx_block *bk, int box_pass)
{
    tx_block_src bs;
    block_src(tx, st, pl, bk, &bs);
    return tx_block_text(&bs, box_pass);
}

typedef struct add_ctx {
    ASS_Track *t;
    int ml, mr;
} add_ctx;

static int emit_event(void *arg, long long start, long long dur, int box_pass, char *text)
{
    add_ctx *ac = arg;
    return add_event(ac->t, start, dur, box_pass ? 0 : 1, box_pass, ac->ml, ac->mr, text);
}

static int probe_ink(sr_text *tx, const tx_style *st, const tx_place *pl, const tx_block *bk,
                     double ink[4], int tight);

static int add_block(sr_text *tx, ASS_Track *t, long long start, long long dur, const tx_style *st,
                     const tx_place *pl, const tx_block *bk)
{
    int ml, mr;
    tx_event_margins(st, pl, tx->w, &ml, &mr);
    const tx_anims *an = &st->anim;
    if (an->entry.kind != TXA_NONE || an->exit.kind != TXA_NONE || an->karaoke) {
        tx_block_src bs;
        block_src(tx, st, pl, bk, &bs);
        if (probe_ink(tx, st, pl, bk, bs.ink, 1) < 0) return SR_ENOMEM;
        add_ctx ac = {t, ml, mr};
        return tx_anim_events(&bs, start, start + dur, emit_event, &ac);
    }
    if (st->box[3]) {
        char *bt = build_event_text(tx, st, pl, bk, 1);
        if (!bt) return SR_ENOMEM;
        int rc = add_event(t, start, dur, 0, 1, ml, mr, bt);
        if (rc) return rc;
    }
    char *tt = build_event_text(tx, st, pl, bk, 0);
    if (!tt) return SR_ENOMEM;
    return add_event(t, start, dur, 1, 0, ml, mr, tt);
}

/* ---- styles ------------------------------------------------------------ */

static const struct {
    const char *name;
    int h, v;
} k_grid[] = {
    {"top-left", TX_H_LEFT, TX_V_TOP},           {"top-center", TX_H_CENTER, TX_V_TOP},
    {"top-right", TX_H_RIGHT, TX_V_TOP},         {"center-left", TX_H_LEFT, TX_V_MIDDLE},
    {"center-center", TX_H_CENTER, TX_V_MIDDLE}, {"center", TX_H_CENTER, TX_V_MIDDLE},
    {"center-right", TX_H_RIGHT, TX_V_MIDDLE},   {"bottom-left", TX_H_LEFT, TX_V_BOTTOM},
    {"bottom-center", TX_H_CENTER, TX_V_BOTTOM}, {"bottom-right", TX_H_RIGHT, TX_V_BOTTOM},
};

static const struct {
    const char *name;
    int mode;
} k_case[] = {
    {"uppercase", TX_CASE_UPPER},
    {"lowercase", TX_CASE_LOWER},
    {"capitalize", TX_CASE_CAPITALIZE},
    {"smallcapitalize", TX_CASE_SMALLCAPS},
    {"none", TX_CASE_NONE},
};

/* textVariant defaults (API.md): size, 9-grid position, width. */
static const struct {
    const char *name;
    double size;
    const char *position;
    double width;
} k_variant[] = {
    {"heading", 66, "center-center", 0.90},
    {"subheading", 42, "top-center", 0.90},
    {"body", 20, "center-center", 0.37},
};

static int grid_find(const char *s, int *h, int *v)
{
    for (size_t i = 0; i < sizeof k_grid / sizeof k_grid[0]; i++)
        if (strcasecmp(s, k_grid[i].name) == 0) {
            *h = k_grid[i].h;
            *v = k_grid[i].v;
            return 0;
        }
    return -1;
}

static int field_err(sr_err *err, const char *pfx, const char *key, const char *what)
{
    char f[160];
    snprintf(f, sizeof f, "%s.%s", pfx, key);
    return sr_err_set(err, SR_EINVALID_FIELD, f, "%s %s.", f, what);
}

static int get_color(const json_t *obj, const char *key, uint8_t out[4], int *present,
                     const char *pfx, sr_err *err)
{
    const json_t *v = json_object_get(obj, key);
    *present = 0;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v) || sr_parse_color(json_string_value(v), out))
        return field_err(err, pfx, key, "is not a colour");
    *present = 1;
    return 0;
}

/* A fraction from a number (0.25) or a percentage string ("25%"). */
static int get_fraction(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return isfinite(*out) ? 0 : -1;
    }
    if (json_is_string(v)) return sr_parse_percent(v, out);
    return -1;
}

/* Resolves fontStyle js (may be NULL) onto st, which holds the defaults.
 * pfx names the style in errors ("elements[2].style"). */
static int parse_style(sr_text *tx, const json_t *js, double def_size, int is_sub, const char *pfx,
                       tx_style *st, sr_err *err)
{
    int rc = 0, present;
    double size = def_size;
    const json_t *v;
    if (js && !json_is_object(js)) return field_err(err, pfx, "", "is not an object");
    if ((v = json_object_get(js, "fontFamily")) && json_is_string(v) && *json_string_value(v)) {
        const char *s = json_string_value(v);
        size_t o = 0;
        for (; *s && o < TX_MAX_FAMILY; s++)
            if (*s != '\\' && *s != '{' && *s != '}' && (unsigned char)*s >= 0x20)
                st->family[o++] = *s;
        st->family[o] = 0;
        if (!o) snprintf(st->family, sizeof st->family, "DejaVu Sans");
    }
    if ((v = json_object_get(js, "fontSize")) && !json_is_null(v)) {
        if (!json_is_number(v) || json_number_value(v) < 1 ||
            json_number_value(v) > TX_MAX_FONT_SIZE)
            return field_err(err, pfx, "fontSize", "must be a number from 1 to 500");
        size = json_number_value(v);
    }
    if ((rc = get_color(js, "color", st->color, &present, pfx, err))) return rc;
    uint8_t bg[4] = {0, 0, 0, 0};
    int has_bg;
    if ((rc = get_color(js, "backgroundColor", bg, &has_bg, pfx, err))) return rc;
    if (is_sub) {
        if (json_is_true(json_object_get(js, "showBoxBackground"))) {
            if (!has_bg) memcpy(bg, (uint8_t[4]){0, 0, 0, 160}, 4);
            memcpy(st->box, bg, 4);
        }
    } else if (has_bg) {
        memcpy(st->box, bg, 4);
    }
    int has_sc;
    if ((rc = get_color(js, "shadowColor", st->outline, &has_sc, pfx, err))) return rc;
    double sw = has_sc ? 0.004 : 0;
    if ((v = json_object_get(js, "shadowWidth")) && !json_is_null(v)) {
        if (get_fraction(v, &sw) || sw < 0 || sw > 1)
            return field_err(err, pfx, "shadowWidth", "is not a percentage");
        if (!json_is_string(v)) sw /= 100; /* a bare number is a percentage too */
        if (sw > 0.05) sw = 0.05;
        if (!has_sc) memcpy(st->outline, (uint8_t[4]){0, 0, 0, 255}, 4);
    }
    st->outline_px = sw * tx->short_side;
    /* legible by default: a subtitle with no shadow and no box gets a solid
     * dark outline scaled with its font size (applied below, once em is known) */
    int auto_outline = (is_sub || json_is_true(json_object_get(js, "autoOutline"))) && !has_sc &&
                       !json_object_get(js, "shadowWidth") && !st->box[3];
    if (is_sub && (rc = get_color(js, "keywordColor", st->keyword, &present, pfx, err))) return rc;
    if ((v = json_object_get(js, "alignment")) && json_is_string(v)) {
        const char *a = json_string_value(v);
        if (!strcasecmp(a, "left"))
            st->halign = TX_H_LEFT;
        else if (!strcasecmp(a, "center") || !strcasecmp(a, "centre"))
            st->halign = TX_H_CENTER;
        else if (!strcasecmp(a, "right"))
            st->halign = TX_H_RIGHT;
        else
            return field_err(err, pfx, "alignment", "must be left, center or right");
    }
    if ((v = json_object_get(js, "fontWeight")) && !json_is_null(v)) { /* "Poppins Extrabold": 800 */
        if (!json_is_integer(v) || json_integer_value(v) < 100 || json_integer_value(v) > 900)
            return field_err(err, pfx, "fontWeight", "must be a weight from 100 to 900");
        st->bold = (int)json_integer_value(v);
    }
    if ((v = json_object_get(js, "decorations")) && json_is_array(v)) {
        size_t i;
        const json_t *d;
        json_array_foreach(v, i, d)
        {
            const char *s = json_string_value(d);
            if (!s) continue;
            if (!strcasecmp(s, "bold"))
                st->bold = st->bold > 1 ? (st->bold < 700 ? 700 : st->bold) : 1;
            else if (!strcasecmp(s, "italics") || !strcasecmp(s, "italic"))
                st->italic = 1;
            else if (!strcasecmp(s, "underline"))
                st->underline = 1;
            else if (!strcasecmp(s, "linethrough"))
                st->strike = 1;
        }
    }
    if ((v = json_object_get(js, "case")) && json_is_string(v)) {
        for (size_t i = 0; i < sizeof k_case / sizeof k_case[0]; i++)
            if (!strcasecmp(json_string_value(v), k_case[i].name)) st->text_case = k_case[i].mode;
    }
    /* bullets: a bullet before each line, bulletSize of the font size */
    st->bullet = json_is_true(json_object_get(js, "showBullet"));
    st->bullet_scale = 1.0;
    if ((v = json_object_get(js, "bulletSize")) && !json_is_null(v)) {
        if (get_fraction(v, &st->bullet_scale)) st->bullet_scale = -1;
        if (json_is_number(v)) st->bullet_scale /= 100; /* 100 = the font size */
        if (st->bullet_scale < 0.2 || st->bullet_scale > 3)
            return field_err(err, pfx, "bulletSize", "must be a percentage from 20% to 300%");
    }
    memcpy(st->bullet_c, st->color, 4);
    if ((rc = get_color(js, "bulletFillColor", st->bullet_c, &present, pfx, err))) return rc;
    memset(&st->anim, 0, sizeof st->anim);
    if (js && (rc = tx_anims_parse(js, pfx, &st->anim, err))) return rc;
    /* word-by-word captions: the spoken word in activeWordColor, popping to activeWordScale */
    st->anim.karaoke_scale = 1;
    int has_awc;
    uint8_t awc[4];
    if ((rc = get_color(js, "activeWordColor", awc, &has_awc, pfx, err))) return rc;
    if ((v = json_object_get(js, "activeWordScale")) && !json_is_null(v)) {
        if (!json_is_number(v) || json_number_value(v) < 1 || json_number_value(v) > 2)
            return field_err(err, pfx, "activeWordScale", "must be a number from 1 to 2");
        st->anim.karaoke_scale = json_number_value(v);
        if (!st->anim.karaoke) memcpy(st->anim.karaoke_c, st->color, 4); /* scale alone: the colour stays */
        st->anim.karaoke = 1;
    }
    if (has_awc) {
        memcpy(st->anim.karaoke_c, awc, 4);
        st->anim.karaoke = 1;
    }
    /* fontUrl: the family name read from the file (registered at create) */
    const char *url = json_string_value(json_object_get(js, "fontUrl"));
    if (url && *url) {
        const char *fam = tx_fonts_file_family(tx->fonts, url);
        if (!fam) return field_err(err, pfx, "fontUrl", "is not a font file that can be read");
        snprintf(st->family, sizeof st->family, "%s", fam);
    }
    st->em = size * 4.0 / 3.0 * tx->short_side / 720.0;
    st->ass_size = st->em * tx_fonts_ratio(tx->fonts, st->family);
    /* no user colour may pass for an emoji placeholder's (text_emoji.c) */
    uint8_t *cols[] = {st->color, st->outline, st->box, st->keyword, st->bullet_c, st->anim.karaoke_c};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (cols[i][0] == TX_EMOJI_R && cols[i][1] == TX_EMOJI_G) cols[i][1]++;
    if (auto_outline) {
        memcpy(st->outline, (uint8_t[4]){0, 0, 0, 255}, 4);
        st->outline_px = fmax(TX_AUTO_OUTLINE_MIN_PX, TX_AUTO_OUTLINE_EM * st->em);
    }
    return 0;
}

static void style_defaults(tx_style *st)
{
    memset(st, 0, sizeof *st);
    snprintf(st->family, sizeof st->family, "DejaVu Sans");
    memcpy(st->color, (uint8_t[4]){255, 255, 255, 255}, 4);
    st->halign = TX_H_CENTER;
}

/* The 9-grid box of width bw: a margin of 5% of the short side from the edges. */
static void grid_place(const sr_text *tx, int hcol, int vrow, double bw, tx_place *pl)
{
    double m = 0.05 * tx->short_side;
    pl->w = bw;
    pl->x = hcol == TX_H_LEFT ? m : hcol == TX_H_RIGHT ? tx->w - m - bw : (tx->w - bw) / 2;
    pl->vrow = vrow;
    pl->y = vrow == TX_V_TOP ? m : vrow == TX_V_BOTTOM ? tx->h - m : tx->h / 2.0;
}

/* ---- scene text elements ---------------------------------------------- */

static int get_time(const json_t *obj, const char *key, double *out, int required, const char *pfx,
                    sr_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) return field_err(err, pfx, key, "is missing");
        return 0;
    }
    double d = json_number_value(v);
    if (!json_is_number(v) || !isfinite(d) || d < 0 || d > 86400)
        return field_err(err, pfx, key, "must be a number of seconds from 0 to 86400");
    *out = d;
    return 0;
}

static int check_text(const char *s, const char *pfx, sr_err *err)
{
    if (strlen(s) > TX_MAX_TEXT_BYTES) {
        char f[160];
        snprintf(f, sizeof f, "%s.text", pfx);
        return sr_err_set(err, SR_ELIMIT, f, "%s is longer than 2,000 characters.", f);
    }
    return 0;
}

static tx_layer *scene_layer(sr_text *tx, int scene)
{
    int idx = scene + 1;
    if (idx < 0 || idx >= tx->n_scenes) return NULL;
    return &tx->scenes[idx];
}

static int add_element(sr_text *tx, const json_t *el, int index, sr_err *err)
{
    char pfx[64];
    snprintf(pfx, sizeof pfx, "elements[%d]", index);
    const json_t *v;
    const char *text = json_string_value(json_object_get(el, "text"));
    if (!text) return field_err(err, pfx, "text", "must be a string");
    int rc = check_text(text, pfx, err);
    if (rc) return rc;
    if (!*text) return 0;
    double start = 0, dur = 0;
    if ((rc = get_time(el, "startTime", &start, 1, pfx, err))) return rc;
    if ((rc = get_time(el, "duration", &dur, 1, pfx, err))) return rc;
    if (dur <= 0) return 0;
    int scene = -1;
    if ((v = json_object_get(el, "sceneIndex")) && json_is_integer(v)) {
        json_int_t s = json_integer_value(v);
        if (s < -1 || s >= TX_MAX_SCENES)
            return field_err(err, pfx, "sceneIndex", "is out of range");
        scene = (int)s;
    }
    /* variant defaults */
    double def_size = 20, def_width = 0.37;
    const char *def_pos = "center-center";
    const char *variant = json_string_value(json_object_get(el, "textVariant"));
    for (size_t i = 0; variant && i < sizeof k_variant / sizeof k_variant[0]; i++)
        if (!strcasecmp(variant, k_variant[i].name)) {
            def_size = k_variant[i].size;
            def_pos = k_variant[i].position;
            def_width = k_variant[i].width;
        }
    const json_t *js = json_object_get(el, "style");
    /* placement */
    const char *pos = json_string_value(json_object_get(el, "position"));
    if (!pos) pos = json_string_value(json_object_get(js, "position"));
    const json_t *jl = json_object_get(el, "left"), *jt = json_object_get(el, "top");
    int explicit_xy = jl || jt;
    double left = 0, top = 0, width = -1;
    if (explicit_xy) {
        if (jl && (get_fraction(jl, &left) || left < 0 || left > 1))
            return field_err(err, pfx, "left", "must be a fraction from 0 to 1");
        if (jt && (get_fraction(jt, &top) || top < 0 || top > 1))
            return field_err(err, pfx, "top", "must be a fraction from 0 to 1");
    }
    if ((v = json_object_get(el, "width")) && !json_is_null(v)) {
        if (get_fraction(v, &width) || width <= 0 || width > 1)
            return field_err(err, pfx, "width", "must be a fraction above 0 and at most 1");
    }
    int hcol = TX_H_CENTER, vrow = TX_V_MIDDLE;
    if (!explicit_xy && grid_find(pos ? pos : def_pos, &hcol, &vrow))
        return field_err(err, pfx, "position", "is not a 9-grid position");
    tx_style st;
    style_defaults(&st);
    st.halign = explicit_xy ? TX_H_LEFT : hcol; /* the style's alignment overrides */
    char spfx[80];
    snprintf(spfx, sizeof spfx, "%s.style", pfx);
    if ((rc = parse_style(tx, js, def_size, 0, spfx, &st, err))) return rc;
    if (width <= 0 && (v = json_object_get(js, "paragraphWidth")) && !json_is_null(v)) {
        /* the style's paragraph width when the element gives no width */
        if (get_fraction(v, &width)) width = -1;
        if (json_is_number(v) && width > 1) width /= 100;
        if (width <= 0 || width > 1)
            return field_err(err, spfx, "paragraphWidth",
                             "must be a percentage above 0% and at most 100%");
    }
    tx_place pl;
    if (explicit_xy) {
        pl.x = left * tx->w;
        pl.y = top * tx->h;
        pl.vrow = TX_V_TOP;
        pl.w = width > 0 ? width * tx->w : tx->w - pl.x - 0.05 * tx->short_side;
        if (pl.w < st.em * 1.5) pl.w = st.em * 1.5;
    } else {
        double bw = width > 0 ? width * tx->w
                              : (variant ? def_width * tx->w : tx->w - 0.1 * tx->short_side);
        grid_place(tx, hcol, vrow, bw, &pl);
    }
    tx_layer *L = scene_layer(tx, scene);
    if (!L) return field_err(err, pfx, "sceneIndex", "is out of range");
    if (!L->track && !(L->track = new_track(tx)))
        return sr_err_set(err, SR_ENOMEM, pfx, "Could not create a libass track.");
    long long s_ms = llround(start * 1000), d_ms = llround(dur * 1000);
    tx_block bk = {text, NULL, start};
    if ((rc = add_block(tx, L->track, s_ms, d_ms, &st, &pl, &bk)) ||
        (rc = layer_add_span(L, s_ms, s_ms + d_ms, st.em)))
        return sr_err_set(err, rc, pfx, "Out of memory while building the text.");
    return 0;
}

/* ---- subtitles --------------------------------------------------------- */

/* Lines libass makes of the block: the vertical extent of its glyph images
 * over the line pitch (ascender + descender + spacing), rounded so that a
 * line's ink of 0.1..0.5 pitch less than the pitch counts as one line. */
/* Renders the block still, once, off-screen: the bounds of its glyph
 * bitmaps (tight: of their inked pixels) into ink (x0 y0 x1 y1; x1 <= x0
 * when nothing is drawn). Returns 0, or -1 when out of memory. The caller
 * holds no lock: this runs while building. */
static int probe_ink(sr_text *tx, const tx_style *st, const tx_place *pl, const tx_block *bk,
                     double ink[4], int tight)
{
    tx_style ps = *st;
    ps.outline_px = 0;
    ps.box[3] = 0;
    ass_flush_events(tx->probe);
    int ml, mr;
    tx_event_margins(&ps, pl, tx->w, &ml, &mr);
    char *t = build_event_text(tx, &ps, pl, bk, 0);
    if (!t || add_event(tx->probe, 0, 1000, 0, 0, ml, mr, t)) return -1;
    ass_set_line_spacing(tx->rnd, 0.2 * ps.em);
    int chg;
    int top = tx->h * 4, bot = -tx->h * 4, left = tx->w * 4, right = -tx->w * 4;
    for (ASS_Image *im = ass_render_frame(tx->rnd, tx->probe, 0, &chg); im; im = im->next) {
        /* the inked pixels, not the bitmap's (padded) bounds */
        for (int y = 0; y < im->h; y++)
            for (int x = 0; x < im->w; x++) {
                if (tight && im->bitmap[(size_t)y * (size_t)im->stride + (size_t)x] < 16) continue;
                if (im->dst_y + y < top) top = im->dst_y + y;
                if (im->dst_y + y + 1 > bot) bot = im->dst_y + y + 1;
                if (im->dst_x + x < left) left = im->dst_x + x;
                if (im->dst_x + x + 1 > right) right = im->dst_x + x + 1;
            }
    }
    ink[0] = left;
    ink[1] = top;
    ink[2] = right;
    ink[3] = bot;
    if (bot <= top || right <= left) ink[0] = ink[1] = ink[2] = ink[3] = 0;
    return 0;
}

/* Lines libass makes of the block: the vertical extent of its glyph images
 * over the line pitch (ascender + descender + spacing), rounded so that a
 * line's ink of 0.1..0.5 pitch less than the pitch counts as one line. */
static int probe_lines(sr_text *tx, const tx_style *st, const tx_place *pl, const tx_block *bk)
{
    double ink[4];
    if (probe_ink(tx, st, pl, bk, ink, 0) < 0) return -1;
    if (ink[3] <= ink[1]) return 0;
    double pitch = st->ass_size + 0.2 * st->em;
    return (int)floor((ink[3] - ink[1]) / pitch + 0.8);
}

static int add_cue(sr_text *tx, const json_t *cue, int index, sr_err *err)
{
    char pfx[64];
    snprintf(pfx, sizeof pfx, "subtitles[%d]", index);
    if (!json_is_object(cue)) return field_err(err, pfx, "", "is not an object");
    if (json_is_true(json_object_get(cue, "hidden"))) return 0;
    const char *text = json_string_value(json_object_get(cue, "text"));
    if (!text) return field_err(err, pfx, "text", "must be a string");
    int rc = check_text(text, pfx, err);
    if (rc) return rc;
    double start = 0, end = 0;
    if ((rc = get_time(cue, "startTime", &start, 1, pfx, err))) return rc;
    if ((rc = get_time(cue, "endTime", &end, 1, pfx, err))) return rc;
    if (!*text || end <= start) return 0;
    int max_lines = 2;
    const json_t *v = json_object_get(cue, "maxLines");
    if (v && json_is_integer(v)) {
        json_int_t m = json_integer_value(v);
        if (m < 1 || m > 10) return field_err(err, pfx, "maxLines", "must be from 1 to 10");
        max_lines = (int)m;
    }
    const json_t *js = json_object_get(cue, "style");
    char spfx[80];
    snprintf(spfx, sizeof spfx, "%s.style", pfx);
    tx_style st;
    style_defaults(&st);
    const char *pos = js ? json_string_value(json_object_get(js, "position")) : NULL;
    int hcol = TX_H_CENTER, vrow = TX_V_BOTTOM;
    if (pos && grid_find(pos, &hcol, &vrow))
        return field_err(err, spfx, "position", "is not a 9-grid position");
    st.halign = hcol; /* the style's alignment overrides */
    if ((rc = parse_style(tx, js, 24, 1, spfx, &st, err))) return rc;
    double pw = 0.8;
    if (js && (v = json_object_get(js, "paragraphWidth")) && !json_is_null(v)) {
        if (get_fraction(v, &pw)) pw = -1;
        if (json_is_number(v) && pw > 1) pw /= 100; /* 80 as well as 0.8 */
        if (pw <= 0 || pw > 1)
            return field_err(err, spfx, "paragraphWidth",
                             "must be a percentage above 0% and at most 100%");
    }
    tx_place pl;
    grid_place(tx, hcol, vrow, pw * tx->w, &pl);
    const json_t *words = json_object_get(cue, "words");
    tx_block bk = {text, json_is_array(words) ? words : NULL, start};
    /* shrink until libass's wrap fits maxLines */
    for (int step = 0; step < TX_MAX_CUE_SHRINK; step++) {
        int lines = probe_lines(tx, &st, &pl, &bk);
        if (lines < 0)
            return sr_err_set(err, SR_ENOMEM, pfx, "Out of memory while measuring a subtitle.");
        if (lines <= max_lines) break;
        st.em *= 0.9;
        st.ass_size *= 0.9;
        st.outline_px *= 0.9;
    }
    long long s_ms = llround(start * 1000), e_ms = llround(end * 1000);
    if ((rc = add_block(tx, tx->subs.track, s_ms, e_ms - s_ms, &st, &pl, &bk)) ||
        (rc = layer_add_span(&tx->subs, s_ms, e_ms, st.em)))
        return sr_err_set(err, rc, pfx, "Out of memory while building the subtitles.");
    return 0;
}

/* ---- create / destroy -------------------------------------------------- */

static void layer_free(tx_layer *L)
{
    if (L->track) ass_free_track(L->track);
    free(L->spans);
    memset(L, 0, sizeof *L);
}

void sr_text_destroy(sr_text *tx)
{
    if (!tx) return;
    for (int i = 0; i < tx->n_scenes; i++)
        layer_free(&tx->scenes[i]);
    free(tx->scenes);
    layer_free(&tx->subs);
    if (tx->probe) ass_free_track(tx->probe);
    if (tx->rnd) ass_renderer_done(tx->rnd);
    if (tx->lib) ass_library_done(tx->lib);
    tx_fonts_destroy(tx->fonts);
    tx_emoji_destroy(tx->emoji);
    pthread_mutex_destroy(&tx->lock);
    free(tx);
}

static int is_scene_text(const json_t *el)
{
    const char *et = json_string_value(json_object_get(el, "elementType"));
    return et && (strcmp(et, "SceneText") == 0 || strcmp(et, "SceneShape") == 0);
}

static int emit_shape_event(void *arg, long long start, long long dur, int box_pass, char *text)
{
    (void)box_pass;
    return add_event(arg, start, dur, 0, 0, 0, 0, text);
}

/* A SceneShape: vector-drawing events (one, or its animation's phases) on its
 * scene's track (text_shape.c). */
static int add_shape(sr_text *tx, const json_t *el, int index, sr_err *err)
{
    char pfx[64];
    snprintf(pfx, sizeof pfx, "elements[%d]", index);
    double start = 0, dur = 0;
    int rc;
    if ((rc = get_time(el, "startTime", &start, 1, pfx, err)) || (rc = get_time(el, "duration", &dur, 1, pfx, err)))
        return rc;
    json_int_t s = json_integer_value(json_object_get(el, "sceneIndex"));
    tx_layer *L = scene_layer(tx, json_is_integer(json_object_get(el, "sceneIndex")) ? (int)s : -1);
    if (!L) return field_err(err, pfx, "sceneIndex", "is out of range");
    if (dur <= 0) return 0;
    if (!L->track && !(L->track = new_track(tx))) return sr_err_set(err, SR_ENOMEM, pfx, "Out of memory.");
    long long s_ms = llround(start * 1000), d_ms = llround(dur * 1000);
    if ((rc = tx_shape_events(el, tx->w, tx->h, pfx, s_ms, s_ms + d_ms, emit_shape_event, L->track, err)))
        return rc;
    if ((rc = layer_add_span(L, s_ms, s_ms + d_ms, 1)))
        return sr_err_set(err, rc, pfx, "Out of memory while building the shape.");
    return 0;
}

/* Hands font file path to libass (which keeps a copy). */
static void ass_font_file(void *arg, const char *path)
{
    sr_text *tx = arg;
    FILE *fp = fopen(path, "rb");
    if (!fp) return;
    char *data = NULL;
    long n = -1;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && n <= TX_MAX_FONT_BYTES &&
        fseek(fp, 0, SEEK_SET) == 0 && (data = malloc((size_t)n)) &&
        fread(data, 1, (size_t)n, fp) == (size_t)n)
        ass_add_font(tx->lib, path, data, (int)n);
    free(data);
    fclose(fp);
}

/* Before libass's font setup: registers a style's fontUrl (fontconfig for
 * metrics, libass for drawing), and the files of its fontFamily found in the
 * font folder (libass's own fontconfig does not know the folder). done holds
 * the families already handed over. */
static void add_style_fonts(sr_text *tx, const json_t *style, char done[][TX_MAX_FAMILY + 1], int *ndone)
{
    const char *url = json_string_value(json_object_get(style, "fontUrl"));
    if (url && *url && !tx_fonts_file_family(tx->fonts, url) && tx_fonts_add_file(tx->fonts, url))
        ass_font_file(tx, url);
    const char *fam = json_string_value(json_object_get(style, "fontFamily"));
    if (!fam || !*fam || strlen(fam) > TX_MAX_FAMILY || *ndone >= TX_MAX_STYLE_FAMILIES) return;
    for (int i = 0; i < *ndone; i++)
        if (!strcasecmp(done[i], fam)) return;
    snprintf(done[(*ndone)++], TX_MAX_FAMILY + 1, "%s", fam);
    tx_fonts_folder_files(tx->fonts, fam, ass_font_file, tx);
}

/* The timeline's "language" (BCP 47, "de", "tr-TR", "pt_BR"): the rules of
 * letter case. Absent: the root rules. */
static int read_language(sr_text *tx, const json_t *rp, sr_err *err)
{
    const json_t *v = json_object_get(rp, "language");
    if (!v || json_is_null(v)) return 0;
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    int ok = s && n <= TX_MAX_LANG;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
             s[i] == '-' || s[i] == '_';
    if (!ok)
        return sr_err_set(err, SR_EINVALID_FIELD, "language",
                          "language must be a language tag like \"de\" or \"tr-TR\" (at most %d characters).",
                          TX_MAX_LANG);
    memcpy(tx->lang, s, n + 1);
    return 0;
}

int sr_text_create(sr_text **out, const json_t *rp, int w, int h, const char *fonts_dir,
                   sr_err *err)
{
    if (!fonts_dir) fonts_dir = sr_fonts_dir(); /* the project's font folder */
    int rc = 0;
    *out = NULL;
    if (w < 16 || h < 16 || w > 16384 || h > 16384)
        return sr_err_set(err, SR_EINVALID_FIELD, "output", "The output size is out of range.");
    sr_text *tx = calloc(1, sizeof *tx);
    if (!tx) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    pthread_mutex_init(&tx->lock, NULL);
    tx->w = w;
    tx->h = h;
    tx->short_side = w < h ? w : h;
    if ((rc = read_language(tx, rp, err))) goto fail;
    tx->emoji = tx_emoji_create(); /* NULL when no colour emoji font is installed */
    tx->fonts = tx_fonts_create(fonts_dir);
    tx->lib = ass_library_init();
    if (!tx->fonts || !tx->lib) {
        rc = sr_err_set(err, SR_EFONT, "", "The text renderer (libass) could not be initialised.");
        goto fail;
    }
    ass_set_message_cb(tx->lib, on_ass_msg, tx);
    /* the font folder reaches libass through add_style_fonts (only the used
     * families; ass_set_fonts_dir would read every file, and chokes on folders) */
    {
        char done[TX_MAX_STYLE_FAMILIES][TX_MAX_FAMILY + 1];
        int ndone = 0;
        const json_t *el;
        size_t k;
        json_array_foreach(json_object_get(rp, "elements"), k, el)
            add_style_fonts(tx, json_object_get(el, "style"), done, &ndone);
        json_array_foreach(json_object_get(rp, "subtitles"), k, el)
            add_style_fonts(tx, json_object_get(el, "style"), done, &ndone);
    }
    tx->rnd = ass_renderer_init(tx->lib);
    if (!tx->rnd) {
        rc = sr_err_set(err, SR_EFONT, "", "The text renderer (libass) could not be initialised.");
        goto fail;
    }
    ass_set_frame_size(tx->rnd, w, h);
    ass_set_storage_size(tx->rnd, w, h);
    /* Bounded caches: libass keeps up to 128 MB of bitmaps by default, which
     * a long video with many cues fills, so memory would grow with length.
     * A cue is drawn for seconds at a time; a small cache loses nothing. */
    ass_set_cache_limits(tx->rnd, 1024, 16);
    ass_set_shaper(tx->rnd, ASS_SHAPING_COMPLEX);
    ass_set_hinting(tx->rnd, ASS_HINTING_NONE);
    ass_set_fonts(tx->rnd, NULL, "DejaVu Sans", ASS_FONTPROVIDER_AUTODETECT, NULL, 1);

    /* scene layers */
    const json_t *els = json_object_get(rp, "elements"), *el;
    int max_scene = -1;
    size_t i;
    json_array_foreach(els, i, el)
    {
        json_int_t s = json_integer_value(json_object_get(el, "sceneIndex"));
        if (is_scene_text(el) && s > max_scene && s < TX_MAX_SCENES) max_scene = (int)s;
    }
    tx->n_scenes = max_scene + 2;
    tx->scenes = calloc((size_t)tx->n_scenes, sizeof *tx->scenes);
    tx->subs.track = new_track(tx);
    tx->probe = new_track(tx);
    if (!tx->scenes || !tx->subs.track || !tx->probe) {
        rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory while setting up text.");
        goto fail;
    }
    json_array_foreach(els, i, el)
    {
        if (!is_scene_text(el)) continue;
        const char *et = json_string_value(json_object_get(el, "elementType"));
        if ((rc = strcmp(et, "SceneShape") ? add_element(tx, el, (int)i, err) : add_shape(tx, el, (int)i, err)))
            goto fail;
    }
    const json_t *subs = json_object_get(rp, "subtitles"), *cue;
    json_array_foreach(subs, i, cue)
    {
        if ((rc = add_cue(tx, cue, (int)i, err))) goto fail;
    }
    *out = tx;
    return 0;
fail:
    sr_text_destroy(tx);
    return rc;
}

/* ---- drawing ----------------------------------------------------------- */

static void blend_images(const sr_text *tx, sr_frame *f, const ASS_Image *im)
{
    for (; im; im = im->next) {
        if (im->w <= 0 || im->h <= 0) continue;
        uint32_t c = im->color;
        if (tx_emoji_draw(tx->emoji, f, im->dst_x, im->dst_y, im->bitmap, im->stride, im->w, im->h, c)) continue;
        int a = 255 - (int)(c & 0xFF);
        if (a <= 0) continue;
        uint8_t y, u, v;
        sr_rgb_to_yuv((int)(c >> 24), (int)((c >> 16) & 0xFF), (int)((c >> 8) & 0xFF), &y, &u, &v);
        sr_frame_blend_mask(f, im->dst_x, im->dst_y, im->bitmap, im->stride, im->w, im->h, y, u, v,
                            a);
    }
}

static int draw_layer(sr_text *tx, tx_layer *L, sr_frame *f, double t)
{
    if (!L || !L->track || !L->n) return 0;
    if (f->w != tx->w || f->h != tx->h) return SR_EINTERNAL;
    if (!isfinite(t) || t < 0) return 0;
    long long now = llround(t * 1000);
    double em = 0;
    for (int i = 0; i < L->n; i++)
        if (L->spans[i].start <= now && now < L->spans[i].end && L->spans[i].em > em)
            em = L->spans[i].em;
    if (em <= 0) return 0; /* nothing visible: skip libass entirely */
    pthread_mutex_lock(&tx->lock);
    ass_set_line_spacing(tx->rnd, 0.2 * em);
    int chg;
    blend_images(tx, f, ass_render_frame(tx->rnd, L->track, now, &chg));
    pthread_mutex_unlock(&tx->lock);
    return 0;
}

int sr_text_draw_scene(sr_text *tx, sr_frame *f, double t, int scene)
{
    return draw_layer(tx, scene_layer(tx, scene), f, t);
}

int sr_text_draw_subtitles(sr_text *tx, sr_frame *f, double t)
{
    return draw_layer(tx, &tx->subs, f, t);
}
