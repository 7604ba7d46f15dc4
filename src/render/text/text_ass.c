/* text_ass.c - writing ASS event text: user text made literal (no user
 * character can open an override block or an escape), letter case, and the
 * override block that places and styles one text block.
 *
 * Numbers are printed with integer arithmetic so that no LC_NUMERIC setting
 * can turn "12.5" into "12,5" inside a tag. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/text/text_int.h"

/* ---- small writers ---------------------------------------------------- */

void tx_put_num(sr_buf *b, double v)
{
    if (!isfinite(v)) v = 0;
    if (v > 1e6) v = 1e6;
    if (v < -1e6) v = -1e6;
    long long c = llround(v * 100);
    const char *sign = c < 0 ? "-" : "";
    if (c < 0) c = -c;
    sr_buf_printf(b, "%s%lld.%02lld", sign, c / 100, c % 100);
}

#define put_num tx_put_num

static void put_utf8(sr_buf *b, uint32_t cp)
{
    char o[4];
    size_t n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sr_buf_append(b, o, n);
}

/* ASS colour and alpha: &HBBGGRR& and &HAA& with AA = 255 - opacity. */
static void put_color(sr_buf *b, const char *tag_c, const char *tag_a, const uint8_t c[4])
{
    sr_buf_printf(b, "\\%s&H%02X%02X%02X&\\%s&H%02X&", tag_c, c[2], c[1], c[0], tag_a, 255 - c[3]);
}

/* ---- user text -------------------------------------------------------- */

/* Appends code point cp as literal ASS text. */
static void put_literal(sr_buf *b, uint32_t cp)
{
    if (cp == '{' || cp == '}') {
        /* libass reads "\{" and "\}" as literal braces */
        sr_buf_append(b, "\\", 1);
        put_utf8(b, cp);
    } else if (cp == '\\') {
        /* a backslash followed by a WORD JOINER (invisible, no break):
         * nothing after it can form \N, \n, \h, \{ or \} */
        sr_buf_append(b, "\\\xE2\x81\xA0", 4);
    } else {
        put_utf8(b, cp);
    }
}

/* Appends the UTF-8 text m[0..n) literally. */
static void put_literal_str(sr_buf *b, const char *m, size_t n)
{
    for (size_t j = 0; j < n;) {
        uint32_t c;
        int l = sr_utf8_next(m + j, &c);
        j += l > 0 ? (size_t)l : 1;
        put_literal(b, c);
    }
}

/* The code point cp (its UTF-8 bytes u[0..k)) mapped by mode into out (malloc'd);
 * NULL when it maps to itself or cannot be mapped. */
static char *map_one(const char *u, int k, int mode, const char *lang, size_t *len)
{
    char *m = tx_case_map(u, (size_t)k, mode, lang, len);
    if (m && *len == (size_t)k && !memcmp(m, u, (size_t)k)) {
        free(m);
        return NULL;
    }
    return m;
}

void tx_append_user_text(sr_buf *b, const char *s, size_t n, int text_case, tx_case_state *cs)
{
    /* upper and lower case map the whole piece: context matters (final sigma) */
    char *whole = NULL;
    if (text_case == TX_CASE_UPPER || text_case == TX_CASE_LOWER) {
        size_t len = strnlen(s, n), ml;
        if ((whole = tx_case_map(s, len, text_case, cs->lang, &ml))) {
            s = whole;
            n = ml;
        }
        text_case = TX_CASE_NONE; /* mapped (or, out of memory, left as it is) */
    }
    size_t i = 0;
    while (i < n && s[i]) {
        uint32_t cp;
        const char *at = s + i;
        int k = sr_utf8_next(at, &cp);
        if (k <= 0) k = 1;
        if (i + (size_t)k > n) break; /* a code point cut by the piece's end */
        i += (size_t)k;
        if (cp == '\r') continue;
        if (cp == '\n') {
            sr_buf_append(b, "\\N", 2);
            cs->in_word = 0;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F) cp = ' ';
        if (cs->emoji && tx_emoji_len(at, n - (i - (size_t)k)) > 0) { /* a colour emoji (text_emoji.c) */
            int el = tx_emoji_len(at, n - (i - (size_t)k));
            tx_emoji_placeholder(b, cs, at, (size_t)el);
            i += (size_t)el - (size_t)k;
            cs->in_word = 0;
            continue;
        }
        int letter = tx_is_letter(cp);
        char *m = NULL;
        size_t ml = 0;
        if (text_case == TX_CASE_CAPITALIZE && letter && !cs->in_word) {
            m = map_one(at, k, TX_CASE_CAPITALIZE, cs->lang, &ml);
        } else if (text_case == TX_CASE_SMALLCAPS) {
            /* real small caps: a lower-case letter is drawn as its capital at 80% */
            m = map_one(at, k, TX_CASE_UPPER, cs->lang, &ml);
            int small = m != NULL;
            if (small != cs->small) {
                sr_buf_printf(b, small ? "{\\fscx80\\fscy80}" : "{\\fscx100\\fscy100}");
                cs->small = small;
            }
        }
        cs->in_word = letter || (cs->in_word && cp == '\'');
        if (m) put_literal_str(b, m, ml);
        else put_literal(b, cp);
        free(m);
    }
    if (cs->small) { /* close the run: whatever follows is full size */
        sr_buf_printf(b, "{\\fscx100\\fscy100}");
        cs->small = 0;
    }
    free(whole);
}

