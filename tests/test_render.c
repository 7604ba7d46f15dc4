/* libs: sr_render sr_text sr_audio sr_frame sr_common */
/* End to end: a small hand-written timeline rendered to MP4 (+ MP3, JPG,
 * SRT, VTT, TXT) and checked by decoding what a viewer would see and hear. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <libavformat/avformat.h>

#include "render/engine.h"
#include "support/fixtures.h"

static char *g_dir;

static int setup(void **state)
{
    g_dir = sr_test_tmpdir();
    if (!g_dir) return -1;
    if (sr_test_write_image(sr_test_path(g_dir, "blue.jpg"), 400, 300, 40, 70, 200, 255) ||
        sr_test_write_image(sr_test_path(g_dir, "logo.png"), 64, 32, 255, 255, 255, 255) ||
        sr_test_write_wav(sr_test_path(g_dir, "voice.wav"), 48000, 1, 1.0, 440, 0.5) ||
        sr_test_write_wav(sr_test_path(g_dir, "music.wav"), 44100, 2, 4.0, 220, 0.2))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    sr_test_rmdir(g_dir);
    free(g_dir);
    return 0;
}

/* 320x180 at 12 fps, 3 s: red colour scene, a fade (1.0-1.25 s) into a blue
 * still with a slow zoom, a cut to green at 2 s; a white logo top-right; a
 * subtitle cue at 0.2-0.9 s and a hidden one at 2.1-2.8 s; narration
 * 0.5-1.5 s over music. Media paths are relative to base_dir. */
static const char *timeline_json =
    "{\"version\":1,"
    "\"output\":{\"name\":\"t\",\"width\":320,\"height\":180,\"fps\":12,\"duration\":3.0,"
    "  \"crf\":20,\"preset\":\"ultrafast\",\"audioBitrate\":96000,\"background\":\"#000000\"},"
    "\"sceneMarkers\":["
    "  {\"sceneIndex\":0,\"startTime\":0,\"duration\":1.25,\"transition\":\"none\",\"transitionDuration\":0},"
    "  {\"sceneIndex\":1,\"startTime\":1.0,\"duration\":1.0,\"transition\":\"fade\",\"transitionDuration\":0.25},"
    "  {\"sceneIndex\":2,\"startTime\":2.0,\"duration\":1.0,\"transition\":\"none\",\"transitionDuration\":0}],"
    "\"elements\":["
    "  {\"id\":\"bg0\",\"elementType\":\"backgroundElement\",\"type\":\"color\",\"color\":\"#c83c28\","
    "   \"sceneIndex\":0,\"startTime\":0,\"duration\":1.25},"
    "  {\"id\":\"bg1\",\"elementType\":\"backgroundElement\",\"type\":\"image\",\"url\":\"blue.jpg\","
    "   \"sceneIndex\":1,\"startTime\":1.0,\"duration\":1.0,"
    "   \"motion\":{\"startZoom\":1.0,\"endZoom\":1.1,\"startX\":0.5,\"startY\":0.5,\"endX\":0.5,\"endY\":0.5}},"
    "  {\"id\":\"bg2\",\"elementType\":\"backgroundElement\",\"type\":\"color\",\"color\":\"#28b43c\","
    "   \"sceneIndex\":2,\"startTime\":2.0,\"duration\":1.0},"
    "  {\"id\":\"logo\",\"elementType\":\"layerItem\",\"type\":\"image\",\"url\":\"logo.png\","
    "   \"sceneIndex\":-1,\"startTime\":0,\"duration\":3.0,\"position\":\"top-right\",\"width\":0.2},"
    "  {\"id\":\"vo\",\"elementType\":\"audioElement\",\"type\":\"voiceOver\",\"url\":\"voice.wav\","
    "   \"sceneIndex\":0,\"startTime\":0.5,\"duration\":1.0,\"volume\":1},"
    "  {\"id\":\"music\",\"elementType\":\"audioElement\",\"type\":\"music\",\"url\":\"music.wav\","
    "   \"sceneIndex\":-1,\"startTime\":0,\"duration\":3.0,\"volume\":1,\"fadeOut\":0}],"
    "\"subtitles\":["
    "  {\"id\":\"sub-0-0\",\"sceneIndex\":0,\"startTime\":0.2,\"endTime\":0.9,\"text\":\"HELLO WORLD\","
    "   \"words\":[{\"text\":\"HELLO\",\"startTime\":0.2,\"endTime\":0.5},{\"text\":\"WORLD\",\"startTime\":0.5,\"endTime\":0.9}],"
    "   \"maxLines\":2,\"style\":{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":40,\"color\":\"#ffffff\"},\"hidden\":false},"
    "  {\"id\":\"sub-2-0\",\"sceneIndex\":2,\"startTime\":2.1,\"endTime\":2.8,\"text\":\"Quiet & <hidden>\","
    "   \"maxLines\":2,\"style\":{\"fontSize\":40},\"hidden\":true}],"
    "\"transcript\":\"Hello world.\\nQuiet and hidden.\"}";

