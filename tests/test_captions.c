/* libs: sr_text sr_common */
/* test_captions.c - captions that read: the default outline on bright and
 * busy backgrounds, the active word of word-by-word captions, right-to-left
 * punctuation and colour emoji, checked on the pixels libass and the emoji
 * layer draw into real frames. */
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

/* A malloc'd printf: asprintf, checked. */
#define fmt(...) checked_asprintf(asprintf(&g_str, __VA_ARGS__))
static char *g_str;
static char *checked_asprintf(int rc)
{
    assert_true(rc >= 0);
    return g_str;
}

static sr_text *make(const char *doc, int w, int h)
{
    return sr_test_text_make(doc, w, h);
}

static sr_frame *solid(int w, int h, int r, int g, int b)
{
    sr_frame *f = sr_frame_alloc(w, h);
    assert_non_null(f);
    uint8_t y, u, v;
    sr_rgb_to_yuv(r, g, b, &y, &u, &v);
    sr_frame_fill(f, y, u, v);
    return f;
}

/* A busy pattern: 24-px vertical bars of white, yellow, cyan, green,
 * magenta, red, blue and black, crossed by 24-px horizontal bands where the
 * bars are inverted. */
static sr_frame *pattern(int w, int h)
{
    static const uint8_t bars[8][3] = {{255, 255, 255}, {255, 230, 0}, {0, 255, 255}, {0, 255, 0},
                                       {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0}};
    sr_frame *f = sr_frame_alloc(w, h);
    assert_non_null(f);
    for (int y = 0; y < h; y += 2)
        for (int x = 0; x < w; x += 2) {
            const uint8_t *c = bars[(x / 24 + ((y / 24) % 2) * 3) % 8];
            uint8_t Y, U, V;
            sr_rgb_to_yuv(c[0], c[1], c[2], &Y, &U, &V);
            for (int k = 0; k < 4; k++) f->data[0][(size_t)(y + k / 2) * f->linesize[0] + x + k % 2] = Y;
            f->data[1][(size_t)(y / 2) * f->linesize[1] + x / 2] = U;
            f->data[2][(size_t)(y / 2) * f->linesize[2] + x / 2] = V;
        }
    return f;
}

