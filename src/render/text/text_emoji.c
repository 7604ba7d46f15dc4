/* text_emoji.c - emoji in colour. libass draws outlines only, so a colour
 * emoji (Noto Color Emoji: CBDT bitmaps) is laid out by libass as an
 * invisible placeholder and drawn by us where libass put it:
 *
 *   - while the events are built, each emoji sequence in user text becomes
 *     a square vector drawing one em wide ({\p1}) whose fill colour is
 *     TX_EMOJI_R, TX_EMOJI_G, slot: the slot numbers the sequence in this
 *     table, which rasterises it once (HarfBuzz picks the glyph of a
 *     sequence, FreeType loads its colour bitmap with FT_LOAD_COLOR);
 *   - libass positions, scales, moves, clips and fades the square with the
 *     rest of the text (the caption's animation applies to it), and returns
 *     it as one image of that colour;
 *   - tx_emoji_draw, given such an image, draws the slot's bitmap into the
 *     square's box, its alpha times the square's coverage and opacity.
 *
 * The box pass of a block keeps the square (so the box spans the emoji);
 * emoji are plain text when no colour emoji font is installed or the table
 * is full. */
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ft.h>
#include <hb.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>

#include "render/text/text_int.h"

#define TX_EMOJI_MAX 256      /* distinct emoji sequences per render */
#define TX_EMOJI_SEQ 48       /* bytes of one sequence */
#define TX_EMOJI_MAX_PX 512   /* a rasterised bitmap's side */
#define TX_EMOJI_FAMILY "Noto Color Emoji"

typedef struct slot {
    char seq[TX_EMOJI_SEQ];
    uint8_t *bgra; /* premultiplied BGRA, w x h; NULL: could not be drawn */
    int w, h;
} slot;

struct tx_emoji {
    int tried;  /* the font was looked for */
    FT_Library ft;
    FT_Face face;
    hb_font_t *hb;
    slot slots[TX_EMOJI_MAX];
    int n;
};

/* ---- finding emoji ------------------------------------------------------- */

static int is_ri(uint32_t c)
{
    return c >= 0x1F1E6 && c <= 0x1F1FF;
}

static int is_keycap_base(uint32_t c)
{
    return (c >= '0' && c <= '9') || c == '#' || c == '*';
}

/* Reads the code point at s[i] (i < n); its length, 0 at the end. */
static int cp_at(const char *s, size_t n, size_t i, uint32_t *cp)
{
    if (i >= n || !s[i]) return 0;
    int k = sr_utf8_next(s + i, cp);
    if (k <= 0 || i + (size_t)k > n) return 0;
    return k;
}

int tx_emoji_len(const char *s, size_t n)
{
    uint32_t c, d;
    int k = cp_at(s, n, 0, &c);
    if (!k || (c < 0x80 && !is_keycap_base(c)) || (c >= 0x80 && c < 0xA9)) return 0;
    int k2 = cp_at(s, n, (size_t)k, &d);
    if (is_ri(c)) return k2 && is_ri(d) ? k + k2 : 0; /* a flag: two regional indicators */
    if (is_keycap_base(c)) { /* 1️⃣: digit, VS16, keycap */
        uint32_t e;
        int k3 = k2 ? cp_at(s, n, (size_t)(k + k2), &e) : 0;
        return d == 0xFE0F && k3 && e == 0x20E3 ? k + k2 + k3 : 0;
    }
    int presentation = u_hasBinaryProperty((UChar32)c, UCHAR_EMOJI_PRESENTATION);
    if (!presentation && !(u_hasBinaryProperty((UChar32)c, UCHAR_EMOJI) && k2 && d == 0xFE0F)) return 0;
    size_t i = (size_t)k;
    for (;;) { /* variation selector, skin tone, keycap, tags; ZWJ + another pictograph */
        int m = cp_at(s, n, i, &d);
        if (!m) break;
        if (d == 0xFE0F || d == 0x20E3 || u_hasBinaryProperty((UChar32)d, UCHAR_EMOJI_MODIFIER) ||
            (d >= 0xE0020 && d <= 0xE007F)) {
            i += (size_t)m;
            continue;
        }
        uint32_t e;
        int m2 = d == 0x200D ? cp_at(s, n, i + (size_t)m, &e) : 0;
        if (m2 && u_hasBinaryProperty((UChar32)e, UCHAR_EXTENDED_PICTOGRAPHIC)) {
            i += (size_t)(m + m2);
            continue;
        }
        break;
    }
    return i < TX_EMOJI_SEQ ? (int)i : 0;
}

