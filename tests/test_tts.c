/* libs: sr_tts sr_common */
/* test_tts.c - the espeak-ng backend: real speech, real word events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "tts/tts.h"

static double rms(const sr_tts_clip *c, double t0, double t1)
{
    int a = (int)(t0 * c->rate), b = (int)(t1 * c->rate);
    if (b > c->nsamples) b = c->nsamples;
    double s = 0;
    for (int i = a; i < b; i++) s += (double)c->samples[i] * c->samples[i];
    return b > a ? sqrt(s / (b - a)) : 0;
}

static void test_synth_sentence(void **state)
{
    (void)state;
    const sr_tts_backend *be = sr_tts_get(NULL);
    assert_non_null(be);
    assert_string_equal(be->name, "espeak-ng");
    char vid[64];
    sr_err err = {0};
    assert_int_equal(be->resolve("en-US", vid, sizeof vid, &err), 0);
    const char *text = "Every great product starts with a simple question.";
    const char *words[] = {"Every", "great", "product", "starts", "with", "a", "simple", "question"};
    sr_tts_clip c;
    assert_int_equal(be->synth(vid, 100, 0, text, &c, &err), 0);
    assert_int_equal(c.rate, 22050);
    double dur = (double)c.nsamples / c.rate;
    /* 8 words at ~175 wpm: about 2.7 s */
    assert_true(dur > 1.5 && dur < 5.0);
    assert_true(rms(&c, 0, dur) > 0.02); /* audible */
    assert_int_equal(c.nwords, 8);
    double prev = -1;
    for (int i = 0; i < c.nwords; i++) {
        const sr_tts_word *w = &c.words[i];
        assert_int_equal(w->text_len, (int)strlen(words[i]));
        assert_memory_equal(text + w->text_off, words[i], strlen(words[i]));
        assert_true(w->start > prev);
        assert_true(w->end > w->start);
        assert_true(w->end <= dur + 1e-9);
        prev = w->start;
    }
    /* the audio during the longest word is speech, not silence */
    assert_true(rms(&c, c.words[7].start, c.words[7].end) > 0.02);
    sr_tts_clip_free(&c);
    sr_tts_clip_free(NULL);
}

/* text_position counts characters: byte offsets must still land on the words */
static void test_utf8_offsets(void **state)
{
    (void)state;
    const sr_tts_backend *be = sr_tts_get("espeak-ng");
    char vid[64];
    sr_err err = {0};
    assert_int_equal(be->resolve("fr", vid, sizeof vid, &err), 0);
    const char *text = "Un café très élégant arrivé hier.";
    const char *words[] = {"Un", "café", "très", "élégant", "arrivé", "hier"};
    sr_tts_clip c;
    assert_int_equal(be->synth(vid, 100, 0, text, &c, &err), 0);
    assert_int_equal(c.nwords, 6);
    for (int i = 0; i < c.nwords; i++) {
        assert_int_equal(c.words[i].text_len, (int)strlen(words[i]));
        assert_memory_equal(text + c.words[i].text_off, words[i], strlen(words[i]));
    }
    sr_tts_clip_free(&c);
}

static void test_speed_and_amp(void **state)
{
    (void)state;
    const sr_tts_backend *be = sr_tts_get(NULL);
    char vid[64];
    sr_err err = {0};
    assert_int_equal(be->resolve("en-gb", vid, sizeof vid, &err), 0);
    const char *text = "What problem are we really trying to solve today?";
    sr_tts_clip n, f, q;
    assert_int_equal(be->synth(vid, 100, 0, text, &n, &err), 0);
    assert_int_equal(be->synth(vid, 200, 0, text, &f, &err), 0);
    assert_int_equal(be->synth(vid, 100, -1, text, &q, &err), 0);
    assert_true(f.nsamples < n.nsamples * 0.75);
    double dn = (double)n.nsamples / n.rate;
    double rn = rms(&n, 0, dn), rq = rms(&q, 0, (double)q.nsamples / q.rate);
    assert_true(rq > rn * 0.4 && rq < rn * 0.6); /* -1 = half amplitude */
    sr_tts_clip_free(&n);
    sr_tts_clip_free(&f);
    sr_tts_clip_free(&q);
    assert_int_equal(be->synth(vid, 250, 0, text, &n, &err), SR_EINVALID_FIELD);
}

static void test_resolve_and_list(void **state)
{
    (void)state;
    const sr_tts_backend *be = sr_tts_get(NULL);
    char vid[64];
    sr_err err = {0};
    const char *ok[] = {"en-us", "EN-GB", "de", "cmn", "hi", "zh", "English (America)", "gmw/en-US"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        sr_err_clear(&err);
        assert_int_equal(be->resolve(ok[i], vid, sizeof vid, &err), 0);
    }
    sr_err_clear(&err);
    assert_int_equal(be->resolve("Brian-Neural", vid, sizeof vid, &err), SR_EINVALID_SPEAKER);
    assert_int_equal(err.code, SR_EINVALID_SPEAKER);
    assert_non_null(strstr(err.msg, "Brian-Neural"));
    sr_tts_clip c;
    sr_err_clear(&err);
    assert_int_equal(be->synth("no-such-voice", 100, 0, "hello", &c, &err), SR_EINVALID_SPEAKER);
    assert_null(sr_tts_get("nope"));

    sr_tts_voice *vs = NULL;
    int n = be->list(&vs, &err);
    assert_true(n > 20);
    int found = 0;
    for (int i = 0; i < n; i++) found += strcmp(vs[i].id, "en-us") == 0;
    assert_int_equal(found, 1);
    free(vs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synth_sentence),
        cmocka_unit_test(test_utf8_offsets),
        cmocka_unit_test(test_speed_and_amp),
        cmocka_unit_test(test_resolve_and_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
