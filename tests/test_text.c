/* libs: sr_text sr_common */
/* test_text.c - scene text and subtitles drawn by libass into real frames,
 * with real fonts: what a viewer would see (where the pixels are, their
 * colour, their size), checked on small frames. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/text/text_int.h"
#include "support/fixtures.h"
#include "support/text_fixture.h"

/* ---- helpers ----------------------------------------------------------- */

typedef sr_test_box box;

/* A malloc'd printf. */
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    assert_true(vasprintf(&s, f, ap) >= 0);
    va_end(ap);
    return s;
}

/* One SceneText element of scene 0 shown over [0, 10) with the given text
 * (JSON-escaped) and extra fields ("position":..., "style":{...}). */
static char *element_doc(const char *text, const char *extra)
{
    return fmt("{\"elements\":[{\"id\":\"t\",\"elementType\":\"SceneText\",\"type\":\"text\","
               "\"sceneIndex\":0,\"startTime\":0,\"duration\":10,\"text\":\"%s\"%s%s}]}",
               text, *extra ? "," : "", extra);
}

/* One subtitle cue over [1, 2) with text and extra cue fields. */
static char *cue_doc(const char *text, const char *extra)
{
    return fmt("{\"elements\":[],\"subtitles\":[{\"id\":\"s\",\"sceneIndex\":0,\"startTime\":1,"
               "\"endTime\":2,\"text\":\"%s\"%s%s}]}",
               text, *extra ? "," : "", extra);
}

static sr_text *make(const char *doc, int w, int h)
{
    return sr_test_text_make(doc, w, h);
}

static sr_frame *black(int w, int h)
{
    sr_frame *f = sr_frame_alloc(w, h);
    assert_non_null(f);
    sr_frame_fill(f, 16, 128, 128);
    return f;
}

/* Renders doc at w x h, time t: scene 0 and the subtitles. Frees doc.
 * *missing (may be NULL) gets libass's missing-glyph count. */
static sr_frame *render(char *doc, int w, int h, double t, int *missing)
{
    sr_text *tx = make(doc, w, h);
    sr_frame *f = black(w, h);
    assert_int_equal(sr_text_draw_scene(tx, f, t, 0), 0);
    assert_int_equal(sr_text_draw_subtitles(tx, f, t), 0);
    if (missing) *missing = sr_text_missing_glyphs(tx);
    sr_text_destroy(tx);
    free(doc);
    return f;
}

typedef int (*pixel_pred)(const uint8_t rgb[3]);
static int is_bright(const uint8_t c[3])
{
    return c[0] + c[1] + c[2] > 3 * 110;
}
static int is_green(const uint8_t c[3])
{
    return c[1] > 140 && c[0] < 110 && c[2] < 110;
}
static int is_blue(const uint8_t c[3])
{
    return c[2] > 140 && c[0] < 90 && c[1] < 90;
}

static box find(const sr_frame *f, pixel_pred pred)
{
    return sr_test_find_px(f, pred);
}

static box bright_box(char *doc, int w, int h, double t)
{
    sr_frame *f = render(doc, w, h, t, NULL);
    box b = find(f, is_bright);
    sr_frame_free(f);
    return b;
}

/* em in px for fontSize pt on a frame whose short side is s (API.md Sizes). */
static double em_px(double pt, int s)
{
    return pt * 4.0 / 3.0 * s / 720.0;
}

/* ---- scene text -------------------------------------------------------- */

/* A white text on black lights pixels inside its box and nowhere else. */
static void test_element_inside_its_box(void **state)
{
    (void)state;
    double em = em_px(48, 180); /* 16 px */
    box b = bright_box(element_doc("Hello", "\"position\":\"center\",\"width\":0.5,"
                                            "\"style\":{\"fontSize\":48,\"color\":\"#ffffff\"}"),
                       320, 180, 1.0);
    assert_true(b.n > 100);
    assert_true(b.x0 >= 80 && b.x1 < 240);                         /* the 50% box, centred */
    assert_true(b.y0 >= 90 - em && b.y1 <= 90 + em);               /* one line around the middle */
    assert_true(fabs((b.x0 + b.x1) / 2.0 - 160) < 6);              /* centred in it */
    assert_true(b.y1 - b.y0 > 0.6 * em && b.y1 - b.y0 < 1.1 * em); /* "Hello": cap height */
}