/* ---- the table ------------------------------------------------------------ */

tx_emoji *tx_emoji_create(void)
{
    return calloc(1, sizeof(tx_emoji));
}

void tx_emoji_destroy(tx_emoji *em)
{
    if (!em) return;
    for (int i = 0; i < em->n; i++) free(em->slots[i].bgra);
    if (em->hb) hb_font_destroy(em->hb);
    if (em->face) FT_Done_Face(em->face);
    if (em->ft) FT_Done_FreeType(em->ft);
    free(em);
}

/* Opens the colour emoji font (once): fontconfig's match for the family. */
static int open_font(tx_emoji *em)
{
    if (em->tried) return em->hb != NULL;
    em->tried = 1;
    FcConfig *fc = FcInitLoadConfigAndFonts();
    FcPattern *p = FcNameParse((const FcChar8 *)TX_EMOJI_FAMILY);
    char *file = NULL;
    if (fc && p) {
        FcConfigSubstitute(fc, p, FcMatchPattern);
        FcDefaultSubstitute(p);
        FcResult r;
        FcPattern *m = FcFontMatch(fc, p, &r);
        FcChar8 *fam = NULL, *path = NULL;
        if (m && FcPatternGetString(m, FC_FAMILY, 0, &fam) == FcResultMatch &&
            !strcmp((const char *)fam, TX_EMOJI_FAMILY) && FcPatternGetString(m, FC_FILE, 0, &path) == FcResultMatch)
            file = strdup((const char *)path);
        if (m) FcPatternDestroy(m);
    }
    if (p) FcPatternDestroy(p);
    if (fc) FcConfigDestroy(fc);
    if (file && !FT_Init_FreeType(&em->ft) && !FT_New_Face(em->ft, file, 0, &em->face) && FT_HAS_COLOR(em->face)) {
        if (em->face->num_fixed_sizes > 0) FT_Select_Size(em->face, 0); /* bitmap strikes (CBDT) */
        else FT_Set_Pixel_Sizes(em->face, 0, 128);
        em->hb = hb_ft_font_create_referenced(em->face);
    }
    free(file);
    return em->hb != NULL;
}

/* Rasterises slot sl's sequence: its glyph (the first HarfBuzz gives). */
static void raster(tx_emoji *em, slot *sl)
{
    hb_buffer_t *buf = hb_buffer_create();
    hb_buffer_add_utf8(buf, sl->seq, -1, 0, -1);
    hb_buffer_guess_segment_properties(buf);
    hb_shape(em->hb, buf, NULL, 0);
    unsigned int ng = 0;
    hb_glyph_info_t *gi = hb_buffer_get_glyph_infos(buf, &ng);
    unsigned int gid = ng ? gi[0].codepoint : 0;
    hb_buffer_destroy(buf);
    if (!gid || FT_Load_Glyph(em->face, gid, FT_LOAD_COLOR)) return;
    FT_GlyphSlot g = em->face->glyph;
    if (g->format != FT_GLYPH_FORMAT_BITMAP && FT_Render_Glyph(g, FT_RENDER_MODE_NORMAL)) return;
    const FT_Bitmap *bm = &g->bitmap;
    if (bm->pixel_mode != FT_PIXEL_MODE_BGRA || !bm->width || !bm->rows || bm->width > TX_EMOJI_MAX_PX ||
        bm->rows > TX_EMOJI_MAX_PX)
        return;
    sl->bgra = malloc((size_t)bm->width * bm->rows * 4);
    if (!sl->bgra) return;
    for (unsigned int y = 0; y < bm->rows; y++)
        memcpy(sl->bgra + (size_t)y * bm->width * 4, bm->buffer + (ptrdiff_t)y * bm->pitch, (size_t)bm->width * 4);
    sl->w = (int)bm->width;
    sl->h = (int)bm->rows;
}

