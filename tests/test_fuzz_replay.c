/* libs: sr_service sr_compiler sr_render sr_common */
/* test_fuzz_replay.c - replays every file of fuzz/corpus/<target>/ (seeds and
 * the reproducers of fixed bugs) through the libFuzzer targets of fuzz/, built
 * here with gcc and no libFuzzer: each target's entry point is compiled in
 * under its own name. A crash fails the test; the sanitizer build also checks
 * memory errors, undefined behaviour and leaks on every file. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FUZZ_ENTRY fuzz_storyboard_one
#include "../fuzz/fuzz_storyboard.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_timeline_one
#include "../fuzz/fuzz_timeline.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_ssml_one
#include "../fuzz/fuzz_ssml.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_template_one
#include "../fuzz/fuzz_template.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_color_one
#include "../fuzz/fuzz_color.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_v1_one
#include "../fuzz/fuzz_v1.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_media_open_one
#include "../fuzz/fuzz_media_open.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_http_one
#include "../fuzz/fuzz_http.c"
#undef FUZZ_ENTRY

static int fuzz_storyboard_tts_one(const uint8_t *data, size_t size)
{
    return fuzz_sb_run(data, size, 1);
}

typedef int (*fuzz_fn)(const uint8_t *, size_t);

/* Runs fn on every file of fuzz/corpus/dir; returns how many. */
static int replay(const char *dir, fuzz_fn fn)
{
    const char *src = getenv("SR_SOURCE_DIR");
    char path[4096];
    assert_non_null(src);
    snprintf(path, sizeof path, "%s/fuzz/corpus/%s", src, dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char f[4096 + 256];
        snprintf(f, sizeof f, "%s/%s", path, de->d_name);
        FILE *fp = fopen(f, "rb");
        assert_non_null(fp);
        static uint8_t buf[FUZZ_MAX_INPUT + 1];
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        print_message("%s\n", f);
        assert_int_equal(fn(buf, len), 0);
        n++;
    }
    closedir(d);
    return n;
}

#define REPLAY_TEST(name)                                                                                          \
    static void test_##name(void **state)                                                                          \
    {                                                                                                              \
        assert_true(replay(#name, fuzz_##name##_one) > 0);                                                         \
    }
REPLAY_TEST(storyboard)
REPLAY_TEST(storyboard_tts)
REPLAY_TEST(timeline)
REPLAY_TEST(ssml)
REPLAY_TEST(template)
REPLAY_TEST(color)
REPLAY_TEST(v1)
REPLAY_TEST(media_open)
REPLAY_TEST(http)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storyboard), cmocka_unit_test(test_storyboard_tts), cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_ssml),       cmocka_unit_test(test_template),       cmocka_unit_test(test_color),
        cmocka_unit_test(test_v1),
        cmocka_unit_test(test_media_open),
        cmocka_unit_test(test_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
