/* libs: sr_compiler sr_tts sr_render sr_text sr_audio sr_frame sr_common */
/* test_timed_text.c - captions through the real pipeline (storyboard ->
 * compiler with espeak-ng speech -> timeline -> SRT): the timed-text
 * conventions of the subtitle files, case mapping by the storyboard's
 * language, word-by-word cues. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "compiler/compiler.h"
#include "compiler/resolve_local.h"
#include "render/engine.h"
#include "render/text/text.h"
#include "support/fixtures.h"

static char *g_dir, g_cache[1024];

/* A 160x90 25-fps video of `seconds` whose luma rises by `rate` a second from 16. */
static int write_ramp(const char *name, double seconds, double rate)
{
    return sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i color=c=black:s=160x90:r=25:d=%g "
                      "-vf \"geq=lum='16+T*%g':cb=128:cr=128,format=yuv420p\" -c:v libx264 -preset ultrafast "
                      "-g 10 '%s'",
                      seconds, rate, sr_test_path(g_dir, name));
}

static int setup(void **state)
{
    (void)state;
    g_dir = sr_test_tmpdir();
    if (!g_dir) return -1;
    snprintf(g_cache, sizeof g_cache, "%s/cache", g_dir);
    if (write_ramp("ramp8.mp4", 8, 25) || write_ramp("ramp2.mp4", 2, 50)) return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sr_test_rmdir(g_dir);
    free(g_dir);
    return 0;
}

static json_t *compile(const char *sb_text)
{
    json_error_t je;
    json_t *sb = json_loads(sb_text, 0, &je);
    if (!sb) fail_msg("bad test JSON: %s", je.text);
    sr_err rerr = {0};
    if (sr_resolve_local(&sb, NULL, NULL, NULL, g_dir, &rerr)) fail_msg("resolve: %s", rerr.msg); /* named styles */
    sr_compile_opts o = {.base_dir = g_dir, .cache_dir = g_cache, .no_media_probe = 1};
    sr_err err = {0};
    json_t *rp = NULL;
    int rc = sr_compile(sb, &o, &rp, &err);
    if (rc) fail_msg("compile: %s (%s)", err.msg, err.field);
    json_decref(sb);
    return rp;
}

/* ---- SRT ------------------------------------------------------------------ */

#define MAX_CUES 256
typedef struct srt_cue {
    double start, end;
    int nlines;
    char lines[4][1024];
    char text[4200]; /* lines joined by \n */
} srt_cue;

static double srt_time(const char *s)
{
    int h, m, sec, ms;
    if (sscanf(s, "%d:%d:%d,%d", &h, &m, &sec, &ms) != 4) fail_msg("bad SRT time: %.30s", s);
    return h * 3600 + m * 60 + sec + ms / 1000.0;
}

/* Parses an SRT file into cues; returns the count. */
static int parse_srt(const char *data, srt_cue *c, int max)
{
    int n = 0;
    const char *p = data;
    while (*p && n < max) {
        while (*p == '\n') p++;
        if (!*p) break;
        char line[1024];
        int k = 0;
        const char *e = strchr(p, '\n');
        assert_non_null(e); /* the index */
        p = e + 1;
        e = strchr(p, '\n');
        assert_non_null(e);
        assert_non_null(strstr(p, " --> "));
        c[n].start = srt_time(p);
        c[n].end = srt_time(strstr(p, " --> ") + 5);
        p = e + 1;
        c[n].nlines = 0;
        c[n].text[0] = 0;
        while (*p && *p != '\n') {
            e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            assert_true(len < sizeof line);
            memcpy(line, p, len);
            line[len] = 0;
            if (k < 4) snprintf(c[n].lines[k], sizeof c[n].lines[k], "%s", line);
            size_t tl = strlen(c[n].text);
            snprintf(c[n].text + tl, sizeof c[n].text - tl, "%s%s", k ? "\n" : "", line);
            k++;
            p = e ? e + 1 : p + len;
        }
        c[n].nlines = k;
        n++;
    }
    return n;
}

