/* libs: sr_compiler sr_tts sr_render sr_text sr_common */
/* test_text_anim.c - fontStyle animations[], karaoke, small caps, bullets,
 * fontUrl and paragraphWidth, seen in the pixels libass draws over time. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/compiler.h"
#include "render/text/fonts.h"
#include "render/text/text_int.h"
#include "support/text_fixture.h"

#define W 320
#define H 180

/* ---- helpers ----------------------------------------------------------- */

static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    assert_true(vasprintf(&s, f, ap) >= 0);
    va_end(ap);
    return s;
}

/* One SceneText element over [0, 4) with text and a style body. */
static char *el_doc(const char *text, const char *style)
{
    return fmt("{\"elements\":[{\"id\":\"t\",\"elementType\":\"SceneText\",\"type\":\"text\","
               "\"sceneIndex\":0,\"startTime\":0,\"duration\":4,\"text\":\"%s\",\"position\":"
               "\"center\",\"width\":0.9,\"style\":{\"fontSize\":40%s%s}}]}",
               text, *style ? "," : "", style);
}

/* Element with an animation list anims (JSON array body). */
static char *anim_doc(const char *text, const char *anims)
{
    char *st = fmt("\"animations\":[%s]", anims);
    char *d = el_doc(text, st);
    free(st);
    return d;
}

static sr_text *make(const char *doc)
{
    return sr_test_text_make(doc, W, H);
}

typedef struct ink {
    double sum;         /* sum of luma above black */
    double cx, cy;      /* luma-weighted centroid */
    int x0, y0, x1, y1; /* bounds of pixels brighter than 60 */
    long n;             /* pixels brighter than 60 */
    long green, green_x; /* green pixels, their mean x */
    long white;          /* near-white pixels */
} ink;

static ink measure(sr_text *tx, double t)
{
    sr_frame *f = sr_frame_alloc(W, H);
    assert_non_null(f);
    sr_frame_fill(f, 16, 128, 128);
    assert_int_equal(sr_text_draw_scene(tx, f, t, 0), 0);
    assert_int_equal(sr_text_draw_subtitles(tx, f, t), 0);
    ink k = {0, 0, 0, W, H, -1, -1, 0, 0, 0, 0};
    double sx = 0, sy = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t c[3];
            sr_frame_get_rgb(f, x, y, c);
            double l = (c[0] + c[1] + c[2]) / 3.0;
            k.sum += l;
            sx += l * x;
            sy += l * y;
            if (c[1] > 140 && c[0] < 110 && c[2] < 110) {
                k.green++;
                k.green_x += x;
            }
            if (c[0] > 150 && c[1] > 150 && c[2] > 150) k.white++;
            if (l < 60) continue;
            k.n++;
            if (x < k.x0) k.x0 = x;
            if (x > k.x1) k.x1 = x;
            if (y < k.y0) k.y0 = y;
            if (y > k.y1) k.y1 = y;
        }
    if (k.sum > 0) {
        k.cx = sx / k.sum;
        k.cy = sy / k.sum;
    }
    if (k.green) k.green_x /= k.green;
    sr_frame_free(f);
    return k;
}

/* Measures doc at n times. Frees doc. */
static void measure_at(char *doc, const double *t, ink *out, int n)
{
    sr_text *tx = make(doc);
    for (int i = 0; i < n; i++) {
        out[i] = measure(tx, t[i]);
        if (getenv("TA_DEBUG"))
            fprintf(stderr, "t=%.2f sum=%.0f c=(%.1f,%.1f) box=%d,%d-%d,%d n=%ld green=%ld gx=%ld\n", t[i],
                    out[i].sum, out[i].cx, out[i].cy, out[i].x0, out[i].y0, out[i].x1, out[i].y1,
                    out[i].n, out[i].green, out[i].green_x);
    }
    sr_text_destroy(tx);
    free(doc);
}

/* ---- entry / exit -------------------------------------------------------- */

/* fade (slow: 1 s): the drawn ink goes from ~0 to full over the entry, and
 * back to ~0 over the exit at the end of the block. */