static json_t *load_timeline(void)
{
    json_error_t je;
    json_t *rp = json_loads(timeline_json, 0, &je);
    if (!rp) fail_msg("timeline JSON: %s (line %d col %d)", je.text, je.line, je.column);
    return rp;
}

static void assert_rgb_near(const sr_frame *f, int x, int y, int w, int h, double r, double g, double b,
                            double tol, const char *what)
{
    double c[3];
    sr_frame_mean_rgb(f, x, y, w, h, c);
    if (fabs(c[0] - r) > tol || fabs(c[1] - g) > tol || fabs(c[2] - b) > tol)
        fail_msg("%s: (%.0f,%.0f,%.0f), expected (%.0f,%.0f,%.0f)", what, c[0], c[1], c[2], r, g, b);
}

static int progress_calls;
static void on_progress(void *ud, const sr_progress *p)
{
    progress_calls++;
    assert_true(p->frame <= p->total_frames && p->percent >= 0 && p->percent <= 100);
}

static void test_render_end_to_end(void **state)
{
    json_t *rp = load_timeline();
    const char *out = sr_test_path(g_dir, "out.mp4");
    sr_err err = {0};
    assert_int_equal(sr_render_validate(rp, g_dir, &err), 0);
    sr_render_opts o = {.out_path = out, .base_dir = g_dir, .progress = on_progress};
    int rc = sr_render(rp, &o, &err);
    if (rc) fail_msg("render: %s (%s)", err.msg, err.field);
    assert_true(progress_calls >= 1);

    double d = sr_test_media_duration(out);
    assert_true(fabs(d - 3.0) < 0.15);

    /* scene 0: red, with the white logo top-right (width 64, margin 4.5 px) */
    sr_frame *f = sr_test_decode_frame(out, 0.5);
    assert_non_null(f);
    assert_int_equal(f->w, 320);
    assert_rgb_near(f, 20, 20, 100, 60, 200, 60, 40, 10, "scene 0");
    assert_rgb_near(f, 320 - 4 - 64 + 6, 6, 50, 20, 255, 255, 255, 12, "logo");
    assert_rgb_near(f, 320 - 4 - 64 - 30, 6, 20, 20, 200, 60, 40, 10, "left of the logo");
    /* the subtitle: bright text pixels near the bottom centre, red elsewhere */
    int bright = 0;
    for (int y = 110; y < 180; y++)
        for (int x = 60; x < 260; x++) {
            uint8_t c[3];
            sr_frame_get_rgb(f, x, y, c);
            bright += c[1] > 200 && c[2] > 200;
        }
    assert_true(bright > 30);
    sr_frame_free(f);

    /* mid-fade: between red and blue */
    f = sr_test_decode_frame(out, 1.125 + 0.01);
    assert_non_null(f);
    double c[3];
    sr_frame_mean_rgb(f, 20, 40, 100, 60, c);
    assert_true(c[0] > 70 && c[0] < 170 && c[2] > 90 && c[2] < 170);
    sr_frame_free(f);

    /* scene 1: the blue still, covered */
    f = sr_test_decode_frame(out, 1.6);
    assert_rgb_near(f, 20, 40, 100, 100, 40, 70, 200, 10, "scene 1");
    sr_frame_free(f);

    /* scene 2: green; the hidden cue draws nothing */
    f = sr_test_decode_frame(out, 2.5);
    assert_rgb_near(f, 0, 60, 320, 120, 40, 180, 60, 10, "scene 2");
    sr_frame_free(f);

    /* audio: narration over music is louder than music alone, which is not silent */
    double both = sr_test_audio_rms(out, 0.7, 1.3), music = sr_test_audio_rms(out, 2.2, 2.8);
    assert_true(music > 0.01);
    assert_true(both > music * 1.5);

    /* the MP3: same mix, same length */
    const char *mp3 = sr_test_path(g_dir, "out.mp3");
    assert_true(fabs(sr_test_media_duration(mp3) - 3.0) < 0.2);
    double mboth = sr_test_audio_rms(mp3, 0.7, 1.3);
    assert_true(fabs(mboth - both) < 0.25 * both);

    /* the thumbnail: a JPEG of the first scene */
    sr_frame *j = sr_test_decode_frame(sr_test_path(g_dir, "out.jpg"), 0);
    assert_non_null(j);
    assert_rgb_near(j, 20, 20, 100, 60, 200, 60, 40, 12, "thumbnail");
    sr_frame_free(j);

    /* subtitle files: both cues (the hidden one too), and the transcript */
    char *srt = sr_test_read(sr_test_path(g_dir, "out.srt"));
    assert_non_null(srt);
    assert_string_equal(srt, "1\n00:00:00,200 --> 00:00:00,900\nHELLO WORLD\n\n"
                             "2\n00:00:02,100 --> 00:00:02,800\nQuiet & <hidden>\n\n");
    char *vtt = sr_test_read(sr_test_path(g_dir, "out.vtt"));
    assert_non_null(vtt);
    assert_string_equal(vtt, "WEBVTT\n\n00:00:00.200 --> 00:00:00.900\nHELLO WORLD\n\n"
                             "00:00:02.100 --> 00:00:02.800\nQuiet &amp; &lt;hidden&gt;\n\n");
    char *txt = sr_test_read(sr_test_path(g_dir, "out.txt"));
    assert_non_null(txt);
    assert_string_equal(txt, "Hello world.\nQuiet and hidden.\n");
    free(srt);
    free(vtt);
    free(txt);

    /* no temporary files left */
    DIR *dd = opendir(g_dir);
    struct dirent *de;
    while ((de = readdir(dd)))
        if (strstr(de->d_name, ".tmp-")) fail_msg("left behind: %s", de->d_name);
    closedir(dd);
    json_decref(rp);
}