static int cp_count(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Renders rp's subtitle files and parses its SRT into c. */
static int write_and_parse(const json_t *rp, const char *name, srt_cue *c)
{
    sr_err err = {0};
    const char *base = sr_test_path(g_dir, name);
    char path[1200];
    if (sr_write_subtitle_files(rp, base, &err)) fail_msg("subtitle files: %s", err.msg);
    snprintf(path, sizeof path, "%s.srt", base);
    char *srt = sr_test_read(path);
    assert_non_null(srt);
    int n = parse_srt(srt, c, MAX_CUES);
    free(srt);
    return n;
}

static const char *const k_story =
    "Every great journey begins with a single step, and ours began on a grey morning in the harbour. "
    "We loaded the boat with water, bread, ropes and a small radio that nobody knew how to use. "
    "The captain, who had sailed these waters for thirty years, told us to watch the horizon and to trust the wind. "
    "By noon the coast had disappeared behind us. "
    "Go! "
    "Nobody spoke for a long time, because the sea was enormous and we were very small.";

/* Netflix/BBC rules on the SRT of a narrated story: <= 42 characters a line,
 * <= 2 lines, >= 2 frames between cues, >= 5/6 s a cue unless the next one
 * starts sooner, no line ending on an article, the burned-in cue breaking
 * where the SRT does, and the worst reading speed reported. */
static void test_srt_follows_timed_text_rules(void **state)
{
    (void)state;
    char *sb = NULL;
    assert_true(asprintf(&sb,
                         "{\"videoWidth\":1280,\"videoHeight\":720,\"output\":{\"fps\":30},"
                         "\"scenes\":[{\"story\":\"%s\",\"createSceneOnEndOfSentence\":true,"
                         "\"background\":{\"color\":\"#203040\"}}]}",
                         k_story) > 0);
    json_t *rp = compile(sb);
    free(sb);
    static srt_cue c[MAX_CUES];
    int n = write_and_parse(rp, "rules", c);
    const json_t *subs = json_object_get(rp, "subtitles");
    assert_int_equal(n, (int)json_array_size(subs));
    assert_true(n >= 8);
    double gap = 2.0 / 30, worst = 0;
    int two_lines = 0, constrained = 0;
    for (int i = 0; i < n; i++) {
        assert_true(c[i].nlines >= 1 && c[i].nlines <= 2);
        two_lines += c[i].nlines == 2;
        for (int k = 0; k < c[i].nlines; k++) {
            if (cp_count(c[i].lines[k]) > 42) fail_msg("cue %d line %d is %d characters: %s", i, k, cp_count(c[i].lines[k]), c[i].lines[k]);
            const char *sp = strrchr(c[i].lines[k], ' ');
            const char *last = sp ? sp + 1 : c[i].lines[k];
            if (k + 1 < c[i].nlines && (!strcmp(last, "the") || !strcmp(last, "a") || !strcmp(last, "an")))
                fail_msg("cue %d line %d ends on an article: %s", i, k, c[i].lines[k]);
        }
        /* the burned-in caption is the same text with the same line breaks */
        assert_string_equal(sr_test_str(json_array_get(subs, (size_t)i), "text"), c[i].text);
        assert_true(c[i].end > c[i].start);
        double d = c[i].end - c[i].start;
        if (i + 1 < n) {
            assert_true(c[i + 1].start - c[i].end >= gap - 1e-9);
            if (d < 5.0 / 6 - 0.0015) { /* only when the next cue leaves no room */
                assert_true(c[i].end >= c[i + 1].start - gap - 0.0025);
                constrained++;
            }
        } else {
            assert_true(d >= 5.0 / 6 - 0.0015);
        }
        int chars = cp_count(c[i].text) - (c[i].nlines - 1);
        if (chars / d > worst) worst = chars / d;
    }
    assert_true(two_lines >= 3); /* long sentences take two lines */
    assert_true(constrained <= 1);
    assert_true(worst > 5);
    assert_true(fabs(sr_subtitles_max_cps(rp) - worst) < 0.05 * worst);
    json_decref(rp);
}

/* A two-line cue breaks after the comma (a clause boundary), not at the
 * middle of a phrase; estimated timing (no narration). */
static void test_line_breaks_at_phrase_boundaries(void **state)
{
    (void)state;
    json_t *rp = compile("{\"videoWidth\":1280,\"videoHeight\":720,\"voiceOver\":{\"enabled\":false},"
                         "\"scenes\":[{\"story\":\"When the rain stopped in the valley, the children "
                         "ran out into the wet fields.\"}]}");
    const json_t *subs = json_object_get(rp, "subtitles");
    assert_int_equal(json_array_size(subs), 1);
    assert_string_equal(sr_test_str(json_array_get(subs, 0), "text"),
                        "When the rain stopped in the valley,\nthe children ran out into the wet fields.");
    json_decref(rp);
}


/* ---- case mapping by the language's rules ----------------------------------- */

/* Draws rp's first cue (text replaced by text when not NULL, its style's case
 * removed then, its words dropped) at its middle, 640x360. */
static sr_frame *draw_cue(const json_t *rp0, const char *text)
{
    json_t *rp = json_deep_copy(rp0);
    json_t *cue = json_array_get(json_object_get(rp, "subtitles"), 0);
    assert_non_null(cue);
    json_object_del(cue, "words");
    if (text) {
        json_object_set_new(cue, "text", json_string(text));
        json_t *st = json_deep_copy(json_object_get(cue, "style"));
        json_object_del(st, "case");
        json_object_set_new(cue, "style", st);
    }
    double t = (sr_test_num(cue, "startTime") + sr_test_num(cue, "endTime")) / 2;
    sr_text *tx = NULL;
    sr_err err = {0};
    if (sr_text_create(&tx, rp, 640, 360, NULL, &err)) fail_msg("text: %s", err.msg);
    sr_frame *f = sr_frame_alloc(640, 360);
    assert_non_null(f);
    sr_frame_fill(f, 16, 128, 128);
    assert_int_equal(sr_text_draw_subtitles(tx, f, t), 0);
    sr_text_destroy(tx);
    json_decref(rp);
    return f;
}

/* Luma pixels that differ between two frames. */
static long differ(const sr_frame *a, const sr_frame *b)
{
    long n = 0;
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++)
            n += a->data[0][(size_t)y * a->linesize[0] + x] != b->data[0][(size_t)y * b->linesize[0] + x];
    return n;
}

