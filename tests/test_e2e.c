/* libs: sr_common */
/* A storyboard through the real CLI, end to end: compile (real espeak-ng
 * speech), render (real libx264/AAC), then check what a viewer sees and
 * hears in the files: titles, subtitles only while their cue is on, a
 * crossfade between its neighbours, Ken Burns motion, the logo's blend,
 * narration, music ducked under it, and the side files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fixtures.h"

static char *dir;
static const char *bin;
static json_t *rp;       /* the timeline, from `storyreel preview` */
static const char *mp4;

#define W 320
#define H 180

/* Pixels in a rectangle whose luma is above thr. */
static int bright_pixels(const sr_frame *f, int x0, int y0, int w, int h, int thr)
{
    int n = 0;
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++) n += f->data[0][(size_t)y * f->linesize[0] + x] > thr;
    return n;
}

static int setup(void **state)
{
    (void)state;
    dir = sr_test_tmpdir();
    bin = getenv("SR_BINARY");
    assert_non_null(bin);
    /* media: a test-pattern still for scene 1, 440 Hz music, a half-transparent green logo */
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i testsrc2=s=640x360 -frames:v 1 '%s'",
                                sr_test_path(dir, "pattern.jpg")), 0);
    assert_int_equal(sr_test_write_wav(sr_test_path(dir, "music.wav"), 44100, 2, 3.0, 440, 0.3), 0);
    assert_int_equal(sr_test_write_image(sr_test_path(dir, "logo.png"), 60, 20, 0, 255, 0, 128), 0);
    FILE *f = fopen(sr_test_path(dir, "sb.json"), "w");
    fputs("{\"videoName\":\"e2e\",\"videoWidth\":320,\"videoHeight\":180,\"output\":{\"fps\":15,\"preset\":\"ultrafast\"},"
          "\"voiceOver\":{\"enabled\":true,\"aiVoices\":[{\"speaker\":\"en-us\",\"speed\":130}]},"
          "\"backgroundMusic\":{\"enabled\":true,\"musicUrl\":\"music.wav\",\"volume\":1},"
          "\"logo\":{\"url\":\"logo.png\",\"position\":\"top-right\",\"width\":\"20%\"},"
          "\"subtitleStyle\":{\"color\":\"#FFFFFF\",\"fontSize\":30},"
          "\"scenes\":["
          "{\"story\":\"Hello there, viewers.\",\"endPauseDuration\":1.6,"
          " \"background\":{\"color\":\"#0000FF\"},"
          " \"elements\":[{\"type\":\"text\",\"text\":\"TITLE\",\"textVariant\":\"heading\",\"position\":\"top-left\","
          "   \"style\":{\"color\":\"#FFFFFF\",\"fontSize\":40}}]},"
          "{\"minimumDuration\":2.5,\"sceneTransition\":\"fade\","
          " \"background\":{\"visualUrl\":\"pattern.jpg\",\"type\":\"image\",\"settings\":{\"kenBurnsEffect\":true}}}"
          "]}",
          f);
    fclose(f);
    int st;
    char *out = sr_test_sh_out(&st, "cd '%s' && STORYREEL_CACHE='%s/cache' '%s' preview sb.json 2>/dev/null", dir,
                               dir, bin);
    assert_int_equal(st, 0);
    json_error_t je;
    rp = json_loads(out, 0, &je);
    free(out);
    assert_non_null(rp);
    mp4 = strdup(sr_test_path(dir, "out.mp4"));
    st = sr_test_sh("cd '%s' && STORYREEL_CACHE='%s/cache' '%s' render sb.json -o out.mp4 --quiet", dir, dir, bin);
    assert_int_equal(st, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(rp);
    free((void *)mp4);
    sr_test_rmdir(dir);
    free(dir);
    return 0;
}

static void test_duration_and_files(void **state)
{
    (void)state;
    double dur = sr_test_num(json_object_get(rp, "output"), "duration");
    assert_true(dur > 3.0);
    double got = sr_test_media_duration(mp4);
    if (fabs(got - dur) > 0.15) fail_msg("video lasts %.2f s, timeline %.2f s", got, dur);
    char *srt = sr_test_read(sr_test_path(dir, "out.srt"));
    char *vtt = sr_test_read(sr_test_path(dir, "out.vtt"));
    char *txt = sr_test_read(sr_test_path(dir, "out.txt"));
    assert_non_null(srt);
    assert_non_null(vtt);
    assert_non_null(txt);
    assert_non_null(strstr(srt, "00:00:0"));
    assert_non_null(strstr(srt, "Hello"));
    assert_int_equal(strncmp(vtt, "WEBVTT", 6), 0);
    assert_non_null(strstr(txt, "Hello there, viewers."));
    free(srt);
    free(vtt);
    free(txt);
    sr_frame *thumb = sr_test_decode_frame(sr_test_path(dir, "out.jpg"), 0);
    assert_non_null(thumb);
    sr_frame_free(thumb);
    double mp3 = sr_test_media_duration(sr_test_path(dir, "out.mp3"));
    assert_true(fabs(mp3 - dur) < 0.2);
}

