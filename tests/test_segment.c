/* libs: sr_render sr_common */
/* The segment planner: boundaries at scene changes, never inside a
 * transition, whole frame counts at every supported rate, the last shorter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>

#include <cmocka.h>

#include "render/segment.h"

static const struct { int num, den; int64_t max2s; } rates[] = {
    {24000, 1001, 47}, {24, 1, 48}, {25, 1, 50}, {30000, 1001, 59}, {30, 1, 60}, {60000, 1001, 119}, {60, 1, 120},
};

/* The plan covers [0, frames) in order with no gap or overlap. */
static void assert_covers(const sr_seg *s, int n, int64_t frames)
{
    int64_t f = 0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(s[i].start, f);
        assert_true(s[i].frames >= 1);
        f += s[i].frames;
    }
    assert_int_equal(f, frames);
}

static void test_max_frames_every_rate(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rates / sizeof *rates; i++) {
        assert_int_equal(sr_seg_max_frames(2.0, rates[i].num, rates[i].den), rates[i].max2s);
        /* never longer than the seconds asked for */
        assert_true(rates[i].max2s * (double)rates[i].den / rates[i].num <= 2.0 + 1e-9);
    }
    assert_int_equal(sr_seg_max_frames(0.01, 30, 1), 1);
}

/* One 10 s scene: full segments then a shorter last one, at every rate. */
static void test_one_scene_every_rate(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rates / sizeof *rates; i++) {
        double fps = (double)rates[i].num / rates[i].den;
        int64_t frames = llround(10.0 * fps);
        sr_seg_scene sc = {0, 10.0, 0};
        sr_seg *s = NULL;
        int n = sr_seg_plan(&sc, 1, frames, rates[i].num, rates[i].den, 2.0, &s);
        int64_t m = rates[i].max2s;
        assert_int_equal(n, (frames + m - 1) / m);
        assert_covers(s, n, frames);
        for (int k = 0; k + 1 < n; k++) assert_int_equal(s[k].frames, m);
        assert_true(s[n - 1].frames <= m);
        if (frames % m) assert_int_equal(s[n - 1].frames, frames % m);
        free(s);
    }
}

static int has_start(const sr_seg *s, int n, int64_t f)
{
    for (int i = 0; i < n; i++)
        if (s[i].start == f) return 1;
    return 0;
}

/* A cut at 3.0 s and a 0.5 s fade at 5.2 s (30 fps): boundaries at frame 90,
 * 156 and 171, the transition one segment of its own. */
static void test_scene_changes_and_transitions(void **state)
{
    (void)state;
    sr_seg_scene sc[] = {{0, 3.0, 0}, {3.0, 2.7, 0}, {5.2, 2.8, 0.5}};
    sr_seg *s = NULL;
    int n = sr_seg_plan(sc, 3, 240, 30, 1, 2.0, &s);
    assert_true(n > 0);
    assert_covers(s, n, 240);
    assert_true(has_start(s, n, 90));
    assert_true(has_start(s, n, 156));
    assert_true(has_start(s, n, 171));
    for (int i = 0; i < n; i++) {
        assert_true(s[i].frames <= 60);
        /* nothing starts inside the transition [156, 171) */
        assert_false(s[i].start > 156 && s[i].start < 171);
        if (s[i].start == 156) assert_int_equal(s[i].frames, 15);
    }
    /* scene 0: 60 + 30 (its last segment shorter) */
    assert_int_equal(s[0].frames, 60);
    assert_int_equal(s[1].frames, 30);
    free(s);
}

/* A transition longer than the maximum stays whole. */
static void test_long_transition_whole(void **state)
{
    (void)state;
    sr_seg_scene sc[] = {{0, 4.0, 0}, {1.0, 3.0, 2.5}};
    sr_seg *s = NULL;
    int n = sr_seg_plan(sc, 2, 120, 30, 1, 1.0, &s);
    assert_covers(s, n, 120);
    assert_true(has_start(s, n, 30));
    for (int i = 0; i < n; i++)
        if (s[i].start == 30) assert_int_equal(s[i].frames, 75);
    free(s);
}

/* A scene that moves in time by whole frames keeps its segments relative to it. */
static void test_moved_scene_same_segments(void **state)
{
    (void)state;
    sr_seg_scene a[] = {{0, 3.0, 0}, {3.0, 5.0, 0.5}}, b[] = {{0, 4.0, 0}, {4.0, 5.0, 0.5}};
    sr_seg *sa = NULL, *sb = NULL;
    int na = sr_seg_plan(a, 2, 240, 30, 1, 2.0, &sa), nb = sr_seg_plan(b, 2, 270, 30, 1, 2.0, &sb);
    int ia = 0, ib = 0;
    while (sa[ia].start != 90) ia++;
    while (sb[ib].start != 120) ib++;
    assert_int_equal(na - ia, nb - ib);
    for (; ia < na; ia++, ib++) {
        assert_int_equal(sa[ia].frames, sb[ib].frames);
        assert_int_equal(sa[ia].start - 90, sb[ib].start - 120);
    }
    free(sa);
    free(sb);
}

/* A fractional rate: scene starts are mapped by the compositor's rule. */
static void test_fractional_rate_boundaries(void **state)
{
    (void)state;
    double fps = 30000.0 / 1001;
    sr_seg_scene sc[] = {{0, 2.5, 0}, {2.5, 2.5, 0}};
    int64_t frames = llround(5.0 * fps);
    sr_seg *s = NULL;
    int n = sr_seg_plan(sc, 2, frames, 30000, 1001, 2.0, &s);
    assert_covers(s, n, frames);
    int64_t k = sr_seg_first_frame(2.5, fps);
    assert_true(k / fps >= 2.5 && (k - 1) / fps < 2.5);
    assert_true(has_start(s, n, k));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_frames_every_rate),
        cmocka_unit_test(test_one_scene_every_rate),
        cmocka_unit_test(test_scene_changes_and_transitions),
        cmocka_unit_test(test_long_transition_whole),
        cmocka_unit_test(test_moved_scene_same_segments),
        cmocka_unit_test(test_fractional_rate_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
