/* libs: sr_render sr_common */
/* test_media_open.c - the guarded libavformat open (src/render/media_open.c):
 * the formats storyreel reads open; an HLS playlist and an ffconcat list that
 * plain libavformat follows to another local file are refused, naming the
 * file; picture limits are checked from the header, before decoding, and a
 * render's budget of decoded pixels runs out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <libavformat/avformat.h>

#include "fixtures.h"
#include "render/media.h"

static char *dir;

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Opens path with plain libavformat (no guard): 1 when it reads a video stream. */
static int plain_opens_video(const char *path)
{
    AVFormatContext *fc = NULL;
    AVDictionary *o = NULL;
    av_dict_set(&o, "safe", "0", 0); /* ffconcat: as a careless caller would */
    int ok = avformat_open_input(&fc, path, NULL, &o) == 0 && avformat_find_stream_info(fc, NULL) >= 0 &&
             av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0) >= 0;
    av_dict_free(&o);
    avformat_close_input(&fc);
    return ok;
}

static void expect_open(const char *name)
{
    AVFormatContext *fc = NULL;
    sr_err e = {0};
    int rc = sr_media_open(&fc, sr_test_path(dir, name), "f", NULL, &e);
    if (rc) fail_msg("%s: %s", name, e.msg);
    assert_non_null(fc);
    assert_true(sr_media_format_allowed(fc->iformat->name));
    assert_true(fc->nb_streams >= 1);
    avformat_close_input(&fc);
}

static void expect_refused(const char *name)
{
    AVFormatContext *fc = NULL;
    sr_err e = {0};
    const char *p = sr_test_path(dir, name);
    assert_int_equal(sr_media_open(&fc, p, "scenes[0].background.visualUrl", NULL, &e), SR_EMEDIA_INVALID);
    assert_null(fc);
    assert_string_equal(e.field, "scenes[0].background.visualUrl");
    assert_non_null(strstr(e.msg, name)); /* named by its name, */
    assert_null(strstr(e.msg, dir));      /* not by where it lies */
    /* every decoder path refuses it too */
    sr_err_clear(&e);
    assert_int_equal(sr_media_probe(p, SR_MEDIA_VIDEO | SR_MEDIA_IMAGE, "f", NULL, &e), SR_EMEDIA_INVALID);
}

static void test_supported_formats_open(void **state)
{
    (void)state;
    assert_int_equal(sr_test_write_image(sr_test_path(dir, "a.png"), 32, 18, 1, 2, 3, 255), 0);
    assert_int_equal(sr_test_write_image(sr_test_path(dir, "a.jpg"), 32, 18, 1, 2, 3, 255), 0);
    assert_int_equal(sr_test_write_video(sr_test_path(dir, "a.mp4"), 64, 36, 10, 0.5, NULL, 1), 0);
    assert_int_equal(sr_test_write_wav(sr_test_path(dir, "a.wav"), 8000, 1, 0.3, 440, 0.3), 0);
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i sine=f=440:d=0.3 '%s'",
                                sr_test_path(dir, "a.mp3")),
                     0);
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i testsrc2=s=64x36:d=0.3 -c:v libvpx "
                                "'%s'",
                                sr_test_path(dir, "a.webm")),
                     0);
    static const char *const names[] = {"a.png", "a.jpg", "a.mp4", "a.wav", "a.mp3", "a.webm"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) expect_open(names[i]);
    /* and through the probe, as a render sees them */
    sr_media_info mi;
    sr_err e = {0};
    assert_int_equal(sr_media_probe(sr_test_path(dir, "a.jpg"), SR_MEDIA_IMAGE, "f", &mi, &e), 0);
    assert_true(mi.is_image);
    assert_int_equal(sr_media_probe(sr_test_path(dir, "a.mp3"), SR_MEDIA_AUDIO, "f", &mi, &e), 0);
}