/* position and left/top move the text. */
static void test_element_placement(void **state)
{
    (void)state;
    double em = em_px(48, 180), m = 0.05 * 180;
    box tl = bright_box(element_doc("Hi", "\"position\":\"top-left\",\"width\":0.4,"
                                          "\"style\":{\"fontSize\":48,\"alignment\":\"left\"}"),
                        320, 180, 0);
    assert_true(tl.n > 20);
    assert_true(tl.x0 >= m && tl.x0 <= m + 0.25 * em + 3);
    assert_true(tl.y0 >= m && tl.y0 <= m + em);
    box br = bright_box(element_doc("Hi", "\"position\":\"bottom-right\",\"width\":0.4,"
                                          "\"style\":{\"fontSize\":48,\"alignment\":\"right\"}"),
                        320, 180, 0);
    assert_true(br.n > 20);
    assert_true(br.x1 <= 320 - m && br.x1 >= 320 - m - 0.25 * em - 4);
    assert_true(br.y1 <= 180 - m && br.y1 >= 180 - m - em);
    box xy = bright_box(element_doc("Hi", "\"left\":0.5,\"top\":0.5,\"width\":0.4,"
                                          "\"style\":{\"fontSize\":48}"),
                        320, 180, 0);
    assert_true(xy.n > 20);
    assert_true(xy.y0 >= 90 && xy.y0 <= 90 + em);
    assert_true(xy.x0 >= 160 && xy.x1 < 160 + 128);
    /* the default alignment for left/top is left: text starts at the box's left */
    assert_true(xy.x0 <= 160 + 0.25 * em + 3);
}

/* alignment places the lines within the wrapping box. */
static void test_element_alignment(void **state)
{
    (void)state;
    const char *al[3] = {"left", "center", "right"};
    box b[3];
    for (int i = 0; i < 3; i++) {
        char *extra = fmt("\"left\":0,\"top\":0.4,\"width\":1,\"style\":{\"fontSize\":40,"
                          "\"alignment\":\"%s\"}",
                          al[i]);
        b[i] = bright_box(element_doc("Abc", extra), 320, 180, 0);
        free(extra);
        assert_true(b[i].n > 50);
    }
    assert_true(b[0].x0 < 0.1 * 320);
    assert_true(fabs((b[1].x0 + b[1].x1) / 2.0 - 160) < 5);
    assert_true(b[2].x1 > 0.9 * 320);
    /* the same glyphs, only moved (sub-pixel positions differ by at most a pixel) */
    assert_true(abs((b[0].x1 - b[0].x0) - (b[2].x1 - b[2].x0)) <= 1);
}

/* An element is drawn only within [startTime, startTime + duration) and only
 * into its own scene. */
static void test_element_timing_and_scene(void **state)
{
    (void)state;
    const char *doc =
        "{\"elements\":[{\"id\":\"t\",\"elementType\":\"SceneText\",\"type\":\"text\","
        "\"sceneIndex\":1,\"startTime\":1,\"duration\":1,\"text\":\"Now\","
        "\"position\":\"center\",\"style\":{\"fontSize\":48}}]}";
    sr_text *tx = make(doc, 320, 180);
    const struct {
        double t;
        int scene;
        int drawn;
    } k[] = {{0.5, 1, 0}, {1.0, 1, 1}, {1.5, 1, 1},  {1.999, 1, 1}, {2.0, 1, 0},
             {2.5, 1, 0}, {1.5, 0, 0}, {1.5, -1, 0}, {1.5, 7, 0}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        sr_frame *f = black(320, 180);
        assert_int_equal(sr_text_draw_scene(tx, f, k[i].t, k[i].scene), 0);
        assert_int_equal(sr_text_draw_subtitles(tx, f, k[i].t), 0);
        box b = find(f, is_bright);
        if (k[i].drawn != (b.n > 0))
            fail_msg("t=%.3f scene %d: %ld bright pixels", k[i].t, k[i].scene, b.n);
        sr_frame_free(f);
    }
    sr_text_destroy(tx);
}

