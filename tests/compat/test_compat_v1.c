/* libs: sr_service sr_common */
/* test_compat_v1.c - Pictory's v1 API as its Node and Python example clients
 * use it, over HTTP against the real server: token -> POST
 * /v1/video/storyboard (v1 body) -> top-level jobId -> poll while
 * "in-progress" -> data.renderParams in the v1 shape (audio, output,
 * scenes[].sub_scenes[].text_lines[], background.src[]) -> edit it (a
 * scene's text, another scene's background) -> POST /v1/video/render ->
 * data.job_id -> poll -> shareVideoURL; the edits show in the SRT and in
 * the decoded frames. Also: refused and unknown v1 fields, a changed
 * speaker, and the font list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compat.h"
#include "fixtures.h"

typedef struct ctx {
    sr_test_world *w;
    char token[400];
} ctx;

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    c->w = sr_test_world_start("--workers 2");
    if (!c->w) return -1;
    char media[700];
    snprintf(media, sizeof media, "%s/media", c->w->srv.dir);
    if (sr_test_write_image(sr_test_path(media, "red.png"), 320, 180, 220, 20, 20, 255) ||
        sr_test_write_image(sr_test_path(media, "blue.png"), 320, 180, 20, 20, 220, 255))
        return -1;
    /* the v1 clients' first step: a token from the client secret */
    char body[300];
    snprintf(body, sizeof body, "{\"client_id\":\"any\",\"client_secret\":\"%s\"}", c->w->key_a);
    sr_http_resp r;
    if (sr_test_api(c->w, "POST", "/v1/oauth2/token", NULL, body, &r) != 200) return -1;
    snprintf(c->token, sizeof c->token, "%s", json_string_value(json_object_get(r.json, "access_token")));
    sr_http_resp_free(&r);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    sr_test_world_stop(c->w);
    free(c);
    return 0;
}

static const char *BODY =
    "{\"videoName\":\"v1_round_trip\",\"videoDescription\":\"a round trip\",\"language\":\"en\","
    "\"videoWidth\":320,\"videoHeight\":180,\"someUnknownField\":1,"
    "\"audio\":{\"autoBackgroundMusic\":false,\"aiVoiceOver\":{\"speaker\":\"en-us\",\"speed\":100,"
    "\"amplifyLevel\":0}},"
    "\"textStyles\":{\"fontFamily\":\"DejaVu Sans\",\"textColor\":\"#FFFFFF\",\"fontSize\":20,"
    "\"verticalAlignment\":\"bottom\",\"horizontalAlignment\":\"center\",\"fontName\":\"Serif\"},"
    "\"scenes\":[{\"text\":\"The first scene speaks. It has two sentences.\",\"voiceOver\":true,"
    "\"splitTextOnNewLine\":false,\"splitTextOnPeriod\":true,\"backgroundUri\":\"red.png\","
    "\"backgroundType\":\"image\"},"
    "{\"text\":\"Second scene here.\",\"voiceOver\":true,\"splitTextOnPeriod\":false,"
    "\"backgroundUri\":\"red.png\",\"textColor\":\"#FFFF00\",\"fontWeight\":\"bold\"}]}";

/* The text a client reads from a v1 scene: its sub_scenes' text_lines joined. */
static void scene_text(const json_t *scene, char *out, size_t n)
{
    out[0] = 0;
    size_t i, j;
    json_t *sub, *line;
    json_array_foreach(json_object_get(scene, "sub_scenes"), i, sub)
        json_array_foreach(json_object_get(sub, "text_lines"), j, line)
    {
        if (out[0]) strncat(out, " ", n - strlen(out) - 1);
        strncat(out, json_string_value(json_object_get(line, "text")), n - strlen(out) - 1);
    }
}

static int has_warning(const json_t *data, const char *word)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(data, "warnings"), i, w) if (strstr(json_string_value(w), word)) return 1;
    return 0;
}

/* GETs a file URL the job handed out into DIR/name; returns the local path. */
static const char *download(ctx *c, const char *url, const char *name)
{
    sr_http_resp r;
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 200);
    const char *path = sr_test_path(c->w->srv.dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    sr_http_resp_free(&r);
    return path;
}

static void assert_colour_at(const char *mp4, double t, int red)
{
    sr_frame *fr = sr_test_decode_frame(mp4, t);
    assert_non_null(fr);
    double rgb[3];
    sr_frame_mean_rgb(fr, fr->w / 2 - 20, fr->h / 2 - 20, 40, 40, rgb);
    sr_frame_free(fr);
    if (red) assert_true(rgb[0] > 150 && rgb[2] < 90);
    else assert_true(rgb[2] > 150 && rgb[0] < 90);
}