static void test_fade_entry_exit(void **state)
{
    (void)state;
    double t[] = {0.02, 0.5, 1.5, 3.5, 3.98};
    ink k[5];
    measure_at(anim_doc("Hello", "{\"name\":\"fade\",\"type\":\"entry\",\"speed\":\"slow\"},"
                                 "{\"name\":\"fade\",\"type\":\"exit\",\"speed\":\"fast\"}"),
               t, k, 5);
    assert_true(k[2].n > 100);
    assert_true(k[0].sum < 0.1 * k[2].sum);
    assert_true(k[1].sum > 0.25 * k[2].sum && k[1].sum < 0.8 * k[2].sum);
    assert_true(k[3].sum > 0.95 * k[2].sum);     /* still full before the exit */
    assert_true(k[4].sum < 0.15 * k[2].sum);     /* faded out at the end */
    /* the picture did not move */
    assert_true(fabs(k[1].cx - k[2].cx) < 2 && fabs(k[1].cy - k[2].cy) < 2);
}

/* drift: the centroid moves in `direction` during the entry, then stays. */
static void test_drift_direction(void **state)
{
    (void)state;
    static const struct {
        const char *dir;
        double dx, dy;
    } cases[] = {{"up", 0, -1}, {"down", 0, 1}, {"left", -1, 0}, {"right", 1, 0}};
    for (size_t i = 0; i < 4; i++) {
        char *a = fmt("{\"name\":\"drift\",\"type\":\"entry\",\"speed\":\"slow\",\"direction\":\"%s\"}",
                      cases[i].dir);
        double t[] = {0.3, 0.7, 2.0};
        ink k[3];
        measure_at(anim_doc("Hello", a), t, k, 3);
        free(a);
        double mx = k[2].cx - k[0].cx, my = k[2].cy - k[0].cy;
        /* moving towards the final place along dir: 8% of 180 px = 14.4 px in all */
        if (cases[i].dx) {
            assert_true(mx * cases[i].dx > 3);
            assert_true(fabs(my) < 1.5);
        } else {
            assert_true(my * cases[i].dy > 3);
            assert_true(fabs(mx) < 1.5);
        }
        /* monotonic: the middle lies between */
        assert_true((k[1].cx - k[0].cx) * mx >= 0 && (k[1].cy - k[0].cy) * my >= 0);
    }
}

/* wipe right: the drawn extent grows to the right from the left edge. */
static void test_wipe_grows(void **state)
{
    (void)state;
    double t[] = {0.2, 0.4, 2.0};
    ink k[3];
    measure_at(anim_doc("Wipe this", "{\"name\":\"wipe\",\"speed\":\"slow\",\"direction\":\"right\"}"),
               t, k, 3);
    assert_true(k[2].n > 200);
    assert_true(k[0].n > 0 && k[0].n < k[1].n && k[1].n < k[2].n);
    assert_true(k[0].x1 < k[1].x1 && k[1].x1 < k[2].x1);
    assert_true(abs(k[0].x0 - k[2].x0) <= 1); /* the left edge is there from the start */
    /* the exit direction left erases from the right */
    double t2[] = {2.0, 3.8};
    ink e[2];
    measure_at(anim_doc("Wipe this", "{\"name\":\"wipe\",\"type\":\"exit\",\"speed\":\"slow\","
                                     "\"direction\":\"left\"}"),
               t2, e, 2);
    assert_true(e[1].n < e[0].n && e[1].x1 < e[0].x1 - 10 && abs(e[1].x0 - e[0].x0) <= 1);
}

/* text reveal up: the text rises from behind a fixed mask: partly drawn and
 * lower in the middle of the entry, never above its final top. */
static void test_text_reveal(void **state)
{
    (void)state;
    double t[] = {0.3, 2.0};
    ink k[2];
    measure_at(anim_doc("Reveal", "{\"name\":\"text reveal\",\"speed\":\"slow\",\"direction\":\"up\"}"),
               t, k, 2);
    assert_true(k[1].n > 200);
    assert_true(k[0].n > 0 && k[0].n < 0.9 * k[1].n);
    assert_true(k[0].cy > k[1].cy + 2);
    assert_true(k[0].y0 >= k[1].y0);
    assert_true(k[0].y1 <= k[1].y1 + 3); /* clipped at the mask's bottom */
}

