/* text_anim.c - fontStyle animations[] as libass override tags.
 *
 * A block (a scene text element or a subtitle cue) with animations is drawn
 * as up to three phases, each its own ASS event (plus its box event):
 * entry [start, start + Din), hold, and exit [end - Dout, end). When Din +
 * Dout is longer than the block, both shrink in proportion. Inside a phase
 * libass animates the tags below (times relative to the phase's start).
 *
 * Block animations (writingStyle is not used):
 *   fade        \fad(D,0) / \fad(0,D)
 *   drift       \move by 8% of the short side from (entry) / towards (exit)
 *               `direction`, with \fad
 *   wipe        an animated \clip over the drawn text: the visible part grows
 *               in `direction` (entry) or is erased in `direction` (exit)
 *   text reveal a fixed \clip over the text while the text slides in from
 *               behind its edge (\move by the text's height or width)
 *   elastic     \fscx/\fscy 0 -> 115% -> 95% -> 100% (exit: 115% -> 0)
 *   bulletin    the box wipes in over the first half (from `direction`,
 *               default right), then the text fades in; the exit reverses it
 * A drawing (a shape element, tx_block_src.drawing) gets the block tags of a
 * box: text_shape.c maps its animations to block ones beforehand.
 * Unit animations (writingStyle: character, word, line, paragraph):
 *   fade        each unit goes from its futureWords opacity (hidden 0,
 *               subtle 25%, prominent 50%) to full over its slot
 *   blur        the same, with \blur from 10 px to 0 (exit: to 10)
 *   typewriter  each unit appears at once at the start of its slot (exit:
 *               disappears, last unit first)
 *   A unit's slot is its share of the phase (units in order). For subtitle
 *   cues with writingStyle word, a word's slot starts at its words[].startTime
 *   (entry): the words appear in time with the voice.
 * karaoke (our addition): the word being spoken (words[] startTime..endTime)
 *   is drawn in the animation's `color` (default #FFD700). The style's
 *   activeWordColor / activeWordScale (word-by-word captions) turn it on too:
 *   the word takes that colour and pops to that scale over TXA_POP_MS (the
 *   line reflows around it), back to 100% when the word ends.
 *
 * Durations: block animations last slow 1.0 s, medium 0.6 s, fast 0.35 s,
 * custom 0.6 / customSpeedValue s. Unit animations give each unit slow 80
 * ms, medium 50 ms, fast 30 ms per character (x1/customSpeedValue), a word 4
 * and a line or paragraph 10 characters' time; an entry takes at most 60% of
 * the block. `line` units are the lines of the text as written (\n); libass's
 * own wrapping is not known here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/text/text_int.h"

#define TXA_MAX_UNITS 4096
#define TXA_MAX_WORDS 2000
#define TXA_BLOCK_MS 600.0    /* medium block animation */
#define TXA_CHAR_MS 50.0      /* medium unit time of one character */
#define TXA_DRIFT_FRAC 0.08   /* drift distance: fraction of the short side */
#define TXA_BLUR_PX 10        /* blur's start */
#define TXA_POP_MS 80         /* the active word's scale-up (activeWordScale) */

/* ---- the table ---------------------------------------------------------- */

enum { TXA_BLOCK, TXA_UNIT };

static const struct {
    const char *name;
    int kind;
    int scope;   /* TXA_BLOCK or TXA_UNIT */
    int def_ws;  /* default writingStyle */
    int def_dir; /* default direction */
} k_anims[] = {
    {"none", TXA_NONE, TXA_BLOCK, TXA_WS_PARAGRAPH, TXA_UP},
    {"fade", TXA_FADE, TXA_UNIT, TXA_WS_PARAGRAPH, TXA_UP},
    {"drift", TXA_DRIFT, TXA_BLOCK, TXA_WS_PARAGRAPH, TXA_UP},
    {"wipe", TXA_WIPE, TXA_BLOCK, TXA_WS_PARAGRAPH, TXA_RIGHT},
    {"text reveal", TXA_REVEAL, TXA_BLOCK, TXA_WS_PARAGRAPH, TXA_UP},
    {"elastic", TXA_ELASTIC, TXA_BLOCK, TXA_WS_PARAGRAPH, TXA_UP},
    {"typewriter", TXA_TYPEWRITER, TXA_UNIT, TXA_WS_CHARACTER, TXA_RIGHT},
    {"blur", TXA_BLUR, TXA_UNIT, TXA_WS_PARAGRAPH, TXA_UP},
    {"bulletin", TXA_BULLETIN, TXA_BLOCK, TXA_WS_PARAGRAPH, TXA_RIGHT},
};
#define N_ANIMS (sizeof k_anims / sizeof k_anims[0])

