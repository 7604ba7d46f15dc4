/* libs: sr_service sr_common */
/* test_compat_voices.c - Pictory's voice names (issue: drop-in item 2): a
 * storyboard whose speaker is "Brian" renders with narration and a warning
 * naming the stand-in voice; a name in no catalogue fails INVALID_SPEAKER;
 * GET /v1/voiceovers/tracks lists Pictory's names with the voice each uses,
 * and every one of them speaks (its sample is speech). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compat.h"
#include "fixtures.h"

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static char *storyboard(const char *speaker)
{
    static const char *fmt = "{\"videoName\":\"voices\",\"videoWidth\":320,\"videoHeight\":180,"
                             "\"voiceOver\":{\"enabled\":true,\"aiVoices\":[{\"speaker\":\"%s\","
                             "\"speed\":100,\"amplificationLevel\":0}]},"
                             "\"scenes\":[{\"story\":\"Welcome to the show, "
                             "everyone.\",\"background\":{\"color\":\"#203040\"}}]}";
    size_t n = strlen(fmt) + strlen(speaker) + 1;
    char *s = malloc(n);
    snprintf(s, n, fmt, speaker);
    return s;
}

static void test_brian_renders_with_warning(void **state)
{
    sr_test_world *w = *state;
    char *sb = storyboard("Brian");
    json_t *j = sr_compat_run(w, "POST", "/v2/video/storyboard/render", sb, 180);
    free(sb);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "completed");
    assert_true(sr_compat_warned(j, "speaker 'Brian' is rendered with espeak-ng voice en-gb+m"));
    const json_t *d = json_object_get(j, "data");
    const char *mp4 = sr_compat_fetch(w, jstr(d, "videoURL"), "brian.mp4");
    assert_non_null(mp4);
    assert_true(sr_test_audio_rms(mp4, 0.2, 1.2) > 0.02); /* narration */
    json_decref(j);

    /* lower case works too (Pictory matches names case-insensitively) */
    sb = storyboard("joanna");
    j = sr_compat_run(w, "POST", "/v2/video/storyboard", sb, 120);
    free(sb);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "completed");
    assert_true(sr_compat_warned(j, "speaker 'Joanna' is rendered with espeak-ng voice en-us+f"));
    json_decref(j);
}

static void test_unknown_name_is_invalid_speaker(void **state)
{
    sr_test_world *w = *state;
    char *sb = storyboard("Timm");
    json_t *j = sr_compat_run(w, "POST", "/v2/video/storyboard", sb, 120);
    free(sb);
    assert_non_null(j);
    assert_string_equal(sr_compat_status(j), "failed");
    assert_false(json_is_true(json_object_get(j, "success")));
    assert_string_equal(jstr(json_object_get(j, "data"), "error_code"), "INVALID_SPEAKER");
    json_decref(j);
}

static void test_tracks_list_pictory_names(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "GET", "/v1/voiceovers/tracks", w->key_a, NULL, &r), 200);
    static const char *const names[] = {"Brian",   "Martin", "Joanna", "Matthew",
                                        "Jackson", "Adison", "Emma"};
    int seen[sizeof names / sizeof names[0]] = {0}, pictory = 0;
    size_t i;
    json_t *v;
    json_array_foreach(r.json, i, v)
    {
        if (strcmp(jstr(v, "category"), "pictory") != 0) continue;
        pictory++;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (strcmp(jstr(v, "name"), names[k]) == 0) {
                seen[k] = 1;
                assert_string_equal(jstr(v, "voice"), names[k]); /* the speaker value */
                assert_non_null(strstr(jstr(v, "renderedWith"), "espeak-ng:"));
            }
        if (strcmp(jstr(v, "name"), "Brian") == 0) {
            assert_string_equal(jstr(v, "language"), "en-GB");
            assert_string_equal(jstr(v, "gender"), "male");
        }
        /* every Pictory voice speaks: its sample is a WAV of speech */
        const char *path = strstr(jstr(v, "sample"), "/pictoryapis/");
        assert_non_null(path);
        char file[64];
        snprintf(file, sizeof file, "s%zu.wav", i);
        char url[1024];
        snprintf(url, sizeof url, "%s%s", w->srv.url, path);
        const char *wav = sr_compat_fetch(w, url, file);
        if (!wav) fprintf(stderr, "no sample for %s (%s)\n", jstr(v, "name"), url);
        assert_non_null(wav);
        assert_true(sr_test_audio_rms(wav, 0, 1.0) > 0.01);
    }
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        assert_true(seen[k]);
    assert_true(pictory >= 60);
    sr_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brian_renders_with_warning),
        cmocka_unit_test(test_unknown_name_is_invalid_speaker),
        cmocka_unit_test(test_tracks_list_pictory_names),
    };
    return cmocka_run_group_tests(tests, sr_compat_setup, sr_compat_teardown);
}
