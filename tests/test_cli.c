/* libs: sr_common */
/* The command line on bad input: every class fails fast with exit status 1
 * (never a signal), one line "ERROR_CODE: message" on stderr naming the field
 * or the file at fault. Runs the real storyreel binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "fixtures.h"

static char *dir;
static const char *bin;

/* A valid one-scene storyboard with `extra` spliced into the top level and
 * `scene_extra` into its scene (each "" or ",\"k\":v" fragments). */
static const char *write_sb(const char *name, const char *top, const char *scene)
{
    const char *p = sr_test_path(dir, name);
    FILE *f = fopen(p, "w");
    fprintf(f,
            "{\"videoName\":\"t\",\"videoWidth\":320,\"videoHeight\":180%s,"
            "\"scenes\":[{\"story\":\"Hello there.\",\"minimumDuration\":1%s}]}",
            top, scene);
    fclose(f);
    return p;
}

/* Runs `storyreel preview FILE`, expects failure with code and every needle in the message. */
static void expect_fail_cmd(const char *cmd_args, const char *code, const char *needle1, const char *needle2)
{
    int st = 0;
    double t0 = sr_now();
    char *out = sr_test_sh_out(&st, "STORYREEL_CACHE='%s/cache' '%s' %s 2>&1 >/dev/null", dir, bin, cmd_args);
    double dt = sr_now() - t0;
    assert_non_null(out);
    if (st != 1 || strncmp(out, code, strlen(code)) != 0 || (needle1 && !strstr(out, needle1)) ||
        (needle2 && !strstr(out, needle2)))
        fail_msg("storyreel %s\n  status %d, output:\n%s\n  wanted %s naming '%s' '%s'", cmd_args, st, out, code,
                 needle1 ? needle1 : "", needle2 ? needle2 : "");
    /* exactly one line */
    char *nl = strchr(out, '\n');
    assert_true(nl == NULL || nl[1] == 0);
    assert_true(dt < 10.0);
    free(out);
}

static void expect_fail(const char *file, const char *code, const char *needle1, const char *needle2)
{
    char args[1200];
    snprintf(args, sizeof args, "preview '%s'", file);
    expect_fail_cmd(args, code, needle1, needle2);
}

static void test_malformed_json(void **state)
{
    (void)state;
    const char *p = sr_test_path(dir, "bad.json");
    FILE *f = fopen(p, "w");
    fputs("{\n  \"videoName\": \"x\",\n  \"scenes\": [ {\"story\": \"a\"} ,, ]\n}\n", f);
    fclose(f);
    expect_fail(p, "INVALID_JSON", "line 3", "bad.json");
    expect_fail(sr_test_path(dir, "nonexistent.json"), "MEDIA_NOT_FOUND", "nonexistent.json", NULL);
    /* not an object */
    p = sr_test_path(dir, "array.json");
    f = fopen(p, "w");
    fputs("[1,2,3]", f);
    fclose(f);
    expect_fail(p, "INVALID_", NULL, NULL);
}

static void test_no_scenes(void **state)
{
    (void)state;
    const char *p = sr_test_path(dir, "noscenes.json");
    FILE *f = fopen(p, "w");
    fputs("{\"videoName\":\"x\",\"scenes\":[]}", f);
    fclose(f);
    expect_fail(p, "NO_SCENES", "scenes", NULL);
}

static void test_two_sources(void **state)
{
    (void)state;
    expect_fail(write_sb("two.json", "", ",\"videoUrl\":\"v.mp4\""), "INVALID_REQUEST_BODY", "scenes[0]", NULL);
    expect_fail(write_sb("twobg.json", "", ",\"background\":{\"visualUrl\":\"a.jpg\",\"color\":\"#fff\"}"),
                "INVALID_REQUEST_BODY", "scenes[0].background", NULL);
}

