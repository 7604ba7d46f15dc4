/* libs: sr_compiler sr_tts sr_render sr_common */
/* test_compiler.c - storyboards (with generated media and real espeak-ng
 * speech) compiled into timelines, checked for what a viewer would get:
 * scene order and overlaps, narration inside its scene, subtitle cues in
 * order and fitting their lines, keywords, music ducking; and every class of
 * bad input rejected with the right code and field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "compiler/compiler.h"
#include "support/fixtures.h"

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
    if (sr_test_write_image(sr_test_path(f->dir, "logo.png"), 64, 32, 255, 140, 0, 200)) return -1;
    if (sr_test_write_wav(sr_test_path(f->dir, "music.wav"), 44100, 2, 3.0, 220, 0.3)) return -1;
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

static json_t *parse(const char *s)
{
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    if (!j) fprintf(stderr, "bad test JSON: %s (line %d)\n", je.text, je.line);
    assert_non_null(j);
    return j;
}

static int compile(fx *f, const char *sb_text, int probe, json_t **rp, sr_err *err)
{
    json_t *sb = parse(sb_text);
    sr_compile_opts o = {.base_dir = f->dir, .cache_dir = f->cache, .no_media_probe = !probe};
    sr_err_clear(err);
    int rc = sr_compile(sb, &o, rp, err);
    json_decref(sb);
    return rc;
}


/* Lines that words take at 0.55 em per character and per space (the contract of docs/storyboard.md). */
static int est_lines(const json_t *words, double line_em)
{
    int lines = 0;
    double x = 0;
    size_t i;
    json_t *w;
    json_array_foreach(words, i, w)
    {
        double ww = 0.55 * (double)strlen(sr_test_str(w, "text")); /* ASCII text */
        if (lines == 0 || x + 0.55 + ww > line_em) {
            lines++;
            x = ww;
        } else x += 0.55 + ww;
    }
    return lines;
}

static const char *narrated_sb =
    "{\"videoName\":\"t\",\"videoWidth\":320,\"videoHeight\":180,"
    " \"voiceOver\":{\"enabled\":true,\"aiVoices\":[{\"speaker\":\"en-us\",\"speed\":130}]},"
    " \"backgroundMusic\":{\"enabled\":true,\"musicUrl\":\"music.wav\",\"volume\":0.5},"
    " \"logo\":{\"url\":\"logo.png\"},"
    " \"subtitleStyle\":{\"fontSize\":30,\"keywordColor\":\"#ff0\"},"
    " \"scenes\":["
    "  {\"story\":\"Every great product starts with a simple question. Dr. Smith asked it in 3.5 seconds.\","
    "   \"createSceneOnEndOfSentence\":true,\"maxSubtitleLines\":1,"
    "   \"background\":{\"visualUrl\":\"bg.png\",\"type\":\"image\",\"settings\":{\"kenBurnsEffect\":true}},"
    "   \"elements\":[{\"type\":\"text\",\"text\":\"Title\",\"textVariant\":\"heading\",\"position\":\"top-center\"},"
    "                 {\"type\":\"image\",\"visualUrl\":\"logo.png\",\"top\":\"5%\",\"left\":\"5%\"},"
    "                 {\"type\":\"image\",\"visualUrl\":\"missing.png\"}]},"
    "  {\"story\":\"Our team spent months listening to customers around the world.\",\"sceneTransition\":\"fade\","
    "   \"backgroundMusic\":{\"enabled\":false},\"background\":{\"color\":\"#202020\"}},"
    "  {\"sceneTransition\":\"wipeleft\",\"minimumDuration\":2,\"hideSubtitles\":true,"
    "   \"background\":{\"visualUrl\":\"bg.png\",\"colorOverlay\":{\"color\":\"#000\"}}},"
    "  {\"story\":\"Try it today.\",\"sceneTransition\":\"none\",\"hideSubtitles\":true,\"minimumDuration\":4}"
    " ]}";