static void test_playlists_and_lists_refused(void **state)
{
    (void)state;
    const char *secret = sr_test_path(dir, "secret.ts");
    assert_int_equal(sr_test_write_video(secret, 64, 36, 10, 1.0, "red", 0), 0);
    assert_int_equal(sr_test_write_video(sr_test_path(dir, "secret.mp4"), 64, 36, 10, 1.0, "red", 0), 0);
    char text[2048];
    snprintf(text, sizeof text,
             "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n"
             "#EXTINF:1.0,\nfile://%s\n#EXT-X-ENDLIST\n",
             secret);
    write_text(sr_test_path(dir, "abs.m3u8"), text);
    write_text(sr_test_path(dir, "rel.m3u8"), "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nsecret.ts\n"
                                              "#EXT-X-ENDLIST\n");
    write_text(sr_test_path(dir, "list.ffconcat"), "ffconcat version 1.0\nfile secret.mp4\n");
    snprintf(text, sizeof text, "ffconcat version 1.0\nfile 'file:%s'\n", sr_test_path(dir, "secret.mp4"));
    write_text(sr_test_path(dir, "abs.txt"), text);
    /* the attack is real: unguarded, libavformat reads the other file through each */
    assert_true(plain_opens_video(sr_test_path(dir, "abs.m3u8")));
    assert_true(plain_opens_video(sr_test_path(dir, "rel.m3u8")));
    assert_true(plain_opens_video(sr_test_path(dir, "list.ffconcat")));
    /* guarded, each is refused */
    expect_refused("abs.m3u8");
    expect_refused("rel.m3u8");
    expect_refused("list.ffconcat");
    expect_refused("abs.txt");
    /* a playlist named like a picture is no playlist either */
    snprintf(text, sizeof text, "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile://%s\n#EXT-X-ENDLIST\n",
             secret);
    write_text(sr_test_path(dir, "pl.png"), text);
    sr_err e = {0};
    assert_int_equal(sr_media_probe(sr_test_path(dir, "pl.png"), SR_MEDIA_IMAGE, "f", NULL, &e),
                     SR_EMEDIA_INVALID);
    /* nor are the demuxers that open further URLs on the allow list */
    static const char *const refused[] = {"hls", "concat", "dash", "mpegts", "image2pipe", "tee", "webm_dash_manifest"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (sr_media_format_allowed(refused[i])) fail_msg("%s is allowed", refused[i]);
    assert_true(sr_media_format_allowed("mov,mp4,m4a,3gp,3g2,mj2"));
    assert_true(sr_media_format_allowed("matroska,webm"));
}

static void test_missing_and_not_files(void **state)
{
    (void)state;
    AVFormatContext *fc = NULL;
    sr_err e = {0};
    assert_int_equal(sr_media_open(&fc, sr_test_path(dir, "none.png"), "f", NULL, &e), SR_EMEDIA_NOT_FOUND);
    sr_err_clear(&e);
    assert_int_equal(sr_media_open(&fc, dir, "f", NULL, &e), SR_EMEDIA_UNREADABLE);
    sr_err_clear(&e);
    write_text(sr_test_path(dir, "empty.mp4"), "");
    assert_int_equal(sr_media_open(&fc, sr_test_path(dir, "empty.mp4"), "f", NULL, &e), SR_EMEDIA_INVALID);
    assert_null(fc);
}

/* PNG CRC-32 (the chunk's type and data). */
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* A PNG whose header says w x h, with a few bytes of picture data: decoding
 * it would fail (MEDIA_INVALID), so LIMIT_EXCEEDED proves the header was
 * checked first. */
static void write_png_header(const char *path, uint32_t w, uint32_t h)
{
    uint8_t b[64] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t n = 8;
    put32(b + n, 13), memcpy(b + n + 4, "IHDR", 4);
    put32(b + n + 8, w), put32(b + n + 12, h);
    b[n + 16] = 8, b[n + 17] = 2; /* 8-bit RGB */
    put32(b + n + 21, crc32_of(b + n + 4, 17));
    n += 25;
    put32(b + n, 2), memcpy(b + n + 4, "IDAT", 4), b[n + 8] = 0x78, b[n + 9] = 0x9c;
    put32(b + n + 10, crc32_of(b + n + 4, 6));
    n += 14;
    put32(b + n, 0), memcpy(b + n + 4, "IEND", 4), put32(b + n + 8, crc32_of(b + n + 4, 4));
    n += 12;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(b, 1, n, f);
    fclose(f);
}

/* Rewrites the size in a JPEG's first SOF0 segment. */
static void patch_jpeg_size(const char *path, int w, int h)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    uint8_t b[4096];
    size_t n = fread(b, 1, sizeof b, f);
    size_t i = 2;
    while (i + 9 < n && !(b[i] == 0xff && b[i + 1] == 0xc0)) i++;
    assert_true(i + 9 < n);
    b[i + 5] = (uint8_t)(h >> 8), b[i + 6] = (uint8_t)h, b[i + 7] = (uint8_t)(w >> 8), b[i + 8] = (uint8_t)w;
    fseek(f, 0, SEEK_SET);
    fwrite(b, 1, n, f);
    fclose(f);
}

static long max_rss_kb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

