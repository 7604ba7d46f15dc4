/* libs: sr_compiler sr_tts sr_render sr_common */
/* test_voices.c - the second speech engine (flite), speakers across engines,
 * per-scene voice overrides, SSML stories (breaks, prosody, markup-free
 * subtitles, malformed documents) and external narration with syncVoice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compiler.h"
#include "support/fixtures.h"
#include "tts/tts.h"

typedef struct fx {
    char *dir;
    char cache[1024];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = sr_test_tmpdir();
    snprintf(f->cache, sizeof f->cache, "%s/cache", f->dir);
    if (sr_test_write_image(sr_test_path(f->dir, "bg.png"), 320, 180, 30, 60, 200, 255)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    sr_test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int compile(fx *f, const char *sb_text, json_t **rp, sr_err *err)
{
    json_error_t je;
    json_t *sb = json_loads(sb_text, 0, &je);
    if (!sb) fprintf(stderr, "bad test JSON: %s (line %d)\n", je.text, je.line);
    assert_non_null(sb);
    sr_compile_opts o = {.base_dir = f->dir, .cache_dir = f->cache};
    sr_err_clear(err);
    *rp = NULL;
    int rc = sr_compile(sb, &o, rp, err);
    json_decref(sb);
    return rc;
}


/* The sample rate in a WAV header. */
static int wav_rate(const char *path)
{
    FILE *fp = fopen(path, "rb");
    unsigned char h[44];
    int ok = fp && fread(h, 1, 44, fp) == 44;
    if (fp) fclose(fp);
    return ok ? h[24] | h[25] << 8 | h[26] << 16 | h[27] << 24 : -1;
}

/* One scene's storyboard with a story and a speaker. */
static char *one_scene(const char *story, int ssml, const char *speaker)
{
    static char buf[4096];
    json_t *sb = json_pack("{s:s, s:{s:[{s:s}]}, s:[{s:s, s:b, s:{s:s}}]}", "videoName", "v", "voiceOver", "aiVoices",
                           "speaker", speaker, "scenes", "story", story, "isSSMLStory", ssml, "background",
                           "visualUrl", "bg.png");
    char *s = json_dumps(sb, 0);
    snprintf(buf, sizeof buf, "%s", s);
    free(s);
    json_decref(sb);
    return buf;
}

/* Compiles one scene; returns the narration's duration and its subtitle text joined. */
static double narration(fx *f, const char *story, int ssml, const char *speaker, char *subs, size_t n)
{
    json_t *rp;
    sr_err e;
    const json_t *vo[2];
    int rc = compile(f, one_scene(story, ssml, speaker), &rp, &e);
    if (rc) fprintf(stderr, "compile: %s (%s)\n", e.msg, e.field);
    assert_int_equal(rc, 0);
    assert_int_equal(sr_test_find(rp, "audioElement", "voiceOver", vo, 2), 1);
    double d = sr_test_media_duration(sr_test_str(vo[0], "url"));
    if (subs) {
        subs[0] = 0;
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(rp, "subtitles"), i, c)
        {
            strncat(subs, sr_test_str(c, "text"), n - strlen(subs) - 2);
            strcat(subs, " ");
        }
    }
    json_decref(rp);
    return d;
}

static void test_flite_speaks(void **state)
{
    (void)state;
    const sr_tts_backend *be = sr_tts_get("flite");
    assert_non_null(be);
    sr_tts_clip c = {0};
    sr_err e = {0};
    const char *text = "Hello brave new world.";
    assert_int_equal(be->synth("slt", 100, 0, text, &c, &e), 0);
    assert_true(c.rate >= 8000);
    assert_true(c.nsamples > c.rate / 2);
    double ss = 0;
    for (int i = 0; i < c.nsamples; i++) ss += (double)c.samples[i] * c.samples[i];
    assert_true(sqrt(ss / c.nsamples) > 0.02); /* audible */
    assert_int_equal(c.nwords, 4);
    static const char *const words[] = {"Hello", "brave", "new", "world"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(c.words[i].text_len, (int)strlen(words[i]));
        assert_memory_equal(text + c.words[i].text_off, words[i], strlen(words[i]));
        assert_true(c.words[i].end > c.words[i].start);
        if (i) assert_true(c.words[i].start >= c.words[i - 1].end - 1e-6);
    }
    assert_true(c.words[3].end <= (double)c.nsamples / c.rate + 1e-6);
    /* slower speech lasts longer */
    sr_tts_clip slow = {0};
    assert_int_equal(be->synth("slt", 50, 0, text, &slow, &e), 0);
    assert_true(slow.nsamples > c.nsamples * 1.5);
    sr_tts_clip_free(&slow);
    sr_tts_clip_free(&c);
}