/* A storyboard in language lang whose subtitles are in case mode. */
static json_t *case_story(const char *lang, const char *mode, const char *story)
{
    char *sb = NULL;
    assert_true(asprintf(&sb,
                         "{%s%s%s\"voiceOver\":{\"enabled\":false},\"videoWidth\":640,\"videoHeight\":360,"
                         "\"subtitleStyle\":{\"case\":\"%s\"},\"scenes\":[{\"story\":\"%s\"}]}",
                         lang ? "\"language\":\"" : "", lang ? lang : "", lang ? "\"," : "", mode, story) > 0);
    json_t *rp = compile(sb);
    free(sb);
    return rp;
}

/* case: uppercase/lowercase by the storyboard's language, through the
 * compiler's timeline and the renderer: the burned-in caption is pixel for
 * pixel the expected text (German ß -> SS, Turkish dotted İ, Greek capitals
 * without accents, Greek final sigma), and Turkish rules differ from the
 * root's. */
static void test_case_follows_language(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *mode, *story, *want;
    } k[] = {
        {"de", "uppercase", "Die Stra\xc3\x9f" "e ist gro\xc3\x9f.", "DIE STRASSE IST GROSS."},
        {"tr", "uppercase", "I\xc5\x9f\xc4\xb1k ile istanbul.", "I\xc5\x9eIK \xc4\xb0LE \xc4\xb0STANBUL."},
        {"el", "uppercase", "\xce\x97 \xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1 \xce\xb5\xce\xaf\xce\xbd\xce\xb1\xce\xb9 \xcf\x8c\xce\xbc\xce\xbf\xcf\x81\xcf\x86\xce\xb7.",
         "\xce\x97 \xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91 \xce\x95\xce\x99\xce\x9d\xce\x91\xce\x99 \xce\x9f\xce\x9c\xce\x9f\xce\xa1\xce\xa6\xce\x97."},
        {"el", "lowercase", "\xce\x9f\xce\x94\xce\x9f\xce\xa3 \xce\xa0\xce\x9f\xce\x9b\xce\x99\xce\xa3.",
         "\xce\xbf\xce\xb4\xce\xbf\xcf\x82 \xcf\x80\xce\xbf\xce\xbb\xce\xb9\xcf\x82."},
        {"tr", "capitalize", "istanbul ve izmir", "\xc4\xb0stanbul Ve \xc4\xb0zmir"},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        json_t *rp = case_story(k[i].lang, k[i].mode, k[i].story);
        assert_string_equal(sr_test_str(rp, "language"), k[i].lang);
        sr_frame *got = draw_cue(rp, NULL), *want = draw_cue(rp, k[i].want), *orig = draw_cue(rp, k[i].story);
        long d = differ(got, want);
        if (d) fail_msg("%s %s: %ld pixels differ from \"%s\"", k[i].lang, k[i].mode, d, k[i].want);
        assert_true(differ(got, orig) > 100); /* the case did change */
        sr_frame_free(got);
        sr_frame_free(want);
        sr_frame_free(orig);
        json_decref(rp);
    }
    /* the same Turkish text without the language: root rules, a dotless I */
    json_t *tr = case_story("tr", "uppercase", "ile istanbul"), *root = case_story(NULL, "uppercase", "ile istanbul");
    sr_frame *a = draw_cue(tr, NULL), *b = draw_cue(root, NULL), *c = draw_cue(root, "ILE ISTANBUL");
    assert_true(differ(a, b) > 20);
    assert_int_equal(differ(b, c), 0);
    sr_frame_free(a);
    sr_frame_free(b);
    sr_frame_free(c);
    json_decref(tr);
    json_decref(root);
}