/* backgroundColor draws a padded box behind the text. */
static void test_element_background_box(void **state)
{
    (void)state;
    sr_frame *f = render(element_doc("Box", "\"position\":\"center\",\"style\":{\"fontSize\":48,"
                                            "\"backgroundColor\":\"#0000ff\"}"),
                         640, 360, 0, NULL);
    box blue = find(f, is_blue), white = find(f, is_bright);
    double em = em_px(48, 360);
    assert_true(blue.n > 1000);
    assert_true(white.n > 100);
    /* the box surrounds the text with about 0.25 em of padding */
    assert_true(blue.x0 < white.x0 - 0.15 * em && blue.x1 > white.x1 + 0.15 * em);
    assert_true(blue.y0 < white.y0 && blue.y1 > white.y1);
    sr_frame_free(f);
    f = render(element_doc("Box", "\"position\":\"center\",\"style\":{\"fontSize\":48}"), 640, 360,
               0, NULL);
    assert_int_equal(find(f, is_blue).n, 0);
    sr_frame_free(f);
}

static int is_red(const uint8_t c[3])
{
    return c[0] > 140 && c[1] < 90 && c[2] < 90;
}

/* shadowColor + shadowWidth draw an outline of that colour around the glyphs,
 * sized in percent of the frame's short side. */
static void test_element_outline(void **state)
{
    (void)state;
    const char *base =
        "\"position\":\"center\",\"style\":{\"fontSize\":48,\"shadowColor\":\"#ff0000\","
        "\"shadowWidth\":\"%s\"}";
    char *thin = fmt(base, "0.5%"), *thick = fmt(base, "1.5%");
    sr_frame *a = render(element_doc("Edge", thin), 640, 360, 0, NULL);
    sr_frame *b = render(element_doc("Edge", thick), 640, 360, 0, NULL);
    box ra = find(a, is_red), rb = find(b, is_red), wa = find(a, is_bright);
    assert_true(ra.n > 100);
    assert_true(rb.n > 2 * ra.n);
    /* the outline surrounds the white fill by about 1.5% of 360 = 5.4 px */
    assert_true(rb.x0 < wa.x0 - 3 && rb.y1 > wa.y1 + 3);
    free(thin);
    free(thick);
    sr_frame_free(a);
    sr_frame_free(b);
}

/* case and decorations change what is drawn. */
static void test_element_case_and_decorations(void **state)
{
    (void)state;
    box lower = bright_box(
        element_doc("xox", "\"position\":\"center\",\"style\":{\"fontSize\":48}"), 320, 180, 0);
    box upper = bright_box(element_doc("xox", "\"position\":\"center\",\"style\":{\"fontSize\":48,"
                                              "\"case\":\"uppercase\"}"),
                           320, 180, 0);
    assert_true(upper.y1 - upper.y0 > 1.15 * (lower.y1 - lower.y0)); /* cap height > x-height */
    box plain = bright_box(
        element_doc("ace", "\"position\":\"center\",\"style\":{\"fontSize\":48}"), 640, 360, 0);
    box under = bright_box(element_doc("ace", "\"position\":\"center\",\"style\":{\"fontSize\":48,"
                                              "\"decorations\":[\"underline\"]}"),
                           640, 360, 0);
    assert_true(under.y1 >= plain.y1);                          /* a line along the baseline */
    assert_true(under.n > plain.n + (plain.x1 - plain.x0) / 2); /* as long as the word */
}

