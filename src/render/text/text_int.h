/* text_int.h - internals of the text module shared by its .c files and its
 * tests: the resolved style of one text block, the ASS text builder, font
 * metrics, and counters a test can read. Not part of the engine's API. */
#ifndef SR_TEXT_INT_H
#define SR_TEXT_INT_H

#include <locale.h>
#include <stdint.h>

#include "common/util.h"
#include "render/text/text.h"

/* Bounds on untrusted input. */
#define TX_MAX_TEXT_BYTES 16000  /* 2,000 characters of up to 4 bytes, with slack */
#define TX_MAX_FAMILY 64         /* bytes of a font family name */
#define TX_MAX_SCENES 10000      /* highest sceneIndex + 1 */
#define TX_MAX_EVENT_BYTES 65536 /* one generated ASS event */
#define TX_MAX_FONT_SIZE 500     /* fontSize in points on the 720-px canvas */
#define TX_MAX_CUE_SHRINK 12     /* font-shrinking steps tried for a subtitle cue */

/* Letter case applied to user text. */
enum { TX_CASE_NONE, TX_CASE_UPPER, TX_CASE_LOWER, TX_CASE_CAPITALIZE };

/* Where a block of text goes: a 9-grid cell or an explicit top-left. */
enum { TX_H_LEFT, TX_H_CENTER, TX_H_RIGHT };
enum { TX_V_TOP, TX_V_MIDDLE, TX_V_BOTTOM };

/* A fontStyle resolved to pixels of the output frame. */
typedef struct tx_style {
    char family[TX_MAX_FAMILY + 1];
    double em;          /* glyph em in output pixels */
    double ass_size;    /* the ASS \fs giving that em (em x font's (asc+desc)/upem) */
    uint8_t color[4];   /* RGBA text fill */
    uint8_t box[4];     /* RGBA box behind the text; box[3] == 0: no box */
    uint8_t outline[4]; /* RGBA outline ("shadow"); used when outline_px > 0 */
    double outline_px;
    uint8_t keyword[4]; /* RGBA keyword colour (subtitles); keyword[3] == 0: none */
    int halign;         /* TX_H_*: alignment of the lines inside the box */
    int bold, italic, underline, strike;
    int text_case; /* TX_CASE_* */
} tx_style;

/* The layout box of a text block in output pixels: the box (padding
 * included) spans [x, x + w) horizontally; vertically it is anchored by vrow:
 * top edge at y (TX_V_TOP), centred on the frame (TX_V_MIDDLE), or bottom edge
 * at y (TX_V_BOTTOM). */
typedef struct tx_place {
    double x, w, y;
    int vrow;
} tx_place;

/* Letter-case state carried across the pieces of one text (capitalize). */
typedef struct tx_case_state {
    locale_t loc; /* a UTF-8 LC_CTYPE locale, or (locale_t)0 for ASCII-only mapping */
    int in_word;
} tx_case_state;

/* Appends n bytes of user text s to b as literal ASS text: braces and
 * backslashes cannot start override tags or escapes, "\n" becomes a line
 * break, other control characters become spaces, and the letter case is
 * applied. */
void tx_append_user_text(sr_buf *b, const char *s, size_t n, int text_case, tx_case_state *cs);

/* Appends the override block that sets up a text event: alignment, position
 * (from pl and the padding), font, size, colours, decorations. box_pass: the
 * block for the invisible-text event that draws only the box. */
void tx_append_event_tags(sr_buf *b, const tx_style *st, const tx_place *pl, int frame_h,
                          int box_pass);
/* Appends "{\1c&H..&\1a&H..&}" for colour rgba. */
void tx_append_color_tag(sr_buf *b, const uint8_t rgba[4]);
/* The event margins (left, right) that make libass wrap inside pl's box
 * minus its padding. */
void tx_event_margins(const tx_style *st, const tx_place *pl, int frame_w, int *ml, int *mr);

/* Font metrics: the ratio (ascender + descender) / units-per-em of the font
 * fontconfig picks for family, as libass sizes fonts by that sum. 1.0 when the
 * font cannot be found or read. */
typedef struct tx_fonts tx_fonts;
tx_fonts *tx_fonts_create(const char *fonts_dir);
double tx_fonts_ratio(tx_fonts *fo, const char *family);
void tx_fonts_destroy(tx_fonts *fo); /* accepts NULL */

/* Counters of libass's font messages since sr_text_create: glyphs that no
 * installed font has (libass drew a placeholder box), and fallback font
 * searches (a glyph missing from the requested family, then found in another
 * font). For tests. */
int sr_text_missing_glyphs(const sr_text *tx);
int sr_text_fallbacks(const sr_text *tx);

#endif