static const struct {
    const char *name;
    double mult;
} k_speeds[] = {{"slow", 1.0 / 0.6}, {"medium", 1.0}, {"fast", 0.35 / 0.6}, {"custom", 1.0}};

static const char *const k_dirs[] = {"up", "down", "left", "right", NULL};
static const char *const k_ws[] = {"character", "word", "line", "paragraph", NULL};
static const char *const k_fw[] = {"hidden", "subtle", "prominent", NULL};
static const double k_fw_opacity[] = {0.0, 0.25, 0.5};

static int anim_row(int kind)
{
    for (size_t i = 0; i < N_ANIMS; i++)
        if (k_anims[i].kind == kind) return (int)i;
    return 0;
}

static int is_unit_anim(const tx_anim1 *an)
{
    return an->kind != TXA_NONE && k_anims[anim_row(an->kind)].scope == TXA_UNIT;
}

static int aerr(sr_err *err, const char *pfx, int i, const char *key, const char *what)
{
    char f[200];
    snprintf(f, sizeof f, "%s.animations[%d]%s%s", pfx, i, *key ? "." : "", key);
    return sr_err_set(err, SR_EINVALID_FIELD, f, "%s %s.", f, what);
}

/* Index of string v in names (NULL-terminated), def when absent, -1 when not found. */
static int pick(const json_t *v, const char *const *names, int def)
{
    if (!v || json_is_null(v)) return def;
    const char *s = json_string_value(v);
    if (!s) return -1;
    for (int i = 0; names[i]; i++)
        if (!strcasecmp(s, names[i])) return i;
    return -1;
}