static void test_narrated(void **state)
{
    fx *f = *state;
    json_t *rp = NULL;
    sr_err err;
    int rc = compile(f, narrated_sb, 1, &rp, &err);
    if (rc) fprintf(stderr, "%s: %s\n", err.field, err.msg);
    assert_int_equal(rc, 0);
    assert_true(sr_is_render_params(rp));

    const json_t *out = json_object_get(rp, "output");
    assert_int_equal(sr_test_num(out, "width"), 320);
    assert_int_equal((int)sr_test_num(out, "fps"), 30);

    /* scenes: the first story split in two; transitions overlap by 0.5 s */
    const json_t *mk = json_object_get(rp, "sceneMarkers");
    assert_int_equal(json_array_size(mk), 5);
    double prev_end = 0;
    for (size_t i = 0; i < 5; i++) {
        const json_t *m = json_array_get(mk, i);
        double td = sr_test_num(m, "transitionDuration");
        assert_int_equal((int)sr_test_num(m, "sceneIndex"), (int)i);
        if (i == 2) assert_true(fabs(td - 0.5) < 1e-9);      /* fade */
        if (i == 1 || i == 4) assert_true(td == 0);           /* split piece / none */
        if (i == 0) assert_string_equal(sr_test_str(m, "transition"), "none");
        assert_true(fabs(sr_test_num(m, "startTime") - (prev_end - td)) < 0.0015);
        prev_end = sr_test_num(m, "startTime") + sr_test_num(m, "duration");
    }
    assert_true(fabs(sr_test_num(out, "duration") - prev_end) < 0.0015);
    /* the visual-only scene lasts its minimumDuration */
    assert_true(fabs(sr_test_num(json_array_get(mk, 3), "duration") - 2) < 1e-9);

    /* narration: one clip per story scene, inside its scene, after the transition */
    const json_t *vo[8];
    assert_int_equal(sr_test_find(rp, "audioElement", "voiceOver", vo, 8), 4);
    for (int k = 0; k < 4; k++) {
        int si = (int)sr_test_num(vo[k], "sceneIndex");
        const json_t *m = json_array_get(mk, (size_t)si);
        double s = sr_test_num(vo[k], "startTime"), d = sr_test_num(vo[k], "duration");
        assert_true(s >= sr_test_num(m, "startTime") + sr_test_num(m, "transitionDuration") - 1e-9);
        assert_true(s + d <= sr_test_num(m, "startTime") + sr_test_num(m, "duration") + 1e-9);
        double real = sr_test_media_duration(sr_test_str(vo[k], "url"));
        assert_true(fabs(real - d) < 0.05);
        assert_true(sr_test_audio_rms(sr_test_str(vo[k], "url"), 0, d) > 0.01); /* speech, not silence */
    }
    assert_int_equal((int)sr_test_num(vo[0], "sceneIndex"), 0);
    assert_true(fabs(sr_test_num(vo[0], "startTime") - 0.3) < 1e-9);

    /* subtitles: in order, not overlapping, inside their scene, one line each */
    const json_t *subs = json_object_get(rp, "subtitles");
    assert_true(json_array_size(subs) >= 5);
    double em = 30 * 4.0 / 3 * 180 / 720, line_em = 0.8 * 320 / em;
    double last = -1;
    int kw_product = 0, kw_other = 0, hidden = 0;
    size_t i;
    json_t *cue;
    json_array_foreach(subs, i, cue)
    {
        int si = (int)sr_test_num(cue, "sceneIndex");
        const json_t *m = json_array_get(mk, (size_t)si);
        double s = sr_test_num(cue, "startTime"), e = sr_test_num(cue, "endTime");
        assert_true(s >= last - 1e-9);
        assert_true(e > s);
        assert_true(s >= sr_test_num(m, "startTime") - 1e-9);
        assert_true(e <= sr_test_num(m, "startTime") + sr_test_num(m, "duration") + 1e-9);
        last = e;
        assert_int_equal((int)sr_test_num(cue, "maxLines"), si <= 1 ? 1 : 2);
        assert_true(est_lines(json_object_get(cue, "words"), line_em) <= (int)sr_test_num(cue, "maxLines"));
        hidden += json_is_true(json_object_get(cue, "hidden"));
        assert_string_equal(sr_test_str(json_object_get(cue, "style"), "keywordColor"), "#ff0");
        size_t j;
        json_t *w;
        double wl = s;
        json_array_foreach(json_object_get(cue, "words"), j, w)
        {
            assert_true(sr_test_num(w, "startTime") >= wl - 1e-9);
            assert_true(sr_test_num(w, "endTime") <= e + 1e-9);
            wl = sr_test_num(w, "startTime");
            if (json_is_true(json_object_get(w, "keyword"))) {
                if (!strcmp(sr_test_str(w, "text"), "product") || !strcmp(sr_test_str(w, "text"), "question.")) kw_product++;
                else if (si == 0) kw_other++;
            }
        }
    }
    assert_int_equal(kw_product, 2); /* the two longest significant words of scene 0 */
    assert_int_equal(kw_other, 0);
    assert_true(hidden >= 1);
    /* no cue crosses a sentence: scene 0's last cue ends with "question." */
    const char *t0 = NULL;
    json_array_foreach(subs, i, cue) if (sr_test_num(cue, "sceneIndex") == 0) t0 = sr_test_str(cue, "text");
    assert_non_null(t0);
    assert_non_null(strstr(t0, "question."));
    /* "Dr." and "3.5" did not split the second sentence */
    assert_string_equal(sr_test_str(json_array_get(json_object_get(rp, "elements"), 0), "type"), "image");
    assert_non_null(strstr(sr_test_str(rp, "transcript"), "Dr. Smith asked it in 3.5 seconds.\nOur team"));

    /* music over the whole video, ducked, muted during scene 2 */
    const json_t *mu[2];
    assert_int_equal(sr_test_find(rp, "audioElement", "music", mu, 2), 1);
    assert_int_equal((int)sr_test_num(mu[0], "sceneIndex"), -1);
    assert_true(fabs(sr_test_num(mu[0], "duration") - sr_test_num(out, "duration")) < 1e-9);
    const json_t *duck = json_object_get(mu[0], "ducking");
    assert_true(fabs(sr_test_num(duck, "level") - 0.3) < 1e-9);
    const json_t *mr = json_object_get(mu[0], "mutedRanges");
    assert_int_equal(json_array_size(mr), 1);
    assert_true(fabs(sr_test_num(json_array_get(mr, 0), "start") - sr_test_num(json_array_get(mk, 2), "startTime")) < 1e-9);

    /* backgrounds, text, images, logo */
    const json_t *bg[8];
    assert_int_equal(sr_test_find(rp, "backgroundElement", NULL, bg, 8), 5);
    assert_non_null(json_object_get(bg[0], "motion"));
    assert_true(sr_test_num(json_object_get(bg[0], "motion"), "endZoom") > sr_test_num(json_object_get(bg[0], "motion"), "startZoom"));
    /* scene 0's two pieces: one zoom across both (the second starts where the first ended) */
    assert_true(sr_test_num(json_object_get(bg[1], "motion"), "endZoom") > sr_test_num(json_object_get(bg[1], "motion"), "startZoom"));
    assert_true(fabs(sr_test_num(json_object_get(bg[1], "motion"), "startZoom") -
                     sr_test_num(json_object_get(bg[0], "motion"), "endZoom")) < 1e-6);
    assert_string_equal(sr_test_str(bg[2], "type"), "color");
    assert_non_null(json_object_get(bg[3], "colorOverlay"));
    assert_true(sr_test_str(bg[0], "url")[0] == '/');
    const json_t *tx[4];
    assert_int_equal(sr_test_find(rp, "SceneText", "text", tx, 4), 2); /* repeated on both split scenes */
    assert_int_equal((int)sr_test_num(json_object_get(tx[0], "style"), "fontSize"), 66);
    assert_string_equal(sr_test_str(tx[0], "position"), "top-center");
    const json_t *li[8];
    assert_int_equal(sr_test_find(rp, "layerItem", "image", li, 8), 3); /* 2 scene images + logo; missing one dropped */
    assert_string_equal(sr_test_str(li[2], "id"), "logo");
    assert_int_equal((int)sr_test_num(li[2], "sceneIndex"), -1);
    assert_string_equal(sr_test_str(li[2], "position"), "top-right");
    assert_true(fabs(sr_test_num(li[0], "left") - 0.05) < 1e-9);
    assert_true(json_array_size(json_object_get(rp, "warnings")) >= 1);

    /* the second compile hits the speech cache: same files */
    json_t *rp2 = NULL;
    assert_int_equal(compile(f, narrated_sb, 1, &rp2, &err), 0);
    const json_t *vo2[8];
    sr_test_find(rp2, "audioElement", "voiceOver", vo2, 8);
    assert_string_equal(sr_test_str(vo2[0], "url"), sr_test_str(vo[0], "url"));
    json_decref(rp2);
    json_decref(rp);
}