/* fontSize is in points of the 720-px canvas: twice the frame, twice the glyphs. */
static void test_font_size_scales_with_output(void **state)
{
    (void)state;
    const char *extra = "\"position\":\"center\",\"width\":0.9,\"style\":{\"fontSize\":40}";
    box s = bright_box(element_doc("Hold", extra), 320, 180, 0);
    box l = bright_box(element_doc("Hold", extra), 640, 360, 0);
    double rh = (double)(l.y1 - l.y0 + 1) / (s.y1 - s.y0 + 1);
    double rw = (double)(l.x1 - l.x0 + 1) / (s.x1 - s.x0 + 1);
    assert_true(rh > 1.8 && rh < 2.2);
    assert_true(rw > 1.8 && rw < 2.2);
    /* and the em is the API's: "H" is about 0.73 em tall in DejaVu Sans */
    double em = em_px(40, 360);
    assert_true(l.y1 - l.y0 + 1 > 0.65 * em && l.y1 - l.y0 + 1 < 0.8 * em);
}

/* ---- subtitles --------------------------------------------------------- */

/* A cue shows in the bottom band while it is on, and nowhere at other times. */
static void test_subtitle_band_and_timing(void **state)
{
    (void)state;
    char *doc = cue_doc("Hello there", "\"style\":{\"fontSize\":40}");
    sr_text *tx = make(doc, 320, 180);
    free(doc);
    const double ts[] = {0.5, 1.0, 1.5, 2.0, 2.5};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        sr_frame *f = black(320, 180);
        sr_text_draw_subtitles(tx, f, ts[i]);
        box b = find(f, is_bright);
        int on = ts[i] >= 1.0 && ts[i] < 2.0;
        if (on) {
            assert_true(b.n > 50);
            assert_true(b.y0 > 180 * 0.6);
            assert_true(fabs((b.x0 + b.x1) / 2.0 - 160) < 6);
        } else {
            assert_int_equal(b.n, 0);
        }
        sr_frame_free(f);
    }
    sr_text_destroy(tx);
}

/* keywordColor colours the cue's keyword words. */
static void test_subtitle_keyword_color(void **state)
{
    (void)state;
    const char *words =
        "\"words\":[{\"text\":\"the\",\"keyword\":false},{\"text\":\"green\",\"keyword\":true},"
        "{\"text\":\"word\",\"keyword\":false}]";
    char *extra = fmt("%s,\"style\":{\"fontSize\":40,\"keywordColor\":\"#00ff00\"}", words);
    sr_frame *f = render(cue_doc("the green word", extra), 640, 360, 1.5, NULL);
    free(extra);
    box g = find(f, is_green), w = find(f, is_bright);
    assert_true(g.n > 100);
    assert_true(w.n > 100);
    /* the keyword is the middle word */
    assert_true(g.x0 > w.x0 + 20 && g.x1 < w.x1 - 20);
    sr_frame_free(f);
    extra = fmt("%s,\"style\":{\"fontSize\":40}", words);
    f = render(cue_doc("the green word", extra), 640, 360, 1.5, NULL);
    free(extra);
    assert_int_equal(find(f, is_green).n, 0);
    sr_frame_free(f);
}

/* showBoxBackground + backgroundColor draws a box behind the cue. */
static void test_subtitle_box(void **state)
{
    (void)state;
    sr_frame *f =
        render(cue_doc("Boxed words", "\"style\":{\"fontSize\":40,\"showBoxBackground\":true,"
                                      "\"backgroundColor\":\"#0000ff\"}"),
               640, 360, 1.5, NULL);
    box b = find(f, is_blue), w = find(f, is_bright);
    assert_true(b.n > 2000);
    assert_true(b.y0 > 360 / 2);
    assert_true(b.x0 < w.x0 && b.x1 > w.x1 && b.y0 < w.y0 && b.y1 > w.y1);
    sr_frame_free(f);
    f = render(
        cue_doc("Boxed words", "\"style\":{\"fontSize\":40,\"backgroundColor\":\"#0000ff\"}"), 640,
        360, 1.5, NULL);
    assert_int_equal(find(f, is_blue).n, 0); /* no showBoxBackground: no box */
    sr_frame_free(f);
}