int tx_anims_parse(const json_t *js, const char *pfx, tx_anims *a, sr_err *err)
{
    const json_t *arr = json_object_get(js, "animations"), *it;
    if (!arr || json_is_null(arr)) return 0;
    if (!json_is_array(arr) || json_array_size(arr) > 3)
        return aerr(err, pfx, 0, "", "must be an array of at most one entry, one exit and karaoke");
    size_t i;
    json_array_foreach(arr, i, it)
    {
        int ix = (int)i;
        if (!json_is_object(it)) return aerr(err, pfx, ix, "", "is not an object");
        const char *name = json_string_value(json_object_get(it, "name"));
        if (!name) return aerr(err, pfx, ix, "name", "is missing");
        if (!strcasecmp(name, "karaoke")) {
            a->karaoke = 1;
            memcpy(a->karaoke_c, (uint8_t[4]){255, 215, 0, 255}, 4);
            const char *c = json_string_value(json_object_get(it, "color"));
            if (c && sr_parse_color(c, a->karaoke_c))
                return aerr(err, pfx, ix, "color", "is not a colour");
            continue;
        }
        int row = -1;
        for (size_t k = 0; k < N_ANIMS; k++)
            if (!strcasecmp(name, k_anims[k].name) ||
                (k_anims[k].kind == TXA_REVEAL && !strcasecmp(name, "textReveal")))
                row = (int)k;
        if (row < 0)
            return aerr(err, pfx, ix, "name",
                        "must be one of none fade drift wipe \"text reveal\" elastic typewriter "
                        "blur bulletin karaoke");
        const char *type = json_string_value(json_object_get(it, "type"));
        if (!type) type = "entry";
        tx_anim1 *one;
        if (!strcasecmp(type, "entry"))
            one = &a->entry;
        else if (!strcasecmp(type, "exit"))
            one = &a->exit;
        else
            return aerr(err, pfx, ix, "type", "must be entry or exit");
        if (one->kind != TXA_NONE) return aerr(err, pfx, ix, "type", "repeats an entry or exit");
        one->kind = k_anims[row].kind;
        one->speed = 1.0;
        const char *sp = json_string_value(json_object_get(it, "speed"));
        int sk = -1;
        for (size_t k = 0; sp && k < sizeof k_speeds / sizeof k_speeds[0]; k++)
            if (!strcasecmp(sp, k_speeds[k].name)) sk = (int)k;
        if (sp && sk < 0) return aerr(err, pfx, ix, "speed", "must be slow, medium, fast or custom");
        if (sk >= 0) one->speed = k_speeds[sk].mult;
        if (sp && !strcasecmp(sp, "custom")) {
            const json_t *cv = json_object_get(it, "customSpeedValue");
            double v = json_number_value(cv);
            if (!json_is_number(cv) || !isfinite(v) || v < 0.5 || v > 20)
                return aerr(err, pfx, ix, "customSpeedValue", "must be a number from 0.5 to 20");
            one->speed = 1.0 / v;
        }
        if ((one->dir = pick(json_object_get(it, "direction"), k_dirs, k_anims[row].def_dir)) < 0)
            return aerr(err, pfx, ix, "direction", "must be up, down, left or right");
        if ((one->ws = pick(json_object_get(it, "writingStyle"), k_ws, k_anims[row].def_ws)) < 0)
            return aerr(err, pfx, ix, "writingStyle", "must be character, word, line or paragraph");
        if ((one->fw = pick(json_object_get(it, "futureWords"), k_fw, TXA_FW_HIDDEN)) < 0)
            return aerr(err, pfx, ix, "futureWords", "must be hidden, subtle or prominent");
        if (one->kind == TXA_TYPEWRITER && one->ws == TXA_WS_PARAGRAPH) one->ws = TXA_WS_LINE;
    }
    return 0;
}

/* ---- pieces of the text ------------------------------------------------- */

typedef struct span {
    size_t a, b;      /* bytes [a, b) of the text */
    double t0, t1;    /* ms relative to the block (words: spoken; units: slot) */
    int keyword;
} span;

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Splits text into units of writing style ws; returns the count (<= max). */
static int split_units(const char *s, int ws, span *u, int max)
{
    size_t n = strlen(s), i = 0;
    int k = 0;
    while (i < n && k < max) {
        if (ws == TXA_WS_PARAGRAPH || ws == TXA_WS_LINE) {
            const char *e = ws == TXA_WS_LINE ? strchr(s + i, '\n') : strstr(s + i, "\n\n");
            size_t b = e ? (size_t)(e - s) : n;
            u[k++] = (span){i, b, 0, 0, 0};
            i = b + (e ? (ws == TXA_WS_LINE ? 1 : 2) : 0);
            continue;
        }
        if (is_space((unsigned char)s[i])) {
            i++;
            continue;
        }
        size_t b = i;
        if (ws == TXA_WS_CHARACTER) {
            uint32_t cp;
            int l = sr_utf8_next(s + i, &cp);
            b = i + (size_t)(l > 0 ? l : 1);
        } else {
            while (b < n && !is_space((unsigned char)s[b]))
                b++;
        }
        if (b > n) b = n;
        u[k++] = (span){i, b, 0, 0, 0};
        i = b;
    }
    return k;
}

/* Finds words[] in the text, in order; times relative to t0 (ms). */
static int find_words(const tx_block_src *bs, span *w, int max)
{
    if (!bs->words) return 0;
    size_t i, pos = 0;
    int k = 0;
    const json_t *wd;
    json_array_foreach(bs->words, i, wd)
    {
        if (k >= max) break;
        const char *t = json_string_value(json_object_get(wd, "text"));
        if (!t || !*t) continue;
        const char *hit = strstr(bs->text + pos, t);
        if (!hit) continue;
        size_t a = (size_t)(hit - bs->text);
        double ws = json_number_value(json_object_get(wd, "startTime"));
        double we = json_number_value(json_object_get(wd, "endTime"));
        w[k++] = (span){a, a + strlen(t), (ws - bs->t0) * 1000, (we - bs->t0) * 1000,
                        json_is_true(json_object_get(wd, "keyword"))};
        pos = a + strlen(t);
    }
    return k;
}