static void test_voices_rotate_and_speed(void **state)
{
    fx *f = *state;
    json_t *rp;
    sr_err err;
    const char *sb = "{\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"en-us\",\"speed\":100},"
                     "{\"speaker\":\"en-gb\",\"speed\":200}]},"
                     "\"scenes\":[{\"story\":\"What problem are we really trying to solve today?\"},"
                     "{\"story\":\"What problem are we really trying to solve today?\"}]}";
    assert_int_equal(compile(f, sb, 0, &rp, &err), 0);
    const json_t *vo[4];
    assert_int_equal(sr_test_find(rp, "audioElement", "voiceOver", vo, 4), 2);
    assert_string_not_equal(sr_test_str(vo[0], "url"), sr_test_str(vo[1], "url"));
    assert_true(sr_test_num(vo[1], "duration") < sr_test_num(vo[0], "duration") * 0.75); /* speed 200 */
    /* 16:9 default */
    assert_int_equal((int)sr_test_num(json_object_get(rp, "output"), "width"), 1920);
    json_decref(rp);
}

static void test_silent_estimated(void **state)
{
    fx *f = *state;
    json_t *rp;
    sr_err err;
    const char *sb = "{\"aspectRatio\":\"9:16\",\"scenes\":[{\"story\":\"A short line of text.\"},"
                     "{\"story\":\"Another one here.\",\"minimumDuration\":3}]}";
    assert_int_equal(compile(f, sb, 0, &rp, &err), 0);
    const json_t *vo[2];
    assert_int_equal(sr_test_find(rp, "audioElement", NULL, vo, 2), 0);
    const json_t *mk = json_object_get(rp, "sceneMarkers");
    assert_true(fabs(sr_test_num(json_array_get(mk, 0), "duration") - 5) < 1e-9);
    assert_true(fabs(sr_test_num(json_array_get(mk, 1), "duration") - 3) < 1e-9);
    const json_t *cue = json_array_get(json_object_get(rp, "subtitles"), 0);
    /* ~15 characters a second: 5 words, 21 characters */
    double span = sr_test_num(cue, "endTime") - sr_test_num(cue, "startTime");
    assert_true(span > 1.0 && span < 2.5);
    assert_int_equal((int)sr_test_num(json_object_get(rp, "output"), "height"), 1920);
    json_decref(rp);
}