static void test_subtitles_only_during_cue(void **state)
{
    (void)state;
    const json_t *cue = json_array_get(json_object_get(rp, "subtitles"), 0);
    assert_non_null(cue);
    double s = sr_test_num(cue, "startTime"), e = sr_test_num(cue, "endTime");
    const json_t *m1 = json_array_get(json_object_get(rp, "sceneMarkers"), 1);
    double scene1 = sr_test_num(m1, "startTime");
    assert_true(e + 0.3 < scene1); /* the end pause leaves a gap without a cue */
    sr_frame *on = sr_test_decode_frame(mp4, (s + e) / 2);
    sr_frame *off = sr_test_decode_frame(mp4, (e + scene1) / 2);
    assert_non_null(on);
    assert_non_null(off);
    int band_on = bright_pixels(on, 0, H * 3 / 4, W, H / 4, 180);
    int band_off = bright_pixels(off, 0, H * 3 / 4, W, H / 4, 180);
    if (band_on < 30 || band_off > 5) fail_msg("subtitle band: %d bright px during the cue, %d after", band_on, band_off);
    /* the title (a heading: centred in its box) stays on during the whole scene; the background is blue */
    assert_true(bright_pixels(off, 0, 0, W - 100, H / 3, 180) > 30);
    double rgb[3];
    sr_frame_mean_rgb(off, W / 4, H / 2 - 10, W / 2, 20, rgb);
    assert_true(rgb[2] > 200 && rgb[0] < 40 && rgb[1] < 40);
    sr_frame_free(on);
    sr_frame_free(off);
}

static void test_crossfade_and_motion(void **state)
{
    (void)state;
    const json_t *m1 = json_array_get(json_object_get(rp, "sceneMarkers"), 1);
    double s1 = sr_test_num(m1, "startTime"), td = sr_test_num(m1, "transitionDuration");
    assert_true(td > 0.2);
    sr_frame *before = sr_test_decode_frame(mp4, s1 - 0.2);
    sr_frame *mid = sr_test_decode_frame(mp4, s1 + td / 2);
    sr_frame *after = sr_test_decode_frame(mp4, s1 + td + 0.2);
    sr_frame *later = sr_test_decode_frame(mp4, s1 + td + 1.5);
    assert_non_null(before);
    assert_non_null(mid);
    assert_non_null(after);
    assert_non_null(later);
    /* mid-fade: every pixel lies between its neighbours' (blue scene and pattern), away from both */
    double d_before = 0, d_after = 0;
    long n = 0;
    for (int y = 40; y < 130; y += 2)
        for (int x = 20; x < 300; x += 2) {
            int a = before->data[0][y * before->linesize[0] + x], b = after->data[0][y * after->linesize[0] + x];
            int m = mid->data[0][y * mid->linesize[0] + x];
            d_before += abs(m - a);
            d_after += abs(m - b);
            n++;
        }
    d_before /= n;
    d_after /= n;
    if (d_before < 8 || d_after < 8) fail_msg("mid-fade frame too close to a neighbour: %.1f %.1f", d_before, d_after);
    /* Ken Burns: the picture moves between two frames of the still scene */
    double diff = 0;
    n = 0;
    for (int y = 30; y < 150; y++)
        for (int x = 30; x < 290; x++) {
            diff += abs(after->data[0][y * after->linesize[0] + x] - later->data[0][y * later->linesize[0] + x]);
            n++;
        }
    if (diff / n < 2.0) fail_msg("no visible motion under Ken Burns (mean diff %.2f)", diff / n);
    sr_frame_free(before);
    sr_frame_free(mid);
    sr_frame_free(after);
    sr_frame_free(later);
}

static void test_logo_blend(void **state)
{
    (void)state;
    const json_t *cue = json_array_get(json_object_get(rp, "subtitles"), 0);
    sr_frame *f = sr_test_decode_frame(mp4, sr_test_num(cue, "startTime") + 0.2);
    assert_non_null(f);
    /* logo: 20% of 320 = 64 px wide, top-right, 50% green over blue */
    double rgb[3];
    int found = 0;
    for (int y = 0; y < 40 && !found; y += 2)
        for (int x = W - 90; x < W - 20 && !found; x += 2) {
            sr_frame_mean_rgb(f, x, y, 6, 6, rgb);
            found = rgb[1] > 90 && rgb[1] < 170 && rgb[2] > 90 && rgb[2] < 170 && rgb[0] < 50;
        }
    if (!found) fail_msg("no half-green-half-blue logo pixels in the top-right corner");
    /* the top-left quarter (title side) has no logo green */
    sr_frame_mean_rgb(f, W / 2 - 40, 60, 40, 40, rgb);
    assert_true(rgb[1] < 60);
    sr_frame_free(f);
}

static void test_narration_and_ducking(void **state)
{
    (void)state;
    const json_t *els = json_object_get(rp, "elements");
    double vs = -1, vd = 0;
    size_t i;
    json_t *e;
    json_array_foreach(els, i, e) {
        const char *t = json_string_value(json_object_get(e, "type"));
        if (t && !strcmp(t, "voiceOver")) {
            vs = sr_test_num(e, "startTime");
            vd = sr_test_num(e, "duration");
        }
    }
    assert_true(vs >= 0 && vd > 0.5);
    double voice = sr_test_audio_rms(mp4, vs + 0.1, vs + vd - 0.1);
    const json_t *m1 = json_array_get(json_object_get(rp, "sceneMarkers"), 1);
    double s1 = sr_test_num(m1, "startTime") + sr_test_num(m1, "transitionDuration");
    /* the 440 Hz music: ducked under the narration, full in the visual-only scene */
    double under = sr_test_audio_tone(mp4, vs + 0.35, vs + vd - 0.05, 440);
    double free_ = sr_test_audio_tone(mp4, s1 + 0.2, s1 + 1.2, 440);
    fprintf(stderr, "voice rms %.3f, music under narration %.3f, alone %.3f\n", voice, under, free_);
    assert_true(voice > 0.03);
    assert_true(free_ > 0.1);
    assert_true(under < 0.5 * free_);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_and_files),    cmocka_unit_test(test_subtitles_only_during_cue),
        cmocka_unit_test(test_crossfade_and_motion),  cmocka_unit_test(test_logo_blend),
        cmocka_unit_test(test_narration_and_ducking),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