/* POSTs a v1 body and polls its job as the clients do; returns the final
 * data. The id is where the clients read it: the storyboard's top-level
 * jobId, the render's data.job_id. */
static json_t *post_and_poll(ctx *c, const char *path, const char *body)
{
    sr_http_resp r;
    assert_int_equal(sr_test_api(c->w, "POST", path, c->token, body, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    const json_t *id = strstr(path, "storyboard") ? json_object_get(r.json, "jobId")
                                                  : json_object_get(json_object_get(r.json, "data"), "job_id");
    assert_non_null(json_string_value(id));
    char jid[64];
    snprintf(jid, sizeof jid, "%s", json_string_value(id));
    sr_http_resp_free(&r);
    return sr_compat_poll(c->w, c->token, jid, NULL);
}

static json_t *preview(ctx *c)
{
    json_t *data = post_and_poll(c, "/v1/video/storyboard", BODY);
    assert_string_equal(json_string_value(json_object_get(data, "status")), "completed");
    return data;
}

static void test_v1_round_trip(void **state)
{
    ctx *c = *state;
    json_t *data = preview(c);
    json_t *rp = json_object_get(data, "renderParams");
    assert_true(json_is_object(json_object_get(rp, "audio")));
    assert_true(json_is_object(json_object_get(rp, "output")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(rp, "output"), "name")), "v1_round_trip");
    assert_string_equal(json_string_value(json_object_get(json_object_get(rp, "output"), "description")),
                        "a round trip");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(rp, "audio"),
                                                                          "aiVoiceOver"), "speaker")), "en-us");
    json_t *scenes = json_object_get(rp, "scenes");
    assert_int_equal(json_array_size(scenes), 3); /* splitTextOnPeriod made two scenes of the first */
    char text[1000];
    scene_text(json_array_get(scenes, 0), text, sizeof text);
    assert_string_equal(text, "The first scene speaks.");
    scene_text(json_array_get(scenes, 2), text, sizeof text);
    assert_string_equal(text, "Second scene here.");
    for (int i = 0; i < 3; i++) {
        json_t *sc = json_array_get(scenes, i);
        json_t *src = json_array_get(json_object_get(json_object_get(sc, "background"), "src"), 0);
        assert_non_null(strstr(json_string_value(json_object_get(src, "url")), "red.png"));
        assert_string_equal(json_string_value(json_object_get(src, "type")), "image");
        assert_true(json_is_boolean(json_object_get(src, "loop_video")));
        assert_true(json_is_boolean(json_object_get(src, "mute")));
        assert_true(json_number_value(json_object_get(sc, "time")) > 0.5);
        assert_true(json_is_true(json_object_get(sc, "voiceOver")));
    }
    /* the scene's own text style, in v1's words */
    json_t *ts = json_object_get(json_array_get(scenes, 2), "textStyles");
    assert_string_equal(json_string_value(json_object_get(ts, "textColor")), "#FFFF00");
    assert_string_equal(json_string_value(json_object_get(ts, "fontWeight")), "bold");
    assert_string_equal(json_string_value(json_object_get(ts, "verticalAlignment")), "bottom");
    /* nothing is ignored in silence */
    assert_true(has_warning(data, "someUnknownField"));
    assert_true(has_warning(data, "textStyles.fontName"));
    assert_true(json_is_object(json_object_get(data, "timeline"))); /* storyreel's own timeline too */

    /* the client edits the renderParams: new words in the last scene, the middle scene turns blue */
    json_t *edited = json_pack("{s:O,s:O,s:O,s:b,s:b}", "audio", json_object_get(rp, "audio"), "output",
                               json_object_get(rp, "output"), "scenes", scenes, "next_generation_video", 1,
                               "containsTextToImage", 1);
    json_t *escenes = json_object_get(edited, "scenes");
    json_t *src1 = json_array_get(json_object_get(json_object_get(json_array_get(escenes, 1), "background"), "src"), 0);
    json_object_set_new(src1, "url", json_string("blue.png"));
    json_t *last = json_array_get(escenes, 2);
    json_object_set_new(last, "sub_scenes",
                        json_pack("[{s:f,s:[{s:s}]}]", "time", 1.0, "text_lines", "text", "Edited words appear here."));
    double t0 = json_number_value(json_object_get(json_array_get(scenes, 0), "time"));
    double t1 = json_number_value(json_object_get(json_array_get(scenes, 1), "time"));
    char *body = json_dumps(edited, JSON_COMPACT);
    json_t *done = post_and_poll(c, "/v1/video/render", body);
    free(body);
    sr_http_resp r;
    assert_string_equal(json_string_value(json_object_get(done, "status")), "completed");
    const char *share = json_string_value(json_object_get(done, "shareVideoURL"));
    const char *srt_url = json_string_value(json_object_get(done, "srtFile"));
    assert_non_null(share);
    assert_non_null(srt_url);
    assert_non_null(strstr(share, "v1_round_trip"));
    /* the edited text is spoken and subtitled; the old one is gone */
    assert_int_equal(sr_http("GET", srt_url, NULL, NULL, NULL, 0, &r), 200);
    assert_non_null(strstr(r.body, "Edited words appear here."));
    assert_non_null(strstr(r.body, "The first scene speaks."));
    assert_null(strstr(r.body, "Second scene here"));
    sr_http_resp_free(&r);
    /* the edited background shows in the middle scene, the others keep theirs */
    const char *mp4 = download(c, share, "v1.mp4");
    assert_colour_at(mp4, t0 * 0.5, 1);
    assert_colour_at(mp4, t0 + t1 * 0.5, 0);
    assert_colour_at(mp4, t0 + t1 + 0.5, 1);
    json_decref(done);
    json_decref(edited);

    /* a changed speaker is honoured: a name in no catalogue fails the render as on Pictory */
    json_t *bad = json_pack("{s:O,s:O,s:O}", "audio", json_object_get(rp, "audio"), "output",
                            json_object_get(rp, "output"), "scenes", scenes);
    json_object_set_new(json_object_get(json_object_get(bad, "audio"), "aiVoiceOver"), "speaker",
                        json_string("Timm"));
    body = json_dumps(bad, JSON_COMPACT);
    json_decref(bad);
    done = post_and_poll(c, "/v1/video/render", body);
    free(body);
    assert_string_equal(json_string_value(json_object_get(done, "status")), "failed");
    assert_string_equal(json_string_value(json_object_get(done, "error_code")), "INVALID_SPEAKER");
    json_decref(done);
    json_decref(data);
}

