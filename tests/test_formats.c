/* libs: sr_compiler sr_tts sr_render sr_common */
/* Output formats and loudness: each format rendered from a tiny timeline
 * (320x180, 1 s, red then blue) and read back with libav (container, codecs,
 * pixel format, exact frame rate, duration, colours); loudness measured with
 * libebur128 on the decoded output. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ebur128.h>
#include <jansson.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <libavutil/channel_layout.h>

#include "compiler/compiler.h"
#include "render/audio/loudness.h"
#include "render/engine.h"
#include "support/fixtures.h"

static char *g_dir;

static int setup(void **state)
{
    g_dir = sr_test_tmpdir();
    if (!g_dir) return -1;
    /* a quiet 440 Hz tone (about -37 LUFS) */
    if (sr_test_write_wav(sr_test_path(g_dir, "quiet.wav"), 48000, 2, 3.0, 440, 0.02)) return -1;
    return 0;
}

static int teardown(void **state)
{
    sr_test_rmdir(g_dir);
    free(g_dir);
    return 0;
}

/* A timeline: red 0-0.5 s, blue 0.5-dur; the quiet tone throughout. extra is
 * spliced into output (e.g. "\"format\":\"webm\","). */
static json_t *timeline(const char *extra, const char *fps, double dur)
{
    char buf[4096];
    snprintf(
        buf, sizeof buf,
        "{\"version\":1,"
        "\"output\":{%s\"name\":\"t\",\"width\":320,\"height\":180,\"fps\":%s,\"duration\":%g,"
        "  \"preset\":\"ultrafast\"},"
        "\"sceneMarkers\":["
        "  "
        "{\"sceneIndex\":0,\"startTime\":0,\"duration\":0.5,\"transition\":\"none\","
        "\"transitionDuration\":0},"
        "  "
        "{\"sceneIndex\":1,\"startTime\":0.5,\"duration\":%g,\"transition\":\"none\","
        "\"transitionDuration\":0}],"
        "\"elements\":["
        "  "
        "{\"id\":\"a\",\"elementType\":\"backgroundElement\",\"type\":\"color\",\"color\":\"#"
        "dc2814\","
        "   \"sceneIndex\":0,\"startTime\":0,\"duration\":0.5},"
        "  "
        "{\"id\":\"b\",\"elementType\":\"backgroundElement\",\"type\":\"color\",\"color\":\"#"
        "1428dc\","
        "   \"sceneIndex\":1,\"startTime\":0.5,\"duration\":%g},"
        "  {\"id\":\"m\",\"elementType\":\"audioElement\",\"type\":\"music\",\"url\":\"quiet.wav\","
        "   \"sceneIndex\":-1,\"startTime\":0,\"duration\":%g,\"volume\":1,\"fadeOut\":0}],"
        "\"subtitles\":[]}",
        extra, fps, dur, dur - 0.5, dur - 0.5, dur);
    json_error_t je;
    json_t *rp = json_loads(buf, 0, &je);
    if (!rp) fail_msg("timeline JSON: %s", je.text);
    return rp;
}

/* Renders rp to g_dir/out.mp4 (the format picks the real extension); returns
 * the path written (static). */
static const char *render(json_t *rp)
{
    static char written[1024];
    sr_err err = {0};
    sr_render_opts o = {.out_path = sr_test_path(g_dir, "out.mp4"),
                        .base_dir = g_dir,
                        .out_written = written,
                        .out_written_size = sizeof written};
    written[0] = 0;
    int rc = sr_render(rp, &o, &err);
    if (rc) fail_msg("render: %s (%s)", err.msg, err.field);
    json_decref(rp);
    return written;
}

typedef struct probe {
    char container[64];
    int has_video, has_audio;
    enum AVCodecID vcodec, acodec;
    int pix_fmt;
    unsigned vtag;
    AVRational rate;
    double duration;
} probe;

static void probe_file(const char *path, probe *p)
{
    memset(p, 0, sizeof *p);
    AVFormatContext *fc = NULL;
    assert_int_equal(avformat_open_input(&fc, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fc, NULL) >= 0);
    snprintf(p->container, sizeof p->container, "%s", fc->iformat->name);
    p->duration = fc->duration > 0 ? fc->duration / (double)AV_TIME_BASE : -1;
    for (unsigned i = 0; i < fc->nb_streams; i++) {
        AVStream *st = fc->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
            p->has_video = 1;
            p->vcodec = st->codecpar->codec_id;
            p->pix_fmt = st->codecpar->format;
            p->vtag = st->codecpar->codec_tag;
            p->rate = st->r_frame_rate;
        } else if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
            p->has_audio = 1;
            p->acodec = st->codecpar->codec_id;
        }
    }
    avformat_close_input(&fc);
}