/* ---- writing one event --------------------------------------------------- */

static void put_alpha(sr_buf *b, const char *tag, int opacity255)
{
    if (opacity255 < 0) opacity255 = 0;
    if (opacity255 > 255) opacity255 = 255;
    sr_buf_printf(b, "\\%s&H%02X&", tag, 255 - opacity255);
}

static void put_c(sr_buf *b, const uint8_t c[4])
{
    sr_buf_printf(b, "\\1c&H%02X%02X%02X&", c[2], c[1], c[0]);
}

/* One event's plan: which animation runs in it and how. */
typedef struct phase {
    const tx_anim1 *an; /* NULL: hold */
    int exit;
    double off; /* ms: the phase's start relative to the block */
    double dur; /* ms */
    span *units;
    int nunits;
} phase;

/* The unit tags for unit u of a unit animation in phase ph (text pass). */
static void unit_tags(sr_buf *b, const tx_style *st, const phase *ph, const span *u, int idx)
{
    const tx_anim1 *an = ph->an;
    int full1 = st->color[3], full3 = st->outline[3];
    double lo = an->kind == TXA_TYPEWRITER ? 0 : k_fw_opacity[an->fw];
    long long t0 = llround(u->t0), t1 = llround(u->t1);
    if (an->kind == TXA_TYPEWRITER) {
        if (ph->exit) { /* last unit first */
            const span *m = &ph->units[ph->nunits - 1 - idx];
            t0 = llround(m->t0);
        }
        t1 = t0 + 1;
    }
    if (t1 <= t0) t1 = t0 + 1;
    int from1 = ph->exit ? full1 : (int)lround(full1 * lo), to1 = ph->exit ? (int)lround(full1 * lo) : full1;
    int from3 = ph->exit ? full3 : (int)lround(full3 * lo), to3 = ph->exit ? (int)lround(full3 * lo) : full3;
    sr_buf_append(b, "{", 1);
    put_alpha(b, "1a", from1);
    put_alpha(b, "3a", from3);
    if (an->kind == TXA_BLUR) sr_buf_printf(b, "\\blur%d", ph->exit ? 0 : TXA_BLUR_PX);
    sr_buf_printf(b, "\\t(%lld,%lld,", t0, t1);
    put_alpha(b, "1a", to1);
    put_alpha(b, "3a", to3);
    if (an->kind == TXA_BLUR) sr_buf_printf(b, "\\blur%d", ph->exit ? TXA_BLUR_PX : 0);
    sr_buf_append(b, ")}", 2);
}