/* The slot of sequence s[0..n), added when new; -1 when it cannot be drawn. */
static int slot_of(tx_emoji *em, const char *s, size_t n)
{
    if (n >= TX_EMOJI_SEQ || !open_font(em)) return -1;
    for (int i = 0; i < em->n; i++)
        if (strlen(em->slots[i].seq) == n && !memcmp(em->slots[i].seq, s, n)) return em->slots[i].bgra ? i : -1;
    if (em->n >= TX_EMOJI_MAX) return -1;
    slot *sl = &em->slots[em->n];
    memcpy(sl->seq, s, n);
    sl->seq[n] = 0;
    raster(em, sl);
    em->n++;
    return sl->bgra ? em->n - 1 : -1;
}

void tx_emoji_placeholder(sr_buf *b, tx_case_state *cs, const char *s, size_t n)
{
    const tx_style *st = cs->st;
    int k = st ? slot_of(cs->emoji, s, n) : -1;
    if (k < 0) {
        sr_buf_append(b, s, n); /* no brace or backslash in an emoji sequence */
        return;
    }
    long e = lround(st->em);
    if (e < 1) e = 1;
    /* the square sits on the baseline; \pbo lowers it to span the text's height */
    if (cs->box_pass) {
        sr_buf_printf(b, "{\\p1\\pbo%ld}m 0 0 l %ld 0 %ld %ld 0 %ld{\\p0}", lround(0.2 * e), e, e, e, e);
        return;
    }
    sr_buf_printf(b, "{\\1c&H%02X%02X%02X&\\bord0\\p1\\pbo%ld}m 0 0 l %ld 0 %ld %ld 0 %ld{\\p0", k, TX_EMOJI_G,
                  TX_EMOJI_R, lround(0.2 * e), e, e, e, e);
    const uint8_t *c = cs->color ? cs->color : st->color;
    sr_buf_printf(b, "\\1c&H%02X%02X%02X&\\bord", c[2], c[1], c[0]);
    tx_put_num(b, st->outline_px);
    sr_buf_append(b, "}", 1);
}

/* ---- drawing -------------------------------------------------------------- */

static int clamp255(double v)
{
    return v < 0 ? 0 : v > 255 ? 255 : (int)lround(v);
}

/* Blends premultiplied colour (r, g, b) with alpha a (0..1) over frame pixel (x, y)'s luma. */
static void blend_luma(sr_frame *f, int x, int y, double r, double g, double bl, double a)
{
    if (a <= 0) return;
    uint8_t Y, U, V;
    sr_rgb_to_yuv(clamp255(r / a), clamp255(g / a), clamp255(bl / a), &Y, &U, &V);
    uint8_t *p = f->data[0] + (size_t)y * f->linesize[0] + x;
    *p = (uint8_t)lround(*p + (Y - *p) * a);
}

