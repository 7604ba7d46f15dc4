/* libs: sr_render sr_common */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "render/media.h"

static char *dir;

static void test_image_ok(void **state)
{
    (void)state;
    const char *p = sr_test_path(dir, "a.jpg");
    assert_int_equal(sr_test_write_image(p, 64, 48, 200, 10, 10, 255), 0);
    sr_media_info mi;
    sr_err e = {0};
    assert_int_equal(sr_media_probe(p, SR_MEDIA_IMAGE | SR_MEDIA_VIDEO, "background.visualUrl", &mi, &e), 0);
    assert_true(mi.is_image);
    assert_int_equal(mi.width, 64);
    assert_int_equal(mi.height, 48);
    p = sr_test_path(dir, "a.png");
    assert_int_equal(sr_test_write_image(p, 30, 20, 1, 2, 3, 128), 0);
    assert_int_equal(sr_media_probe(p, SR_MEDIA_IMAGE, "logo.url", &mi, &e), 0);
    assert_true(mi.is_image);
}

static void test_video_and_audio(void **state)
{
    (void)state;
    const char *v = sr_test_path(dir, "v.mp4");
    assert_int_equal(sr_test_write_video(v, 64, 48, 10, 1.0, NULL, 1), 0);
    sr_media_info mi;
    sr_err e = {0};
    assert_int_equal(sr_media_probe(v, SR_MEDIA_VIDEO, "f", &mi, &e), 0);
    assert_false(mi.is_image);
    assert_true(mi.has_audio);
    assert_true(mi.duration > 0.9 && mi.duration < 1.2);
    const char *w = sr_test_path(dir, "m.wav");
    assert_int_equal(sr_test_write_wav(w, 44100, 2, 0.5, 440, 0.5), 0);
    assert_int_equal(sr_media_probe(w, SR_MEDIA_AUDIO, "backgroundMusic.musicUrl", &mi, &e), 0);
    assert_true(mi.duration > 0.45 && mi.duration < 0.55);
}

static void expect_fail(const char *path, int expect, int code)
{
    sr_err e = {0};
    assert_int_equal(sr_media_probe(path, expect, "scenes[0].background.visualUrl", NULL, &e), code);
    assert_string_equal(e.field, "scenes[0].background.visualUrl");
    /* the message names the file */
    const char *base = strrchr(path, '/');
    assert_non_null(strstr(e.msg, base + 1));
}

static void test_bad_files(void **state)
{
    (void)state;
    expect_fail(sr_test_path(dir, "missing.jpg"), SR_MEDIA_IMAGE, SR_EMEDIA_NOT_FOUND);
    /* text mislabelled as an image */
    const char *t = sr_test_path(dir, "text.jpg");
    FILE *f = fopen(t, "w");
    fputs("this is not a picture at all, just words\n", f);
    fclose(f);
    expect_fail(t, SR_MEDIA_IMAGE, SR_EMEDIA_INVALID);
    /* audio where an image is expected */
    const char *w = sr_test_path(dir, "sound.wav");
    sr_test_write_wav(w, 8000, 1, 0.2, 300, 0.3);
    expect_fail(w, SR_MEDIA_IMAGE | SR_MEDIA_VIDEO, SR_EMEDIA_INVALID);
    /* an image where audio is expected */
    const char *img = sr_test_path(dir, "pic.png");
    sr_test_write_image(img, 16, 16, 0, 0, 0, 255);
    expect_fail(img, SR_MEDIA_AUDIO, SR_EMEDIA_INVALID);
    /* truncated JPEG: the first 40% of a real one */
    const char *big = sr_test_path(dir, "big.jpg");
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i testsrc2=s=640x480 -frames:v 1 '%s'", big), 0);
    const char *tr = sr_test_path(dir, "trunc.jpg");
    assert_int_equal(sr_test_sh("head -c $(( $(stat -c %%s '%s') * 4 / 10 )) '%s' > '%s'", big, big, tr), 0);
    expect_fail(tr, SR_MEDIA_IMAGE, SR_EMEDIA_INVALID);
    /* empty file, folder */
    const char *em = sr_test_path(dir, "empty.png");
    fclose(fopen(em, "w"));
    expect_fail(em, SR_MEDIA_IMAGE, SR_EMEDIA_INVALID);
    expect_fail(dir, SR_MEDIA_IMAGE, SR_EMEDIA_UNREADABLE);
}

int main(void)
{
    dir = sr_test_tmpdir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_ok),
        cmocka_unit_test(test_video_and_audio),
        cmocka_unit_test(test_bad_files),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sr_test_rmdir(dir);
    free(dir);
    return rc;
}