static void test_subtitle_hidden(void **state)
{
    (void)state;
    box b = bright_box(cue_doc("Not shown", "\"hidden\":true,\"style\":{\"fontSize\":40}"), 320,
                       180, 1.5);
    assert_int_equal(b.n, 0);
}

/* A long cue stays within maxLines lines (the font shrinks) and within the
 * paragraph width. */
static void test_subtitle_max_lines(void **state)
{
    (void)state;
    const char *text =
        "Every great product starts with a simple question that nobody asked before, and "
        "then the team spends months looking for an answer that makes sense to everyone "
        "who will ever use it in their daily work";
    double em = em_px(24, 360), pitch = em * 1.17 + 0.2 * em; /* DejaVu: (asc+desc)/em = 1.164 */
    box h[5];
    for (int lines = 1; lines <= 4; lines++) {
        char *extra = fmt("\"maxLines\":%d,\"style\":{\"fontSize\":24}", lines);
        h[lines] = bright_box(cue_doc(text, extra), 640, 360, 1.5);
        free(extra);
        int extent = h[lines].y1 - h[lines].y0 + 1;
        assert_true(h[lines].n > 100);
        if (extent > lines * pitch)
            fail_msg("maxLines %d: %d px tall, pitch %.1f", lines, extent, pitch);
        assert_true(h[lines].x1 - h[lines].x0 + 1 <= 0.8 * 640 + 2);
    }
    /* at full size this cue needs more than two lines */
    assert_true(h[4].y1 - h[4].y0 + 1 > 2.2 * pitch);
    /* paragraphWidth narrows the lines */
    box narrow =
        bright_box(cue_doc("Every great product starts with a simple question",
                           "\"maxLines\":4,\"style\":{\"fontSize\":24,\"paragraphWidth\":\"40%\"}"),
                   640, 360, 1.5);
    assert_true(narrow.n > 100);
    assert_true(narrow.x1 - narrow.x0 + 1 <= 0.4 * 640 + 2);
    assert_true(narrow.y1 - narrow.y0 + 1 > 1.2 * pitch); /* wrapped */
}

/* ---- scripts ----------------------------------------------------------- */

static void test_scripts_render_without_missing_glyphs(void **state)
{
    (void)state;
    static const char *samples[] = {
        "مرحبا بالعالم",        /* Arabic */
        "नमस्ते दुनिया",           /* Devanagari */
        "வணக்கம் உலகம்",           /* Tamil */
        "你好世界，欢迎",       /* CJK (Chinese) */
        "こんにちは世界",       /* Japanese */
        "Привет, мир",          /* Cyrillic */
        "Γειά σου κόσμε",       /* Greek */
        "Ünïcödé façade œuvre", /* Latin with diacritics */
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        int missing = -1;
        sr_frame *f = render(element_doc(samples[i], "\"position\":\"center\",\"width\":0.9,"
                                                     "\"style\":{\"fontSize\":40}"),
                             640, 360, 0, &missing);
        box b = find(f, is_bright);
        if (b.n < 200 || missing != 0)
            fail_msg("sample %zu: %ld pixels, %d missing glyphs", i, b.n, missing);
        sr_frame_free(f);
    }
    /* the counter does see a glyph no font has (a private-use code point of
     * plane 16: U+E000 is in some fonts, Fira Code's powerline symbols) */
    int missing = 0;
    sr_frame *f =
        render(element_doc("A\\udbff\\udffdB", "\"position\":\"center\",\"style\":{\"fontSize\":40}"), 640,
               360, 0, &missing);
    assert_true(missing > 0);
    sr_frame_free(f);
}

