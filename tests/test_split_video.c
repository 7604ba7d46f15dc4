/* libs: sr_compiler sr_tts sr_render sr_text sr_audio sr_frame sr_common */
/* test_split_video.c - one story split into scenes (createSceneOnEndOfSentence)
 * over one background video: the video runs on across the pieces (no
 * restart, no transition between them), and loops or holds its last frame
 * when the pieces outlast it. Rendered for real and checked on the decoded
 * frames of a video whose brightness rises with time. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/compiler.h"
#include "render/engine.h"
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
    json_error_t je;
    json_t *sbj = json_loads(sb, 0, &je);
    free(sb);
    assert_non_null(sbj);
    sr_compile_opts co = {.base_dir = g_dir, .cache_dir = g_cache};
    sr_err err = {0};
    json_t *rp = NULL;
    if (sr_compile(sbj, &co, &rp, &err)) fail_msg("compile: %s (%s)", err.msg, err.field);
    json_decref(sbj);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_video_runs_on_across_split_scenes),
        cmocka_unit_test(test_short_video_loops_or_holds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
