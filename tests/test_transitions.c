/* libs: sr_render sr_frame sr_common */
/* Every transition in the table: progress 0 shows the old scene, 1 the new
 * one, and in between what that transition should show. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/compose.h"

#define W 320
#define H 180

typedef struct fixture {
    sr_frame *from, *to, *out;
} fixture;

/* old scene: dark blue with a white bar at x 232..247; new scene: orange */
static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->from = sr_frame_alloc(W, H);
    fx->to = sr_frame_alloc(W, H);
    fx->out = sr_frame_alloc(W, H);
    uint8_t y, u, v;
    sr_rgb_to_yuv(20, 30, 160, &y, &u, &v);
    sr_frame_fill(fx->from, y, u, v);
    for (int r = 0; r < H; r++) memset(fx->from->data[0] + (size_t)r * fx->from->linesize[0] + 232, 235, 16);
    for (int r = 0; r < H / 2; r++) {
        memset(fx->from->data[1] + (size_t)r * fx->from->linesize[1] + 116, 128, 8);
        memset(fx->from->data[2] + (size_t)r * fx->from->linesize[2] + 116, 128, 8);
    }
    sr_rgb_to_yuv(240, 140, 20, &y, &u, &v);
    sr_frame_fill(fx->to, y, u, v);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    sr_frame_free(fx->from);
    sr_frame_free(fx->to);
    sr_frame_free(fx->out);
    free(fx);
    return 0;
}

static int frames_equal(const sr_frame *a, const sr_frame *b)
{
    for (int p = 0; p < 3; p++) {
        int rows = p ? H / 2 : H, cols = p ? W / 2 : W;
        for (int r = 0; r < rows; r++)
            if (memcmp(a->data[p] + (size_t)r * a->linesize[p], b->data[p] + (size_t)r * b->linesize[p], cols))
                return 0;
    }
    return 1;
}

/* mean absolute luma difference over a rectangle */
static double diff(const sr_frame *a, const sr_frame *b, int x, int y, int w, int h)
{
    double s = 0;
    for (int r = y; r < y + h; r++)
        for (int c = x; c < x + w; c++)
            s += abs(a->data[0][(size_t)r * a->linesize[0] + c] - b->data[0][(size_t)r * b->linesize[0] + c]);
    return s / ((double)w * h);
}

static int is_new(const fixture *fx, int x, int y, int w, int h)
{
    return diff(fx->out, fx->to, x, y, w, h) < 1.0;
}
static int is_old(const fixture *fx, int x, int y, int w, int h)
{
    return diff(fx->out, fx->from, x, y, w, h) < 1.0;
}

static void run(fixture *fx, const char *name, double p)
{
    int i = sr_transition_find(name);
    assert_true(i >= 0);
    sr_transitions[i].fn(fx->out, fx->from, fx->to, p);
}

static void test_table_endpoints(void **state)
{
    fixture *fx = *state;
    static const char *names[] = {"none", "wipeup", "wipedown", "wipeleft", "wiperight", "smoothleft",
                                  "smoothright", "radial", "circlecrop", "hblur", "fade"};
    assert_int_equal(sr_ntransitions, 11);
    for (int k = 0; k < 11; k++) {
        int i = sr_transition_find(names[k]);
        if (i < 0) fail_msg("transition %s missing", names[k]);
        sr_transitions[i].fn(fx->out, fx->from, fx->to, 0.0);
        if (!frames_equal(fx->out, fx->from)) fail_msg("%s at 0 is not the old scene", names[k]);
        sr_transitions[i].fn(fx->out, fx->from, fx->to, 1.0);
        if (!frames_equal(fx->out, fx->to)) fail_msg("%s at 1 is not the new scene", names[k]);
        if (strcmp(names[k], "none") != 0) {
            sr_transitions[i].fn(fx->out, fx->from, fx->to, 0.5);
            if (frames_equal(fx->out, fx->from) || frames_equal(fx->out, fx->to))
                fail_msg("%s at 0.5 is not between the scenes", names[k]);
        }
    }
    assert_int_equal(sr_transition_find("spin"), -1);
}

static void test_fade_midcolour(void **state)
{
    fixture *fx = *state;
    run(fx, "fade", 0.5);
    double rgb[3];
    sr_frame_mean_rgb(fx->out, 0, 0, 200, H, rgb);
    assert_true(fabs(rgb[0] - 130) < 4 && fabs(rgb[1] - 85) < 4 && fabs(rgb[2] - 90) < 4);
}

