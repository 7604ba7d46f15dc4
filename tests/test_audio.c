/* libs: sr_audio sr_common */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"
#include "render/audio/audio.h"

#define RATE SR_AUDIO_RATE

static char *dir;

/* ---- helpers ---------------------------------------------------------------- */

static json_t *timeline(double dur, json_t *elements)
{
    return json_pack("{s:i, s:{s:f, s:i, s:i}, s:o}", "version", 1, "output", "duration", dur,
                     "width", 320, "height", 180, "elements", elements);
}

static json_t *audio_el(const char *type, const char *url, double start, double dur)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:i}", "id", type, "elementType",
                     "audioElement", "type", type, "url", url, "startTime", start, "duration", dur,
                     "sceneIndex", -1);
}

static json_t *video_el(const char *url, double start, double dur, int mute)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:b}", "id", "bg", "elementType",
                     "backgroundElement", "type", "video", "url", url, "startTime", start,
                     "duration", dur, "sceneIndex", 0, "mute", mute);
}

/* Mixes the whole timeline (paths relative to dir); *n gets the frame count. */
static float *mix_all(json_t *rp, int64_t *n)
{
    sr_audio *a = NULL;
    sr_err e = {0};
    int r = sr_audio_create(&a, rp, dir, &e);
    if (r != 0) fprintf(stderr, "create: %s (%s)\n", e.msg, e.field);
    assert_int_equal(r, 0);
    int64_t total = sr_audio_total(a);
    float *buf = malloc((size_t)(total + 1) * 2 * sizeof *buf);
    assert_non_null(buf);
    int64_t got = 0;
    int step = 1000; /* an odd block size: the mixer must not care */
    for (;;) {
        int k = sr_audio_read(a, buf + got * 2, step, &e);
        assert_true(k >= 0);
        if (k == 0) break;
        got += k;
        assert_true(got <= total);
    }
    assert_int_equal(got, total);
    sr_audio_destroy(a);
    json_decref(rp);
    *n = total;
    return buf;
}

static double rms(const float *b, int64_t n, double t0, double t1)
{
    int64_t i0 = llrint(t0 * RATE), i1 = llrint(t1 * RATE);
    if (i1 > n) i1 = n;
    double s = 0;
    for (int64_t i = i0; i < i1; i++)
        s += (double)b[2 * i] * b[2 * i] + (double)b[2 * i + 1] * b[2 * i + 1];
    return i1 > i0 ? sqrt(s / (2.0 * (double)(i1 - i0))) : 0;
}

/* Frequency from zero crossings of the left channel over [t0, t1). */
static double freq(const float *b, int64_t n, double t0, double t1)
{
    int64_t i0 = llrint(t0 * RATE), i1 = llrint(t1 * RATE);
    if (i1 > n) i1 = n;
    int zc = 0;
    for (int64_t i = i0 + 1; i < i1; i++)
        if ((b[2 * (i - 1)] < 0) != (b[2 * i] < 0)) zc++;
    return zc / (2.0 * (t1 - t0));
}

static double peak(const float *b, int64_t n)
{
    double m = 0;
    for (int64_t i = 0; i < 2 * n; i++)
        m = fmax(m, fabs(b[i]));
    return m;
}

/* The largest change between successive 5 ms RMS windows over [t0, t1): for a
 * 400 Hz sine a window is two whole periods, so the window RMS is exact and
 * any step in the gain shows. */
static double max_env_step(const float *b, int64_t n, double t0, double t1)
{
    double prev = -1, worst = 0;
    for (double t = t0; t + 0.005 <= t1; t += 0.005) {
        double v = rms(b, n, t, t + 0.005);
        if (prev >= 0) worst = fmax(worst, fabs(v - prev));
        prev = v;
    }
    return worst;
}

/* The largest jump between neighbouring samples (a click shows here). */
static double max_sample_step(const float *b, int64_t n, double t0, double t1)
{
    int64_t i0 = llrint(t0 * RATE), i1 = llrint(t1 * RATE);
    if (i1 > n) i1 = n;
    double m = 0;
    for (int64_t i = i0 + 1; i < i1; i++)
        m = fmax(m, fabs(b[2 * i] - b[2 * (i - 1)]));
    return m;
}

