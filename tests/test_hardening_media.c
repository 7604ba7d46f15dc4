/* libs: sr_service sr_common */
/* test_hardening_media.c - attacks on the media path of a real server
 * (SR_BINARY serve on loopback), each of which must fail cleanly:
 *   - an uploaded HLS playlist or ffconcat list whose entry is a local file
 *     outside every root, used as a scene's visual (local file read);
 *   - pictures over the per-picture limits and over a job's decoded-pixel
 *     budget (LIMIT_EXCEEDED naming the file);
 *   - leftovers: an interrupted render leaves no NAME.tmp-* file, and the
 *     ones a killed server left are swept at the next start;
 *   - a failing job's message shows no folder of the server. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "jobs/jobs.h"
#include "support/http_client.h"

static const char *jstr(const json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *cur = o;
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && cur; t = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, t);
    return json_string_value(cur);
}

static int setup(void **state)
{
    *state = sr_test_world_start("--workers 1 --max-upload-mb 4 --max-image-side 1000 --max-job-mpx 1");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    sr_test_world_stop(*state);
    return 0;
}

/* Uploads len bytes as name through the signed-upload flow; the file's URL into url. */
static void upload(sr_test_world *w, const char *name, const char *bytes, long len, char url[1024])
{
    sr_http_resp r;
    char body[512];
    snprintf(body, sizeof body, "{\"fileName\":\"%s\",\"contentType\":\"application/octet-stream\"}", name);
    assert_int_equal(sr_test_api(w, "POST", "/v1/media/generateurl", w->key_a, body, &r), 200);
    char signed_url[1024];
    snprintf(signed_url, sizeof signed_url, "%s", jstr(r.json, "data.signedUrl"));
    snprintf(url, 1024, "%s", jstr(r.json, "data.url"));
    sr_http_resp_free(&r);
    assert_int_equal(sr_http("PUT", signed_url, NULL, NULL, bytes, len, &r), 200);
    sr_http_resp_free(&r);
}

static void upload_file(sr_test_world *w, const char *path, const char *name, char url[1024])
{
    char *bytes = sr_test_read(path);
    assert_non_null(bytes);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    upload(w, name, bytes, (long)sb.st_size, url);
    free(bytes);
}

/* Submits body to path (a render) and waits for the job's end. */
static json_t *submit_wait(sr_test_world *w, const char *path, const char *body)
{
    char *id = sr_test_submit(&w->srv, w->key_a, "POST", path, body);
    assert_non_null(id);
    json_t *j = sr_test_wait_job(&w->srv, w->key_a, id, 90);
    free(id);
    assert_non_null(j);
    return j;
}

/* Renders a storyboard whose scenes show the visuals urls[] (type "video" or "image"). */
static json_t *render_visuals(sr_test_world *w, const char *type, const char *const *urls, int n, double secs)
{
    char body[8192];
    int k = snprintf(body, sizeof body, "{\"videoName\":\"h\",\"videoWidth\":320,\"videoHeight\":180,\"scenes\":[");
    for (int i = 0; i < n; i++)
        k += snprintf(body + k, sizeof body - k,
                      "%s{\"background\":{\"visualUrl\":\"%s\",\"type\":\"%s\"},\"minimumDuration\":%g}",
                      i ? "," : "", urls[i], type, secs);
    snprintf(body + k, sizeof body - k, "]}");
    return submit_wait(w, "/v2/video/storyboard/render", body);
}

/* The job failed with code, naming name, and showing no folder of the server. */
static void expect_failed(sr_test_world *w, json_t *j, const char *code, const char *name)
{
    const char *st = jstr(j, "data.status"), *msg = jstr(j, "data.error_message");
    if (strcmp(st, "failed")) {
        /* it rendered: the secret must at least not be in it (it is red) */
        const char *video = jstr(j, "data.videoURL");
        sr_http_resp r;
        if (video && sr_http("GET", video, NULL, NULL, NULL, 0, &r) == 200) {
            const char *mp4 = sr_test_path(w->srv.dir, "got.mp4");
            FILE *f = fopen(mp4, "wb");
            fwrite(r.body, 1, r.body_len, f);
            fclose(f);
            sr_frame *fr = sr_test_decode_frame(mp4, 0.5);
            int red = fr && fr->data[2][0] > 200; /* V of pure red is 240 */
            sr_frame_free(fr);
            if (red) fail_msg("the job rendered the secret local file");
        }
        sr_http_resp_free(&r);
        fail_msg("the job was not refused (status %s)", st);
    }
    assert_string_equal(jstr(j, "data.error_code"), code);
    assert_non_null(msg);
    if (name && !strstr(msg, name)) fail_msg("'%s' does not name %s", msg, name);
    if (strstr(msg, w->srv.dir)) fail_msg("'%s' shows the server's folder", msg);
    assert_null(jstr(j, "data.videoURL"));
}