static volatile int g_cancel;
static void cancel_soon(void *ud, const sr_progress *p)
{
    if (p->frame >= 3) g_cancel = 1;
}

static void test_cancel_leaves_nothing(void **state)
{
    json_t *rp = load_timeline();
    /* a longer render so that the cancel lands mid-way */
    json_object_set_new(json_object_get(rp, "output"), "duration", json_real(3.0));
    char *dir = sr_test_tmpdir();
    char out[1024];
    snprintf(out, sizeof out, "%s/c.mp4", dir);
    sr_err err = {0};
    g_cancel = 0;
    volatile int *flag = &g_cancel;
    sr_render_opts o = {.out_path = out, .base_dir = g_dir, .progress = cancel_soon, .cancel = (int *)flag};
    /* progress comes ~4x a second; with a 3 s video at 320x180 that may be
     * once, so also cancel up front if the first report came too late */
    int rc = sr_render(rp, &o, &err);
    if (rc == 0) { /* finished before the first progress report: cancel from the start */
        sr_test_sh("rm -f '%s'/c.*", dir);
        g_cancel = 1;
        rc = sr_render(rp, &o, &err);
    }
    assert_int_equal(rc, SR_ECANCELLED);
    DIR *dd = opendir(dir);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(dd)))
        if (de->d_name[0] != '.') files++;
    closedir(dd);
    assert_int_equal(files, 0);
    sr_test_rmdir(dir);
    free(dir);
    json_decref(rp);
}