static const char *wav(const char *name, int rate, int ch, double sec, double f, double amp)
{
    assert_int_equal(sr_test_write_wav(sr_test_path(dir, name), rate, ch, sec, f, amp), 0);
    return name;
}

static int setup(void **state)
{
    (void)state;
    dir = sr_test_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sr_test_rmdir(dir);
    free(dir);
    return 0;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_narration_placed_and_cut(void **state)
{
    (void)state;
    /* A 2-s mono 44.1 kHz voice placed at 1.0 s for 1.0 s: heard only over [1, 2). */
    const char *v = wav("voice.wav", 44100, 1, 2.0, 1000, 0.5);
    int64_t n;
    float *b = mix_all(timeline(3.0, json_pack("[o]", audio_el("voiceOver", v, 1.0, 1.0))), &n);
    assert_int_equal(n, 3 * RATE);
    assert_true(rms(b, n, 0.0, 0.999) < 1e-6);
    double on = rms(b, n, 1.05, 1.95);
    assert_true(fabs(on - 0.5 / sqrt(2)) < 0.02); /* mono at full level on both sides */
    assert_true(rms(b, n, 2.0, 3.0) < 1e-6);      /* cut at startTime + duration */
    assert_true(fabs(freq(b, n, 1.05, 1.95) - 1000) < 10);
    /* Sample-accurate start: silent up to frame 48000, sound within a few frames after. */
    int64_t first = -1;
    for (int64_t i = 0; i < n && first < 0; i++)
        if (fabs(b[2 * i]) > 1e-4) first = i;
    assert_true(first >= RATE && first < RATE + 8);
    free(b);
}

static void test_volume(void **state)
{
    (void)state;
    const char *v = wav("voice48.wav", 48000, 2, 1.0, 500, 0.4);
    json_t *el = audio_el("voiceOver", v, 0.0, 1.0);
    json_object_set_new(el, "volume", json_real(0.5));
    int64_t n;
    float *b = mix_all(timeline(1.0, json_pack("[o]", el)), &n);
    assert_true(fabs(rms(b, n, 0.1, 0.9) - 0.2 / sqrt(2)) < 0.005);
    free(b);
}

static void test_total_samples(void **state)
{
    (void)state;
    int64_t n;
    float *b = mix_all(timeline(2.3456, json_array()), &n);
    assert_int_equal(n, llrint(2.3456 * RATE));
    assert_true(peak(b, n) == 0.0);
    free(b);
}

static json_t *music_el(const char *url, double start, double dur, double fade_out)
{
    json_t *m = audio_el("music", url, start, dur);
    if (fade_out >= 0) json_object_set_new(m, "fadeOut", json_real(fade_out));
    return m;
}

static void test_ducking(void **state)
{
    (void)state;
    /* Music (a 400 Hz sine) under two narrations that are silent files, so the
     * mix is the music alone and its gain can be read off. */
    const char *m = wav("music400.wav", 48000, 2, 7.0, 400, 0.4);
    const char *s = wav("silence.wav", 22050, 1, 2.0, 0, 0);
    json_t *mu = music_el(m, 0, 7.0, 0);
    json_object_set_new(mu, "ducking",
                        json_pack("{s:f, s:f, s:f}", "level", 0.25, "attack", 0.3, "release", 0.6));
    int64_t n;
    float *b = mix_all(timeline(7.0, json_pack("[o, o, o]", mu, audio_el("voiceOver", s, 2.0, 1.5),
                                               audio_el("voiceOver", s, 3.8, 1.2))),
                       &n);
    double full = rms(b, n, 0.5, 1.5);
    assert_true(fabs(full - 0.4 / sqrt(2)) < 0.01);
    double ducked = rms(b, n, 2.0, 3.5);
    assert_true(fabs(ducked / full - 0.25) < 0.02);
    /* The ramp finishes as the voice starts: ducked already in the last 10 ms before it. */
    assert_true(rms(b, n, 1.99, 2.0) / full < 0.3);
    assert_true(rms(b, n, 1.6, 1.7) / full > 0.99); /* ... and starts 0.3 s before */
    /* The 0.3-s gap between the narrations is shorter than attack + release: no bob. */
    assert_true(rms(b, n, 3.5, 3.8) / full < 0.27);
    /* Released after the last narration (5.0 + 0.6). */
    assert_true(rms(b, n, 5.7, 6.9) / full > 0.99);
    /* Smooth: no window-to-window step over 4% of the full level, no clicks. */
    assert_true(max_env_step(b, n, 0.0, 7.0) < 0.04 * full);
    double sine_step = 2 * M_PI * 400 / RATE * 0.4; /* the sine's own largest step */
    assert_true(max_sample_step(b, n, 0.0, 7.0) < sine_step * 1.05);
    free(b);
}

static void test_fades(void **state)
{
    (void)state;
    const char *m = wav("music400.wav", 48000, 2, 5.0, 400, 0.4);
    int64_t n;
    /* Default fadeOut (2 s) for music. */
    float *b = mix_all(timeline(5.0, json_pack("[o]", music_el(m, 0, 5.0, -1))), &n);
    double mid = rms(b, n, 1.0, 2.0);
    assert_true(mid > 0.25);
    assert_true(rms(b, n, 4.8, 5.0) < 0.05 * mid);
    assert_true(rms(b, n, 3.9, 4.1) > 0.3 * mid && rms(b, n, 3.9, 4.1) < 0.7 * mid);
    assert_true(max_env_step(b, n, 0, 5.0) < 0.04 * mid);
    free(b);
    /* fadeIn. */
    json_t *mu = music_el(m, 0, 5.0, 0);
    json_object_set_new(mu, "fadeIn", json_real(1.0));
    b = mix_all(timeline(5.0, json_pack("[o]", mu)), &n);
    assert_true(rms(b, n, 0.0, 0.1) < 0.05 * rms(b, n, 2, 3));
    assert_true(fabs(rms(b, n, 4.5, 5.0) - rms(b, n, 2, 3)) < 0.01);
    free(b);
}

static void test_loop(void **state)
{
    (void)state;
    const char *m = wav("music1s.wav", 44100, 2, 1.0, 400, 0.4);
    int64_t n;
    float *b = mix_all(timeline(4.0, json_pack("[o]", music_el(m, 0, 4.0, 0))), &n);
    for (int k = 0; k < 4; k++)
        assert_true(fabs(rms(b, n, k + 0.05, k + 0.95) - 0.4 / sqrt(2)) < 0.01);
    /* No gap at the seams: every 5-ms window carries the music. */
    for (double t = 0; t + 0.005 <= 4.0; t += 0.005)
        assert_true(rms(b, n, t, t + 0.005) > 0.2);
    free(b);
    /* loop: false plays once. */
    json_t *mu = music_el(m, 0, 4.0, 0);
    json_object_set_new(mu, "loop", json_false());
    b = mix_all(timeline(4.0, json_pack("[o]", mu)), &n);
    assert_true(rms(b, n, 0.1, 0.9) > 0.2);
    assert_true(rms(b, n, 1.01, 4.0) < 1e-6);
    free(b);
}

static void test_clips(void **state)
{
    (void)state;
    /* Second 0: loud 1000 Hz; second 1: quiet 300 Hz. The clip [1, 2] plays the latter only. */
    wav("part1.wav", 48000, 2, 1.0, 1000, 0.8);
    wav("part2.wav", 48000, 2, 1.0, 300, 0.2);
    assert_int_equal(sr_test_sh("cd '%s' && ffmpeg -loglevel error -y -i part1.wav -i part2.wav "
                                "-filter_complex concat=n=2:v=0:a=1 two.wav",
                                dir),
                     0);
    json_t *mu = music_el("two.wav", 0.5, 3.0, 0);
    json_object_set_new(mu, "clips", json_pack("[{s:f, s:f}]", "start", 1.0, "end", 2.0));
    int64_t n;
    float *b = mix_all(timeline(3.5, json_pack("[o]", mu)), &n);
    assert_true(rms(b, n, 0, 0.5) < 1e-6);
    for (int k = 0; k < 3; k++) {
        double t = 0.5 + k;
        assert_true(fabs(rms(b, n, t + 0.05, t + 0.95) - 0.2 / sqrt(2)) < 0.01);
        assert_true(fabs(freq(b, n, t + 0.05, t + 0.95) - 300) < 5);
    }
    assert_true(peak(b, n) < 0.25); /* never the loud first second */
    free(b);
    /* The same from an MP3, looped over 4 s: every pass seeks back into the file. */
    assert_int_equal(sr_test_sh("cd '%s' && ffmpeg -loglevel error -y -i two.wav -c:a libmp3lame "
                                "-b:a 192k two.mp3",
                                dir),
                     0);
    mu = music_el("two.mp3", 0, 4.0, 0);
    json_object_set_new(mu, "clips", json_pack("[{s:f, s:f}]", "start", 1.0, "end", 2.0));
    b = mix_all(timeline(4.0, json_pack("[o]", mu)), &n);
    for (int k = 0; k < 4; k++) {
        assert_true(fabs(rms(b, n, k + 0.05, k + 0.95) - 0.2 / sqrt(2)) < 0.015);
        assert_true(fabs(freq(b, n, k + 0.05, k + 0.95) - 300) < 5);
    }
    assert_true(peak(b, n) < 0.3);
    free(b);
}

static void test_muted_ranges(void **state)
{
    (void)state;
    const char *m = wav("music400.wav", 48000, 2, 6.0, 400, 0.4);
    json_t *mu = music_el(m, 0, 6.0, 0);
    json_object_set_new(mu, "mutedRanges", json_pack("[{s:f, s:f}]", "start", 2.0, "end", 3.0));
    int64_t n;
    float *b = mix_all(timeline(6.0, json_pack("[o]", mu)), &n);
    double full = rms(b, n, 0.5, 1.5);
    assert_true(full > 0.25);
    assert_true(rms(b, n, 2.0, 3.0) < 1e-6);
    assert_true(fabs(rms(b, n, 4.0, 6.0) - full) < 0.01);
    assert_true(max_env_step(b, n, 0, 6.0) < 0.04 * full);
    free(b);
}

static void test_limiter(void **state)
{
    (void)state;
    const char *m = wav("loud.wav", 48000, 2, 1.0, 400, 0.9);
    int64_t n;
    float *b =
        mix_all(timeline(1.0, json_pack("[o, o]", music_el(m, 0, 1, 0), music_el(m, 0, 1, 0))), &n);
    double p = peak(b, n);
    assert_true(p <= 1.0 && p > 0.9);
    free(b);
}

static void test_video_sound(void **state)
{
    (void)state;
    const char *vs = sr_test_path(dir, "withsound.mp4");
    assert_int_equal(sr_test_write_video(vs, 160, 90, 10, 2.0, "blue", 1), 0);
    const char *vq = sr_test_path(dir, "quiet.mp4");
    assert_int_equal(sr_test_write_video(vq, 160, 90, 10, 2.0, "red", 0), 0);
    int64_t n;
    float *b = mix_all(timeline(3.0, json_pack("[o]", video_el("withsound.mp4", 0.5, 2.0, 0))), &n);
    assert_true(rms(b, n, 0, 0.5) < 1e-6);
    assert_true(rms(b, n, 0.6, 2.4) > 0.03);
    assert_true(fabs(freq(b, n, 0.6, 2.4) - 440) < 10);
    assert_true(rms(b, n, 2.5, 3.0) < 1e-6);
    free(b);
    /* Muted (and mute absent: the default): silent. */
    b = mix_all(timeline(3.0, json_pack("[o]", video_el("withsound.mp4", 0.5, 2.0, 1))), &n);
    assert_true(peak(b, n) == 0.0);
    free(b);
    json_t *el = video_el("withsound.mp4", 0.5, 2.0, 0);
    json_object_del(el, "mute");
    b = mix_all(timeline(3.0, json_pack("[o]", el)), &n);
    assert_true(peak(b, n) == 0.0);
    free(b);
    /* A video without an audio stream is silent, not an error. */
    b = mix_all(timeline(3.0, json_pack("[o]", video_el("quiet.mp4", 0, 3.0, 0))), &n);
    assert_true(peak(b, n) == 0.0);
    free(b);
}

static void expect_create_fails(const char *url, int code)
{
    sr_audio *a = NULL;
    sr_err e = {0};
    json_t *rp = timeline(3.0, json_pack("[o, o]", audio_el("voiceOver", "voice48.wav", 0, 1),
                                         music_el(url, 0, 3, 0)));
    wav("voice48.wav", 48000, 2, 1.0, 500, 0.4);
    assert_int_equal(sr_audio_create(&a, rp, dir, &e), code);
    assert_null(a);
    assert_int_equal(e.code, code);
    assert_non_null(strstr(e.msg, url)); /* the file is named */
    assert_non_null(strstr(e.field, "elements[1]"));
    json_decref(rp);
}

static void test_bad_files(void **state)
{
    (void)state;
    expect_create_fails("nothere.mp3", SR_EMEDIA_NOT_FOUND);
    FILE *f = fopen(sr_test_path(dir, "garbage.mp3"), "w");
    assert_non_null(f);
    for (int i = 0; i < 4000; i++)
        fputc("not audio at all\n"[i % 17], f);
    fclose(f);
    expect_create_fails("garbage.mp3", SR_EMEDIA_INVALID);
    /* A WAV cut inside its header. */
    wav("whole.wav", 48000, 2, 1.0, 400, 0.4);
    assert_int_equal(sr_test_sh("head -c 30 '%s' > '%s'", sr_test_path(dir, "whole.wav"),
                                sr_test_path(dir, "cut.wav")),
                     0);
    expect_create_fails("cut.wav", SR_EMEDIA_INVALID);
    /* An image has no audio. */
    assert_int_equal(sr_test_write_image(sr_test_path(dir, "pic.png"), 32, 32, 1, 2, 3, 255), 0);
    expect_create_fails("pic.png", SR_EMEDIA_INVALID);
}

static void test_bad_fields(void **state)
{
    (void)state;
    sr_audio *a = NULL;
    sr_err e = {0};
    json_t *el = audio_el("voiceOver", "v.wav", 0, 1);
    json_object_set_new(el, "volume", json_real(3.0));
    json_t *rp = timeline(3.0, json_pack("[o]", el));
    assert_int_equal(sr_audio_create(&a, rp, dir, &e), SR_EINVALID_FIELD);
    assert_string_equal(e.field, "elements[0].volume");
    json_decref(rp);
    sr_err_clear(&e);
    rp = timeline(3.0, json_pack("[o]", audio_el("sfx", "v.wav", 0, 1)));
    assert_int_equal(sr_audio_create(&a, rp, dir, &e), SR_EINVALID_FIELD);
    assert_string_equal(e.field, "elements[0].type");
    json_decref(rp);
}

static void test_speed_minute(void **state)
{
    (void)state;
    /* A 60-s mix: music with ducking under 12 narrations, mixed fast. */
    const char *m = wav("m10.wav", 44100, 2, 10.0, 400, 0.3);
    const char *v = wav("v4.wav", 24000, 1, 4.0, 700, 0.3);
    json_t *els = json_array();
    json_t *mu = music_el(m, 0, 60, -1);
    json_object_set_new(mu, "ducking",
                        json_pack("{s:f, s:f, s:f}", "level", 0.25, "attack", 0.3, "release", 0.6));
    json_array_append_new(els, mu);
    for (int i = 0; i < 12; i++)
        json_array_append_new(els, audio_el("voiceOver", v, i * 5.0, 4.0));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t n;
    float *b = mix_all(timeline(60.0, els), &n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    fprintf(stderr, "60-s mix in %.3f s\n", s);
    assert_true(rms(b, n, 1, 3) > 0.2);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_narration_placed_and_cut),
        cmocka_unit_test(test_volume),
        cmocka_unit_test(test_total_samples),
        cmocka_unit_test(test_ducking),
        cmocka_unit_test(test_fades),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_clips),
        cmocka_unit_test(test_muted_ranges),
        cmocka_unit_test(test_limiter),
        cmocka_unit_test(test_video_sound),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_speed_minute),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
