/* libs: sr_compiler sr_tts sr_render sr_common */
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
#include "render/engine.h"
#include "support/fixtures.h"

static char *g_dir, g_cache[1024];

static int setup(void **state)
{
    (void)state;
    g_dir = sr_test_tmpdir();
    if (!g_dir) return -1;
    snprintf(g_cache, sizeof g_cache, "%s/cache", g_dir);
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
            assert_true(c[i + 1].start - c[i].end >= gap - 0.0015);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srt_follows_timed_text_rules),
        cmocka_unit_test(test_line_breaks_at_phrase_boundaries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