static void test_bad_media(void **state)
{
    (void)state;
    expect_fail(write_sb("missing.json", "", ",\"background\":{\"visualUrl\":\"nothere.jpg\",\"type\":\"image\"}"),
                "MEDIA_NOT_FOUND", "nothere.jpg", NULL);
    /* truncated image */
    const char *big = sr_test_path(dir, "big.jpg");
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i testsrc2=s=640x360 -frames:v 1 '%s'", big), 0);
    assert_int_equal(sr_test_sh("cd '%s' && head -c 9000 big.jpg > cut.jpg", dir), 0);
    expect_fail(write_sb("trunc.json", "", ",\"background\":{\"visualUrl\":\"cut.jpg\",\"type\":\"image\"}"),
                "MEDIA_INVALID", "cut.jpg", NULL);
    /* mislabelled: a text file named .png as the logo */
    FILE *f = fopen(sr_test_path(dir, "fake.png"), "w");
    fputs("not a png\n", f);
    fclose(f);
    expect_fail(write_sb("fake.json", ",\"logo\":{\"url\":\"fake.png\"}", ""), "MEDIA_INVALID", "fake.png", NULL);
    /* an image given as music */
    expect_fail(write_sb("imgmusic.json", ",\"backgroundMusic\":{\"musicUrl\":\"big.jpg\"}", ""), "MEDIA_INVALID",
                "big.jpg", NULL);
    /* a folder where a file is expected (unreadable) */
    assert_int_equal(sr_test_sh("mkdir -p '%s/adir.jpg'", dir), 0);
    expect_fail(write_sb("dir.json", "", ",\"background\":{\"visualUrl\":\"adir.jpg\",\"type\":\"image\"}"),
                "MEDIA_UNREADABLE", "adir.jpg", NULL);
}

static void test_out_of_range(void **state)
{
    (void)state;
    expect_fail(write_sb("speed.json", ",\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"en-us\",\"speed\":500}]}", ""),
                "INVALID_REQUEST_BODY", "speed", NULL);
    expect_fail(write_sb("vol.json", ",\"backgroundMusic\":{\"musicUrl\":\"m.wav\",\"volume\":3}", ""),
                "INVALID_REQUEST_BODY", "volume", NULL);
    expect_fail(write_sb("amp.json", ",\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"en-us\",\"amplificationLevel\":4}]}",
                         ""),
                "INVALID_REQUEST_BODY", "amplificationLevel", NULL);
    expect_fail(write_sb("font.json", ",\"subtitleStyle\":{\"fontSize\":5000}", ""), "INVALID_REQUEST_BODY",
                "fontSize", NULL);
    expect_fail(write_sb("dur.json", "", ",\"endPauseDuration\":-2"), "INVALID_REQUEST_BODY", "endPauseDuration",
                NULL);
    expect_fail(write_sb("type.json", "", ",\"endPauseDuration\":\"long\""), "INVALID_REQUEST_BODY",
                "endPauseDuration", NULL);
    expect_fail(write_sb("lines.json", "", ",\"maxSubtitleLines\":9"), "INVALID_REQUEST_BODY", "maxSubtitleLines",
                NULL);
    expect_fail(write_sb("trans.json", "", ",\"sceneTransition\":\"spin\""), "INVALID_REQUEST_BODY",
                "sceneTransition", NULL);
    expect_fail(write_sb("color.json", ",\"subtitleStyle\":{\"color\":\"#zzz\"}", ""), "INVALID_REQUEST_BODY",
                "color", NULL);
    expect_fail(write_sb("speaker.json", ",\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"klingon-xx\"}]}", ""),
                "INVALID_SPEAKER", "klingon-xx", NULL);
}