static double luma(const sr_frame *f, int x, int y)
{
    uint8_t c[3];
    sr_frame_get_rgb(f, x, y, c);
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/* Draws the subtitles of doc at time t over a copy of bg. */
static sr_frame *draw_over(sr_text *tx, const sr_frame *bg, double t)
{
    sr_frame *f = sr_frame_alloc(bg->w, bg->h);
    assert_non_null(f);
    sr_frame_copy(f, bg);
    assert_int_equal(sr_text_draw_subtitles(tx, f, t), 0);
    return f;
}

/* ---- legible by default -------------------------------------------------- */

/* The default subtitle style the compiler writes (no subtitleStyle): white
 * DejaVu Sans 24 with gold keywords, no shadow, no box. */
#define DEFAULT_STYLE                                                                                        \
    "{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":24,\"color\":\"#FFFFFF\",\"position\":\"bottom-center\"," \
    "\"alignment\":\"center\",\"paragraphWidth\":\"80%\",\"keywordColor\":\"#FFD700\"}"

/* With no shadow or box given, every glyph of a caption (the gold keyword
 * too) is ringed by dark pixels (luma < 80) on white, on #FFE600 yellow and
 * on a busy pattern. The glyphs are found on a mid-grey frame; around each,
 * the dark pixels within 3 px must number at least 70% of the pixels that
 * touch it (no outline: none). */
static void test_default_outline_reads_everywhere(void **state)
{
    (void)state;
    const int W = 1280, H = 720;
    const char *doc =
        "{\"elements\":[],\"subtitles\":[{\"id\":\"s\",\"sceneIndex\":0,\"startTime\":0,\"endTime\":2,"
        "\"text\":\"Legible captions over every background\",\"words\":["
        "{\"text\":\"Legible\",\"startTime\":0,\"endTime\":0.4,\"keyword\":false},"
        "{\"text\":\"captions\",\"startTime\":0.4,\"endTime\":0.8,\"keyword\":false},"
        "{\"text\":\"over\",\"startTime\":0.8,\"endTime\":1.0,\"keyword\":false},"
        "{\"text\":\"every\",\"startTime\":1.0,\"endTime\":1.3,\"keyword\":false},"
        "{\"text\":\"background\",\"startTime\":1.3,\"endTime\":2,\"keyword\":true}],"
        "\"style\":" DEFAULT_STYLE "}]}";
    sr_text *tx = make(doc, W, H);
    sr_frame *grey = solid(W, H, 128, 128, 128);
    sr_frame *g = draw_over(tx, grey, 1.0);
    uint8_t *mask = calloc((size_t)W * H, 1);
    assert_non_null(mask);
    long gold = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t c[3];
            sr_frame_get_rgb(g, x, y, c);
            mask[y * W + x] = luma(g, x, y) > 170;
            gold += c[0] > 200 && c[1] > 160 && c[1] < 235 && c[2] < 90;
        }
    assert_true(gold > 50); /* the keyword is drawn in gold */
    sr_frame *bgs[3] = {solid(W, H, 255, 255, 255), solid(W, H, 255, 230, 0), pattern(W, H)};
    for (int b = 0; b < 3; b++) {
        sr_frame *f = draw_over(tx, bgs[b], 1.0);
        double worst = 0;
        int checked = sr_test_dark_rings(f, mask, &worst);
        if (checked < 25 || worst < 0.7)
            fail_msg("background %d: %d glyphs, the least dark ring %.2f of its size", b, checked, worst);
        sr_frame_free(f);
        sr_frame_free(bgs[b]);
    }
    free(mask);
    sr_frame_free(g);
    sr_frame_free(grey);
    sr_text_destroy(tx);
}

/* The outline scales with the font: twice the size, about twice as wide a
 * ring; shadowWidth 0 turns it off. */
static void test_default_outline_scales_and_can_be_off(void **state)
{
    (void)state;
    const int W = 1280, H = 720;
    long dark[3];
    const char *styles[3] = {"{\"fontSize\":24}", "{\"fontSize\":48}", "{\"fontSize\":24,\"shadowWidth\":0}"};
    for (int k = 0; k < 3; k++) {
        char *doc = fmt("{\"elements\":[],\"subtitles\":[{\"id\":\"s\",\"startTime\":0,\"endTime\":2,"
                        "\"text\":\"Iiii\",\"style\":%s}]}",
                        styles[k]);
        sr_text *tx = make(doc, W, H);
        free(doc);
        sr_frame *bg = solid(W, H, 255, 255, 255);
        sr_frame *f = draw_over(tx, bg, 1.0);
        dark[k] = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) dark[k] += luma(f, x, y) < 80;
        sr_frame_free(f);
        sr_frame_free(bg);
        sr_text_destroy(tx);
    }
    assert_true(dark[0] > 100);
    /* ring area grows with perimeter x width: about 4x for twice the size */
    assert_true(dark[1] > 3 * dark[0]);
    assert_int_equal(dark[2], 0);
}


/* ---- colour emoji ------------------------------------------------------------ */

static int is_saturated(const uint8_t c[3])
{
    int mx = c[0] > c[1] ? (c[0] > c[2] ? c[0] : c[2]) : (c[1] > c[2] ? c[1] : c[2]);
    int mn = c[0] < c[1] ? (c[0] < c[2] ? c[0] : c[2]) : (c[1] < c[2] ? c[1] : c[2]);
    return mx - mn > 90;
}

typedef sr_test_box cbox;
#define find_px sr_test_find_px

static int is_white(const uint8_t c[3])
{
    return c[0] > 200 && c[1] > 200 && c[2] > 200;
}

/* A caption with 🎬🚀 shows the emoji in colour, inside the caption's line,
 * after the words; the text itself stays white. */