/* Item 1: a playlist or concat list pointing at a local file outside every root. */
static void test_playlist_reads_no_local_file(void **state)
{
    sr_test_world *w = *state;
    const char *ts = sr_test_path(w->srv.dir, "secret.ts"), *mp4 = sr_test_path(w->srv.dir, "secret.mp4");
    assert_int_equal(sr_test_write_video(ts, 320, 180, 10, 2.0, "red", 0), 0);
    assert_int_equal(sr_test_write_video(mp4, 320, 180, 10, 2.0, "red", 0), 0);
    char text[2048], url[1024];
    snprintf(text, sizeof text,
             "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
             "#EXTINF:2.0,\nfile://%s\n#EXT-X-ENDLIST\n",
             ts);
    upload(w, "clip.m3u8", text, -1, url);
    const char *u = url;
    json_t *j = render_visuals(w, "video", &u, 1, 2);
    expect_failed(w, j, "MEDIA_INVALID", "clip.m3u8");
    json_decref(j);
    snprintf(text, sizeof text, "ffconcat version 1.0\nfile 'file:%s'\nfile '%s'\n", mp4, mp4);
    upload(w, "clip.ffconcat", text, -1, url);
    j = render_visuals(w, "video", &u, 1, 2);
    expect_failed(w, j, "MEDIA_INVALID", "clip.ffconcat");
    json_decref(j);
    /* the same playlist as an image, and as the music */
    upload(w, "still.m3u8", text, -1, url);
    j = render_visuals(w, "image", &u, 1, 2);
    expect_failed(w, j, "MEDIA_INVALID", "still.m3u8");
    json_decref(j);
    snprintf(text, sizeof text,
             "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://%s\n#EXT-X-ENDLIST\n", ts);
    upload(w, "music.m3u8", text, -1, url);
    char body[2048];
    snprintf(body, sizeof body,
             "{\"videoName\":\"m\",\"videoWidth\":320,\"videoHeight\":180,\"backgroundMusic\":{\"enabled\":true,"
             "\"musicUrl\":\"%s\"},\"scenes\":[{\"background\":{\"color\":\"#000000\"},\"minimumDuration\":1}]}",
             url);
    j = submit_wait(w, "/v2/video/storyboard/render", body);
    expect_failed(w, j, "MEDIA_INVALID", "music.m3u8");
    json_decref(j);
}

