/* libs: sr_common */
/* Every storyboard in examples/ renders end to end with the CLI (real
 * speech, real encoders) into a playable file, and every storyboard there is
 * listed here: a new example without a line below fails this test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static const struct {
    const char *name; /* examples/NAME.json */
    const char *args; /* extra CLI arguments (relative to examples/) */
    const char *ext;  /* the file its output.format writes */
} examples[] = {
    {"sample", "", "mp4"},
    {"visuals", "", "mp4"},
    {"voices", "", "mp4"},
    {"external-voice", "", "mp4"},
    {"text-animations", "", "mp4"},
    {"captions", "", "mp4"},
    {"formats-webm", "", "webm"},
    {"formats-gif", "", "gif"},
    {"library", "--library assets --music-library assets", "mp4"},
    {"brand-template", "--brand brand-kit.json --var product=Storyreel --var minutes=2 --var closing=3", "mp4"},
    {"brand-kit", NULL, NULL}, /* a brand kit, not a storyboard */
};
#define N_EXAMPLES (sizeof examples / sizeof examples[0])

static void test_every_example_is_listed(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/examples", getenv("SR_SOURCE_DIR"));
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json")) continue;
        int found = 0;
        for (size_t i = 0; i < N_EXAMPLES; i++)
            found |= strlen(examples[i].name) == n - 5 && !strncmp(examples[i].name, e->d_name, n - 5);
        if (!found) fail_msg("examples/%s is not listed in tests/test_examples.c", e->d_name);
    }
    closedir(d);
}

static void test_examples_render(void **state)
{
    (void)state;
    char *dir = sr_test_tmpdir();
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        if (!examples[i].args) continue;
        int st = sr_test_sh("cd '%s/examples' && STORYREEL_CACHE='%s/cache' '%s' render %s.json -o '%s/%s.mp4' "
                            "--quiet %s",
                            getenv("SR_SOURCE_DIR"), dir, getenv("SR_BINARY"), examples[i].name, dir,
                            examples[i].name, examples[i].args);
        if (st != 0) fail_msg("examples/%s.json: storyreel render exited %d", examples[i].name, st);
        char out[128];
        snprintf(out, sizeof out, "%s.%s", examples[i].name, examples[i].ext);
        double d = sr_test_media_duration(sr_test_path(dir, out));
        if (d < 1.0) fail_msg("examples/%s.json: %s lasts %.2f s", examples[i].name, out, d);
    }
    sr_test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_example_is_listed),
        cmocka_unit_test(test_examples_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
