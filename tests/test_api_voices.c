/* libs: sr_service sr_common */
/* test_api_voices.c - the voice catalog of the real server: both engines'
 * voices with a sample URL that answers a WAV of speech (synthesised on the
 * first request, then the same bytes from the cache), unknown voices 404; and
 * a storyboard spoken by flite from SSML renders through the service. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/http_client.h"

static int setup(void **state)
{
    *state = sr_test_world_start("--workers 1");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    sr_test_world_stop(*state);
    return 0;
}

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static void test_voice_catalog_and_samples(void **state)
{
    sr_test_world *w = *state;
    sr_http_resp r, s1, s2;
    char url[1024], sample[1024] = "";
    snprintf(url, sizeof url, "%s/pictoryapis/v1/voiceovers/tracks", w->srv.url);
    assert_int_equal(sr_http("GET", url, w->key_a, NULL, NULL, -1, &r), 200);
    int flite = 0, espeak = 0;
    size_t i;
    json_t *v;
    json_array_foreach(r.json, i, v)
    {
        static const char *const keys[] = {"id", "name", "voice", "gender", "language", "engine", "sample"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) assert_non_null(jstr(v, keys[k]));
        if (strcmp(jstr(v, "engine"), "flite") == 0) {
            flite++;
            if (strcmp(jstr(v, "id"), "slt") == 0) {
                assert_string_equal(jstr(v, "voice"), "flite:slt");
                assert_string_equal(jstr(v, "gender"), "female");
                snprintf(sample, sizeof sample, "%s", jstr(v, "sample"));
            }
        }
        espeak += strcmp(jstr(v, "engine"), "espeak-ng") == 0;
    }
    sr_http_resp_free(&r);
    assert_int_equal(flite, 5);
    assert_true(espeak > 0);
    assert_non_null(strstr(sample, "/voiceovers/samples/flite/slt.wav"));

    /* the sample needs no key; rendered once, then served from the cache */
    const char *path = strstr(sample, "/pictoryapis/");
    assert_non_null(path);
    snprintf(url, sizeof url, "%s%s", w->srv.url, path);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, -1, &s1), 200);
    char ct[64];
    assert_non_null(sr_http_header(&s1, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "audio/wav");
    assert_true(s1.body_len > 44 + 16000 * 2); /* over a second at 16 kHz */
    assert_memory_equal(s1.body, "RIFF", 4);
    FILE *fp = fopen(sr_test_path(w->srv.dir, "sample.wav"), "wb");
    assert_non_null(fp);
    fwrite(s1.body, 1, s1.body_len, fp);
    fclose(fp);
    assert_true(sr_test_audio_rms(sr_test_path(w->srv.dir, "sample.wav"), 0, 1.5) > 0.02); /* speech */
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, -1, &s2), 200);
    assert_int_equal(s2.body_len, s1.body_len);
    assert_memory_equal(s2.body, s1.body, s1.body_len);
    sr_http_resp_free(&s1);
    sr_http_resp_free(&s2);

    static const char *const bad[] = {"/pictoryapis/v1/voiceovers/samples/flite/nobody.wav",
                                      "/pictoryapis/v1/voiceovers/samples/nosuch/slt.wav",
                                      "/pictoryapis/v1/voiceovers/samples/flite/slt.mp3"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snprintf(url, sizeof url, "%s%s", w->srv.url, bad[k]);
        assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, -1, &r), 404);
        sr_http_resp_free(&r);
    }
}

static void test_flite_ssml_render(void **state)
{
    sr_test_world *w = *state;
    static const char *sb =
        "{\"videoName\":\"v\",\"videoWidth\":320,\"videoHeight\":180,"
        "\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"flite:slt\"}]},"
        "\"scenes\":[{\"story\":\"<speak>Hi <break time=\\\"300ms\\\"/> there.</speak>\",\"isSSMLStory\":true,"
        "\"background\":{\"color\":\"#203040\"}}]}";
    char *id = sr_test_submit(&w->srv, w->key_a, "POST", "/v2/video/storyboard/render", sb);
    assert_non_null(id);
    json_t *j = sr_test_wait_job(&w->srv, w->key_a, id, 120);
    free(id);
    assert_non_null(j);
    const json_t *d = json_object_get(j, "data");
    if (strcmp(jstr(d, "status"), "completed") != 0)
        fprintf(stderr, "job: %s\n", json_dumps(j, 0));
    assert_string_equal(jstr(d, "status"), "completed");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_voice_catalog_and_samples),
        cmocka_unit_test(test_flite_ssml_render),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
