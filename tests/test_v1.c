/* libs: sr_compiler sr_common */
/* test_v1.c - the v1 shapes module (src/compiler/v1.c) on its own: a v1
 * storyboard body's fields land on the storyreel storyboard fields they
 * stand for, a compiled timeline reads back as a v1 renderParams, and that
 * renderParams (edited) translates back to a storyboard that says what the
 * edit says. Refused, unknown and ignored fields: errors and warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/compiler.h"
#include "compiler/v1.h"
#include "support/fixtures.h"

static json_t *load(const char *txt)
{
    json_error_t je;
    json_t *j = json_loads(txt, 0, &je);
    assert_non_null(j);
    return j;
}

static const char *at(const json_t *o, const char *path)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *cur = o;
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && cur; t = strtok_r(NULL, ".", &save))
        cur = *t >= '0' && *t <= '9' ? json_array_get(cur, (size_t)atoi(t)) : json_object_get(cur, t);
    return json_is_string(cur) ? json_string_value(cur) : NULL;
}

static void test_storyboard_fields(void **state)
{
    (void)state;
    json_t *v1 = load(
        "{\"videoName\":\"n\",\"language\":\"en\",\"voiceOver\":true,\"splitTextOnPeriod\":true,"
        "\"brandLogo\":{\"url\":\"logo.png\",\"verticalAlignment\":\"bottom\",\"horizontalAlignment\":\"left\"},"
        "\"audio\":{\"autoBackgroundMusic\":\"true\",\"backGroundMusicVolume\":0.5,"
        "\"aiVoiceOver\":{\"speaker\":\"en-us\",\"speed\":120,\"amplifyLevel\":0.5}},"
        "\"textStyles\":{\"fontFamily\":\"Roboto\",\"textColor\":\"#7000FD\",\"fontSize\":36},"
        "\"scenes\":[{\"text\":\"A <strong>big</strong> day.\",\"fontStyle\":\"italic\",\"textDecoration\":\"underline\","
        "\"fontWeight\":\"bold\",\"verticalAlignment\":\"top\",\"horizontalAlignment\":\"right\","
        "\"textBackgroundColor\":\"#000000\",\"backgroundUri\":\"clip.mp4\",\"backgroundType\":\"video\","
        "\"loopBackgroundVideo\":false,\"backgroundVideoSegments\":[{\"start\":1,\"end\":3}],\"caption\":\"x\"},"
        "{\"text\":\"Quiet.\",\"voiceOver\":false,\"subtitles\":false,\"mediaSearchQuery\":\"sea\","
        "\"backgroundVisualFilter\":{\"category\":\"Nature\"}}],\"mystery\":1}");
    json_t *w = json_array(), *sb = NULL;
    sr_err e = {0};
    assert_int_equal(sr_v1_storyboard(v1, &sb, w, &e), 0);
    assert_string_equal(at(sb, "voiceOver.aiVoices.0.speaker"), "en-us");
    assert_true(json_number_value(json_object_get(json_array_get(json_object_get(json_object_get(sb, "voiceOver"),
                                                                                 "aiVoices"), 0), "speed")) == 120);
    assert_true(json_is_true(json_object_get(json_object_get(sb, "backgroundMusic"), "autoMusic")));
    assert_string_equal(at(sb, "logo.position"), "bottom-left");
    const json_t *s0 = json_array_get(json_object_get(sb, "scenes"), 0);
    assert_string_equal(at(s0, "story"), "A big day.");
    assert_true(json_is_true(json_object_get(s0, "createSceneOnEndOfSentence")));
    assert_string_equal(at(s0, "subtitleStyle.fontFamily"), "Roboto"); /* from textStyles */
    assert_string_equal(at(s0, "subtitleStyle.color"), "#7000FD");
    assert_string_equal(at(s0, "subtitleStyle.position"), "top-right");
    assert_string_equal(at(s0, "subtitleStyle.decorations.0"), "bold");
    assert_string_equal(at(s0, "subtitleStyle.decorations.1"), "italics");
    assert_string_equal(at(s0, "subtitleStyle.decorations.2"), "underline");
    assert_true(json_is_true(json_object_get(json_object_get(s0, "subtitleStyle"), "showBoxBackground")));
    assert_string_equal(at(s0, "background.visualUrl"), "clip.mp4");
    assert_string_equal(at(s0, "background.type"), "video");
    assert_true(json_is_false(json_object_get(json_object_get(json_object_get(s0, "background"), "settings"), "loop")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(s0, "background"), "clips")), 1);
    const json_t *s1 = json_array_get(json_object_get(sb, "scenes"), 1);
    assert_true(json_is_false(json_object_get(json_object_get(s1, "voiceOver"), "enabled")));
    assert_true(json_is_true(json_object_get(s1, "hideSubtitles")));
    assert_string_equal(at(s1, "background.searchFilter.query"), "sea");
    assert_string_equal(at(s1, "background.searchFilter.category"), "Nature");
    /* warned: the unknown field, the ignored caption, the dropped <strong> */
    char all[4000] = "";
    size_t i;
    json_t *x;
    json_array_foreach(w, i, x) strncat(all, json_string_value(x), sizeof all - strlen(all) - 1);
    assert_non_null(strstr(all, "mystery"));
    assert_non_null(strstr(all, "scenes[0].caption"));
    assert_non_null(strstr(all, "<strong>"));
    json_decref(sb);
    json_decref(w);
    json_decref(v1);

    /* refused and wrongly typed fields name themselves */
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"scenes\":[{\"pptUrl\":\"https://x\"}]}", "scenes[0].pptUrl"},
        {"{\"scenes\":[{\"text\":\"a\",\"fontWeight\":\"heavy\"}]}", "scenes[0].fontWeight"},
        {"{\"scenes\":[{\"text\":\"a\",\"verticalAlignment\":\"up\"}]}", "scenes[0].verticalAlignment"},
        {"{\"brandLogo\":{},\"scenes\":[{\"text\":\"a\"}]}", "brandLogo"},
        {"{\"audio\":{\"aiVoiceOver\":{\"amplifyLevel\":5}},\"scenes\":[{\"text\":\"a\"}]}", "audio.aiVoiceOver.amplifyLevel"},
        {"[1]", "body"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        json_t *b = load(bad[k].body);
        sr_err e2 = {0};
        assert_int_equal(sr_v1_storyboard(b, &sb, NULL, &e2), SR_EINVALID_FIELD);
        assert_string_equal(e2.field, bad[k].field);
        assert_null(sb);
        json_decref(b);
    }
}