static void assert_rgb_near(const char *path, double t, int x, int y, double r, double g, double b,
                            double tol)
{
    sr_frame *f = sr_test_decode_frame(path, t);
    assert_non_null(f);
    double c[3];
    sr_frame_mean_rgb(f, x, y, 60, 40, c);
    sr_frame_free(f);
    if (fabs(c[0] - r) > tol || fabs(c[1] - g) > tol || fabs(c[2] - b) > tol)
        fail_msg("%s at %.2f s: (%.0f,%.0f,%.0f), expected (%.0f,%.0f,%.0f)", path, t, c[0], c[1],
                 c[2], r, g, b);
}

/* The mean RGB of a 60x40 box at (x, y) of the GIF frame shown at t, read as
 * RGB (no YUV round trip: the GIF's palette colours themselves). */
static void gif_rgb_at(const char *path, double t, int x, int y, double rgb[3])
{
    AVFormatContext *fc = NULL;
    assert_int_equal(avformat_open_input(&fc, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fc, NULL) >= 0);
    const AVCodec *dec = NULL;
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
    assert_true(si >= 0);
    AVCodecContext *cc = avcodec_alloc_context3(dec);
    avcodec_parameters_to_context(cc, fc->streams[si]->codecpar);
    assert_int_equal(avcodec_open2(cc, dec, NULL), 0);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc(), *best = av_frame_alloc();
    double tb = av_q2d(fc->streams[si]->time_base);
    while (av_read_frame(fc, pkt) >= 0) {
        if (pkt->stream_index == si && avcodec_send_packet(cc, pkt) >= 0)
            while (avcodec_receive_frame(cc, fr) == 0) {
                if (fr->best_effort_timestamp * tb <= t + 1e-6) {
                    av_frame_unref(best);
                    av_frame_move_ref(best, fr);
                } else
                    av_frame_unref(fr);
            }
        av_packet_unref(pkt);
    }
    assert_true(best->width > 0);
    struct SwsContext *sws =
        sws_getContext(best->width, best->height, best->format, best->width, best->height,
                       AV_PIX_FMT_RGB24, SWS_POINT, NULL, NULL, NULL);
    uint8_t *px = malloc((size_t)best->width * best->height * 3);
    uint8_t *dst[4] = {px};
    int dls[4] = {best->width * 3};
    sws_scale(sws, (const uint8_t *const *)best->data, best->linesize, 0, best->height, dst, dls);
    rgb[0] = rgb[1] = rgb[2] = 0;
    for (int j = y; j < y + 40; j++)
        for (int i = x; i < x + 60; i++)
            for (int c = 0; c < 3; c++)
                rgb[c] += px[(j * best->width + i) * 3 + c] / 2400.0;
    free(px);
    sws_freeContext(sws);
    av_frame_free(&fr);
    av_frame_free(&best);
    av_packet_free(&pkt);
    avcodec_free_context(&cc);
    avformat_close_input(&fc);
}

/* Decodes the audio of path, resampled to stereo float at 48 kHz, into
 * libebur128: integrated loudness (LUFS) and sample peak. */
static double measure_lufs(const char *path, double *peak)
{
    AVFormatContext *fc = NULL;
    assert_int_equal(avformat_open_input(&fc, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fc, NULL) >= 0);
    const AVCodec *dec = NULL;
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, -1, &dec, 0);
    assert_true(si >= 0);
    AVCodecContext *cc = avcodec_alloc_context3(dec);
    avcodec_parameters_to_context(cc, fc->streams[si]->codecpar);
    assert_int_equal(avcodec_open2(cc, dec, NULL), 0);
    SwrContext *swr = NULL;
    AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    assert_int_equal(swr_alloc_set_opts2(&swr, &stereo, AV_SAMPLE_FMT_FLT, 48000, &cc->ch_layout,
                                         cc->sample_fmt, cc->sample_rate, 0, NULL),
                     0);
    assert_int_equal(swr_init(swr), 0);
    ebur128_state *st = ebur128_init(2, 48000, EBUR128_MODE_I | EBUR128_MODE_SAMPLE_PEAK);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    float *buf = malloc(sizeof(float) * 2 * 16384);
    int eof = 0;
    while (!eof) {
        int r = av_read_frame(fc, pkt);
        if (r < 0) {
            avcodec_send_packet(cc, NULL);
            eof = 1;
        } else {
            if (pkt->stream_index == si) avcodec_send_packet(cc, pkt);
            av_packet_unref(pkt);
        }
        while (avcodec_receive_frame(cc, fr) == 0) {
            uint8_t *out[1] = {(uint8_t *)buf};
            int n =
                swr_convert(swr, out, 16384, (const uint8_t **)fr->extended_data, fr->nb_samples);
            if (n > 0) ebur128_add_frames_float(st, buf, (size_t)n);
        }
    }
    double l = -HUGE_VAL, p0 = 0, p1 = 0;
    ebur128_loudness_global(st, &l);
    ebur128_sample_peak(st, 0, &p0);
    ebur128_sample_peak(st, 1, &p1);
    *peak = p0 > p1 ? p0 : p1;
    free(buf);
    av_frame_free(&fr);
    av_packet_free(&pkt);
    ebur128_destroy(&st);
    swr_free(&swr);
    avcodec_free_context(&cc);
    avformat_close_input(&fc);
    return l;
}