static void test_emoji_in_colour(void **state)
{
    (void)state;
    const char *doc = "{\"elements\":[],\"subtitles\":[{\"id\":\"s\",\"startTime\":0,\"endTime\":2,"
                      "\"text\":\"Action \xf0\x9f\x8e\xac\xf0\x9f\x9a\x80 now\",\"style\":" DEFAULT_STYLE "}]}";
    sr_text *tx = make(doc, 1280, 720);
    sr_frame *bg = solid(1280, 720, 0, 0, 0);
    sr_frame *f = draw_over(tx, bg, 1.0);
    assert_int_equal(sr_text_missing_glyphs(tx), 0);
    cbox c = find_px(f, is_saturated), w = find_px(f, is_white);
    assert_true(c.n > 150);
    assert_true(w.n > 150);
    /* between "Action" and "now", on the text's line */
    assert_true(c.x0 > w.x0 + 20 && c.x1 < w.x1 - 10);
    assert_true(c.y0 < w.y1 && c.y1 > w.y0);
    sr_frame_free(f);
    sr_frame_free(bg);
    sr_text_destroy(tx);
}


/* The sum over the frame of each pixel's saturation (max - min of RGB). */
static double saturation(const sr_frame *f)
{
    double s = 0;
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            uint8_t c[3];
            sr_frame_get_rgb(f, x, y, c);
            int mx = c[0] > c[1] ? (c[0] > c[2] ? c[0] : c[2]) : (c[1] > c[2] ? c[1] : c[2]);
            int mn = c[0] < c[1] ? (c[0] < c[2] ? c[0] : c[2]) : (c[1] < c[2] ? c[1] : c[2]);
            s += mx - mn;
        }
    return s;
}

/* The emoji take the caption's animation: a drift entry fades them in and
 * brings them up with the words; a text element shows them in colour too. */
static void test_emoji_follow_the_animation(void **state)
{
    (void)state;
    const char *doc =
        "{\"elements\":[{\"id\":\"t\",\"elementType\":\"SceneText\",\"type\":\"text\",\"sceneIndex\":0,"
        "\"startTime\":0,\"duration\":3,\"text\":\"Go \xf0\x9f\x9a\x80\",\"position\":\"top-center\","
        "\"style\":{\"fontSize\":40}}],"
        "\"subtitles\":[{\"id\":\"s\",\"startTime\":0,\"endTime\":3,"
        "\"text\":\"Lift \xf0\x9f\x9a\x80 off\",\"style\":{\"fontSize\":32,\"animations\":["
        "{\"name\":\"drift\",\"type\":\"entry\",\"speed\":\"slow\",\"direction\":\"up\"}]}}]}";
    sr_text *tx = make(doc, 1280, 720);
    sr_frame *bg = solid(1280, 720, 0, 0, 0);
    double sat[3];
    cbox cb[3];
    const double ts[3] = {0.15, 0.5, 2.0};
    for (int k = 0; k < 3; k++) {
        sr_frame *f = draw_over(tx, bg, ts[k]);
        sat[k] = saturation(f);
        cb[k] = find_px(f, is_saturated);
        sr_frame_free(f);
    }
    assert_true(sat[0] < 0.6 * sat[2] && sat[1] < sat[2]); /* fading in */
    assert_true(cb[2].n > 100);
    assert_true(cb[1].n > 0 && cb[1].y0 > cb[2].y0 + 10); /* coming up from below */
    /* the element's emoji (top of the frame) */
    sr_frame *f = sr_frame_alloc(1280, 720);
    sr_frame_copy(f, bg);
    assert_int_equal(sr_text_draw_scene(tx, f, 2.0, 0), 0);
    cbox e = find_px(f, is_saturated);
    assert_true(e.n > 100 && e.y1 < 360);
    sr_frame_free(f);
    sr_frame_free(bg);
    sr_text_destroy(tx);
}


/* ---- right to left ------------------------------------------------------------ */

static int is_ink(const uint8_t c[3])
{
    return c[0] + c[1] + c[2] > 3 * 60;
}

