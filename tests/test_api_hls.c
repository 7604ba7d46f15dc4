/* libs: sr_service sr_common */
/* test_api_hls.c - a render job's HLS stream and renderStats through the real
 * server: data.hlsURL appears while the render runs and plays without a key;
 * cancelling stops new segments (and removes the stream); a completed job
 * keeps hlsURL and carries renderStats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/util.h"
#include "support/fixtures.h"
#include "support/http_client.h"

/* A storyboard of scenes of `seconds` each, at 640x360: one that renders a while, or a short one. */
static char *storyboard(int scenes, double seconds)
{
    sr_buf b;
    sr_buf_init(&b, 1 << 16);
    sr_buf_printf(&b, "{\"videoName\":\"hls\",\"videoWidth\":640,\"videoHeight\":360,\"scenes\":[");
    for (int i = 0; i < scenes; i++)
        sr_buf_printf(&b, "%s{\"background\":{\"color\":\"#%02x4080\"},\"minimumDuration\":%g}", i ? "," : "",
                      (i * 40) & 0xff, seconds);
    sr_buf_printf(&b, "]}");
    return b.p;
}

/* GET /v1/jobs/{id} answered (new reference). */
static json_t *job_now(sr_test_server *s, const char *key, const char *id)
{
    char url[256];
    sr_http_resp r;
    snprintf(url, sizeof url, "%s/pictoryapis/v1/jobs/%s", s->url, id);
    json_t *j = sr_http("GET", url, key, NULL, NULL, 0, &r) == 200 ? json_incref(r.json) : NULL;
    sr_http_resp_free(&r);
    return j;
}

static json_t *data_of(json_t *j)
{
    return json_object_get(j, "data");
}

/* GET url without a key: the status, and the body into *body (malloc'd) when asked. */
static int fetch(const char *url, char **body)
{
    sr_http_resp r;
    int st = sr_http("GET", url, NULL, NULL, NULL, 0, &r);
    if (body) *body = r.body ? strdup(r.body) : NULL;
    sr_http_resp_free(&r);
    return st;
}

/* url's folder + name */
static void sibling(const char *url, const char *name, char *out, size_t n);

/* Saves the file name beside url (served without a key) into dir. */
static int save(const char *url, const char *dir, const char *name)
{
    char u[1100];
    sibling(url, name, u, sizeof u);
    sr_http_resp r;
    int st = sr_http("GET", u, NULL, NULL, NULL, 0, &r);
    FILE *f = st == 200 ? fopen(sr_test_path(dir, name), "wb") : NULL;
    if (f) {
        fwrite(r.body, 1, r.body_len, f);
        fclose(f);
    }
    sr_http_resp_free(&r);
    return f ? 0 : -1;
}

static void sibling(const char *url, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s", url);
    char *slash = strrchr(out, '/');
    if (slash) snprintf(slash + 1, n - (size_t)(slash + 1 - out), "%s", name);
}

static int count_segments(const char *pl)
{
    int n = 0;
    for (const char *p = strstr(pl, ".m4s"); p; p = strstr(p + 1, ".m4s")) n++;
    return n;
}