static void test_resolve_across_engines(void **state)
{
    (void)state;
    const sr_tts_backend *be;
    char id[64];
    sr_err e = {0};
    assert_int_equal(sr_tts_resolve_any("flite:slt", &be, id, sizeof id, &e), 0);
    assert_string_equal(be->name, "flite");
    assert_string_equal(id, "slt");
    assert_int_equal(sr_tts_resolve_any("RMS", &be, id, sizeof id, &e), 0);
    assert_string_equal(be->name, "flite");
    assert_int_equal(sr_tts_resolve_any("en-us", &be, id, sizeof id, &e), 0);
    assert_string_equal(be->name, "espeak-ng");
    assert_int_equal(sr_tts_resolve_any("espeak:en-us", &be, id, sizeof id, &e), 0);
    assert_string_equal(be->name, "espeak-ng");
    assert_int_equal(sr_tts_resolve_any("flite:en-us", &be, id, sizeof id, &e), SR_EINVALID_SPEAKER);
    assert_int_equal(sr_tts_resolve_any("nosuch:slt", &be, id, sizeof id, &e), SR_EINVALID_SPEAKER);
    sr_tts_voice *v = NULL;
    int n = sr_tts_list_all(&v, &e), fl = 0, es = 0;
    assert_true(n > 5);
    for (int i = 0; i < n; i++) {
        fl += strcmp(v[i].engine, "flite") == 0;
        es += strcmp(v[i].engine, "espeak-ng") == 0;
    }
    assert_int_equal(fl, 5);
    assert_true(es > 0);
    free(v);
}

/* flite:slt and an espeak voice make different narrations; a scene's own
 * voiceOver overrides the storyboard's, for either engine. */