static void assert_rate(const probe *p, int num, int den)
{
    if (av_cmp_q(p->rate, (AVRational){num, den}) != 0)
        fail_msg("r_frame_rate %d/%d, expected %d/%d", p->rate.num, p->rate.den, num, den);
}

/* mp4 / H.264 at 29.97: the -o name's extension is replaced by the format's */
static void test_mp4_h264_ntsc(void **state)
{
    const char *out = render(timeline("\"format\":\"mp4\",\"loudness\":false,", "29.97", 1.0));
    assert_string_equal(out, sr_test_path(g_dir, "out.mp4"));
    probe p;
    probe_file(out, &p);
    assert_non_null(strstr(p.container, "mp4"));
    assert_int_equal(p.vcodec, AV_CODEC_ID_H264);
    assert_int_equal(p.pix_fmt, AV_PIX_FMT_YUV420P);
    assert_rate(&p, 30000, 1001);
    assert_int_equal(p.acodec, AV_CODEC_ID_AAC);
    assert_true(fabs(p.duration - 1.0) < 0.1);
    assert_rgb_near(out, 0.25, 130, 70, 220, 40, 20, 12);
    assert_rgb_near(out, 0.8, 130, 70, 20, 40, 220, 12);
    assert_int_equal(access(sr_test_path(g_dir, "out.mp3"), F_OK), 0); /* side files unchanged */
    assert_int_equal(access(sr_test_path(g_dir, "out.jpg"), F_OK), 0);
}

/* mp4 / H.265, tagged hvc1 */
static void test_mp4_h265(void **state)
{
    const char *out = render(timeline("\"videoCodec\":\"h265\",", "24", 1.0));
    probe p;
    probe_file(out, &p);
    assert_int_equal(p.vcodec, AV_CODEC_ID_HEVC);
    assert_int_equal(p.vtag, MKTAG('h', 'v', 'c', '1'));
    assert_int_equal(p.pix_fmt, AV_PIX_FMT_YUV420P);
    assert_rate(&p, 24, 1);
    assert_rgb_near(out, 0.8, 130, 70, 20, 40, 220, 14);
}

/* webm / VP9 + Opus at 24 fps; the file is OUT.webm */
static void test_webm_vp9(void **state)
{
    const char *out = render(timeline("\"format\":\"webm\",", "24", 1.0));
    assert_string_equal(out, sr_test_path(g_dir, "out.webm"));
    probe p;
    probe_file(out, &p);
    assert_non_null(strstr(p.container, "webm"));
    assert_int_equal(p.vcodec, AV_CODEC_ID_VP9);
    assert_int_equal(p.pix_fmt, AV_PIX_FMT_YUV420P);
    assert_int_equal(p.acodec, AV_CODEC_ID_OPUS);
    assert_rate(&p, 24, 1);
    assert_true(fabs(p.duration - 1.0) < 0.1);
    assert_rgb_near(out, 0.25, 130, 70, 220, 40, 20, 14);
    assert_rgb_near(out, 0.8, 130, 70, 20, 40, 220, 14);
}

/* webm / AV1 (SVT-AV1) at 23.976 */
static void test_webm_av1(void **state)
{
    const char *out =
        render(timeline("\"format\":\"webm\",\"videoCodec\":\"av1\",", "23.976", 1.0));
    probe p;
    probe_file(out, &p);
    assert_int_equal(p.vcodec, AV_CODEC_ID_AV1);
    assert_int_equal(p.acodec, AV_CODEC_ID_OPUS);
    assert_rate(&p, 24000, 1001);
    assert_rgb_near(out, 0.8, 130, 70, 20, 40, 220, 16);
}