int tx_emoji_draw(const tx_emoji *em, sr_frame *f, int dst_x, int dst_y, const uint8_t *mask, int stride, int w,
                  int h, uint32_t color)
{
    if (!em || (color >> 24) != TX_EMOJI_R || ((color >> 16) & 0xFF) != TX_EMOJI_G) return 0;
    int k = (int)((color >> 8) & 0xFF);
    double opacity = (255 - (int)(color & 0xFF)) / 255.0;
    if (k >= em->n || !em->slots[k].bgra) return 1; /* not ours to draw as a mask either */
    const slot *sl = &em->slots[k];
    /* the square: the box of its well-covered pixels */
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (mask[(size_t)y * stride + x] >= 128) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
    if (x1 < x0 || opacity <= 0) return 1;
    int side = x1 - x0 + 1 > y1 - y0 + 1 ? x1 - x0 + 1 : y1 - y0 + 1;
    /* the bitmap fitted into the square, centred, its aspect kept */
    double sc = (double)side / (sl->w > sl->h ? sl->w : sl->h);
    double ox = x0 + (side - sl->w * sc) / 2, oy = y0 + (side - sl->h * sc) / 2;
    int cw = (f->w + 1) / 2;
    double *acc = calloc((size_t)cw * 2 * 4, sizeof *acc); /* chroma accumulators of one row pair */
    if (!acc) return 1;
    for (int y = 0; y < h; y++) {
        int fy = dst_y + y;
        if (fy < 0 || fy >= f->h) continue;
        for (int x = 0; x < w; x++) {
            int fx = dst_x + x;
            double m = mask[(size_t)y * stride + x] / 255.0;
            if (fx < 0 || fx >= f->w || m <= 0) continue;
            /* the source pixels under this one: a box filter */
            double sx0 = (x - ox) / sc, sx1 = (x + 1 - ox) / sc, sy0 = (y - oy) / sc, sy1 = (y + 1 - oy) / sc;
            int ix0 = (int)floor(sx0), ix1 = (int)ceil(sx1), iy0 = (int)floor(sy0), iy1 = (int)ceil(sy1);
            double s[4] = {0, 0, 0, 0}, wsum = 0;
            for (int sy = iy0; sy < iy1; sy++)
                for (int sx = ix0; sx < ix1; sx++) {
                    double wx = fmin(sx + 1, sx1) - fmax(sx, sx0), wy = fmin(sy + 1, sy1) - fmax(sy, sy0);
                    if (wx <= 0 || wy <= 0) continue;
                    wsum += wx * wy;
                    if (sx < 0 || sy < 0 || sx >= sl->w || sy >= sl->h) continue;
                    const uint8_t *p = sl->bgra + ((size_t)sy * sl->w + sx) * 4;
                    for (int c = 0; c < 4; c++) s[c] += p[c] * wx * wy;
                }
            if (wsum <= 0) continue;
            double a = s[3] / wsum / 255 * m * opacity;
            double r = s[2] / wsum * m * opacity, g = s[1] / wsum * m * opacity, bl = s[0] / wsum * m * opacity;
            blend_luma(f, fx, fy, r, g, bl, a);
            double *q = acc + ((size_t)(fy & 1) * cw + fx / 2) * 4;
            q[0] += r, q[1] += g, q[2] += bl, q[3] += a;
        }
        /* after each odd row (or the last), blend the 2x2 chroma means */
        if ((fy & 1) || y == h - 1) {
            int cx0 = dst_x < 0 ? 0 : dst_x / 2, cx1 = (dst_x + w) / 2 + 1;
            for (int cx = cx0; cx < cx1 && cx < cw && cx < f->w / 2; cx++) {
                double r = 0, g = 0, bl = 0, a = 0;
                for (int row = 0; row < 2; row++) {
                    double *q = acc + ((size_t)row * cw + cx) * 4;
                    r += q[0], g += q[1], bl += q[2], a += q[3];
                    q[0] = q[1] = q[2] = q[3] = 0;
                }
                if (a <= 0) continue;
                uint8_t Y, U, V;
                sr_rgb_to_yuv(clamp255(r / a), clamp255(g / a), clamp255(bl / a), &Y, &U, &V);
                a /= 4;
                uint8_t *pu = f->data[1] + (size_t)(fy / 2) * f->linesize[1] + cx;
                uint8_t *pv = f->data[2] + (size_t)(fy / 2) * f->linesize[2] + cx;
                *pu = (uint8_t)lround(*pu + (U - *pu) * a);
                *pv = (uint8_t)lround(*pv + (V - *pv) * a);
            }
        }
    }
    free(acc);
    return 1;
}