/* The cue text drawn alone at 1280x720 with alignment align, no outline. */
static sr_frame *draw_text(const char *text, const char *align)
{
    char *doc = fmt("{\"elements\":[],\"subtitles\":[{\"id\":\"s\",\"startTime\":0,\"endTime\":2,\"text\":\"%s\","
                    "\"style\":{\"fontSize\":40,\"shadowWidth\":0,\"alignment\":\"%s\"}}]}",
                    text, align);
    sr_text *tx = make(doc, 1280, 720);
    free(doc);
    sr_frame *bg = solid(1280, 720, 0, 0, 0);
    sr_frame *f = draw_over(tx, bg, 1.0);
    assert_int_equal(sr_text_missing_glyphs(tx), 0);
    sr_frame_free(bg);
    sr_text_destroy(tx);
    return f;
}

/* Pixels of columns [x0, x1) whose luma differs by more than 8. */
static long diff_cols(const sr_frame *a, const sr_frame *b, int x0, int x1)
{
    long n = 0;
    for (int y = 0; y < a->h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < a->w; x++)
            n += abs(a->data[0][(size_t)y * a->linesize[0] + x] - b->data[0][(size_t)y * b->linesize[0] + x]) > 8;
    return n;
}

/* A sentence and the same sentence with its final punctuation, both right
 * aligned: in a right-to-left line the punctuation goes at the left end, so
 * the words keep their place (their pixels are the same) and the extra ink
 * lies left of them. In a left-to-right line (the mixed one, starting with a
 * Latin word), left aligned, it goes at the right end. */
static void test_rtl_punctuation_at_the_left(void **state)
{
    (void)state;
    static const struct {
        const char *words, *punct;
        int rtl;
    } k[] = {
        {"\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xd8\xa8\xd8\xa7\xd9\x84\xd8\xb9\xd8\xa7\xd9\x84\xd9\x85", "!", 1},
        {"\xd9\x83\xd9\x8a\xd9\x81 \xd8\xad\xd8\xa7\xd9\x84\xd9\x83", "\xd8\x9f", 1}, /* Arabic question mark */
        {"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d", ".", 1},
        {"Hello \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", "!", 0}, /* mixed: a left-to-right line */
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        char *full = fmt("%s%s", k[i].words, k[i].punct);
        const char *align = k[i].rtl ? "right" : "left";
        sr_frame *a = draw_text(full, align), *b = draw_text(k[i].words, align);
        cbox ba = find_px(a, is_ink), bb = find_px(b, is_ink);
        assert_true(bb.n > 200);
        if (k[i].rtl) {
            assert_true(ba.x0 < bb.x0 - 3);        /* the punctuation's ink, at the left end */
            assert_true(abs(ba.x1 - bb.x1) <= 1); /* the right edge stays */
            long d = diff_cols(a, b, bb.x0 + 3, a->w);
            if (d * 100 > bb.n) fail_msg("case %zu: the words moved (%ld pixels differ)", i, d);
        } else {
            assert_true(ba.x1 > bb.x1 + 3);
            assert_true(abs(ba.x0 - bb.x0) <= 1);
            long d = diff_cols(a, b, 0, bb.x1 - 3);
            if (d * 100 > bb.n) fail_msg("case %zu: the words moved (%ld pixels differ)", i, d);
        }
        free(full);
        sr_frame_free(a);
        sr_frame_free(b);
    }
    /* logical order in the mixed line: "Hello" first, at the left */
    sr_frame *m = draw_text("Hello \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", "left"), *h = draw_text("Hello", "left");
    cbox bh = find_px(h, is_ink);
    assert_true(diff_cols(m, h, 0, bh.x1 + 1) * 100 < bh.n);
    assert_true(find_px(m, is_ink).x1 > bh.x1 + 20);
    sr_frame_free(m);
    sr_frame_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_outline_reads_everywhere),
        cmocka_unit_test(test_default_outline_scales_and_can_be_off),
        cmocka_unit_test(test_emoji_in_colour),
        cmocka_unit_test(test_emoji_follow_the_animation),
        cmocka_unit_test(test_rtl_punctuation_at_the_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