static void test_limits(void **state)
{
    (void)state;
    const char *p = sr_test_path(dir, "odd.json");
    FILE *f = fopen(p, "w");
    fputs("{\"videoName\":\"x\",\"videoWidth\":321,\"videoHeight\":180,\"scenes\":[{\"story\":\"a\"}]}", f);
    fclose(f);
    expect_fail(p, "INVALID_REQUEST_BODY", "videoWidth", NULL);
    p = sr_test_path(dir, "huge.json");
    f = fopen(p, "w");
    fputs("{\"videoName\":\"x\",\"videoWidth\":4000,\"videoHeight\":2000,\"scenes\":[{\"story\":\"a\"}]}", f);
    fclose(f);
    expect_fail(p, "LIMIT_EXCEEDED", "videoWidth", NULL);

    /* 501 scenes */
    sr_buf b;
    sr_buf_init(&b, 0);
    sr_buf_printf(&b, "{\"videoName\":\"x\",\"scenes\":[");
    for (int i = 0; i < 501; i++) sr_buf_printf(&b, "%s{\"background\":{\"color\":\"#000\"},\"minimumDuration\":1}", i ? "," : "");
    sr_buf_printf(&b, "]}");
    p = sr_test_path(dir, "many.json");
    f = fopen(p, "w");
    fputs(b.p, f);
    fclose(f);
    sr_buf_free(&b);
    expect_fail(p, "LIMIT_EXCEEDED", "scenes", NULL);

    /* a story of 15,001 characters */
    sr_buf_init(&b, 0);
    sr_buf_printf(&b, "{\"videoName\":\"x\",\"scenes\":[{\"story\":\"");
    for (int i = 0; i < 15001; i++) sr_buf_append(&b, "a", 1);
    sr_buf_printf(&b, "\"}]}");
    p = sr_test_path(dir, "long.json");
    f = fopen(p, "w");
    fputs(b.p, f);
    fclose(f);
    sr_buf_free(&b);
    expect_fail(p, "LIMIT_EXCEEDED", "story", NULL);

    /* 21 elements in a scene */
    sr_buf_init(&b, 0);
    sr_buf_printf(&b, "{\"videoName\":\"x\",\"scenes\":[{\"story\":\"a\",\"elements\":[");
    for (int i = 0; i < 21; i++) sr_buf_printf(&b, "%s{\"type\":\"text\",\"text\":\"t%d\"}", i ? "," : "", i);
    sr_buf_printf(&b, "]}]}");
    p = sr_test_path(dir, "elems.json");
    f = fopen(p, "w");
    fputs(b.p, f);
    fclose(f);
    sr_buf_free(&b);
    expect_fail(p, "LIMIT_EXCEEDED", "elements", NULL);

    /* more than 30 minutes: 4 silent scenes of 500 s */
    p = sr_test_path(dir, "longvideo.json");
    f = fopen(p, "w");
    fputs("{\"videoName\":\"x\",\"scenes\":[", f);
    for (int i = 0; i < 4; i++) fprintf(f, "%s{\"background\":{\"color\":\"#000\"},\"minimumDuration\":500}", i ? "," : "");
    fputs("]}", f);
    fclose(f);
    expect_fail(p, "LIMIT_EXCEEDED", "minutes", "30");

    /* a huge narration: 400 scenes of 14,000 characters must fail fast, before synthesis */
    p = sr_test_path(dir, "talky.json");
    f = fopen(p, "w");
    fputs("{\"videoName\":\"x\",\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"en-us\"}]},\"scenes\":[", f);
    for (int i = 0; i < 400; i++) {
        fputs(i ? ",{\"story\":\"" : "{\"story\":\"", f);
        for (int k = 0; k < 2000; k++) fputs("words ", f);
        fputs("\"}", f);
    }
    fputs("]}", f);
    fclose(f);
    expect_fail(p, "LIMIT_EXCEEDED", "minutes", "30");
}

static void test_usage_errors(void **state)
{
    (void)state;
    const char *ok = write_sb("ok.json", "", "");
    char args[1200];
    snprintf(args, sizeof args, "render '%s'", ok);
    expect_fail_cmd(args, "INVALID_REQUEST_BODY", "-o", NULL);
    int st = sr_test_sh("'%s' frobnicate 2>/dev/null", bin);
    assert_int_equal(st, 2);
}

/* Every command and subcommand answers --help with its usage (exit 0, on
 * stdout); an unknown option names itself and points at --help. */
static void test_help(void **state)
{
    (void)state;
    static const char *const cmds[] = {"render", "preview", "voices", "serve", "keys", "keys create"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        int st = -1;
        char *out = sr_test_sh_out(&st, "'%s' %s --help 2>/dev/null", bin, cmds[i]);
        assert_non_null(out);
        if (st != 0 || strncmp(out, "usage: storyreel ", 17) || !strstr(out, "--help"))
            fail_msg("storyreel %s --help: status %d, output:\n%s", cmds[i], st, out);
        free(out);
        out = sr_test_sh_out(&st, "'%s' %s --no-such-option 2>&1 >/dev/null", bin, cmds[i]);
        assert_non_null(out);
        if (st != 1 || !strstr(out, "INVALID_REQUEST_BODY: unknown option --no-such-option") || !strstr(out, "--help"))
            fail_msg("storyreel %s --no-such-option: status %d, output:\n%s", cmds[i], st, out);
        free(out);
    }
}

int main(void)
{
    bin = getenv("SR_BINARY");
    if (!bin) {
        fprintf(stderr, "SR_BINARY not set\n");
        return 1;
    }
    dir = sr_test_tmpdir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_json), cmocka_unit_test(test_no_scenes),
        cmocka_unit_test(test_two_sources),    cmocka_unit_test(test_bad_media),
        cmocka_unit_test(test_out_of_range),   cmocka_unit_test(test_limits),
        cmocka_unit_test(test_usage_errors),  cmocka_unit_test(test_help),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sr_test_rmdir(dir);
    free(dir);
    return rc;
}