/* ---- tags ------------------------------------------------------------- */

static double pad_px(const tx_style *st)
{
    return 0.25 * st->em;
}

void tx_event_margins(const tx_style *st, const tx_place *pl, int frame_w, int *ml, int *mr)
{
    double pad = pad_px(st);
    double l = pl->x + pad, r = pl->x + pl->w - pad;
    if (r - l < st->em) { /* too narrow to hold a glyph: widen around the centre */
        double c = (l + r) / 2;
        l = c - st->em / 2;
        r = c + st->em / 2;
    }
    if (l < 0) l = 0;
    if (r > frame_w) r = frame_w;
    *ml = (int)lround(l);
    *mr = (int)lround(frame_w - r);
    if (*mr < 0) *mr = 0;
    /* libass takes a margin of 0 as "use the style's", which is also 0 */
}

void tx_append_color_tag(sr_buf *b, const uint8_t rgba[4])
{
    sr_buf_append(b, "{", 1);
    put_color(b, "1c", "1a", rgba);
    sr_buf_append(b, "}", 1);
}

void tx_append_event_tags(sr_buf *b, const tx_style *st, const tx_place *pl, int frame_h,
                          int box_pass)
{
    tx_append_event_tags_move(b, st, pl, frame_h, box_pass, NULL);
}

void tx_append_event_tags_move(sr_buf *b, const tx_style *st, const tx_place *pl, int frame_h,
                               int box_pass, const double *move)
{
    static const int an[3][3] = {{7, 8, 9}, {4, 5, 6}, {1, 2, 3}}; /* [vrow][halign] */
    double pad = pad_px(st);
    double x = st->halign == TX_H_LEFT    ? pl->x + pad
               : st->halign == TX_H_RIGHT ? pl->x + pl->w - pad
                                          : pl->x + pl->w / 2;
    double y = pl->vrow == TX_V_TOP      ? pl->y + pad
               : pl->vrow == TX_V_BOTTOM ? pl->y - pad
                                         : frame_h / 2.0;
    if (move) {
        sr_buf_printf(b, "{\\an%d\\move(", an[pl->vrow][st->halign]);
        put_num(b, x + move[0]);
        sr_buf_append(b, ",", 1);
        put_num(b, y + move[1]);
        sr_buf_append(b, ",", 1);
        put_num(b, x + move[2]);
        sr_buf_append(b, ",", 1);
        put_num(b, y + move[3]);
        sr_buf_printf(b, ",%lld,%lld", llround(move[4]), llround(move[5]));
    } else {
        sr_buf_printf(b, "{\\an%d\\pos(", an[pl->vrow][st->halign]);
        put_num(b, x);
        sr_buf_append(b, ",", 1);
        put_num(b, y);
    }
    sr_buf_printf(b, ")\\q0\\fn%s\\fs", st->family);
    put_num(b, st->ass_size);
    sr_buf_printf(b, "\\b%d\\i%d\\u%d\\s%d\\shad0", st->bold, st->italic, st->underline,
                  st->strike);
    if (box_pass) {
        uint8_t clear[4] = {0, 0, 0, 0};
        put_color(b, "1c", "1a", clear);
        put_color(b, "3c", "3a", st->box);
        sr_buf_append(b, "\\bord", 5);
        put_num(b, pad);
    } else {
        put_color(b, "1c", "1a", st->color);
        if (st->outline_px > 0) {
            put_color(b, "3c", "3a", st->outline);
            sr_buf_append(b, "\\bord", 5);
            put_num(b, st->outline_px);
        } else {
            sr_buf_append(b, "\\bord0", 6);
        }
    }
    sr_buf_append(b, "}", 1);
}
