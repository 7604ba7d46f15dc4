/* libs: sr_common */
/* storyreel render's segment options through the real binary: --help lists
 * them, --stats prints the renderStats JSON on stderr, the segment cache in
 * $STORYREEL_CACHE/segments is reused and skipped with --no-cache, --hls
 * writes a finished playlist, --jobs is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fixtures.h"

static char *dir;
static const char *bin;

static int setup(void **state)
{
    (void)state;
    bin = getenv("SR_BINARY");
    dir = sr_test_tmpdir();
    if (!bin || !dir) return -1;
    FILE *f = fopen(sr_test_path(dir, "sb.json"), "w");
    if (!f) return -1;
    fputs("{\"videoName\":\"cli\",\"videoWidth\":320,\"videoHeight\":180,\"scenes\":["
          "{\"background\":{\"color\":\"#c03020\"},\"minimumDuration\":3},"
          "{\"background\":{\"color\":\"#2050c0\"},\"minimumDuration\":2}]}",
          f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sr_test_rmdir(dir);
    free(dir);
    return 0;
}

/* Runs storyreel render sb.json -o OUT args --stats; returns the stats JSON. */
static json_t *render_stats(const char *out, const char *args)
{
    int st = 0;
    char *s = sr_test_sh_out(&st, "cd '%s' && STORYREEL_CACHE='%s/cache' '%s' render sb.json -o %s --quiet --stats %s "
                                  "2>&1 >/dev/null | tail -1",
                             dir, dir, bin, out, args);
    assert_non_null(s);
    json_t *j = json_loads(s, 0, NULL);
    if (!j) fail_msg("not the stats JSON: %s", s);
    free(s);
    return j;
}

static json_int_t seg(const json_t *j, const char *k)
{
    return json_integer_value(json_object_get(json_object_get(j, "segments"), k));
}

static void test_help_lists_options(void **state)
{
    (void)state;
    int st = 0;
    char *s = sr_test_sh_out(&st, "'%s' render --help", bin);
    assert_int_equal(st, 0);
    static const char *const opts[] = {"--jobs", "--no-cache", "--cache-max-mb", "--hls", "--stats", "--no-segments"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (!strstr(s, opts[i])) fail_msg("--help does not list %s:\n%s", opts[i], s);
    free(s);
}

static void test_stats_cache_hls(void **state)
{
    (void)state;
    json_t *a = render_stats("a.mp4", "");
    json_int_t total = seg(a, "total");
    assert_true(total >= 3); /* 3 s + 2 s in 2 s segments */
    assert_int_equal(seg(a, "encoded"), total);
    static const char *const secs[] = {"compile", "audio", "video", "mux", "total"};
    for (size_t i = 0; i < 5; i++) assert_true(json_is_number(json_object_get(json_object_get(a, "seconds"), secs[i])));
    assert_true(json_is_number(json_object_get(a, "avEndDiffMs")));
    assert_true(json_is_number(json_object_get(a, "maxCharsPerSecond")));
    json_t *b = render_stats("b.mp4", "--hls hls");
    assert_int_equal(seg(b, "reused"), total);
    assert_int_equal(seg(b, "encoded"), 0);
    char *pl = sr_test_read(sr_test_path(dir, "hls/index.m3u8"));
    assert_non_null(pl);
    assert_non_null(strstr(pl, "#EXT-X-ENDLIST"));
    free(pl);
    json_t *c = render_stats("c.mp4", "--no-cache --jobs 2");
    assert_int_equal(seg(c, "encoded"), total);
    json_t *d = render_stats("d.mp4", "--no-segments");
    assert_int_equal(seg(d, "total"), 1);
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(d);
    int st = 0;
    char *s = sr_test_sh_out(&st, "cd '%s' && '%s' render sb.json -o e.mp4 --jobs 0 2>&1", dir, bin);
    assert_int_equal(st, 1);
    assert_non_null(strstr(s, "--jobs"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_options),
        cmocka_unit_test(test_stats_cache_hls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
