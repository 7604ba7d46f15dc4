/* text_int.h - internals of the text module shared by its .c files and its
 * tests: the resolved style of one text block, the ASS text builder, font
 * metrics, and counters a test can read. Not part of the engine's API. */
#ifndef SR_TEXT_INT_H
#define SR_TEXT_INT_H

#include <stdint.h>

#include "common/util.h"
#include "render/text/text.h"

/* Bounds on untrusted input. */
#define TX_MAX_TEXT_BYTES 16000  /* 2,000 characters of up to 4 bytes, with slack */
#define TX_MAX_FAMILY 64         /* bytes of a font family name */
#define TX_MAX_LANG 35           /* bytes of the timeline's language tag */
#define TX_MAX_SCENES 10000      /* highest sceneIndex + 1 */
#define TX_MAX_EVENT_BYTES 65536 /* one generated ASS event */
#define TX_MAX_FONT_SIZE 500     /* fontSize in points on the 720-px canvas */
#define TX_MAX_FONT_BYTES (32L << 20) /* a fontUrl file */
#define TX_MAX_STYLE_FAMILIES 32 /* families looked up in the font folder per render */
#define TX_MAX_CUE_SHRINK 12     /* font-shrinking steps tried for a subtitle cue */

/* The default subtitle outline (no shadow, no box): of the em, at least 1 px. */
#define TX_AUTO_OUTLINE_EM 0.046
#define TX_AUTO_OUTLINE_MIN_PX 1.0

/* Letter case applied to user text. */
enum { TX_CASE_NONE, TX_CASE_UPPER, TX_CASE_LOWER, TX_CASE_CAPITALIZE, TX_CASE_SMALLCAPS };

/* Text animations (text_anim.c). */
enum {
    TXA_NONE,
    TXA_FADE,
    TXA_DRIFT,
    TXA_WIPE,
    TXA_REVEAL,
    TXA_ELASTIC,
    TXA_TYPEWRITER,
    TXA_BLUR,
    TXA_BULLETIN
};
enum { TXA_UP, TXA_DOWN, TXA_LEFT, TXA_RIGHT };
enum { TXA_WS_CHARACTER, TXA_WS_WORD, TXA_WS_LINE, TXA_WS_PARAGRAPH };
enum { TXA_FW_HIDDEN, TXA_FW_SUBTLE, TXA_FW_PROMINENT };

/* One entry or exit animation. */
typedef struct tx_anim1 {
    int kind;     /* TXA_*; TXA_NONE: none */
    double speed; /* duration multiplier: slow 1.6, medium 1, fast 0.6, custom 1/value */
    int dir;      /* TXA_UP ... */
    int ws;       /* TXA_WS_* */
    int fw;       /* TXA_FW_* */
} tx_anim1;

/* The animations of one text block. */
typedef struct tx_anims {
    tx_anim1 entry, exit;
    int karaoke;          /* highlight the spoken word (subtitles' words[] times) */
    uint8_t karaoke_c[4]; /* its colour */
    double karaoke_scale; /* the spoken word's scale (activeWordScale), 1: none */
} tx_anims;

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
    int bold, italic, underline, strike; /* bold: 0, 1 (700) or a weight 100..900 (ASS \b) */
    int text_case; /* TX_CASE_* */
    int bullet;          /* showBullet: a bullet before each line */
    double bullet_scale; /* bulletSize: of the font size, 1 = 100% */
    uint8_t bullet_c[4]; /* bulletFillColor (default: the text colour) */
    tx_anims anim;
} tx_style;

/* The layout box of a text block in output pixels: the box (padding
 * included) spans [x, x + w) horizontally; vertically it is anchored by vrow:
 * top edge at y (TX_V_TOP), centred on the frame (TX_V_MIDDLE), or bottom edge
 * at y (TX_V_BOTTOM). */
typedef struct tx_place {
    double x, w, y;
    int vrow;
} tx_place;

typedef struct tx_emoji tx_emoji;

/* State carried across the pieces of one text: letter case (capitalize,
 * small caps) and colour emoji. */
typedef struct tx_case_state {
    const char *lang; /* the ICU locale of the case rules ("de", "tr"; "" or NULL: root) */
    int in_word;
    int small; /* smallcaps: inside a run drawn at 80% */
    /* colour emoji (text_emoji.c): NULL draws emoji as plain text */
    tx_emoji *emoji;
    int box_pass;         /* the box event: placeholders keep the box's tags */
    const tx_style *st;   /* the block's style (outline restored after a placeholder) */
    const uint8_t *color; /* the fill colour in effect (restored after a placeholder) */
} tx_case_state;

/* ---- letter case (text_case.c, ICU) ---- */

/* s[0..n) (UTF-8) in upper case (TX_CASE_UPPER), lower case (TX_CASE_LOWER)
 * or title case (TX_CASE_CAPITALIZE) by the rules of ICU locale lang (NULL:
 * root): a new string (malloc'd, NUL-terminated, *out_len bytes), or NULL
 * when out of memory or too long (n > TX_MAX_TEXT_BYTES). */
char *tx_case_map(const char *s, size_t n, int mode, const char *lang, size_t *out_len);
/* 1 when cp is part of a word (a letter, digit or mark). */
int tx_is_letter(uint32_t cp);