static void test_picture_limits_from_header(void **state)
{
    (void)state;
    sr_err e = {0};
    sr_media_budget b;
    sr_media_budget_init(&b, NULL); /* the defaults */
    const char *huge = sr_test_path(dir, "huge.png");
    write_png_header(huge, 9000, 7000); /* 63 Mpx: over the default 50 */
    assert_int_equal(sr_media_probe_budget(huge, SR_MEDIA_IMAGE, "scenes[1].background.visualUrl", &b, NULL, &e),
                     SR_ELIMIT);
    assert_string_equal(e.field, "scenes[1].background.visualUrl");
    assert_non_null(strstr(e.msg, "huge.png"));
    sr_err_clear(&e);
    write_png_header(huge, 20000, 100); /* a side over 16384: over the ceiling, budget or not */
    assert_int_equal(sr_media_probe(huge, SR_MEDIA_IMAGE, "f", NULL, &e), SR_ELIMIT);
    sr_err_clear(&e);
    write_png_header(huge, 9000, 8000); /* 72 Mpx: over the ceiling */
    assert_int_equal(sr_media_probe(huge, SR_MEDIA_IMAGE, "f", NULL, &e), SR_ELIMIT);
    sr_err_clear(&e);
    /* 16000x16000 (768 MB as RGB) is refused without a picture's memory */
    write_png_header(huge, 16000, 16000);
    long before = max_rss_kb();
    assert_int_equal(sr_media_probe_budget(huge, SR_MEDIA_IMAGE, "f", &b, NULL, &e), SR_ELIMIT);
    assert_true(max_rss_kb() - before < 100 * 1024);
    sr_err_clear(&e);
    /* a JPEG's size from its frame header, likewise */
    const char *jpg = sr_test_path(dir, "huge.jpg");
    assert_int_equal(sr_test_write_image(jpg, 64, 48, 9, 9, 9, 255), 0);
    patch_jpeg_size(jpg, 15000, 15000);
    before = max_rss_kb();
    assert_int_equal(sr_media_probe_budget(jpg, SR_MEDIA_IMAGE, "f", &b, NULL, &e), SR_ELIMIT);
    assert_true(max_rss_kb() - before < 100 * 1024);
    assert_non_null(strstr(e.msg, "huge.jpg"));
    sr_err_clear(&e);
    /* configured lower: a side, the pixels of one picture */
    const char *png = sr_test_path(dir, "mid.png");
    assert_int_equal(sr_test_write_image(png, 400, 300, 9, 9, 9, 255), 0);
    sr_media_budget_init(&b, &(sr_media_limits){.max_side = 399});
    assert_int_equal(sr_media_probe_budget(png, SR_MEDIA_IMAGE, "f", &b, NULL, &e), SR_ELIMIT);
    assert_non_null(strstr(e.msg, "mid.png"));
    sr_err_clear(&e);
    sr_media_budget_init(&b, &(sr_media_limits){.max_pixels = 100000});
    assert_int_equal(sr_media_probe_budget(png, SR_MEDIA_IMAGE, "f", &b, NULL, &e), SR_ELIMIT);
    sr_err_clear(&e);
    /* the budget of a render: 400x300 = 0.12 Mpx, three fit in 0.4 Mpx, the fourth does not */
    sr_media_budget_init(&b, &(sr_media_limits){.job_pixels = 400000});
    for (int i = 0; i < 3; i++) assert_int_equal(sr_media_probe_budget(png, SR_MEDIA_IMAGE, "f", &b, NULL, &e), 0);
    assert_int_equal(b.used, 3 * 120000);
    assert_int_equal(sr_media_probe_budget(png, SR_MEDIA_IMAGE, "scenes[3]", &b, NULL, &e), SR_ELIMIT);
    assert_string_equal(e.field, "scenes[3]");
    assert_non_null(strstr(e.msg, "mid.png"));
    /* defaults and ceilings */
    sr_media_budget_init(&b, &(sr_media_limits){.max_side = 1 << 20, .max_pixels = 1LL << 40});
    assert_int_equal(b.lim.max_side, SR_MEDIA_MAX_SIDE);
    assert_int_equal(b.lim.max_pixels, SR_MEDIA_CEIL_PIXELS);
    assert_int_equal(b.lim.job_pixels, SR_MEDIA_DEF_JOB_PIXELS);
}

static int setup(void **state)
{
    (void)state;
    av_log_set_level(AV_LOG_QUIET);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_supported_formats_open),
        cmocka_unit_test(test_playlists_and_lists_refused),
        cmocka_unit_test(test_missing_and_not_files),
        cmocka_unit_test(test_picture_limits_from_header),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