/* v1 body -> storyboard -> timeline -> v1 renderParams -> (edited) -> storyboard. */
static void test_round_trip(void **state)
{
    (void)state;
    json_t *v1 = load("{\"videoName\":\"rt\",\"videoDescription\":\"d\",\"videoWidth\":320,\"videoHeight\":180,"
                      "\"scenes\":[{\"text\":\"One thing. Two things.\",\"splitTextOnPeriod\":true},"
                      "{\"text\":\"Three.\",\"textColor\":\"#FF0000\",\"horizontalAlignment\":\"left\"}]}");
    json_t *sb = NULL, *tl = NULL, *rp = NULL, *back = NULL;
    sr_err e = {0};
    assert_int_equal(sr_v1_storyboard(v1, &sb, NULL, &e), 0);
    sr_compile_opts co = {.base_dir = ".", .no_media_probe = 1};
    assert_int_equal(sr_compile(sb, &co, &tl, &e), 0);
    assert_int_equal(sr_v1_render_params(tl, sb, &rp, &e), 0);
    assert_string_equal(at(rp, "output.description"), "d");
    json_t *scenes = json_object_get(rp, "scenes");
    assert_int_equal(json_array_size(scenes), 3);
    assert_string_equal(at(rp, "scenes.1.sub_scenes.0.text_lines.0.text"), "Two things.");
    assert_string_equal(at(rp, "scenes.2.textStyles.textColor"), "#FF0000");
    assert_string_equal(at(rp, "scenes.2.textStyles.horizontalAlignment"), "left");
    assert_string_equal(at(rp, "scenes.0.background.src.0.type"), "gradient"); /* no visual: generated */
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(json_object_get(json_array_get(scenes, 0),
                                                                                            "background"), "src"), 0),
                                             "url")));
    assert_true(json_is_false(json_object_get(json_array_get(scenes, 0), "voiceOver"))); /* v1's default: silent */
    double t1 = json_number_value(json_object_get(json_array_get(scenes, 1), "time"));
    assert_true(t1 > 1);
    /* edit: new words, a new background, a longer scene */
    json_t *s1 = json_array_get(scenes, 1);
    json_object_set_new(s1, "sub_scenes", json_pack("[{s:[{s:s},{s:s}]}]", "text_lines", "text", "Brand", "text", "new."));
    json_object_set_new(json_object_get(s1, "background"), "src",
                        json_pack("[{s:s,s:s,s:s}]", "url", "files/ab/pic.png", "type", "image", "mode", "fit"));
    json_object_set_new(s1, "time", json_real(7.5));
    json_object_set_new(rp, "next_generation_video", json_true());
    json_t *w = json_array();
    assert_int_equal(sr_v1_from_render_params(rp, &back, w, &e), 0);
    assert_int_equal(json_array_size(w), 0); /* our own shape warns of nothing */
    assert_string_equal(at(back, "videoName"), "rt");
    json_t *b1 = json_array_get(json_object_get(back, "scenes"), 1);
    assert_string_equal(at(b1, "story"), "Brand new.");
    assert_string_equal(at(b1, "background.visualUrl"), "files/ab/pic.png");
    assert_string_equal(at(b1, "background.fit"), "contain");
    assert_true(json_number_value(json_object_get(b1, "minimumDuration")) == 7.5);
    assert_null(json_object_get(json_array_get(json_object_get(back, "scenes"), 0), "background")); /* gradient again */
    assert_string_equal(at(back, "scenes.2.subtitleStyle.color"), "#FF0000");
    assert_true(json_number_value(json_object_get(back, "videoWidth")) == 320);
    json_decref(back);
    /* Pictory-only fields are warned about */
    json_object_set_new(json_object_get(rp, "audio"), "tts", json_string("https://x/tts.mp3"));
    json_object_set_new(s1, "keywords", json_pack("[s]", "brand"));
    assert_int_equal(sr_v1_from_render_params(rp, &back, w, &e), 0);
    assert_int_equal(json_array_size(w), 2);
    json_decref(back);
    json_decref(w);
    json_decref(rp);
    json_decref(tl);
    json_decref(sb);
    json_decref(v1);
}