static void test_wipes(void **state)
{
    fixture *fx = *state;
    run(fx, "wipeleft", 0.5); /* new scene on the right */
    assert_true(is_new(fx, 180, 0, 140, H) && is_old(fx, 0, 0, 140, H));
    run(fx, "wiperight", 0.5);
    assert_true(is_new(fx, 0, 0, 140, H) && is_old(fx, 180, 0, 140, H));
    run(fx, "wipeup", 0.5); /* new scene at the bottom */
    assert_true(is_new(fx, 0, 100, W, 80) && is_old(fx, 0, 0, W, 80));
    run(fx, "wipedown", 0.5);
    assert_true(is_new(fx, 0, 0, W, 80) && is_old(fx, 0, 100, W, 80));
    /* the edge is soft: a few pixels of intermediate values, not a hard step */
    run(fx, "wiperight", 0.5);
    int mid = 0;
    for (int x = 140; x < 180; x++) {
        int v = fx->out->data[0][90 * fx->out->linesize[0] + x];
        int a = fx->from->data[0][90 * fx->from->linesize[0] + x], b = fx->to->data[0][90 * fx->to->linesize[0] + x];
        if (v != a && v != b) mid++;
    }
    assert_true(mid >= 1 && mid <= 8);
    /* the edge advances with progress */
    run(fx, "wiperight", 0.25);
    assert_true(is_new(fx, 0, 0, 70, H) && is_old(fx, 90, 0, 140, H));
}

static void test_push(void **state)
{
    fixture *fx = *state;
    /* the old scene's white bar (x 232..247) moves left by half the width */
    run(fx, "smoothleft", 0.5);
    assert_true(is_new(fx, 160, 0, 160, H));
    assert_true(fx->out->data[0][90 * fx->out->linesize[0] + 80] == 235);
    assert_true(fx->out->data[0][90 * fx->out->linesize[0] + 60] != 235);
    run(fx, "smoothright", 0.5); /* new on the left, old pushed right: bar off screen */
    assert_true(is_new(fx, 0, 0, 160, H));
    double s = 0;
    for (int x = 160; x < W; x++) s += fx->out->data[0][90 * fx->out->linesize[0] + x] == 235;
    assert_true(s == 0);
    run(fx, "smoothright", 0.25); /* old moved right by 80: bar at 312.. */
    assert_true(fx->out->data[0][90 * fx->out->linesize[0] + 314] == 235);
    assert_true(is_new(fx, 0, 0, 80, H));
}

static void test_radial_circle(void **state)
{
    fixture *fx = *state;
    run(fx, "radial", 0.3); /* clock hand at ~108 degrees: top right new, left old */
    assert_true(is_new(fx, 200, 10, 40, 40));
    assert_true(is_old(fx, 20, 40, 60, 100));
    run(fx, "radial", 0.6); /* past 6 o'clock: bottom middle right new, top left old */
    assert_true(is_new(fx, 250, 120, 40, 40));
    assert_true(is_old(fx, 40, 10, 60, 40));
    run(fx, "circlecrop", 0.3); /* centre new, corners old */
    assert_true(is_new(fx, 150, 80, 20, 20));
    assert_true(is_old(fx, 0, 0, 20, 20) && is_old(fx, 300, 160, 20, 20));
}

static void test_hblur(void **state)
{
    fixture *fx = *state;
    run(fx, "hblur", 0.3);
    /* the bar's edge is smeared: values between the bar and the blue around it */
    const uint8_t *row = fx->out->data[0] + 90 * fx->out->linesize[0];
    int ramp = 0;
    for (int x = 220; x < 260; x++) ramp += row[x] > row[200] + 5 && row[x] < row[239] - 5;
    assert_true(ramp >= 4);
    run(fx, "hblur", 0.5);
    double rgb[3];
    sr_frame_mean_rgb(fx->out, 0, 0, 200, H, rgb);
    assert_true(fabs(rgb[0] - 130) < 6 && fabs(rgb[2] - 90) < 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_endpoints), cmocka_unit_test(test_fade_midcolour),
        cmocka_unit_test(test_wipes),           cmocka_unit_test(test_push),
        cmocka_unit_test(test_radial_circle),   cmocka_unit_test(test_hblur),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