/* The text of one event of phase ph (ph NULL: still). */
static char *event_text(const tx_block_src *bs, const phase *ph, int box_pass, const double *move,
                        const char *extra_tags, span *words, int nwords)
{
    const tx_style *st = bs->st;
    sr_buf b;
    sr_buf_init(&b, TX_MAX_EVENT_BYTES);
    tx_append_event_tags_move(&b, st, bs->pl, bs->frame_h, box_pass, move);
    if (extra_tags && *extra_tags) sr_buf_printf(&b, "{%s}", extra_tags);
    int units = ph && ph->an && !box_pass && is_unit_anim(ph->an) && ph->an->ws != TXA_WS_PARAGRAPH;
    int colour = !box_pass;
    int karaoke = colour && st->anim.karaoke;
    int pop = st->anim.karaoke && st->anim.karaoke_scale > 1.001; /* both passes: the box follows */
    tx_case_state cs = {bs->lang, 0, 0, bs->emoji, box_pass, st, st->color};
    const char *s = bs->text;
    size_t n = strlen(s), i = 0;
    int ui = 0, wi = 0, in_word = 0;
    double off = ph ? ph->off : 0;
    while (i < n) {
        /* tags at position i: unit, bullet, word */
        if (units && ui < ph->nunits && ph->units[ui].a == i) {
            unit_tags(&b, st, ph, &ph->units[ui], ui);
            ui++;
        }
        if (st->bullet && (i == 0 || s[i - 1] == '\n')) {
            sr_buf_append(&b, "{", 1);
            if (colour) put_c(&b, st->bullet_c);
            sr_buf_append(&b, "\\fscx", 5);
            tx_put_num(&b, st->bullet_scale * 100);
            sr_buf_append(&b, "\\fscy", 5);
            tx_put_num(&b, st->bullet_scale * 100);
            sr_buf_append(&b, "}\xE2\x80\xA2{\\fscx100\\fscy100", strlen("}\xE2\x80\xA2{\\fscx100\\fscy100"));
            if (colour) put_c(&b, st->color);
            sr_buf_append(&b, "} ", 2);
        }
        if (wi < nwords && in_word && words[wi].b == i) {
            if (colour) sr_buf_printf(&b, "{\\1c&H%02X%02X%02X&}", st->color[2], st->color[1], st->color[0]);
            if (pop) sr_buf_append(&b, "{\\fscx100\\fscy100}", 18);
            cs.color = st->color;
            in_word = 0;
            wi++;
        }
        if (wi < nwords && !in_word && words[wi].a == i) {
            in_word = 1;
            const uint8_t *base = words[wi].keyword && st->keyword[3] ? st->keyword : st->color;
            cs.color = base;
            if ((colour && (base != st->color || karaoke)) || pop) {
                sr_buf_append(&b, "{", 1);
                if (colour) put_c(&b, base);
                long long k0 = llround(words[wi].t0 - off), k1 = llround(words[wi].t1 - off);
                if (k1 <= k0) k1 = k0 + 1;
                if (karaoke) {
                    sr_buf_printf(&b, "\\t(%lld,%lld,", k0, k0 + 1);
                    put_c(&b, st->anim.karaoke_c);
                    sr_buf_printf(&b, ")\\t(%lld,%lld,", k1, k1 + 1);
                    put_c(&b, base);
                    sr_buf_append(&b, ")", 1);
                }
                if (pop) { /* the active word pops up to its scale, and back after it */
                    long long p0 = k0 + TXA_POP_MS < k1 ? k0 + TXA_POP_MS : k1;
                    sr_buf_printf(&b, "\\t(%lld,%lld,\\fscx", k0, p0);
                    tx_put_num(&b, st->anim.karaoke_scale * 100);
                    sr_buf_append(&b, "\\fscy", 5);
                    tx_put_num(&b, st->anim.karaoke_scale * 100);
                    sr_buf_printf(&b, ")\\t(%lld,%lld,\\fscx100\\fscy100)", k1, k1 + TXA_POP_MS);
                }
                sr_buf_append(&b, "}", 1);
            }
        }
        /* the run up to the next position where tags go */
        size_t next = n;
        if (units && ui < ph->nunits && ph->units[ui].a > i && ph->units[ui].a < next) next = ph->units[ui].a;
        if (wi < nwords) {
            size_t w = in_word ? words[wi].b : words[wi].a;
            if (w > i && w < next) next = w;
        }
        if (st->bullet) {
            const char *nl = memchr(s + i, '\n', next - i);
            if (nl && (size_t)(nl - s) + 1 < next) next = (size_t)(nl - s) + 1;
        }
        if (next <= i) next = i + 1;
        tx_append_user_text(&b, s + i, next - i, st->text_case, &cs);
        i = next;
    }
    if (b.failed || !b.p) {
        sr_buf_free(&b);
        return NULL;
    }
    return b.p;
}

char *tx_block_text(const tx_block_src *bs, int box_pass)
{
    span *w = NULL;
    int nw = 0;
    if (bs->words && (bs->st->keyword[3] || bs->st->anim.karaoke)) {
        w = calloc(TXA_MAX_WORDS, sizeof *w);
        if (!w) return NULL;
        nw = find_words(bs, w, TXA_MAX_WORDS);
    }
    char *t = event_text(bs, NULL, box_pass, NULL, NULL, w, nw);
    free(w);
    return t;
}