/* elastic: the text grows from nothing, overshoots, settles at 100%. */
static void test_elastic(void **state)
{
    (void)state;
    double t[] = {0.1, 0.55, 2.0};
    ink k[3];
    measure_at(anim_doc("Boing", "{\"name\":\"elastic\",\"speed\":\"slow\"}"), t, k, 3);
    int w0 = k[0].x1 - k[0].x0, w1 = k[1].x1 - k[1].x0, w2 = k[2].x1 - k[2].x0;
    assert_true(k[2].n > 100);
    assert_true(k[0].n == 0 || w0 < 0.5 * w2);
    assert_true(w1 > w2); /* overshoot at 60% of the entry: 115% */
}

/* typewriter: more characters over time, appearing left to right. */
static void test_typewriter(void **state)
{
    (void)state;
    double t[] = {0.05, 0.3, 0.6, 3.0};
    ink k[4];
    measure_at(anim_doc("Typewriter", "{\"name\":\"typewriter\",\"speed\":\"slow\","
                                      "\"writingStyle\":\"character\"}"),
               t, k, 4);
    /* 10 characters x 80 ms */
    assert_true(k[3].n > 200);
    assert_true(k[0].n < k[1].n && k[1].n < k[2].n && k[2].n <= k[3].n);
    assert_true(k[0].n < 0.25 * k[3].n);
    assert_true(k[0].x1 < k[1].x1 && k[1].x1 < k[3].x1);
    assert_true(abs(k[0].x0 - k[3].x0) <= 1);
    /* word by word: two words, the first alone early on */
    double t2[] = {0.1, 3.0};
    ink w[2];
    measure_at(anim_doc("One Two", "{\"name\":\"typewriter\",\"writingStyle\":\"word\"}"), t2, w, 2);
    assert_true(w[0].n > 0.2 * w[1].n && w[0].n < 0.7 * w[1].n && w[0].x1 < w[1].x1 - 10);
}

/* blur: blurred (spread, faint) at the start, sharp at the end. */
static void test_blur(void **state)
{
    (void)state;
    double t[] = {0.15, 2.0};
    ink k[2];
    measure_at(anim_doc("Blur", "{\"name\":\"blur\",\"speed\":\"slow\"}"), t, k, 2);
    assert_true(k[1].n > 100);
    assert_true(k[0].sum < 0.6 * k[1].sum); /* fading in */
    /* the sharp text has more fully bright pixels than a blurred one */
    assert_true(k[0].n < k[1].n);
}

/* futureWords subtle: word-by-word fade shows the later words faintly. */
static void test_future_words(void **state)
{
    (void)state;
    double t[] = {0.02, 3.0};
    ink h[2], s[2];
    measure_at(anim_doc("One Two Three", "{\"name\":\"fade\",\"writingStyle\":\"word\","
                                         "\"speed\":\"slow\",\"futureWords\":\"hidden\"}"),
               t, h, 2);
    measure_at(anim_doc("One Two Three", "{\"name\":\"fade\",\"writingStyle\":\"word\","
                                         "\"speed\":\"slow\",\"futureWords\":\"subtle\"}"),
               t, s, 2);
    assert_true(fabs(h[1].sum - s[1].sum) < 0.02 * h[1].sum); /* same at the end */
    assert_true(h[0].sum < 0.05 * h[1].sum);
    assert_true(s[0].sum > 0.12 * s[1].sum && s[0].sum < 0.4 * s[1].sum);
}