static void test_validate_errors(void **state)
{
    json_t *rp = load_timeline();
    sr_err err = {0};
    /* a missing file is named, before any encoding */
    json_t *bg1 = json_array_get(json_object_get(rp, "elements"), 1);
    json_object_set_new(bg1, "url", json_string("nope.jpg"));
    assert_int_equal(sr_render_validate(rp, g_dir, &err), SR_EMEDIA_NOT_FOUND);
    assert_non_null(strstr(err.field, "elements[1]"));
    sr_render_opts o = {.out_path = sr_test_path(g_dir, "bad.mp4"), .base_dir = g_dir};
    sr_err_clear(&err);
    assert_int_equal(sr_render(rp, &o, &err), SR_EMEDIA_NOT_FOUND);
    assert_null(sr_test_read(sr_test_path(g_dir, "bad.mp4")));
    json_object_set_new(bg1, "url", json_string("blue.jpg"));
    /* odd sizes, bad fps, unknown transitions and long videos name their field */
    static const struct {
        const char *obj, *key, *val;
        int code;
        const char *field;
    } cases[] = {
        {"output", "width", "321", SR_EINVALID_FIELD, "output.width"},
        {"output", "width", "4000", SR_EINVALID_FIELD, "output.width"},
        {"output", "fps", "0", SR_EINVALID_FIELD, "output.fps"},
        {"output", "fps", "61", SR_EINVALID_FIELD, "output.fps"},
        {"output", "duration", "4000", SR_ELIMIT, "output.duration"},
        {"scene", "transition", "\"spin\"", SR_EINVALID_FIELD, "sceneMarkers[1].transition"},
        {"scene", "startTime", "-1", SR_EINVALID_FIELD, "sceneMarkers[1].startTime"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *copy = json_deep_copy(rp);
        json_t *obj = !strcmp(cases[i].obj, "output") ? json_object_get(copy, "output")
                                                      : json_array_get(json_object_get(copy, "sceneMarkers"), 1);
        json_object_set_new(obj, cases[i].key, json_loads(cases[i].val, JSON_DECODE_ANY, NULL));
        sr_err_clear(&err);
        int rc = sr_render_validate(copy, g_dir, &err);
        if (rc != cases[i].code || strcmp(err.field, cases[i].field) != 0)
            fail_msg("case %zu: rc %d field '%s' (%s)", i, rc, err.field, err.msg);
        json_decref(copy);
    }
    json_decref(rp);
}

/* a video background: its clips play in order (blue part first, then red),
 * then loop; the frame shown is the one whose time has come */
static void test_video_background(void **state)
{
    const char *vid = sr_test_path(g_dir, "redblue.mp4");
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i color=c=0xdc2828:s=160x120:r=25:d=1 "
                                "-f lavfi -i color=c=0x2828dc:s=160x120:r=25:d=1 -filter_complex "
                                "'[0][1]concat=n=2:v=1:a=0' -c:v libx264 -preset ultrafast -pix_fmt yuv420p '%s'",
                                vid),
                     0);
    json_error_t je;
    json_t *rp = json_loads(
        "{\"output\":{\"width\":320,\"height\":180,\"fps\":10,\"duration\":3.0,\"preset\":\"ultrafast\"},"
        "\"sceneMarkers\":[{\"sceneIndex\":0,\"startTime\":0,\"duration\":3.0}],"
        "\"elements\":[{\"id\":\"v\",\"elementType\":\"backgroundElement\",\"type\":\"video\","
        "\"url\":\"redblue.mp4\",\"sceneIndex\":0,\"startTime\":0,\"duration\":3.0,\"loop\":true,"
        "\"clips\":[{\"start\":1.2,\"end\":2.0},{\"start\":0.2,\"end\":1.0}]}]}",
        0, &je);
    assert_non_null(rp);
    const char *out = sr_test_path(g_dir, "video.mp4");
    sr_render_opts o = {.out_path = out, .base_dir = g_dir};
    sr_err err = {0};
    int rc = sr_render(rp, &o, &err);
    if (rc) fail_msg("render: %s (%s)", err.msg, err.field);
    static const struct {
        double t;
        int blue;
    } checks[] = {{0.3, 1}, {0.7, 1}, {1.0, 0}, {1.5, 0}, {1.9, 1}, {2.5, 0}};
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
        sr_frame *f = sr_test_decode_frame(out, checks[i].t + 0.01);
        assert_non_null(f);
        if (checks[i].blue) assert_rgb_near(f, 0, 0, 320, 180, 40, 40, 220, 12, "blue part");
        else assert_rgb_near(f, 0, 0, 320, 180, 220, 40, 40, 12, "red part");
        sr_frame_free(f);
    }
    json_decref(rp);
}