/* gif: palette colours right in both scenes, no audio */
static void test_gif(void **state)
{
    const char *out = render(timeline("\"format\":\"gif\",", "10", 1.0));
    assert_string_equal(out, sr_test_path(g_dir, "out.gif"));
    probe p;
    probe_file(out, &p);
    assert_string_equal(p.container, "gif");
    assert_int_equal(p.vcodec, AV_CODEC_ID_GIF);
    assert_false(p.has_audio);
    /* flat colours come out exact (to the YUV 4:2:0 round trip of the compositor) */
    double c[3];
    gif_rgb_at(out, 0.25, 130, 70, c);
    fprintf(stderr, "gif red (%.1f,%.1f,%.1f)\n", c[0], c[1], c[2]);
    assert_true(fabs(c[0] - 220) < 4 && fabs(c[1] - 40) < 4 && fabs(c[2] - 20) < 4);
    gif_rgb_at(out, 0.8, 130, 70, c);
    fprintf(stderr, "gif blue (%.1f,%.1f,%.1f)\n", c[0], c[1], c[2]);
    assert_true(fabs(c[0] - 20) < 4 && fabs(c[1] - 40) < 4 && fabs(c[2] - 220) < 4);
}

/* mp3: audio only, no video stream, no thumbnail; normalised to -16 LUFS */
static void test_mp3_loudness(void **state)
{
    unlink(sr_test_path(g_dir, "out.jpg"));
    const char *out = render(timeline("\"format\":\"mp3\",\"loudness\":-16,", "30", 2.5));
    assert_string_equal(out, sr_test_path(g_dir, "out.mp3"));
    probe p;
    probe_file(out, &p);
    assert_string_equal(p.container, "mp3");
    assert_false(p.has_video);
    assert_int_equal(p.acodec, AV_CODEC_ID_MP3);
    assert_true(fabs(p.duration - 2.5) < 0.15);
    assert_int_not_equal(access(sr_test_path(g_dir, "out.jpg"), F_OK), 0);
    double peak, l = measure_lufs(out, &peak);
    fprintf(stderr, "normalised: %.2f LUFS, peak %.3f\n", l, peak);
    assert_true(fabs(l - -16.0) <= 1.0);
}

/* loudness false: the level is the source's (0.02 sine: RMS 0.0141) */
static void test_loudness_off(void **state)
{
    const char *out = render(timeline("\"format\":\"mp3\",\"loudness\":false,", "30", 2.5));
    double rms = sr_test_audio_rms(out, 0.5, 2.0),
           src = sr_test_audio_rms(sr_test_path(g_dir, "quiet.wav"), 0.5, 2.0);
    fprintf(stderr, "loudness off: rms %.4f, source %.4f\n", rms, src);
    assert_true(src > 0.005 && fabs(rms - src) < 0.05 * src);
    double peak, l = measure_lufs(out, &peak);
    assert_true(l < -30);
}

/* the limiter: a 4x gain on a 0.5 sine never leaves a sample above the
 * ceiling, and a quiet stretch afterwards gets the full gain back */
static void test_limiter(void **state)
{
    enum { N = 48000 };
    float *b = malloc(sizeof(float) * 2 * N);
    for (int i = 0; i < N; i++) {
        float v = (float)((i < N / 2 ? 0.5 : 0.05) * sin(2 * M_PI * 440 * i / 48000.0));
        b[2 * i] = b[2 * i + 1] = v;
    }
    sr_limiter *l = sr_limiter_create(4.0);
    assert_non_null(l);
    sr_limiter_process(l, b, N);
    sr_limiter_destroy(l);
    double mx = 0, late = 0;
    for (int i = 0; i < N; i++) {
        if (fabs(b[2 * i]) > mx) mx = fabs(b[2 * i]);
        if (i > N - 4800 && fabs(b[2 * i]) > late) late = fabs(b[2 * i]);
    }
    free(b);
    assert_true(mx <= SR_LIMIT_CEILING + 1e-6);
    assert_true(mx > 0.8);
    assert_true(fabs(late - 0.2) < 0.01); /* 0.05 x 4, released */
    assert_true(fabs(sr_loudness_gain(-26, -16) - sqrt(10)) < 1e-9);
    assert_true(sr_loudness_gain(-HUGE_VAL, -16) == 1.0);
}