typedef struct bad_case {
    const char *sb;
    int code;
    const char *field; /* expected in err.field */
    int probe;
} bad_case;

static void test_bad_input(void **state)
{
    fx *f = *state;
    static const bad_case cases[] = {
        {"{\"scenes\":[]}", SR_ENO_SCENES, "scenes", 0},
        {"{\"videoName\":\"x\"}", SR_ENO_SCENES, "scenes", 0},
        {"{\"scenes\":{}}", SR_EINVALID_FIELD, "scenes", 0},
        {"{\"scenes\":[{\"story\":\"a\",\"audioUrl\":\"x.wav\"}]}", SR_EINVALID_FIELD, "scenes[0]", 0},
        {"{\"scenes\":[{\"background\":{\"visualUrl\":\"bg.png\",\"color\":\"#000\"}}]}", SR_EINVALID_FIELD,
         "scenes[0].background", 0},
        {"{\"scenes\":[{\"minimumDuration\":\"5\"}]}", SR_EINVALID_FIELD, "scenes[0].minimumDuration", 0},
        {"{\"scenes\":[{\"minimumDuration\":601}]}", SR_EINVALID_FIELD, "scenes[0].minimumDuration", 0},
        {"{\"scenes\":[{},{\"endPauseDuration\":61}]}", SR_EINVALID_FIELD, "scenes[1].endPauseDuration", 0},
        {"{\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"en-us\",\"speed\":201}]},\"scenes\":[{}]}",
         SR_EINVALID_FIELD, "voiceOver.aiVoices[0].speed", 0},
        {"{\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"en-us\",\"amplificationLevel\":2}]},\"scenes\":[{}]}",
         SR_EINVALID_FIELD, "voiceOver.aiVoices[0].amplificationLevel", 0},
        {"{\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"Nobody-Neural\"}]},\"scenes\":[{}]}", SR_EINVALID_SPEAKER,
         "voiceOver.aiVoices[0].speaker", 0},
        {"{\"backgroundMusic\":{\"musicUrl\":\"music.wav\",\"volume\":1.5},\"scenes\":[{}]}", SR_EINVALID_FIELD,
         "backgroundMusic.volume", 0},
        {"{\"videoWidth\":321,\"videoHeight\":180,\"scenes\":[{}]}", SR_EINVALID_FIELD, "videoWidth", 0},
        {"{\"videoWidth\":320,\"videoHeight\":4000,\"scenes\":[{}]}", SR_ELIMIT, "videoHeight", 0},
        {"{\"videoWidth\":320,\"scenes\":[{}]}", SR_EINVALID_FIELD, "videoHeight", 0},
        {"{\"aspectRatio\":\"2:1\",\"scenes\":[{}]}", SR_EINVALID_FIELD, "aspectRatio", 0},
        {"{\"output\":{\"fps\":0},\"scenes\":[{}]}", SR_EINVALID_FIELD, "output.fps", 0},
        {"{\"output\":{\"crf\":52},\"scenes\":[{}]}", SR_EINVALID_FIELD, "output.crf", 0},
        {"{\"output\":{\"preset\":\"turbo\"},\"scenes\":[{}]}", SR_EINVALID_FIELD, "output.preset", 0},
        {"{\"output\":{\"audioBitrate\":\"8k\"},\"scenes\":[{}]}", SR_EINVALID_FIELD, "output.audioBitrate", 0},
        {"{\"subtitleStyle\":{\"color\":\"nocolour\"},\"scenes\":[{}]}", SR_EINVALID_FIELD, "subtitleStyle.color", 0},
        {"{\"subtitleStyle\":{\"fontSize\":300},\"scenes\":[{}]}", SR_EINVALID_FIELD, "subtitleStyle.fontSize", 0},
        {"{\"scenes\":[{\"maxSubtitleLines\":5}]}", SR_EINVALID_FIELD, "scenes[0].maxSubtitleLines", 0},
        {"{\"scenes\":[{\"sceneTransition\":\"spin\"}]}", SR_EINVALID_FIELD, "scenes[0].sceneTransition", 0},
        {"{\"scenes\":[{\"elements\":[{\"type\":\"text\",\"text\":\"x\",\"position\":\"top-left\",\"top\":\"5%\","
         "\"left\":\"5%\"}]}]}",
         SR_EINVALID_FIELD, "scenes[0].elements[0]", 0},
        {"{\"scenes\":[{\"elements\":[{\"type\":\"text\",\"text\":\"x\",\"width\":\"150%\"}]}]}", SR_EINVALID_FIELD,
         "scenes[0].elements[0].width", 0},
        {"{\"scenes\":[{\"background\":{\"visualUrl\":\"bg.png\",\"settings\":{\"kenBurnsEffect\":true,"
         "\"zoomAndPan\":true}}}]}",
         SR_EINVALID_FIELD, "scenes[0].background.settings", 0},
        {"{\"scenes\":[{\"background\":{\"visualUrl\":\"nothere.jpg\"}}]}", SR_EMEDIA_NOT_FOUND,
         "scenes[0].background.visualUrl", 1},
        {"{\"scenes\":[{\"background\":{\"visualUrl\":\"music.wav\"}}]}", SR_EMEDIA_INVALID,
         "scenes[0].background.visualUrl", 1},
        {"{\"scenes\":[{\"background\":{\"visualUrl\":\"https://example.com/a.jpg\"}}]}", SR_EFORBIDDEN,
         "scenes[0].background.visualUrl", 1},
        {"{\"backgroundMusic\":{\"musicUrl\":\"gone.mp3\"},\"scenes\":[{}]}", SR_EMEDIA_NOT_FOUND,
         "backgroundMusic.musicUrl", 1},
        {"{\"logo\":{\"url\":\"none.png\"},\"scenes\":[{}]}", SR_EMEDIA_NOT_FOUND, "logo.url", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *rp = NULL;
        sr_err err;
        int rc = compile(f, cases[i].sb, cases[i].probe, &rp, &err);
        if (rc != cases[i].code || !strstr(err.field, cases[i].field))
            fprintf(stderr, "case %zu: %s -> %s [%s] %s\n", i, cases[i].sb, sr_err_name(rc), err.field, err.msg);
        assert_int_equal(rc, cases[i].code);
        assert_non_null(strstr(err.field, cases[i].field));
        assert_true(strlen(err.msg) > 10);
        assert_null(rp);
    }
}

static void test_limits(void **state)
{
    fx *f = *state;
    sr_err err;
    json_t *rp = NULL;
    /* 501 scenes */
    sr_buf b;
    sr_buf_init(&b, 1 << 20);
    sr_buf_printf(&b, "{\"scenes\":[");
    for (int i = 0; i < 501; i++) sr_buf_printf(&b, "%s{\"minimumDuration\":1}", i ? "," : "");
    sr_buf_printf(&b, "]}");
    assert_int_equal(compile(f, b.p, 0, &rp, &err), SR_ELIMIT);
    sr_buf_free(&b);
    /* more than 500 after splitting */
    sr_buf_init(&b, 1 << 20);
    sr_buf_printf(&b, "{\"scenes\":[{\"createSceneOnEndOfSentence\":true,\"story\":\"");
    for (int i = 0; i < 501; i++) sr_buf_printf(&b, "Go. ");
    sr_buf_printf(&b, "\"}]}");
    assert_int_equal(compile(f, b.p, 0, &rp, &err), SR_ELIMIT);
    assert_string_equal(err.field, "scenes[0]");
    sr_buf_free(&b);
    /* a story over 15,000 characters (counted in code points) */
    sr_buf_init(&b, 1 << 20);
    sr_buf_printf(&b, "{\"scenes\":[{\"story\":\"");
    for (int i = 0; i < 7501; i++) sr_buf_printf(&b, "é ");
    sr_buf_printf(&b, "\"}]}");
    assert_int_equal(compile(f, b.p, 0, &rp, &err), SR_ELIMIT);
    assert_string_equal(err.field, "scenes[0].story");
    sr_buf_free(&b);
    /* 21 elements */
    sr_buf_init(&b, 1 << 20);
    sr_buf_printf(&b, "{\"scenes\":[{\"elements\":[");
    for (int i = 0; i < 21; i++) sr_buf_printf(&b, "%s{\"type\":\"text\",\"text\":\"x\"}", i ? "," : "");
    sr_buf_printf(&b, "]}]}");
    assert_int_equal(compile(f, b.p, 0, &rp, &err), SR_ELIMIT);
    assert_string_equal(err.field, "scenes[0].elements");
    sr_buf_free(&b);
    /* a narrated video of hours is refused from its text, before any speech is made */
    sr_buf_init(&b, 8 << 20);
    sr_buf_printf(&b, "{\"voiceOver\":{\"aiVoices\":[{\"speaker\":\"en-us\"}]},\"scenes\":[");
    for (int i = 0; i < 40; i++) {
        sr_buf_printf(&b, "%s{\"story\":\"", i ? "," : "");
        for (int k = 0; k < 1400; k++) sr_buf_printf(&b, "word word ");
        sr_buf_printf(&b, "\"}");
    }
    sr_buf_printf(&b, "]}");
    double t = sr_now();
    assert_int_equal(compile(f, b.p, 0, &rp, &err), SR_ELIMIT);
    assert_true(sr_now() - t < 10.0); /* the issue: bad input fails within seconds */
    sr_buf_free(&b);
    /* 400 visual scenes of 5 s: 2000 s */
    sr_buf_init(&b, 1 << 20);
    sr_buf_printf(&b, "{\"scenes\":[");
    for (int i = 0; i < 400; i++) sr_buf_printf(&b, "%s{}", i ? "," : "");
    sr_buf_printf(&b, "]}");
    assert_int_equal(compile(f, b.p, 0, &rp, &err), SR_ELIMIT);
    sr_buf_free(&b);
}

static void test_load_json_file(void **state)
{
    fx *f = *state;
    const char *p = sr_test_path(f->dir, "broken.json");
    FILE *fp = fopen(p, "w");
    fputs("{\n  \"scenes\": [\n    {\"story\": \"x\",}\n  ]\n}\n", fp);
    fclose(fp);
    json_t *j = NULL;
    sr_err err = {0};
    assert_int_equal(sr_load_json_file(p, &j, &err), SR_EINVALID_JSON);
    assert_null(j);
    assert_non_null(strstr(err.msg, "line 3"));
    sr_err_clear(&err);
    assert_int_equal(sr_load_json_file(sr_test_path(f->dir, "absent.json"), &j, &err), SR_EMEDIA_NOT_FOUND);
    p = sr_test_path(f->dir, "ok.json");
    fp = fopen(p, "w");
    fputs("{\"output\":{},\"elements\":[]}", fp);
    fclose(fp);
    assert_int_equal(sr_load_json_file(p, &j, &err), 0);
    assert_true(sr_is_render_params(j));
    json_decref(j);
    json_t *sb = parse("{\"scenes\":[]}");
    assert_false(sr_is_render_params(sb));
    json_decref(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_narrated),
        cmocka_unit_test(test_voices_rotate_and_speed),
        cmocka_unit_test(test_silent_estimated),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_load_json_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