/* ---- phases --------------------------------------------------------------- */

static double unit_ms(const tx_anim1 *an)
{
    static const double per_ws[] = {1, 4, 10, 10}; /* characters' time per unit */
    return TXA_CHAR_MS * per_ws[an->ws] * an->speed;
}

/* The phase's wanted length (ms) for nunits units. */
static double want_ms(const tx_anim1 *an, int nunits)
{
    if (an->kind == TXA_NONE) return 0;
    if (is_unit_anim(an) && an->ws != TXA_WS_PARAGRAPH) return unit_ms(an) * (nunits > 0 ? nunits : 1);
    return TXA_BLOCK_MS * an->speed;
}

/* Tags of a block animation in a phase of length d (ms); may set *move. */
static void block_tags(const tx_block_src *bs, const tx_anim1 *an, int exit, int box_pass, double d,
                       sr_buf *t, double move[6], int *has_move)
{
    long long D = llround(d);
    const double *ink = bs->ink;
    double pad = 0.25 * bs->st->em + bs->st->outline_px + 2;
    double x0 = ink[0] - pad, y0 = ink[1] - pad, x1 = ink[2] + pad, y1 = ink[3] + pad;
    if (ink[2] <= ink[0]) { /* unknown: the layout box, whole frame height */
        x0 = bs->pl->x;
        x1 = bs->pl->x + bs->pl->w;
        y0 = 0;
        y1 = bs->frame_h;
    }
    int dir = an->dir;
    double dist = TXA_DRIFT_FRAC * (bs->frame_w < bs->frame_h ? bs->frame_w : bs->frame_h);
    double dx = dir == TXA_LEFT ? -1 : dir == TXA_RIGHT ? 1 : 0;
    double dy = dir == TXA_UP ? -1 : dir == TXA_DOWN ? 1 : 0;
    int kind = an->kind;
    if (kind == TXA_BULLETIN) {
        /* entry: the box wipes in over the first half, then the text fades in;
         * exit: the text fades out over the first half, then the box wipes out */
        long long h = D / 2 > 0 ? D / 2 : 1;
        if (box_pass) {
            kind = TXA_WIPE;
            if (!exit) D = h;
        } else {
            if (exit)
                sr_buf_printf(t, "\\t(0,%lld,\\alpha&HFF&)", h);
            else
                sr_buf_printf(t, "\\alpha&HFF&\\t(%lld,%lld,\\1a&H%02X&\\3a&H%02X&)", h, D,
                              255 - bs->st->color[3], 255 - bs->st->outline[3]);
            return;
        }
    }
    switch (kind) {
    case TXA_FADE:
        sr_buf_printf(t, exit ? "\\fad(0,%lld)" : "\\fad(%lld,0)", D);
        break;
    case TXA_BLUR:
        sr_buf_printf(t, "\\blur%d\\t(0,%lld,\\blur%d)", exit ? 0 : TXA_BLUR_PX, D, exit ? TXA_BLUR_PX : 0);
        sr_buf_printf(t, exit ? "\\fad(0,%lld)" : "\\fad(%lld,0)", D);
        break;
    case TXA_DRIFT:
        /* entry: from behind the direction of travel; exit: onwards */
        move[0] = exit ? 0 : -dx * dist;
        move[1] = exit ? 0 : -dy * dist;
        move[2] = exit ? dx * dist : 0;
        move[3] = exit ? dy * dist : 0;
        move[4] = 0;
        move[5] = (double)D;
        *has_move = 1;
        sr_buf_printf(t, exit ? "\\fad(0,%lld)" : "\\fad(%lld,0)", D);
        break;
    case TXA_REVEAL: {
        if (ink[2] > ink[0]) { /* the mask hugs the text */
            double p2 = bs->st->outline_px + 1 + (box_pass ? 0.25 * bs->st->em : 0);
            x0 = ink[0] - p2, y0 = ink[1] - p2, x1 = ink[2] + p2, y1 = ink[3] + p2;
        }
        double w = x1 - x0, h = y1 - y0;
        move[0] = exit ? 0 : -dx * w;
        move[1] = exit ? 0 : -dy * h;
        move[2] = exit ? dx * w : 0;
        move[3] = exit ? dy * h : 0;
        move[4] = 0;
        move[5] = (double)D;
        *has_move = 1;
        sr_buf_printf(t, "\\clip(%ld,%ld,%ld,%ld)", lround(x0), lround(y0), lround(x1), lround(y1));
        break;
    }
    case TXA_WIPE: {
        /* the visible rectangle: entry grows in dir, exit shrinks towards dir */
        double a[4] = {x0, y0, x1, y1}, z[4] = {x0, y0, x1, y1};
        if (dir == TXA_RIGHT) a[2] = x0, z[0] = x1;
        if (dir == TXA_LEFT) a[0] = x1, z[2] = x0;
        if (dir == TXA_DOWN) a[3] = y0, z[1] = y1;
        if (dir == TXA_UP) a[1] = y1, z[3] = y0;
        const double *from = exit ? (double[4]){x0, y0, x1, y1} : a;
        const double *to = exit ? z : (double[4]){x0, y0, x1, y1};
        sr_buf_printf(t, "\\clip(%ld,%ld,%ld,%ld)\\t(0,%lld,\\clip(%ld,%ld,%ld,%ld))", lround(from[0]),
                      lround(from[1]), lround(from[2]), lround(from[3]), D, lround(to[0]),
                      lround(to[1]), lround(to[2]), lround(to[3]));
        break;
    }
    case TXA_ELASTIC:
        if (exit)
            sr_buf_printf(t, "\\t(0,%lld,\\fscx115\\fscy115)\\t(%lld,%lld,\\fscx0\\fscy0)", D * 3 / 10,
                          D * 3 / 10, D);
        else
            sr_buf_printf(t,
                          "\\fscx0\\fscy0\\t(0,%lld,\\fscx115\\fscy115)\\t(%lld,%lld,\\fscx95\\fscy95)"
                          "\\t(%lld,%lld,\\fscx100\\fscy100)",
                          D * 6 / 10, D * 6 / 10, D * 8 / 10, D * 8 / 10, D);
        break;
    default:
        break;
    }
}