/* bulletin: the box wipes in first (text hidden), then the text comes. */
static void test_bulletin(void **state)
{
    (void)state;
    double t[] = {0.15, 2.0};
    ink k[2];
    measure_at(el_doc("News", "\"backgroundColor\":\"#00C000\",\"animations\":[{\"name\":\"bulletin\","
                              "\"speed\":\"slow\",\"direction\":\"right\"}]"),
               t, k, 2);
    assert_true(k[1].green > 300 && k[1].white > 50);
    assert_true(k[0].green > 20 && k[0].green < 0.8 * k[1].green); /* the box, partly */
    assert_true(k[0].green_x < k[1].green_x);                      /* growing to the right */
    assert_true(k[0].white < 0.1 * k[1].white);                    /* no text yet */
}

/* karaoke: the word being spoken is drawn in the highlight colour. */
static void test_karaoke(void **state)
{
    (void)state;
    char *doc = strdup(
        "{\"elements\":[],\"subtitles\":[{\"id\":\"s\",\"sceneIndex\":0,\"startTime\":1,\"endTime\":3,"
        "\"text\":\"Alpha Bravo Charlie\",\"words\":["
        "{\"text\":\"Alpha\",\"startTime\":1.0,\"endTime\":1.5},"
        "{\"text\":\"Bravo\",\"startTime\":1.6,\"endTime\":2.1},"
        "{\"text\":\"Charlie\",\"startTime\":2.2,\"endTime\":2.8}],"
        "\"style\":{\"fontSize\":30,\"animations\":[{\"name\":\"karaoke\",\"color\":\"#00FF00\"}]}}]}");
    double t[] = {1.2, 1.8, 2.5, 2.95};
    ink k[4];
    measure_at(doc, t, k, 4);
    assert_true(k[0].green > 30 && k[1].green > 30 && k[2].green > 30);
    assert_true(k[0].green_x < k[1].green_x && k[1].green_x < k[2].green_x);
    assert_true(k[0].green_x < 135 && k[2].green_x > 180);
    assert_true(k[3].green < 5);   /* between words / after: no highlight */
    assert_true(k[3].n > k[0].n / 2); /* the cue itself is still drawn */
}

/* A subtitle cue with word-by-word fade follows the words' times. */
static void test_cue_words_follow_voice(void **state)
{
    (void)state;
    char *doc = strdup(
        "{\"elements\":[],\"subtitles\":[{\"id\":\"s\",\"sceneIndex\":0,\"startTime\":1,\"endTime\":3.5,"
        "\"text\":\"Alpha Bravo\",\"words\":["
        "{\"text\":\"Alpha\",\"startTime\":1.0,\"endTime\":1.4},"
        "{\"text\":\"Bravo\",\"startTime\":2.0,\"endTime\":2.4}],"
        "\"style\":{\"fontSize\":30,\"animations\":[{\"name\":\"typewriter\",\"writingStyle\":\"word\"}]}}]}");
    double t[] = {1.5, 1.9, 2.1, 3.0};
    ink k[4];
    measure_at(doc, t, k, 4);
    assert_true(k[0].n > 0.2 * k[3].n && k[0].n < 0.7 * k[3].n);
    assert_true(k[1].n == k[0].n);              /* still only Alpha before 2.0 */
    assert_true(k[2].n > k[1].n + 20);           /* Bravo appears when spoken */
}

/* ---- the rest of fontStyle ---------------------------------------------- */

/* smallcapitalize: lower-case letters drawn as capitals at 80%. */
static void test_smallcaps(void **state)
{
    (void)state;
    double t[] = {1.0};
    ink up[1], sc[1];
    measure_at(el_doc("Hello", "\"case\":\"uppercase\""), t, up, 1);
    measure_at(el_doc("Hello", "\"case\":\"smallcapitalize\""), t, sc, 1);
    int wu = up[0].x1 - up[0].x0, ws = sc[0].x1 - sc[0].x0;
    int hu = up[0].y1 - up[0].y0, hs = sc[0].y1 - sc[0].y0;
    assert_true(ws < 0.93 * wu && ws > 0.75 * wu); /* ELLO at 80% */
    assert_true(abs(hu - hs) <= 1);                 /* the H sets the height: no descenders */
    assert_true(abs(up[0].y1 - sc[0].y1) <= 1);     /* same baseline */
}