static void test_engines_and_scene_override(void **state)
{
    fx *f = *state;
    json_t *rp;
    sr_err e;
    const json_t *vo[4];
    int rc = compile(f,
                     "{\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"en-us\"}]},\"scenes\":["
                     "{\"story\":\"The first scene speaks.\"},"
                     "{\"story\":\"The second scene speaks.\",\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"flite:slt\"}]}},"
                     "{\"story\":\"The third one too.\",\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"flite:kal\"}]}},"
                     "{\"story\":\"No voice here.\",\"voiceOver\":{\"enabled\":false}}]}",
                     &rp, &e);
    if (rc) fprintf(stderr, "%s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(sr_test_find(rp, "audioElement", "voiceOver", vo, 4), 3);
    assert_int_equal(wav_rate(sr_test_str(vo[0], "url")), 22050); /* espeak-ng */
    assert_int_equal(wav_rate(sr_test_str(vo[1], "url")), 16000); /* flite slt */
    assert_int_equal(wav_rate(sr_test_str(vo[2], "url")), 8000);  /* flite kal */
    for (int i = 0; i < 3; i++) assert_true(sr_test_audio_rms(sr_test_str(vo[i], "url"), 0, sr_test_num(vo[i], "duration")) > 0.02);
    json_decref(rp);

    rc = compile(f, one_scene("Hello", 0, "nobody-at-all"), &rp, &e);
    assert_int_equal(rc, SR_EINVALID_SPEAKER);
    assert_string_equal(e.field, "voiceOver.aiVoices[0].speaker");
}

static void test_ssml_break_and_markup(void **state)
{
    fx *f = *state;
    static const char *const speakers[] = {"en-us", "flite:slt"};
    for (int k = 0; k < 2; k++) {
        char subs[1024];
        double plain = narration(f, "<speak>Good morning. Welcome back.</speak>", 1, speakers[k], subs, sizeof subs);
        assert_null(strchr(subs, '<'));
        assert_non_null(strstr(subs, "Good morning."));
        double brk = narration(f, "<speak>Good morning. <break time=\"1500ms\"/> Welcome back.</speak>", 1,
                               speakers[k], subs, sizeof subs);
        assert_null(strchr(subs, '<'));
        assert_non_null(strstr(subs, "Welcome back"));
        /* split synthesis adds each piece's own edges: allow 0.5 s around the break */
        fprintf(stderr, "%s: plain %.3f, with a 1.5 s break %.3f\n", speakers[k], plain, brk);
        assert_true(brk - plain > 1.5 - 0.5);
        assert_true(brk - plain < 1.5 + 0.5);
        /* say-as characters: spelled, shown as written */
        narration(f, "<speak>Call <say-as interpret-as=\"characters\">NASA</say-as> &amp; friends</speak>", 1,
                  speakers[k], subs, sizeof subs);
        assert_non_null(strstr(subs, "NASA & friends"));
    }
}

static void test_ssml_prosody_rate(void **state)
{
    fx *f = *state;
    static const char *const speakers[] = {"en-us", "flite:slt"};
    for (int k = 0; k < 2; k++) {
        const char *t = "This sentence is spoken at two different speeds.";
        char a[512], b[512];
        snprintf(a, sizeof a, "<speak><prosody rate=\"fast\">%s</prosody></speak>", t);
        snprintf(b, sizeof b, "<speak><prosody rate=\"x-slow\">%s</prosody></speak>", t);
        double fast = narration(f, a, 1, speakers[k], NULL, 0), slow = narration(f, b, 1, speakers[k], NULL, 0);
        fprintf(stderr, "%s: fast %.3f, x-slow %.3f\n", speakers[k], fast, slow);
        assert_true(slow > fast * 1.5);
    }
}

static void test_ssml_malformed(void **state)
{
    fx *f = *state;
    static const char *const bad[] = {
        "<speak>Hello <break time=\"5 parsecs\"/></speak>",
        "<speak>Hello <prosody rate=\"fast\">world</speak>",
        "<speak>Hello <foo>x</foo></speak>",
        "<!DOCTYPE speak [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><speak>&x;</speak>",
        "<speak>Hello &x;</speak>",
        "<speak><break time=\"1s\"/></speak>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *rp;
        sr_err e;
        char sb[2048];
        json_t *j = json_pack("{s:[{s:s},{s:s,s:b}]}", "scenes", "story", "First.", "story", bad[i], "isSSMLStory", 1);
        char *s = json_dumps(j, 0);
        snprintf(sb, sizeof sb, "%s", s);
        free(s);
        json_decref(j);
        assert_int_equal(compile(f, sb, &rp, &e), SR_EINVALID_FIELD);
        assert_string_equal(e.field, "scenes[1].story");
        assert_null(rp);
    }
}

/* A 16 kHz mono WAV: 440 Hz tone bursts [on[2k], on[2k+1]) (s), silence between. */
static void write_bursts(const char *path, double seconds, const double *on, int n)
{
    int rate = 16000, ns = (int)(seconds * rate);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    unsigned char h[44] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x80\x3e\0\0\0\x7d\0\0\x02\0\x10\0data";
    uint32_t data = (uint32_t)ns * 2, riff = 36 + data;
    memcpy(h + 4, &riff, 4);
    memcpy(h + 40, &data, 4);
    fwrite(h, 1, 44, fp);
    for (int i = 0; i < ns; i++) {
        double t = (double)i / rate, a = 0;
        for (int k = 0; k < n; k++)
            if (t >= on[2 * k] && t < on[2 * k + 1]) a = 0.4;
        int16_t v = (int16_t)(a * 32767 * sin(2 * M_PI * 440 * t));
        fwrite(&v, 2, 1, fp);
    }
    fclose(fp);
}

/* syncVoice: scene boundaries land in the narration's pauses (the middles of
 * 1.2-1.6 s and 2.2-2.55 s), not in the short dip at 0.6 s nor at the text
 * proportions; subtitles stay inside their segment; without syncVoice the
 * file is placed from 0 and the scenes keep their own timing. */
static void test_external_voice_sync(void **state)
{
    fx *f = *state;
    static const double on[] = {0.1, 0.6, 0.72, 1.2, 1.6, 2.2, 2.55, 2.95};
    write_bursts(sr_test_path(f->dir, "narration.wav"), 3.0, on, 4);
    static const char *const sb =
        "{\"voiceOver\":{\"externalVoice\":{\"voiceUrl\":\"narration.wav\",\"syncVoice\":%s,"
        "\"amplificationLevel\":0.5}},\"scenes\":["
        "{\"story\":\"The first sentence is the longest one of all.\",\"sceneTransition\":\"fade\"},"
        "{\"story\":\"The second is medium.\"},{\"story\":\"Third one.\"}]}";
    char buf[1024];
    json_t *rp;
    sr_err e;
    const json_t *bg[4], *vo[4];
    snprintf(buf, sizeof buf, sb, "true");
    int rc = compile(f, buf, &rp, &e);
    if (rc) fprintf(stderr, "%s (%s)\n", e.msg, e.field);
    assert_int_equal(rc, 0);
    assert_int_equal(sr_test_find(rp, "backgroundElement", NULL, bg, 4), 3);
    static const double want[] = {0, 1.4, 2.375, 3.0};
    for (int i = 0; i < 3; i++) {
        fprintf(stderr, "scene %d: %.3f + %.3f\n", i, sr_test_num(bg[i], "startTime"), sr_test_num(bg[i], "duration"));
        assert_true(fabs(sr_test_num(bg[i], "startTime") - want[i]) <= 0.15);
        assert_true(fabs(sr_test_num(bg[i], "startTime") + sr_test_num(bg[i], "duration") - want[i + 1]) <= 0.15);
    }
    assert_int_equal(sr_test_find(rp, "audioElement", "voiceOver", vo, 4), 1); /* the file only, no TTS */
    assert_true(strstr(sr_test_str(vo[0], "url"), "narration.wav") != NULL);
    assert_true(fabs(sr_test_num(vo[0], "startTime")) < 1e-6);
    assert_true(fabs(sr_test_num(vo[0], "duration") - 3.0) <= 0.05);
    assert_true(fabs(sr_test_num(vo[0], "volume") - sqrt(2.0)) < 1e-3);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(rp, "subtitles"), i, c)
    {
        int k = (int)json_integer_value(json_object_get(c, "sceneIndex"));
        assert_true(sr_test_num(c, "startTime") >= want[k] - 0.15);
        assert_true(sr_test_num(c, "endTime") <= want[k + 1] + 0.15);
    }
    json_decref(rp);

    snprintf(buf, sizeof buf, sb, "false");
    assert_int_equal(compile(f, buf, &rp, &e), 0);
    assert_int_equal(sr_test_find(rp, "audioElement", "voiceOver", vo, 4), 1);
    assert_true(fabs(sr_test_num(vo[0], "startTime")) < 1e-6);
    sr_test_find(rp, "backgroundElement", NULL, bg, 4);
    assert_true(sr_test_num(bg[1], "startTime") > 1.7); /* the text's own pace, not the pauses */
    json_decref(rp);

    /* a per-scene externalVoice and a missing voiceUrl are refused by name */
    assert_int_equal(compile(f, "{\"scenes\":[{\"story\":\"A.\",\"voiceOver\":{\"externalVoice\":"
                                "{\"voiceUrl\":\"narration.wav\"}}}]}", &rp, &e), SR_EINVALID_FIELD);
    assert_string_equal(e.field, "scenes[0].voiceOver.externalVoice");
    assert_int_equal(compile(f, "{\"voiceOver\":{\"externalVoice\":{\"syncVoice\":true}},"
                                "\"scenes\":[{\"story\":\"A.\"}]}", &rp, &e), SR_EINVALID_FIELD);
    assert_string_equal(e.field, "voiceOver.externalVoice.voiceUrl");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flite_speaks),
        cmocka_unit_test(test_resolve_across_engines),
        cmocka_unit_test_setup_teardown(test_engines_and_scene_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ssml_break_and_markup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ssml_prosody_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ssml_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_external_voice_sync, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