/* A renderParams as Pictory's own reference shows one: its extra fields are
 * warned about, what storyreel can use is used. */
static void test_pictory_render_params(void **state)
{
    (void)state;
    json_t *rp = load(
        "{\"audio\":{\"video_volume\":1,\"audio_id\":\"549\",\"audio_library\":\"track\","
        "\"src\":\"https://tracks.example/x.mp3\",\"track_volume\":0.5,\"tts\":\"https://audio.example/t.mp3\"},"
        "\"output\":{\"name\":\"Santa Claus.mp4\",\"description\":\"d\",\"format\":\"mp4\",\"title\":\"t\","
        "\"width\":1920,\"height\":1080},"
        "\"scenes\":[{\"background\":{\"src\":[{\"url\":\"https://v.example/a.mp4\",\"asset_id\":1,"
        "\"type\":\"video\",\"library\":\"story_blocks\",\"mode\":\"fit\",\"frame\":null,\"loop_video\":true,"
        "\"mute\":true,\"resource_id\":1,\"sessionId\":\"s\"}],\"color\":\"rgba(255,255,255,255)\","
        "\"bg_animation\":{\"animation\":\"pan-right\"}},\"time\":7.368,\"keywords\":[],"
        "\"sub_scenes\":[{\"time\":7.368,\"location\":{\"start_x\":50,\"start_y\":929.28},\"displayItems\":[],"
        "\"text_lines\":[{\"text\":\"In the North Pole,\",\"text_animation\":[]}]}],\"subtitles\":[{}]}],"
        "\"next_generation_video\":true,\"containsTextToImage\":true}");
    json_t *w = json_array(), *sb = NULL;
    sr_err e = {0};
    assert_int_equal(sr_v1_from_render_params(rp, &sb, w, &e), 0);
    assert_string_equal(at(sb, "videoName"), "Santa Claus");
    assert_string_equal(at(sb, "backgroundMusic.musicUrl"), "https://tracks.example/x.mp3");
    assert_string_equal(at(sb, "scenes.0.story"), "In the North Pole,");
    assert_string_equal(at(sb, "scenes.0.background.visualUrl"), "https://v.example/a.mp4");
    assert_string_equal(at(sb, "scenes.0.background.fit"), "contain");
    char all[8000] = "";
    size_t i;
    json_t *x;
    json_array_foreach(w, i, x) strncat(all, json_string_value(x), sizeof all - strlen(all) - 1);
    static const char *const named[] = {"audio.tts", "audio.audio_id", "asset_id", "sessionId", "bg_animation",
                                        "keywords", "location", "text_animation", "scenes[0].subtitles"};
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) assert_non_null(strstr(all, named[k]));
    json_decref(sb);
    json_decref(w);
    json_decref(rp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storyboard_fields),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_pictory_render_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