/* Slices (H.264 NAL units of type 1 or 5) in the first video packet of the MP4 at path. */
static int first_frame_slices(const char *path)
{
    AVFormatContext *fc = NULL;
    AVPacket *pkt = av_packet_alloc();
    int n = -1;
    if (pkt && avformat_open_input(&fc, path, NULL, NULL) == 0 && avformat_find_stream_info(fc, NULL) >= 0) {
        int vs = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        while (vs >= 0 && av_read_frame(fc, pkt) >= 0) {
            if (pkt->stream_index == vs) { /* MP4: each NAL unit after its 4-byte length */
                n = 0;
                for (int off = 0; off + 5 <= pkt->size;) {
                    uint32_t len = (uint32_t)pkt->data[off] << 24 | pkt->data[off + 1] << 16 |
                                   pkt->data[off + 2] << 8 | pkt->data[off + 3];
                    int type = pkt->data[off + 4] & 0x1f;
                    n += type == 1 || type == 5;
                    if (len > (uint32_t)(pkt->size - off - 4)) break;
                    off += 4 + (int)len;
                }
                av_packet_unref(pkt);
                break;
            }
            av_packet_unref(pkt);
        }
    }
    avformat_close_input(&fc);
    av_packet_free(&pkt);
    return n;
}

/* H.264 is encoded in slices at once (x264's sliced threads: fewer frames in
 * flight than frame threads, which make one slice a frame). */
static void test_h264_slices(void **state)
{
    static const struct {
        int w, h;
    } cases[] = {{1920, 1080}, {640, 360}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf,
                 "{\"output\":{\"width\":%d,\"height\":%d,\"fps\":10,\"duration\":0.5,\"preset\":\"ultrafast\"},"
                 "\"sceneMarkers\":[{\"sceneIndex\":0,\"startTime\":0,\"duration\":0.5}],"
                 "\"elements\":[{\"id\":\"bg\",\"elementType\":\"backgroundElement\",\"type\":\"color\","
                 "\"color\":\"#28b43c\",\"sceneIndex\":0,\"startTime\":0,\"duration\":0.5}]}",
                 cases[i].w, cases[i].h);
        json_error_t je;
        json_t *rp = json_loads(buf, 0, &je);
        assert_non_null(rp);
        const char *out = sr_test_path(g_dir, "slices.mp4");
        sr_render_opts o = {.out_path = out, .base_dir = g_dir};
        sr_err err = {0};
        if (sr_render(rp, &o, &err)) fail_msg("render %dx%d: %s (%s)", cases[i].w, cases[i].h, err.msg, err.field);
        json_decref(rp);
        int n = first_frame_slices(out);
        if (n < 2) fail_msg("%dx%d: %d slices in the first frame", cases[i].w, cases[i].h, n);
        sr_frame *f = sr_test_decode_frame(out, 0.25);
        assert_non_null(f);
        assert_rgb_near(f, 0, 0, cases[i].w, cases[i].h, 40, 180, 60, 12, "the green scene");
        sr_frame_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_end_to_end),
        cmocka_unit_test(test_cancel_leaves_nothing),
        cmocka_unit_test(test_validate_errors),
        cmocka_unit_test(test_video_background),
        cmocka_unit_test(test_h264_slices),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