/* showBullet: a bullet in bulletFillColor before each line. */
static void test_bullets(void **state)
{
    (void)state;
    double t[] = {1.0};
    ink k[1], nb[1];
    measure_at(el_doc("One\\nTwo", "\"alignment\":\"left\",\"showBullet\":true,"
                                   "\"bulletFillColor\":\"#00FF00\",\"bulletSize\":\"150%\""),
               t, k, 1);
    measure_at(el_doc("One\\nTwo", "\"alignment\":\"left\""), t, nb, 1);
    assert_true(k[0].green > 10);
    assert_true(k[0].green_x < nb[0].x0 + 8); /* where the text starts without bullets */
    assert_true(k[0].x1 > nb[0].x1 + 5);      /* the text moved right of its bullet */
    assert_true(nb[0].green == 0);
}

/* fontUrl: a font file that fontconfig does not know renders in its family
 * (Bebas Neue is condensed: narrower than the fallback). */
static void test_font_url(void **state)
{
    (void)state;
    const char *src = getenv("SR_SOURCE_DIR");
    if (!src) src = ".";
    setenv("STORYREEL_FONTS_DIR", "/nonexistent-storyreel-fonts", 1); /* no project fonts */
    char *style = fmt("\"fontFamily\":\"Bebas Neue\",\"fontUrl\":\"%s/examples/assets/fonts/"
                      "bebas-neue-latin-400-normal.woff\"",
                      src);
    double t[] = {1.0};
    ink with[1], without[1];
    measure_at(el_doc("HELLO WORLD", style), t, with, 1);
    measure_at(el_doc("HELLO WORLD", "\"fontFamily\":\"Bebas Neue\""), t, without, 1);
    free(style);
    assert_true(with[0].n > 100 && without[0].n > 100);
    assert_true(with[0].x1 - with[0].x0 < 0.8 * (without[0].x1 - without[0].x0));
    /* a file that is not a font is an error naming the field */
    json_t *rp = json_loads("{\"elements\":[{\"elementType\":\"SceneText\",\"text\":\"x\",\"sceneIndex\":0,"
                            "\"startTime\":0,\"duration\":1,\"style\":{\"fontUrl\":\"/dev/null\"}}]}",
                            0, NULL);
    sr_text *tx = NULL;
    sr_err e = {0};
    assert_true(sr_text_create(&tx, rp, W, H, NULL, &e) < 0);
    assert_non_null(strstr(e.field, "elements[0].style.fontUrl"));
    json_decref(rp);
    unsetenv("STORYREEL_FONTS_DIR");
}

/* paragraphWidth on an element wraps it like width. */
static void test_paragraph_width(void **state)
{
    (void)state;
    double t[] = {1.0};
    ink narrow[1], wide[1];
    char *a = fmt("{\"elements\":[{\"elementType\":\"SceneText\",\"sceneIndex\":0,\"startTime\":0,"
                  "\"duration\":4,\"text\":\"one two three four\",\"style\":{\"fontSize\":30,"
                  "\"paragraphWidth\":\"30%%\"}}]}");
    char *b = fmt("{\"elements\":[{\"elementType\":\"SceneText\",\"sceneIndex\":0,\"startTime\":0,"
                  "\"duration\":4,\"text\":\"one two three four\",\"style\":{\"fontSize\":30,"
                  "\"paragraphWidth\":\"90%%\"}}]}");
    measure_at(a, t, narrow, 1);
    measure_at(b, t, wide, 1);
    assert_true(narrow[0].x1 - narrow[0].x0 <= 0.3 * W);
    assert_true(narrow[0].y1 - narrow[0].y0 > 1.8 * (wide[0].y1 - wide[0].y0));
}