/* Item 9 (pixels): over a side, and over the job's budget of decoded pixels. */
static void test_picture_limits(void **state)
{
    sr_test_world *w = *state;
    char url[3][1024];
    const char *wide = sr_test_path(w->srv.dir, "wide.png");
    assert_int_equal(sr_test_write_image(wide, 1200, 100, 0, 200, 0, 255), 0); /* over --max-image-side 1000 */
    upload_file(w, wide, "wide.png", url[0]);
    const char *u0 = url[0];
    json_t *j = render_visuals(w, "image", &u0, 1, 1);
    expect_failed(w, j, "LIMIT_EXCEEDED", "wide.png");
    json_decref(j);
    /* a timeline (POST /v2/video/render): the engine's own check */
    const char *key = strstr(url[0], "/files/") + 1;
    char body[2048];
    snprintf(body, sizeof body,
             "{\"version\":1,\"output\":{\"name\":\"rp\",\"width\":320,\"height\":180,\"fps\":10,"
             "\"duration\":1},\"sceneMarkers\":[{\"sceneIndex\":0,\"startTime\":0,\"duration\":1}],"
             "\"elements\":[{\"id\":\"b0\",\"elementType\":\"backgroundElement\",\"type\":\"image\","
             "\"url\":\"%s\",\"startTime\":0,\"duration\":1,\"sceneIndex\":0}]}",
             key);
    j = submit_wait(w, "/v2/video/render", body);
    expect_failed(w, j, "LIMIT_EXCEEDED", "wide.png");
    json_decref(j);
    /* 800x600 = 0.48 Mpx: two fit in --max-job-mpx 1, the third does not */
    static const char *const names[] = {"one.png", "two.png", "three.png"};
    for (int i = 0; i < 3; i++) {
        const char *p = sr_test_path(w->srv.dir, names[i]);
        assert_int_equal(sr_test_write_image(p, 800, 600, 40, 40, (uint8_t)(80 * i), 255), 0);
        upload_file(w, p, names[i], url[i]);
    }
    const char *us[3] = {url[0], url[1], url[2]};
    j = render_visuals(w, "image", us, 2, 1);
    assert_string_equal(jstr(j, "data.status"), "completed");
    json_decref(j);
    j = render_visuals(w, "image", us, 3, 1);
    expect_failed(w, j, "LIMIT_EXCEEDED", "three.png");
    json_decref(j);
}

/* Paths of NAME.tmp-* files under dir (recursively), counted. */
static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (lstat(p, &sb)) continue;
        if (S_ISDIR(sb.st_mode)) n += count_tmp(p);
        else if (strstr(de->d_name, ".tmp-") || strstr(de->d_name, ".part")) n++;
    }
    closedir(d);
    return n;
}

/* Submits a render long enough to interrupt (a long first scene, then then_url's
 * image when not NULL) and waits until its output is being written. */
static char *start_long_render(sr_test_world *w, const char *data, const char *then_url)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"videoName\":\"long\",\"videoWidth\":640,\"videoHeight\":360,\"output\":{\"fps\":60},"
             "\"scenes\":[{\"background\":{\"color\":\"#123456\"},\"minimumDuration\":%d}%s%s%s]}",
             then_url ? 30 : 600, then_url ? ",{\"background\":{\"type\":\"image\",\"visualUrl\":\"" : "",
             then_url ? then_url : "", then_url ? "\"},\"minimumDuration\":1}" : "");
    char *id = sr_test_submit(&w->srv, w->key_a, "POST", "/v2/video/storyboard/render", body);
    assert_non_null(id);
    for (int i = 0; i < 300 && !count_tmp(data); i++) usleep(100 * 1000);
    assert_true(count_tmp(data) > 0); /* writing OUT.mp4.tmp-XXXXXX */
    return id;
}