typedef struct emit_ctx {
    tx_emit_fn emit;
    void *arg;
} emit_ctx;

static int emit_phase(const tx_block_src *bs, const phase *ph, long long start, long long dur, span *w,
                      int nw, emit_ctx *ec)
{
    if (dur <= 0) return 0;
    for (int box_pass = 1; box_pass >= 0; box_pass--) {
        if (box_pass && !bs->st->box[3]) continue;
        sr_buf tags;
        sr_buf_init(&tags, 1024);
        sr_buf_append(&tags, "", 0);
        double move[6];
        int has_move = 0;
        const tx_anim1 *an = ph->an;
        if (an && an->kind != TXA_NONE) {
            if (is_unit_anim(an) && (an->ws != TXA_WS_PARAGRAPH || box_pass)) {
                if (box_pass) /* the box fades with the first unit */
                    sr_buf_printf(&tags, ph->exit ? "\\fad(0,%lld)" : "\\fad(%lld,0)",
                                  llround(ph->nunits ? ph->units[0].t1 - ph->units[0].t0 : ph->dur));
            } else { /* a drawing is animated as a box */
                block_tags(bs, an, ph->exit, box_pass || bs->drawing, ph->dur, &tags, move, &has_move);
            }
        }
        char *txt = tags.failed ? NULL
                    : bs->drawing ? bs->drawing(bs->drawing_arg, has_move ? move : NULL, tags.p)
                                  : event_text(bs, box_pass ? NULL : ph, box_pass, has_move ? move : NULL,
                                               tags.p, w, nw);
        sr_buf_free(&tags);
        if (!txt) return SR_ENOMEM;
        int rc = ec->emit(ec->arg, start, dur, box_pass, txt);
        if (rc) return rc;
    }
    return 0;
}