/* ---- word-by-word captions ------------------------------------------------------ */

static int is_active_yellow(const uint8_t c[3])
{
    return c[0] > 200 && c[1] > 180 && c[2] < 90;
}

static int is_white(const uint8_t c[3])
{
    return c[0] > 200 && c[1] > 200 && c[2] > 200;
}

/* The named style "word-by-word": cues of at most 3 words timed by the
 * speech engine, the word being spoken drawn in #FFE600 at 120% (the active
 * word's colour appears where and when that word is spoken); wordsPerCue on
 * subtitleStyle overrides the count. */
static void test_word_by_word(void **state)
{
    (void)state;
    json_t *rp = compile("{\"videoWidth\":640,\"videoHeight\":360,\"subtitleStyleName\":\"word-by-word\","
                         "\"scenes\":[{\"story\":\"Small steps build great habits. Start today and keep going.\"}]}");
    const json_t *subs = json_object_get(rp, "subtitles"), *cue;
    size_t i;
    assert_true(json_array_size(subs) >= 4);
    json_array_foreach(subs, i, cue) assert_true(json_array_size(json_object_get(cue, "words")) <= 3);
    /* cue 0's words, each at its spoken time */
    cue = json_array_get(subs, 0);
    const json_t *words = json_object_get(cue, "words");
    assert_int_equal(json_array_size(words), 3);
    sr_text *tx = NULL;
    sr_err err = {0};
    if (sr_text_create(&tx, rp, 640, 360, NULL, &err)) fail_msg("text: %s", err.msg);
    int prev_x = -1;
    for (size_t k = 0; k < 3; k++) {
        const json_t *w = json_array_get(words, k);
        double t = sr_test_num(w, "startTime") + 0.7 * (sr_test_num(w, "endTime") - sr_test_num(w, "startTime"));
        sr_frame *f = sr_frame_alloc(640, 360);
        sr_frame_fill(f, 16, 128, 128);
        assert_int_equal(sr_text_draw_subtitles(tx, f, t), 0);
        sr_test_box y = sr_test_find_px(f, is_active_yellow), wh = sr_test_find_px(f, is_white);
        if (y.n < 30) fail_msg("word %zu (%s) at %.3f s: %ld active-colour pixels", k, sr_test_str(w, "text"), t, y.n);
        assert_true(wh.n > 30);           /* the other words stay white */
        assert_true((y.x0 + y.x1) / 2 > prev_x + 20); /* the highlight walks along the words */
        /* popping: the active capitals are taller than the other words' */
        assert_true(y.y1 - y.y0 > 1.1 * (wh.y1 - wh.y0));
        prev_x = (y.x0 + y.x1) / 2;
        sr_frame_free(f);
    }
    sr_text_destroy(tx);
    json_decref(rp);
    /* wordsPerCue 1 on the storyboard's own style wins over the named style's 3 */
    rp = compile("{\"videoWidth\":640,\"videoHeight\":360,\"subtitleStyleName\":\"word-by-word\","
                 "\"subtitleStyle\":{\"wordsPerCue\":1},"
                 "\"scenes\":[{\"story\":\"Small steps build great habits.\"}]}");
    subs = json_object_get(rp, "subtitles");
    assert_int_equal(json_array_size(subs), 5);
    json_array_foreach(subs, i, cue) assert_int_equal(json_array_size(json_object_get(cue, "words")), 1);
    json_decref(rp);
}

/* ---- legible by default, through a render ----------------------------------------- */

/* The story rendered (no subtitleStyle) at 640x360 over background colour
 * bg; returns the decoded frame at the middle of its first cue. */