/* Bad animation fields are errors naming the entry. */
static void test_anim_errors(void **state)
{
    (void)state;
    static const struct {
        const char *anims, *field;
    } cases[] = {
        {"{\"name\":\"spin\"}", "animations[0].name"},
        {"{\"name\":\"fade\",\"speed\":\"warp\"}", "animations[0].speed"},
        {"{\"name\":\"fade\",\"speed\":\"custom\",\"customSpeedValue\":0.2}",
         "animations[0].customSpeedValue"},
        {"{\"name\":\"drift\",\"direction\":\"sideways\"}", "animations[0].direction"},
        {"{\"name\":\"fade\",\"writingStyle\":\"poem\"}", "animations[0].writingStyle"},
        {"{\"name\":\"fade\",\"futureWords\":\"loud\"}", "animations[0].futureWords"},
        {"{\"name\":\"fade\"},{\"name\":\"blur\",\"type\":\"entry\"}", "animations[1].type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *doc = anim_doc("x", cases[i].anims);
        json_t *rp = json_loads(doc, 0, NULL);
        assert_non_null(rp);
        sr_text *tx = NULL;
        sr_err e = {0};
        assert_int_equal(sr_text_create(&tx, rp, W, H, NULL, &e), SR_EINVALID_FIELD);
        if (!strstr(e.field, cases[i].field)) fail_msg("%s: got field %s", cases[i].field, e.field);
        json_decref(rp);
        free(doc);
    }
}

/* ---- the catalog, fallbacks and captions (compiler) ---------------------- */

static json_t *compile_sb(const char *sb_text, sr_err *e)
{
    json_error_t je;
    json_t *sb = json_loads(sb_text, 0, &je);
    if (!sb) fail_msg("bad storyboard JSON: %s", je.text);
    sr_compile_opts o = {.base_dir = ".", .cache_dir = "/tmp", .no_media_probe = 1};
    json_t *rp = NULL;
    sr_err_clear(e);
    int rc = sr_compile(sb, &o, &rp, e);
    json_decref(sb);
    return rc ? NULL : rp;
}

static const char *fonts_folder(void)
{
    static char p[4096];
    const char *src = getenv("SR_SOURCE_DIR");
    snprintf(p, sizeof p, "%s/examples/assets/fonts", src ? src : ".");
    return p;
}

/* A family that is not installed falls back to a similar one, with a
 * warning naming the field; an installed catalog family (here from the font
 * folder) is kept and renders in that family. */
static void test_font_fallback_and_folder(void **state)
{
    (void)state;
    setenv("STORYREEL_FONTS_DIR", fonts_folder(), 1);
    sr_err e = {0};
    json_t *rp = compile_sb("{\"subtitleStyle\":{\"fontFamily\":\"Playfair Display\"},\"scenes\":[{\"story\":"
                            "\"Hello there.\",\"elements\":[{\"type\":\"text\",\"text\":\"A\",\"style\":"
                            "{\"fontFamily\":\"No Such Family\"}},{\"type\":\"text\",\"text\":\"B\","
                            "\"style\":{\"fontFamily\":\"Bebas Neue\"}}]}]}",
                            &e);
    if (!rp) fail_msg("compile: %s (%s)", e.msg, e.field);
    char *w = json_dumps(json_object_get(rp, "warnings"), 0);
    assert_non_null(w);
    assert_non_null(strstr(w, "subtitleStyle.fontFamily"));
    assert_non_null(strstr(w, "DejaVu Serif")); /* a serif for a serif */
    assert_non_null(strstr(w, "scenes[0].elements[0].style.fontFamily"));
    assert_null(strstr(w, "Bebas")); /* installed in the folder: no warning */
    free(w);
    const json_t *cue = json_array_get(json_object_get(rp, "subtitles"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(cue, "style"), "fontFamily")),
                        "DejaVu Serif");
    json_decref(rp);
    /* the folder's family renders condensed: narrower than DejaVu Sans */
    double t[] = {1.0};
    ink bebas[1], dejavu[1];
    measure_at(el_doc("HELLO WORLD", "\"fontFamily\":\"Bebas Neue\""), t, bebas, 1);
    measure_at(el_doc("HELLO WORLD", "\"fontFamily\":\"DejaVu Sans\""), t, dejavu, 1);
    assert_true(bebas[0].n > 100);
    assert_true(bebas[0].x1 - bebas[0].x0 < 0.8 * (dejavu[0].x1 - dejavu[0].x0));
    unsetenv("STORYREEL_FONTS_DIR");
    /* a Pictory family from the installed catalog (scripts/install-fonts) */
    char fam[64];
    if (sr_font_resolve("Montserrat", fam, sizeof fam) == 0) {
        ink mo[1], dv[1];
        measure_at(el_doc("Wide Glyphs", "\"fontFamily\":\"Montserrat\""), t, mo, 1);
        measure_at(el_doc("Wide Glyphs", "\"fontFamily\":\"DejaVu Sans\""), t, dv, 1);
        assert_true(abs((mo[0].x1 - mo[0].x0) - (dv[0].x1 - dv[0].x0)) > 3 || mo[0].sum != dv[0].sum);
    }
    size_t n;
    const sr_font_family *cat = sr_font_catalog(&n);
    assert_true(n >= 70);
    assert_non_null(sr_font_find("noto sans jp"));
    assert_non_null(strstr(cat[0].source, ":"));
}

