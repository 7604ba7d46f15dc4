/* libs: sr_render sr_text sr_audio sr_frame sr_common */
/* A still scene is composited once: a render whose scenes hold still
 * pictures (an image without camera motion under a layer that appears and
 * goes, a colour) takes their pictures from the still cache, and its video
 * is the same, frame for frame, as the render that draws every frame from
 * scratch (STORYREEL_NO_SKIP's path); the profile's counters show the work
 * skipped, and a moving camera is never cached. The same render through the
 * scalar loops gives the same video as through the vector ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "render/engine.h"
#include "render/pixels.h"
#include "support/fixtures.h"

static char *g_dir;

static int setup(void **state)
{
    g_dir = sr_test_tmpdir();
    if (!g_dir) return -1;
    if (sr_test_write_image(sr_test_path(g_dir, "still.jpg"), 400, 300, 200, 120, 40, 255) ||
        sr_test_write_image(sr_test_path(g_dir, "logo.png"), 64, 32, 255, 255, 255, 200))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    sr_test_rmdir(g_dir);
    free(g_dir);
    return 0;
}

/* 320x180 at 12 fps, 3 s (36 frames): scene 0 an image whose camera stays
 * put (equal start and end views) under a layer shown 0.5-1.0 s, a 0.25 s
 * wipe at 1.5 s into scene 1, a colour with text; a cut at 2.5 s to scene 2,
 * the image zooming; a logo and a subtitle cue over all of it. */
static const char *timeline_json =
    "{\"version\":1,"
    "\"output\":{\"name\":\"t\",\"width\":320,\"height\":180,\"fps\":12,\"duration\":3.0,"
    "  \"crf\":20,\"preset\":\"ultrafast\",\"audioBitrate\":96000,\"background\":\"#000000\"},"
    "\"sceneMarkers\":["
    "  {\"sceneIndex\":0,\"startTime\":0,\"duration\":1.75,\"transition\":\"none\",\"transitionDuration\":0},"
    "  {\"sceneIndex\":1,\"startTime\":1.5,\"duration\":1.0,\"transition\":\"wipeleft\",\"transitionDuration\":0.25},"
    "  {\"sceneIndex\":2,\"startTime\":2.5,\"duration\":0.5,\"transition\":\"none\",\"transitionDuration\":0}],"
    "\"elements\":["
    "  {\"id\":\"bg0\",\"elementType\":\"backgroundElement\",\"type\":\"image\",\"url\":\"still.jpg\","
    "   \"sceneIndex\":0,\"startTime\":0,\"duration\":1.75,"
    "   \"motion\":{\"startZoom\":1.2,\"endZoom\":1.2,\"startX\":0.4,\"startY\":0.5,\"endX\":0.4,\"endY\":0.5}},"
    "  {\"id\":\"pic\",\"elementType\":\"layerItem\",\"type\":\"image\",\"url\":\"logo.png\","
    "   \"sceneIndex\":0,\"startTime\":0.5,\"duration\":0.5,\"position\":\"center\",\"width\":0.3},"
    "  {\"id\":\"bg1\",\"elementType\":\"backgroundElement\",\"type\":\"color\",\"color\":\"#2850c8\","
    "   \"sceneIndex\":1,\"startTime\":1.5,\"duration\":1.0},"
    "  {\"id\":\"bg2\",\"elementType\":\"backgroundElement\",\"type\":\"image\",\"url\":\"still.jpg\","
    "   \"sceneIndex\":2,\"startTime\":2.5,\"duration\":0.5,"
    "   \"motion\":{\"startZoom\":1.0,\"endZoom\":1.3,\"startX\":0.5,\"startY\":0.5,\"endX\":0.6,\"endY\":0.5}},"
    "  {\"id\":\"logo\",\"elementType\":\"layerItem\",\"type\":\"image\",\"url\":\"logo.png\","
    "   \"sceneIndex\":-1,\"startTime\":0,\"duration\":3.0,\"position\":\"top-right\",\"width\":0.2}],"
    "\"subtitles\":["
    "  {\"id\":\"s0\",\"sceneIndex\":0,\"startTime\":0.2,\"endTime\":2.7,\"text\":\"STILL PICTURES\","
    "   \"maxLines\":2,\"style\":{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":30,\"color\":\"#ffffff\"},\"hidden\":false}]}";

/* renders the timeline to name.mp4; returns the video's per-frame MD5s */
static char *render(const char *name, sr_render_profile *prof)
{
    json_error_t je;
    json_t *rp = json_loads(timeline_json, 0, &je);
    if (!rp) fail_msg("timeline JSON: %s (line %d)", je.text, je.line);
    char out[4200];
    snprintf(out, sizeof out, "%s/%s.mp4", g_dir, name);
    sr_render_opts o = {.out_path = out, .base_dir = g_dir, .profile = prof};
    sr_err err = {0};
    int rc = sr_render(rp, &o, &err);
    json_decref(rp);
    if (rc) fail_msg("render: %s (%s)", err.msg, err.field);
    int status = 0;
    char *md5 = sr_test_sh_out(&status, "ffmpeg -v error -i '%s' -map 0:v -f framemd5 - | grep -v '^#'", out);
    assert_int_equal(status, 0);
    assert_non_null(md5);
    return md5;
}

static void test_still_scene_reused(void **state)
{
    sr_render_profile fast = {0}, full = {0};
    char *a = render("fast", &fast);
    sr_px_set_skip(0);
    char *b = render("full", &full);
    sr_px_set_skip(1);
    assert_int_equal(fast.frames, 36);
    assert_true(strlen(a) > 36 * 20);
    if (strcmp(a, b)) fail_msg("the still cache changed the video:\n%s\nvs\n%s", a, b);
    /* 39 scene pictures (36 frames, 3 of them in the wipe draw two): with the
     * cache, scene 0 is drawn once per layer set, scene 1 once, and each of
     * scene 2's 6 frames (its camera moves); without, all 39 */
    assert_int_equal(full.stills_drawn, 39);
    assert_int_equal(full.stills_reused, 0);
    assert_int_equal(fast.stills_drawn + fast.stills_reused, 39);
    if (fast.stills_drawn > 10) fail_msg("%lld pictures drawn of 39", (long long)fast.stills_drawn);
    /* the wipe copied most of its pixels, the every-pixel path none */
    assert_true(fast.copied_px > fast.mixed_px);
    assert_true(full.mixed_px >= 2LL * 320 * 180 * 3 / 2);
    assert_true(fast.compose_s >= 0 && fast.cpu_s > 0 && fast.wall_s > 0);
    assert_non_null(fast.simd);
    print_message("drawn %lld reused %lld; mixed %lld copied %lld (every-pixel path: mixed %lld)\n",
                  (long long)fast.stills_drawn, (long long)fast.stills_reused, (long long)fast.mixed_px,
                  (long long)fast.copied_px, (long long)full.mixed_px);
    free(a);
    free(b);
}

/* the whole render through the scalar loops gives the same video as through
 * the best vector level */
static void test_scalar_render_equal(void **state)
{
    sr_render_profile best = {0}, scalar = {0};
    char *a = render("best", &best);
    sr_px_select(SR_PX_SCALAR);
    char *b = render("scalar", &scalar);
    sr_px_select(sr_px_best());
    assert_string_equal(scalar.simd, "scalar");
    if (strcmp(a, b)) fail_msg("the %s loops changed the video:\n%s\nvs\n%s", best.simd, a, b);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_still_scene_reused),
        cmocka_unit_test(test_scalar_render_equal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