/* Arabic is shaped: joined letters are narrower than the same letters kept
 * apart by a ZERO WIDTH NON-JOINER (isolated forms). */
static void test_arabic_is_shaped(void **state)
{
    (void)state;
    const char *extra = "\"position\":\"center\",\"width\":0.9,\"style\":{\"fontSize\":48}";
    box joined = bright_box(element_doc("بببب", extra), 640, 360, 0);
    box apart = bright_box(element_doc("ب\\u200cب\\u200cب\\u200cب", extra), 640, 360, 0);
    assert_true(joined.n > 50 && apart.n > 50);
    assert_true(joined.x1 - joined.x0 < apart.x1 - apart.x0);
}

/* ---- escaping ---------------------------------------------------------- */

/* User text cannot inject ASS override tags or escapes. */
static void test_user_text_is_literal(void **state)
{
    (void)state;
    const char *extra = "\"position\":\"center\",\"width\":0.9,\"style\":{\"fontSize\":40}";
    box plain = bright_box(element_doc("Hi", extra), 640, 360, 0);
    box tagged = bright_box(element_doc("{\\\\b1}Hi", extra), 640, 360, 0);
    assert_true(tagged.n > plain.n + 100); /* "{\b1}" drawn too */
    assert_true(tagged.x1 - tagged.x0 > 2 * (plain.x1 - plain.x0));
    /* "\N" is not a line break, "\h" not a space: one line */
    double em = em_px(40, 360);
    box esc = bright_box(element_doc("A\\\\NB\\\\hC", extra), 640, 360, 0);
    assert_true(esc.y1 - esc.y0 < 1.3 * em);
    /* a real newline is a line break */
    box nl = bright_box(element_doc("A\\nB", extra), 640, 360, 0);
    assert_true(nl.y1 - nl.y0 > 1.3 * em);
    /* a trailing backslash does not swallow what follows (keyword colour tag) */
    const char *words =
        "\"words\":[{\"text\":\"x\\\\\",\"keyword\":true},{\"text\":\"y\",\"keyword\":false}]";
    char *cx = fmt("%s,\"style\":{\"fontSize\":40,\"keywordColor\":\"#00ff00\"}", words);
    sr_frame *f = render(cue_doc("x\\\\ yy", cx), 640, 360, 1.5, NULL);
    free(cx);
    assert_true(find(f, is_green).n > 20);
    assert_true(find(f, is_bright).n > 20); /* "yy" back in white */
    sr_frame_free(f);
}

/* ---- errors ------------------------------------------------------------ */

static void test_errors_name_the_field(void **state)
{
    (void)state;
    char *doc = element_doc("x", "\"style\":{\"color\":\"nope\"}");
    json_t *rp = json_loads(doc, 0, NULL);
    free(doc);
    sr_text *tx = NULL;
    sr_err e = {0};
    assert_int_equal(sr_text_create(&tx, rp, 320, 180, NULL, &e), SR_EINVALID_FIELD);
    assert_null(tx);
    assert_string_equal(e.field, "elements[0].style.color");
    json_decref(rp);

    char *big = malloc(TX_MAX_TEXT_BYTES + 2);
    memset(big, 'a', TX_MAX_TEXT_BYTES + 1);
    big[TX_MAX_TEXT_BYTES + 1] = 0;
    doc = cue_doc(big, "");
    rp = json_loads(doc, 0, NULL);
    free(doc);
    free(big);
    sr_err_clear(&e);
    assert_int_equal(sr_text_create(&tx, rp, 320, 180, NULL, &e), SR_ELIMIT);
    assert_string_equal(e.field, "subtitles[0].text");
    json_decref(rp);
}

/* ---- blending ---------------------------------------------------------- */

/* sr_frame_blend_mask keeps its contract at odd offsets and when clipped:
 * compared with a direct per-pixel evaluation of the contract. */
static uint8_t ref_mix(int d, int c, int a)
{
    return (uint8_t)((d * (255 - a) + c * a + 127) / 255);
}