/* caption: a SceneText styled like the subtitles at top-center, drawn there. */
static void test_caption(void **state)
{
    (void)state;
    sr_err e = {0};
    json_t *rp = compile_sb("{\"subtitleStyle\":{\"fontSize\":30,\"color\":\"#00FF00\"},\"scenes\":[{\"story\":"
                            "\"Spoken words.\",\"caption\":\"Not spoken\",\"hideSubtitles\":true}]}",
                            &e);
    if (!rp) fail_msg("compile: %s (%s)", e.msg, e.field);
    const json_t *el, *cap = NULL;
    size_t i;
    json_array_foreach(json_object_get(rp, "elements"), i, el)
    {
        const char *tx = json_string_value(json_object_get(el, "text"));
        if (tx && !strcmp(tx, "Not spoken")) cap = el;
    }
    assert_non_null(cap);
    assert_string_equal(json_string_value(json_object_get(cap, "elementType")), "SceneText");
    assert_string_equal(json_string_value(json_object_get(cap, "position")), "top-center");
    json_t *r2 = json_deep_copy(rp);
    sr_text *tx = NULL;
    assert_int_equal(sr_text_create(&tx, r2, W, H, NULL, &e), 0);
    ink k = measure(tx, json_number_value(json_object_get(cap, "startTime")) + 0.5);
    assert_true(k.green > 30 && k.y1 < H / 2); /* in the subtitles' colour, at the top */
    sr_text_destroy(tx);
    json_decref(r2);
    assert_null(strstr(json_string_value(json_object_get(rp, "transcript")), "Not spoken"));
    json_decref(rp);
    assert_null(compile_sb("{\"scenes\":[{\"caption\":\"x\"}]}", &e));
    assert_string_equal(e.field, "scenes[0].caption");
    assert_null(compile_sb("{\"scenes\":[{\"story\":\"A. B.\",\"caption\":\"x\","
                           "\"createSceneOnEndOfSentence\":true}]}",
                           &e));
    assert_string_equal(e.field, "scenes[0].caption");
    /* the compiler checks animations with storyboard field names */
    assert_null(compile_sb("{\"subtitleStyle\":{\"animations\":[{\"name\":\"spin\"}]},\"scenes\":[{\"story\":\"A\"}]}",
                           &e));
    assert_string_equal(e.field, "subtitleStyle.animations[0].name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fade_entry_exit),   cmocka_unit_test(test_drift_direction),
        cmocka_unit_test(test_wipe_grows),        cmocka_unit_test(test_text_reveal),
        cmocka_unit_test(test_elastic),           cmocka_unit_test(test_typewriter),
        cmocka_unit_test(test_blur),              cmocka_unit_test(test_future_words),
        cmocka_unit_test(test_bulletin),          cmocka_unit_test(test_karaoke),
        cmocka_unit_test(test_cue_words_follow_voice), cmocka_unit_test(test_smallcaps),
        cmocka_unit_test(test_bullets),           cmocka_unit_test(test_font_url),
        cmocka_unit_test(test_paragraph_width),   cmocka_unit_test(test_anim_errors),
        cmocka_unit_test(test_font_fallback_and_folder), cmocka_unit_test(test_caption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