static void test_hls_while_rendering_and_cancel(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1"), 0);
    json_t *k = sr_test_key_create(&s, "h", NULL);
    const char *key = json_string_value(json_object_get(k, "key"));
    char *tl = storyboard(30, 20), *tiny = storyboard(1, 2);
    char *id = sr_test_submit(&s, key, "POST", "/v2/video/storyboard/render", tl);
    assert_non_null(id);
    /* hlsURL while the job is in progress */
    char hls[1024] = "";
    for (double t = 0; t < 60 && !hls[0]; t += 0.1) {
        json_t *j = job_now(&s, key, id);
        const char *u = json_string_value(json_object_get(data_of(j), "hlsURL"));
        const char *st = json_string_value(json_object_get(data_of(j), "status"));
        if (u) {
            assert_string_equal(st, "in-progress");
            snprintf(hls, sizeof hls, "%s", u);
        }
        json_decref(j);
        if (!hls[0]) nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    assert_true(hls[0]);
    assert_true(!strncmp(hls, s.url, strlen(s.url)));           /* absolute, under the public URL */
    assert_non_null(strstr(hls, "/files/"));
    char *pl = NULL;
    assert_int_equal(fetch(hls, &pl), 200);                     /* no key needed */
    assert_true(pl && !strncmp(pl, "#EXTM3U", 7));
    assert_non_null(strstr(pl, "#EXT-X-PLAYLIST-TYPE:EVENT"));
    assert_null(strstr(pl, "#EXT-X-ENDLIST"));
    assert_true(count_segments(pl) >= 1);
    char u[1100];
    sibling(hls, "init.mp4", u, sizeof u);
    assert_int_equal(fetch(u, NULL), 200);
    sibling(hls, "seg-00000.m4s", u, sizeof u);
    assert_int_equal(fetch(u, NULL), 200);
    /* it plays: what is listed so far, as served, read by ffprobe (a copy marked ended) */
    char *dir = sr_test_tmpdir();
    assert_int_equal(save(hls, dir, "index.m3u8"), 0);
    assert_int_equal(save(hls, dir, "init.mp4"), 0);
    int nseg = count_segments(pl);
    for (int i = 0; i < nseg; i++) {
        char name[32];
        snprintf(name, sizeof name, "seg-%05d.m4s", i);
        assert_int_equal(save(hls, dir, name), 0);
    }
    int st = 0;
    char *pr = sr_test_sh_out(&st, "cd '%s' && (cat index.m3u8; echo '#EXT-X-ENDLIST') > snap.m3u8 && ffprobe -v error "
                                   "-count_frames -show_entries stream=codec_type,nb_read_frames -of csv=p=0 snap.m3u8",
                              dir);
    assert_int_equal(st, 0);
    assert_non_null(strstr(pr, "video,"));
    assert_non_null(strstr(pr, "audio,"));
    assert_true(atoi(strstr(pr, "video,") + 6) >= 30);
    free(pr);
    sr_test_rmdir(dir);
    free(dir);
    free(pl);
    /* cancel: no new segment, and the unfinished stream goes */
    char url[256];
    snprintf(url, sizeof url, "%s/pictoryapis/v1/jobs/%s", s.url, id);
    sr_http_resp r;
    assert_int_equal(sr_http("DELETE", url, key, NULL, NULL, 0, &r), 200);
    sr_http_resp_free(&r);
    int gone = 0;
    for (int i = 0; i < 100 && !gone; i++) {
        gone = fetch(hls, NULL) == 404;
        if (!gone) nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    assert_true(gone);
    nanosleep(&(struct timespec){0, 500000000}, NULL);
    char *n = sr_test_sh_out(&st, "find '%s/data/files' -name '*.m4s' | wc -l", s.dir);
    assert_int_equal(atoi(n), 0);
    free(n);
    json_t *j = job_now(&s, key, id);
    assert_string_equal(json_string_value(json_object_get(data_of(j), "status")), "failed");
    json_decref(j);

    /* a completed render keeps hlsURL (now ended) and carries renderStats */
    char *id2 = sr_test_submit(&s, key, "POST", "/v2/video/storyboard/render", tiny);
    j = sr_test_wait_job(&s, key, id2, 60);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(data_of(j), "status")), "completed");
    const char *h2 = json_string_value(json_object_get(data_of(j), "hlsURL"));
    assert_non_null(h2);
    char *pl2 = NULL;
    assert_int_equal(fetch(h2, &pl2), 200);
    assert_non_null(strstr(pl2, "#EXT-X-ENDLIST"));
    free(pl2);
    json_t *rs = json_object_get(data_of(j), "renderStats");
    assert_non_null(rs);
    json_t *segs = json_object_get(rs, "segments");
    assert_true(json_integer_value(json_object_get(segs, "total")) >= 1);
    assert_int_equal(json_integer_value(json_object_get(segs, "total")),
                     json_integer_value(json_object_get(segs, "reused")) +
                         json_integer_value(json_object_get(segs, "encoded")));
    assert_true(json_is_number(json_object_get(json_object_get(rs, "seconds"), "total")));
    assert_true(json_is_number(json_object_get(rs, "avEndDiffMs")));
    json_decref(j);
    free(id2);
    free(id);
    free(tl);
    free(tiny);
    json_decref(k);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hls_while_rendering_and_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