static sr_frame *render_caption(const char *bg, const char *name)
{
    char *sb = NULL;
    assert_true(asprintf(&sb,
                         "{\"videoWidth\":640,\"videoHeight\":360,\"output\":{\"crf\":8},"
                         "\"scenes\":[{\"story\":\"Bright yellow backgrounds hide golden keywords\","
                         "\"background\":{\"color\":\"%s\"}}]}",
                         bg) > 0);
    json_t *rp = compile(sb);
    free(sb);
    const json_t *cue = json_array_get(json_object_get(rp, "subtitles"), 0);
    double t = (sr_test_num(cue, "startTime") + sr_test_num(cue, "endTime")) / 2;
    const char *out = sr_test_path(g_dir, name);
    sr_render_opts o = {.out_path = out, .base_dir = g_dir};
    sr_err err = {0};
    if (sr_render(rp, &o, &err)) fail_msg("render: %s (%s)", err.msg, err.field);
    json_decref(rp);
    sr_frame *f = sr_test_decode_frame(out, t);
    assert_non_null(f);
    return f;
}

/* A story with no subtitleStyle over pure #FFE600 yellow: in the decoded
 * video every glyph of the caption, the gold keywords too, is ringed by dark
 * outline pixels (the glyphs are found on the same render over grey). */
static void test_default_caption_reads_on_yellow(void **state)
{
    (void)state;
    sr_frame *grey = render_caption("#808080", "grey.mp4"), *yellow = render_caption("#FFE600", "yellow.mp4");
    uint8_t *mask = calloc((size_t)grey->w * grey->h, 1);
    assert_non_null(mask);
    long gold = 0;
    for (int y = 0; y < grey->h; y++)
        for (int x = 0; x < grey->w; x++) {
            uint8_t c[3];
            sr_frame_get_rgb(grey, x, y, c);
            mask[y * grey->w + x] = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] > 170;
            gold += c[0] > 200 && c[1] > 160 && c[1] < 235 && c[2] < 90;
        }
    assert_true(gold > 30); /* keywords in the default gold */
    double worst = 0;
    int glyphs = sr_test_dark_rings(yellow, mask, &worst);
    if (glyphs < 20 || worst < 0.6) fail_msg("%d glyphs, the least dark ring %.2f of its size", glyphs, worst);
    free(mask);
    sr_frame_free(grey);
    sr_frame_free(yellow);
}

/* ---- one story split over one background video ------------------------------ */

/* Compiles and renders a three-sentence story split into 1.5-s pieces over
 * video `name` (settings.loop = loop, a fade asked between scenes), 320x180 at
 * 10 fps; returns the timeline and writes the video to out. */
static json_t *render_story(const char *name, int loop, const char *out)
{
    char *sb = NULL;
    assert_true(asprintf(&sb,
                         "{\"videoWidth\":320,\"videoHeight\":180,\"output\":{\"fps\":10},"
                         "\"voiceOver\":{\"enabled\":false},"
                         "\"scenes\":[{\"story\":\"First. Second. Third.\",\"createSceneOnEndOfSentence\":true,"
                         "\"minimumDuration\":1.5,\"hideSubtitles\":true,\"sceneTransition\":\"fade\","
                         "\"background\":{\"visualUrl\":\"%s\",\"settings\":{\"loop\":%s}}}]}",
                         name, loop ? "true" : "false") > 0);
    json_t *rp = compile(sb);
    free(sb);
    sr_err err = {0};
    sr_render_opts o = {.out_path = out, .base_dir = g_dir};
    if (sr_render(rp, &o, &err)) fail_msg("render: %s (%s)", err.msg, err.field);
    return rp;
}

/* Mean luma of the frame shown at t (the picture's top half: no text there). */
static double luma_at(const char *path, double t)
{
    sr_frame *f = sr_test_decode_frame(path, t);
    assert_non_null(f);
    double s = 0;
    for (int y = 0; y < f->h / 2; y++)
        for (int x = 0; x < f->w; x++) s += f->data[0][(size_t)y * f->linesize[0] + x];
    s /= (double)(f->w * (f->h / 2));
    sr_frame_free(f);
    return s;
}