/* bad values name their field */
static void test_validation(void **state)
{
    static const struct {
        const char *extra, *fps;
        double dur;
        int code;
        const char *field;
    } cases[] = {
        {"\"format\":\"avi\",", "30", 1, SR_EINVALID_FIELD, "output.format"},
        {"\"format\":\"mp4\",\"videoCodec\":\"vp9\",", "30", 1, SR_EINVALID_FIELD,
         "output.videoCodec"},
        {"\"format\":\"webm\",\"videoCodec\":\"h264\",", "30", 1, SR_EINVALID_FIELD,
         "output.videoCodec"},
        {"", "29.5", 1, SR_EINVALID_FIELD, "output.fps"},
        {"\"loudness\":-50,", "30", 1, SR_EINVALID_FIELD, "output.loudness"},
        {"\"loudness\":true,", "30", 1, SR_EINVALID_FIELD, "output.loudness"},
        {"\"format\":\"gif\",", "10", 61, SR_ELIMIT, "output.duration"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *rp = timeline(cases[i].extra, cases[i].fps, cases[i].dur);
        sr_err err = {0};
        int rc = sr_render_validate(rp, g_dir, &err);
        json_decref(rp);
        if (rc != cases[i].code || strcmp(err.field, cases[i].field))
            fail_msg("case %zu: rc %d field %s (%s)", i, rc, err.field, err.msg);
    }
    /* a GIF wider than 1280 px */
    json_t *rp = timeline("\"format\":\"gif\",", "10", 1);
    json_object_set_new(json_object_get(rp, "output"), "width", json_integer(1920));
    sr_err err = {0};
    assert_int_equal(sr_render_validate(rp, g_dir, &err), SR_ELIMIT);
    assert_string_equal(err.field, "output.width");
    json_decref(rp);
}

/* the compiler passes the storyboard's output through, with its defaults
 * (-16 LUFS) and exact NTSC rates, and rejects what the engine would */
static void test_compiler_output(void **state)
{
    static const char *sb_fmt =
        "{\"videoName\":\"f\",\"voiceOver\":{\"enabled\":false},\"output\":{%s},"
        "\"scenes\":[{\"story\":\"Hi.\",\"minimumDuration\":1}]}";
    char buf[512];
    sr_compile_opts o = {.base_dir = g_dir, .cache_dir = g_dir, .no_media_probe = 1};
    json_t *rp = NULL;
    sr_err err = {0};

    snprintf(buf, sizeof buf, sb_fmt, "\"format\":\"webm\",\"videoCodec\":\"av1\",\"fps\":29.97");
    json_t *sb = json_loads(buf, 0, NULL);
    assert_non_null(sb);
    if (sr_compile(sb, &o, &rp, &err)) fail_msg("compile: %s (%s)", err.msg, err.field);
    json_decref(sb);
    const json_t *out = json_object_get(rp, "output");
    assert_string_equal(json_string_value(json_object_get(out, "format")), "webm");
    assert_string_equal(json_string_value(json_object_get(out, "videoCodec")), "av1");
    assert_string_equal(json_string_value(json_object_get(out, "audioCodec")), "opus");
    assert_true(fabs(json_number_value(json_object_get(out, "fps")) - 30000.0 / 1001) < 1e-6);
    assert_true(json_number_value(json_object_get(out, "loudness")) == -16);
    assert_int_equal(sr_render_validate(rp, g_dir, &err), 0);
    json_decref(rp);
    rp = NULL;

    snprintf(buf, sizeof buf, sb_fmt, "\"format\":\"mp3\",\"loudness\":false");
    sb = json_loads(buf, 0, NULL);
    if (sr_compile(sb, &o, &rp, &err)) fail_msg("compile: %s (%s)", err.msg, err.field);
    json_decref(sb);
    out = json_object_get(rp, "output");
    assert_true(json_is_false(json_object_get(out, "loudness")));
    assert_true(json_is_null(json_object_get(out, "videoCodec")));
    json_decref(rp);
    rp = NULL;

    static const char *bad[][2] = {{"\"format\":\"mov\"", "output.format"},
                                   {"\"videoCodec\":\"av1\"", "output.videoCodec"},
                                   {"\"fps\":25.5", "output.fps"},
                                   {"\"loudness\":0", "output.loudness"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(buf, sizeof buf, sb_fmt, bad[i][0]);
        sb = json_loads(buf, 0, NULL);
        memset(&err, 0, sizeof err);
        assert_int_equal(sr_compile(sb, &o, &rp, &err), SR_EINVALID_FIELD);
        if (strcmp(err.field, bad[i][1])) fail_msg("case %zu: %s (%s)", i, err.msg, err.field);
        json_decref(sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),   cmocka_unit_test(test_compiler_output),
        cmocka_unit_test(test_limiter),      cmocka_unit_test(test_mp4_h264_ntsc),
        cmocka_unit_test(test_mp4_h265),     cmocka_unit_test(test_webm_vp9),
        cmocka_unit_test(test_webm_av1),     cmocka_unit_test(test_gif),
        cmocka_unit_test(test_mp3_loudness), cmocka_unit_test(test_loudness_off),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