/* ---- colour emoji (text_emoji.c) ---- */

/* The byte length of the emoji sequence (a pictograph with its variation
 * selector, skin tone, ZWJ sequence or tags, or a flag) that starts s[0..n)
 * and is drawn in colour; 0 when none starts there. */
int tx_emoji_len(const char *s, size_t n);
/* Appends, for the emoji s[0..n), an invisible square drawing one em wide
 * whose colour names the emoji's slot in cs->emoji (the glyph is drawn
 * there by tx_emoji_draw); plain text when the table is full. */
void tx_emoji_placeholder(sr_buf *b, tx_case_state *cs, const char *s, size_t n);
/* The table of the emoji a render's text uses, with the colour emoji font;
 * NULL when no colour emoji font is installed (emoji are then plain text). */
tx_emoji *tx_emoji_create(void);
/* A placeholder's fill colour: TX_EMOJI_R, TX_EMOJI_G, slot (its blue). */
#define TX_EMOJI_R 0x05
#define TX_EMOJI_G 0x0D
/* When libass image (dst_x, dst_y, mask, stride, w, h, color: RRGGBBAA, AA
 * the transparency) is a placeholder, draws its emoji into f and returns 1;
 * else 0 (a text image: blend it). */
int tx_emoji_draw(const tx_emoji *em, sr_frame *f, int dst_x, int dst_y, const uint8_t *mask, int stride, int w,
                  int h, uint32_t color);
void tx_emoji_destroy(tx_emoji *em); /* accepts NULL */

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
/* The same with a motion: move (may be NULL) = {dx0, dy0, dx1, dy1, t0_ms, t1_ms}
 * replaces \pos with \move from (x+dx0, y+dy0) to (x+dx1, y+dy1). */
void tx_append_event_tags_move(sr_buf *b, const tx_style *st, const tx_place *pl, int frame_h,
                               int box_pass, const double *move);
/* Appends a number with two decimals, independent of the locale. */
void tx_put_num(sr_buf *b, double v);

/* ---- animations (text_anim.c) ---- */

/* Parses fontStyle js's animations[] onto a (zeroed by the caller). pfx names
 * the style in errors. Returns 0 or SR_EINVALID_FIELD naming the entry. */
int tx_anims_parse(const json_t *js, const char *pfx, tx_anims *a, sr_err *err);

/* What one text block is made of, for the event builder. */
typedef struct tx_block_src {
    const tx_style *st;
    const tx_place *pl;
    int frame_w, frame_h;
    const char *text;    /* user text */
    const json_t *words; /* subtitles' words[] (keywords, karaoke, timing) or NULL */
    double t0;           /* the block's start on the timeline (s): words' times are absolute */
    const char *lang; /* case rules (tx_case_state.lang) */
    tx_emoji *emoji;  /* colour emoji table, or NULL */
    double ink[4]; /* x0, y0, x1, y1 of the drawn text (probe); x1 <= x0: unknown */
    /* A drawing instead of text (shape elements, text_shape.c): when set, the
     * block is one drawing animated as a text block's box (block animations
     * only, no box event), ink is its box, and each event's text is
     * drawing(drawing_arg, move, tags): move as for
     * tx_append_event_tags_move (may be NULL), tags the animation's override
     * tags without braces. NULL from it: out of memory. */
    char *(*drawing)(void *arg, const double *move, const char *tags);
    void *drawing_arg;
} tx_block_src;

/* Receives one event: times in ms, ownership of text (malloc'd). */
typedef int (*tx_emit_fn)(void *arg, long long start, long long dur, int box_pass, char *text);

/* The ASS text of the block drawn still (no animation): probes and blocks
 * without animations. NULL when out of memory. */
char *tx_block_text(const tx_block_src *bs, int box_pass);
/* Emits the events that draw the block over [start, end) ms with its
 * animations: up to three phases (entry, hold, exit), each with a box event
 * (when the style has a box) and a text event. Returns 0 or what emit returned. */
int tx_anim_events(const tx_block_src *bs, long long start, long long end, tx_emit_fn emit,
                   void *arg);
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
/* Registers the font file at path (fontUrl) for metrics; returns its family
 * name (owned by fo), or NULL when the file is not a font FreeType reads.
 * At most 16 files; later ones are not registered (NULL). */
const char *tx_fonts_add_file(tx_fonts *fo, const char *path);
/* Calls fn for each file of family in the font folder (not system fonts),
 * at most TX_MAX_FOLDER_FILES; returns how many. */
#define TX_MAX_FOLDER_FILES 512
typedef void (*tx_font_file_fn)(void *arg, const char *path);
int tx_fonts_folder_files(tx_fonts *fo, const char *family, tx_font_file_fn fn, void *arg);
/* The family of a file registered with tx_fonts_add_file, or NULL. */
const char *tx_fonts_file_family(tx_fonts *fo, const char *path);

/* Counters of libass's font messages since sr_text_create: glyphs that no
 * installed font has (libass drew a placeholder box), and fallback font
 * searches (a glyph missing from the requested family, then found in another
 * font). For tests. */
int sr_text_missing_glyphs(const sr_text *tx);
int sr_text_fallbacks(const sr_text *tx);

#endif