static void test_video_runs_on_across_split_scenes(void **state)
{
    (void)state;
    const char *out = sr_test_path(g_dir, "split.mp4");
    json_t *rp = render_story("ramp8.mp4", 1, out);
    /* three pieces, back to back, no transition between them */
    const json_t *mk = json_object_get(rp, "sceneMarkers");
    assert_int_equal(json_array_size(mk), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(sr_test_str(json_array_get(mk, i), "transition"), "none");
        assert_true(sr_test_num(json_array_get(mk, i), "transitionDuration") == 0);
    }
    double b1 = sr_test_num(json_array_get(mk, 1), "startTime"), b2 = sr_test_num(json_array_get(mk, 2), "startTime");
    double end = sr_test_num(json_object_get(rp, "output"), "duration");
    assert_true(b1 > 1 && b2 > b1 + 1 && end > b2 + 1);
    /* the brightness keeps rising across both boundaries: the video's own time */
    const double ts[] = {0.2, b1 - 0.2, b1 + 0.1, b2 - 0.2, b2 + 0.1, end - 0.2};
    double prev = -1;
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        double l = luma_at(out, ts[i]);
        if (l < prev + 1.5) fail_msg("at %.2f s the luma is %.1f, after %.1f before", ts[i], l, prev);
        if (fabs(l - (16 + 25 * ts[i])) > 12) fail_msg("at %.2f s the luma is %.1f, not %.1f", ts[i], l, 16 + 25 * ts[i]);
        prev = l;
    }
    json_decref(rp);
}

/* A 2-s video under 4.5 s of pieces: with loop it starts again; without, it
 * holds its last frame. */
static void test_short_video_loops_or_holds(void **state)
{
    (void)state;
    const char *out = sr_test_path(g_dir, "hold.mp4");
    json_t *rp = render_story("ramp2.mp4", 0, out);
    double last = luma_at(out, 1.9), later = luma_at(out, 2.6), end = luma_at(out, 4.2);
    assert_true(last > 100);
    assert_true(fabs(later - last) < 6 && fabs(end - last) < 6);
    json_decref(rp);
    out = sr_test_path(g_dir, "loop.mp4");
    rp = render_story("ramp2.mp4", 1, out);
    double looped = luma_at(out, 2.5); /* the video's 0.5 s */
    assert_true(fabs(looped - (16 + 50 * 0.5)) < 12);
    assert_true(luma_at(out, 3.9) > looped + 40); /* and runs on */
    json_decref(rp);
}

/* zoomAndPan over a split scene: one camera path across the pieces (each
 * piece starts where the previous one ended), from zoom 1 to the path's end. */
static void test_camera_runs_on_across_split_scenes(void **state)
{
    (void)state;
    json_t *rp = compile("{\"voiceOver\":{\"enabled\":false},\"scenes\":[{\"story\":\"One. Two. Three.\","
                         "\"createSceneOnEndOfSentence\":true,\"minimumDuration\":1.5,"
                         "\"background\":{\"visualUrl\":\"clip.mp4\",\"settings\":{\"zoomAndPan\":true}}}]}");
    const json_t *bg[4];
    assert_int_equal(sr_test_find(rp, "backgroundElement", NULL, bg, 4), 3);
    static const char *const keys[3][2] = {{"startZoom", "endZoom"}, {"startX", "endX"}, {"startY", "endY"}};
    for (int i = 0; i < 3; i++) {
        const json_t *m = json_object_get(bg[i], "motion"), *n = i < 2 ? json_object_get(bg[i + 1], "motion") : NULL;
        assert_non_null(m);
        for (int k = 0; n && k < 3; k++)
            assert_true(fabs(sr_test_num(m, keys[k][1]) - sr_test_num(n, keys[k][0])) < 1e-6);
    }
    assert_true(fabs(sr_test_num(json_object_get(bg[0], "motion"), "startZoom") - 1.0) < 1e-9);
    assert_true(sr_test_num(json_object_get(bg[2], "motion"), "endZoom") > 1.05);
    assert_true(sr_test_num(json_object_get(bg[1], "motion"), "startZoom") > 1.0);
    json_decref(rp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srt_follows_timed_text_rules),
        cmocka_unit_test(test_line_breaks_at_phrase_boundaries),
        cmocka_unit_test(test_case_follows_language),
        cmocka_unit_test(test_word_by_word),
        cmocka_unit_test(test_default_caption_reads_on_yellow),
        cmocka_unit_test(test_video_runs_on_across_split_scenes),
        cmocka_unit_test(test_short_video_loops_or_holds),
        cmocka_unit_test(test_camera_runs_on_across_split_scenes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