static void test_v1_refusals(void **state)
{
    ctx *c = *state;
    static const struct {
        const char *path, *body, *field;
    } cases[] = {
        {"/v1/video/storyboard", "{\"videoName\":\"x\",\"scenes\":[{\"article_url\":\"https://example.com\"}]}",
         "scenes[0].article_url"},
        {"/v1/video/storyboard", "{\"videoName\":\"x\",\"scenes\":[{\"text\":\"hi\",\"voiceOver\":7}]}",
         "scenes[0].voiceOver"},
        {"/v1/video/storyboard", "{\"videoName\":\"x\",\"scenes\":[]}", "scenes"},
        {"/v1/video/storyboard", "{\"scenes\":[{\"text\":\"hi\",\"textColor\":\"nope\"}]}", "scenes[0].textColor"},
        {"/v1/video/render", "{\"output\":{\"name\":\"x\"},\"scenes\":[{\"sub_scenes\":3}]}", "scenes[0].sub_scenes"},
        {"/v1/video/render", "{\"output\":{\"name\":\"x\"},\"scenes\":[{\"time\":\"long\"}]}", "scenes[0].time"},
        {"/v1/video/render", "{\"audio\":{\"aiVoiceOver\":{\"speed\":900}},\"scenes\":[{}]}",
         "audio.aiVoiceOver.speed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sr_http_resp r;
        assert_int_equal(sr_test_api(c->w, "POST", cases[i].path, c->token, cases[i].body, &r), 400);
        assert_string_equal(json_string_value(json_object_get(r.json, "code")), "INVALID_REQUEST_BODY");
        json_t *f = json_array_get(json_object_get(r.json, "fields"), 0);
        assert_string_equal(json_string_value(json_object_get(f, "name")), cases[i].field);
        sr_http_resp_free(&r);
    }
}

static void test_v1_fonts(void **state)
{
    ctx *c = *state;
    sr_http_resp r;
    assert_int_equal(sr_test_api(c->w, "GET", "/v1/video/storyboard/fonts", c->token, NULL, &r), 200);
    json_t *arr = json_object_get(r.json, "data");
    assert_true(json_array_size(arr) > 20);
    int roboto = 0;
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        assert_true(json_is_boolean(json_object_get(f, "installed")));
        if (!strcmp(json_string_value(json_object_get(f, "fontFamily")), "Roboto")) roboto = 1;
    }
    assert_true(roboto);
    sr_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_round_trip),
        cmocka_unit_test(test_v1_refusals),
        cmocka_unit_test(test_v1_fonts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