/* Item 11: an interrupted render cleans up after itself; a killed server's leftovers go at restart. */
static void test_leftovers(void **state)
{
    sr_test_world *w = *state;
    char data[700], p[1024];
    snprintf(data, sizeof data, "%s/data", w->srv.dir);
    /* failed half-way (scene 2's image is damaged after the render began): its temporary outputs go */
    const char *late = sr_test_path(w->srv.dir, "media/late.jpg");
    assert_int_equal(sr_test_write_image(late, 320, 180, 200, 0, 0, 255), 0);
    char *id = start_long_render(w, data, "late.jpg");
    assert_int_equal(sr_test_sh("printf 'no longer a picture' > '%s'", late), 0);
    json_t *j = sr_test_wait_job(&w->srv, w->key_a, id, 120);
    free(id);
    assert_non_null(j);
    assert_string_equal(jstr(j, "data.status"), "failed");
    assert_string_equal(jstr(j, "data.error_code"), "MEDIA_INVALID");
    assert_non_null(strstr(jstr(j, "data.error_message"), "late.jpg"));
    assert_null(strstr(jstr(j, "data.error_message"), w->srv.dir));
    json_decref(j);
    assert_int_equal(count_tmp(data), 0);
    /* cancelled half-way: likewise */
    id = start_long_render(w, data, NULL);
    sr_http_resp r;
    snprintf(p, sizeof p, "/v1/jobs/%s", id);
    assert_int_equal(sr_test_api(w, "DELETE", p, w->key_a, NULL, &r), 200);
    sr_http_resp_free(&r);
    free(id);
    int left = 1;
    for (int i = 0; i < 100 && (left = count_tmp(data)); i++) usleep(100 * 1000);
    assert_int_equal(left, 0);
    /* a server killed mid-render, and a few planted leftovers: gone after a restart */
    id = start_long_render(w, data, NULL);
    free(id);
    sr_test_server_stop(&w->srv, 1);
    assert_true(count_tmp(data) > 0);
    assert_int_equal(sr_test_sh("mkdir -p '%s/files/old' && touch '%s/files/old/v.mp4.tmp-Ab12Cd' "
                                "'%s/files/old/keep.png' '%s/cache/fetch/0123.png.tmp-77' "
                                "'%s/cache/tts/x.wav.tmp-QQ' && mkdir -p '%s/files/up' && "
                                "touch '%s/files/up/a.png.part'",
                                data, data, data, data, data, data, data),
                     0);
    assert_int_equal(sr_test_server_start(&w->srv, NULL), 0);
    assert_int_equal(count_tmp(data), 0);
    snprintf(p, sizeof p, "%s/files/old/keep.png", data);
    assert_int_equal(access(p, F_OK), 0); /* finished files stay */
    /* and the server works as before */
    const char *blue = sr_test_path(w->srv.dir, "media/blue.png");
    assert_int_equal(sr_test_write_image(blue, 64, 36, 0, 0, 255, 255), 0);
    const char *u = "blue.png";
    j = render_visuals(w, "image", &u, 1, 1);
    assert_string_equal(jstr(j, "data.status"), "completed");
    json_decref(j);
}

/* Item 11: failing jobs' messages name files relative to their root, never the server's folders. */
static void test_messages_show_no_server_path(void **state)
{
    sr_test_world *w = *state;
    char url[1024];
    const char *jpg = sr_test_path(w->srv.dir, "cut.jpg");
    assert_int_equal(sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i testsrc2=s=320x180 -frames:v 1 '%s' && "
                                "truncate -s 2000 '%s'",
                                jpg, jpg),
                     0);
    upload_file(w, jpg, "cut.jpg", url);
    const char *u = url;
    json_t *j = render_visuals(w, "image", &u, 1, 1);
    expect_failed(w, j, "MEDIA_INVALID", "cut.jpg");
    json_decref(j);
    /* a file under the media root, damaged: named as the root sees it */
    assert_int_equal(sr_test_sh("mkdir -p '%s/media/sub' && cp '%s' '%s/media/sub/cut.jpg'", w->srv.dir, jpg,
                                w->srv.dir),
                     0);
    u = "sub/cut.jpg";
    j = render_visuals(w, "image", &u, 1, 1);
    expect_failed(w, j, "MEDIA_INVALID", "cut.jpg");
    json_decref(j);
}

/* The rewrite every job message goes through (sr_msg_unroot). */
static void test_unroot_rewrites(void **state)
{
    (void)state;
    sr_svc_cfg cfg = {.n_media_roots = 2};
    snprintf(cfg.data, sizeof cfg.data, "/srv/sr/data");
    snprintf(cfg.media_roots[0], sizeof cfg.media_roots[0], "/srv/sr/media");
    snprintf(cfg.media_roots[1], sizeof cfg.media_roots[1], "/srv/sr/media/deep");
    char msg[512] = "The output /srv/sr/data/files/ab/v.mp4 cannot be created; '/srv/sr/media/deep/x.png' and "
                    "/srv/sr/media/a.jpg: bad; /srv/sr/data-old/f and /srv/sr/mediafile stay; in /srv/sr/data";
    sr_msg_unroot(msg, &cfg);
    assert_string_equal(msg, "The output files/ab/v.mp4 cannot be created; 'x.png' and a.jpg: bad; "
                             "/srv/sr/data-old/f and /srv/sr/mediafile stay; in .");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unroot_rewrites),
        cmocka_unit_test(test_playlist_reads_no_local_file),
        cmocka_unit_test(test_picture_limits),
        cmocka_unit_test(test_messages_show_no_server_path),
        cmocka_unit_test(test_leftovers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