static void test_blend_mask_contract(void **state)
{
    (void)state;
    const int W = 64, H = 48, mw = 21, mh = 17;
    uint8_t mask[17 * 24];
    unsigned seed = 12345;
    for (int i = 0; i < mh * 24; i++) {
        seed = seed * 1103515245u + 12345u;
        int r = (seed >> 16) % 4;
        mask[i] = r == 0 ? 0 : r == 1 ? 255 : (uint8_t)(seed >> 8);
    }
    const int pos[][2] = {{5, 7}, {6, 8}, {-4, -3}, {50, 40}, {-30, 0}, {0, 47}};
    const int alphas[] = {255, 128, 1};
    for (size_t p = 0; p < sizeof pos / sizeof pos[0]; p++)
        for (size_t ai = 0; ai < 3; ai++) {
            int x0 = pos[p][0], y0 = pos[p][1], al = alphas[ai];
            sr_frame *f = sr_frame_alloc(W, H), *r = sr_frame_alloc(W, H);
            sr_frame_fill(f, 40, 100, 150);
            sr_frame_fill(r, 40, 100, 150);
            sr_frame_blend_mask(f, x0, y0, mask, 24, mw, mh, 200, 60, 220, al);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    int mx = x - x0, my = y - y0;
                    if (mx < 0 || my < 0 || mx >= mw || my >= mh) continue;
                    int a = (mask[my * 24 + mx] * al * 257 + 32896) >> 16;
                    uint8_t *d = &r->data[0][y * r->linesize[0] + x];
                    *d = ref_mix(*d, 200, a);
                }
            for (int y = 0; y < H / 2; y++)
                for (int x = 0; x < W / 2; x++) {
                    int sum = 0;
                    for (int k = 0; k < 4; k++) {
                        int mx = 2 * x + (k & 1) - x0, my = 2 * y + (k >> 1) - y0;
                        if (mx >= 0 && my >= 0 && mx < mw && my < mh) sum += mask[my * 24 + mx];
                    }
                    if (!sum) continue;
                    int a = (sum * al * 257 + 4 * 32896) >> 18;
                    uint8_t *u = &r->data[1][y * r->linesize[1] + x],
                            *v = &r->data[2][y * r->linesize[2] + x];
                    *u = ref_mix(*u, 60, a);
                    *v = ref_mix(*v, 220, a);
                }
            for (int pl = 0; pl < 3; pl++) {
                int rows = pl ? H / 2 : H, cols = pl ? W / 2 : W;
                for (int y = 0; y < rows; y++)
                    if (memcmp(f->data[pl] + y * f->linesize[pl], r->data[pl] + y * r->linesize[pl],
                               cols))
                        fail_msg("plane %d row %d differs at offset (%d,%d) alpha %d", pl, y, x0,
                                 y0, al);
            }
            sr_frame_free(f);
            sr_frame_free(r);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_element_inside_its_box),
        cmocka_unit_test(test_element_placement),
        cmocka_unit_test(test_element_alignment),
        cmocka_unit_test(test_element_timing_and_scene),
        cmocka_unit_test(test_element_background_box),
        cmocka_unit_test(test_element_outline),
        cmocka_unit_test(test_element_case_and_decorations),
        cmocka_unit_test(test_font_size_scales_with_output),
        cmocka_unit_test(test_subtitle_band_and_timing),
        cmocka_unit_test(test_subtitle_keyword_color),
        cmocka_unit_test(test_subtitle_box),
        cmocka_unit_test(test_subtitle_hidden),
        cmocka_unit_test(test_subtitle_max_lines),
        cmocka_unit_test(test_scripts_render_without_missing_glyphs),
        cmocka_unit_test(test_arabic_is_shaped),
        cmocka_unit_test(test_user_text_is_literal),
        cmocka_unit_test(test_errors_name_the_field),
        cmocka_unit_test(test_blend_mask_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