/* Slots of the units of a phase of length d: in order, evenly; for a
 * subtitle cue's word units at entry, from the words' start times. */
static void plan_units(const tx_block_src *bs, phase *ph, span *w, int nw, double scale)
{
    int n = ph->nunits;
    if (n <= 0) return;
    double slot = ph->dur / n;
    int timed = !ph->exit && ph->an->ws == TXA_WS_WORD && nw > 0;
    for (int i = 0; i < n; i++) {
        ph->units[i].t0 = i * slot;
        ph->units[i].t1 = (i + 1) * slot;
        if (!timed) continue;
        for (int k = 0; k < nw; k++)
            if (w[k].a <= ph->units[i].a && ph->units[i].a < w[k].b) {
                double t0 = w[k].t0 * scale;
                if (t0 < 0) t0 = 0;
                ph->units[i].t0 = t0;
                ph->units[i].t1 = t0 + unit_ms(ph->an) * scale;
                break;
            }
    }
    (void)bs;
}

int tx_anim_events(const tx_block_src *bs, long long start, long long end, tx_emit_fn emit, void *arg)
{
    const tx_anims *a = &bs->st->anim;
    emit_ctx ec = {emit, arg};
    long long total = end - start;
    if (total <= 0) return 0;
    span *w = calloc(TXA_MAX_WORDS, sizeof *w);
    span *ue = calloc(TXA_MAX_UNITS, sizeof *ue), *ux = calloc(TXA_MAX_UNITS, sizeof *ux);
    int rc = 0;
    if (!w || !ue || !ux) {
        rc = SR_ENOMEM;
        goto done;
    }
    int nw = find_words(bs, w, TXA_MAX_WORDS);
    phase pe = {&a->entry, 0, 0, 0, ue, 0}, px = {&a->exit, 1, 0, 0, ux, 0};
    if (is_unit_anim(&a->entry)) pe.nunits = split_units(bs->text, a->entry.ws, ue, TXA_MAX_UNITS);
    if (is_unit_anim(&a->exit)) px.nunits = split_units(bs->text, a->exit.ws, ux, TXA_MAX_UNITS);
    double din = want_ms(&a->entry, pe.nunits), dout = want_ms(&a->exit, px.nunits);
    if (is_unit_anim(&a->entry) && a->entry.ws == TXA_WS_WORD && nw > 0) { /* voice-timed */
        double last = 0;
        for (int k = 0; k < nw; k++)
            if (w[k].t0 > last) last = w[k].t0;
        din = last + unit_ms(&a->entry);
    } else if (din > 0.6 * total) {
        din = 0.6 * total;
    }
    double scale = 1;
    if (din + dout > total) {
        scale = total / (din + dout);
        din *= scale;
        dout *= scale;
    }
    long long din_ms = llround(din), dout_ms = llround(dout);
    if (din_ms + dout_ms > total) dout_ms = total - din_ms;
    pe.dur = (double)din_ms;
    px.dur = (double)dout_ms;
    px.off = (double)(total - dout_ms);
    plan_units(bs, &pe, w, nw, scale);
    plan_units(bs, &px, w, nw, 1);
    phase ph = {NULL, 0, (double)din_ms, 0, NULL, 0};
    if (din_ms > 0 && (rc = emit_phase(bs, &pe, start, din_ms, w, nw, &ec))) goto done;
    if ((rc = emit_phase(bs, &ph, start + din_ms, total - din_ms - dout_ms, w, nw, &ec))) goto done;
    if (dout_ms > 0) rc = emit_phase(bs, &px, end - dout_ms, dout_ms, w, nw, &ec);
done:
    free(w);
    free(ue);
    free(ux);
    return rc;
}

int sr_text_check_animations(const json_t *style, const char *pfx, sr_err *err)
{
    tx_anims a;
    memset(&a, 0, sizeof a);
    return tx_anims_parse(style, pfx, &a, err);
}
