/* libs: sr_common */
/* test_cluster.c - the fleet as it is deployed: two API nodes and three
 * render nodes (the storyreel binary, five process trees) on a real
 * PostgreSQL store (tests/support/pg_fixture) and a real S3 storage (s3rver,
 * tests/support/s3_fixture), all on loopback.
 *
 * A 60 s video (320x180 at 30 fps, 2 s segments: 30 segments) renders with
 * segments made on at least two nodes, and its MP4 matches a single-process
 * `storyreel render` of the same timeline (frame count, duration, PSNR >= 45
 * dB by ffmpeg's psnr filter). Then a burst of 20 short jobs across both API
 * nodes while one render node is killed (-9) mid-segment and one API node is
 * killed mid-request: every acknowledged job completes on the survivors, and
 * each output has exactly its frames (no segment in twice, none missing). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "support/fixtures.h"
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/pg_fixture.h"
#include "support/s3_fixture.h"

#define BURST 20

static sr_test_fleet fleet;
static char store[600];   /* the PostgreSQL database's URI */
static char pattern[600]; /* a test picture the scenes pan over (a media root) */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int setup(void **state)
{
    char storage[600], extra[1200];
    if (sr_pg_fixture_db(store, sizeof store)) {
        fprintf(stderr, "pg fixture: %s\n", sr_pg_fixture_error());
        return -1;
    }
    if (sr_s3_fixture_start(storage, sizeof storage) || sr_test_fleet_init(&fleet, store, storage)) return -1;
    snprintf(pattern, sizeof pattern, "%s/media/pattern.png", fleet.dir);
    if (sr_test_sh("mkdir -p '%s/media' && ffmpeg -v error -f lavfi -i testsrc2=s=640x360 -frames:v 1 -y '%s'",
                   fleet.dir, pattern))
        return -1;
    snprintf(extra, sizeof extra, "--lease-ms 1500 --media-root '%s/media'", fleet.dir);
    static const char *const names[] = {"render-1", "render-2", "render-3"};
    for (int i = 0; i < 3; i++)
        if (sr_test_fleet_render(&fleet, names[i], 1, extra) < 0) return -1;
    for (int i = 0; i < 2; i++)
        if (sr_test_fleet_api(&fleet, extra + strlen("--lease-ms 1500 ")) < 0) return -1;
    return sr_test_fleet_wait_workers(&fleet, 0, 3, 15) == 200 ? 0 : -1;
}

static int teardown(void **state)
{
    return sr_test_fleet_stop(&fleet);
}

/* A timeline of scenes of scene_s seconds: the pattern under a moving
 * camera, then a colour, by turns (malloc'd). */
static char *timeline(const char *name, int scenes, double scene_s)
{
    sr_buf b;
    sr_buf_init(&b, 1 << 20);
    double total = scenes * scene_s;
    sr_buf_printf(&b, "{\"version\":1,\"output\":{\"name\":\"%s\",\"width\":320,\"height\":180,\"fps\":30,"
                      "\"duration\":%g,\"preset\":\"ultrafast\",\"segmentSeconds\":2},\"sceneMarkers\":[", name, total);
    for (int s = 0; s < scenes; s++)
        sr_buf_printf(&b, "%s{\"sceneIndex\":%d,\"startTime\":%g,\"duration\":%g,\"transition\":\"none\","
                          "\"transitionDuration\":0}", s ? "," : "", s, s * scene_s, scene_s);
    sr_buf_printf(&b, "],\"elements\":[");
    for (int s = 0; s < scenes; s++) {
        sr_buf_printf(&b, "%s{\"id\":\"bg%d\",\"elementType\":\"backgroundElement\",\"sceneIndex\":%d,"
                          "\"startTime\":%g,\"duration\":%g,", s ? "," : "", s, s, s * scene_s, scene_s);
        if (s % 2 == 0)
            sr_buf_printf(&b, "\"type\":\"image\",\"url\":\"%s\",\"motion\":{\"startZoom\":1.0,\"endZoom\":1.3,"
                              "\"startX\":0.4,\"startY\":0.5,\"endX\":0.6,\"endY\":0.4}}", pattern);
        else
            sr_buf_printf(&b, "\"type\":\"color\",\"color\":\"#%02x%02x80\"}", (s * 37) & 0xff, (s * 91) & 0xff);
    }
    sr_buf_printf(&b, "],\"subtitles\":[],\"transcript\":\"\"}");
    return b.p;
}

/* The number of video frames (packets) of an MP4, by ffprobe; -1 on failure. */
static long frames_of(const char *path)
{
    int st = -1;
    char *out = sr_test_sh_out(&st, "ffprobe -v error -select_streams v:0 -count_packets -show_entries "
                                    "stream=nb_read_packets -of csv=p=0 '%s'", path);
    long n = out && st == 0 ? atol(out) : -1;
    free(out);
    return n;
}

/* The PSNR (dB) of b against a, by ffmpeg's psnr filter (inf: 999); -1 on failure. */
static double psnr_of(const char *a, const char *b)
{
    int st = -1;
    char *out = sr_test_sh_out(&st, "ffmpeg -v info -nostats -i '%s' -i '%s' -lavfi psnr -f null - 2>&1", a, b);
    const char *avg = out ? strstr(out, "average:") : NULL;
    double db = !avg ? -1 : !strncmp(avg + 8, "inf", 3) ? 999 : atof(avg + 8);
    if (db < 0) fprintf(stderr, "psnr: %s\n", out ? out : "(no output)");
    free(out);
    return db;
}

static void test_sixty_seconds_on_three_nodes(void **state)
{
    char *tl = timeline("sixty", 15, 4.0);
    const char *tl_path = sr_test_path(fleet.dir, "sixty.json");
    FILE *f = fopen(tl_path, "w");
    assert_non_null(f);
    fputs(tl, f);
    fclose(f);
    char *id = sr_test_submit(&fleet.api[0], fleet.key, "POST", "/v2/video/render", tl);
    assert_non_null(id);
    json_t *j = sr_test_wait_job(&fleet.api[1], fleet.key, id, 120);
    assert_non_null(j);
    json_t *data = json_object_get(j, "data");
    assert_string_equal(json_string_value(json_object_get(data, "status")), "completed");
    json_t *rs = json_object_get(data, "renderStats");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rs, "segments"), "total")), 30);
    json_t *workers = json_object_get(rs, "workers");
    char *w = json_dumps(workers, JSON_COMPACT);
    fprintf(stderr, "60 s video: segments by %s\n", w ? w : "?");
    free(w);
    assert_true(json_array_size(workers) >= 2);
    const char *got = sr_test_path(fleet.dir, "sixty.mp4"), *ref = sr_test_path(fleet.dir, "ref.mp4");
    assert_int_equal(sr_test_http_save(json_string_value(json_object_get(data, "videoURL")), got), 0);
    /* the same timeline rendered by one process */
    assert_int_equal(sr_test_sh("'%s' render '%s' -o '%s' --quiet --no-cache", getenv("SR_BINARY"), tl_path, ref), 0);
    assert_int_equal(frames_of(got), 1800);
    assert_int_equal(frames_of(ref), 1800);
    double d = sr_test_media_duration(got);
    assert_true(d > 59.9 && d < 60.2);
    double db = psnr_of(ref, got);
    fprintf(stderr, "60 s video: PSNR %.2f dB against the single-process render\n", db);
    assert_true(db >= 45);
    json_decref(j);
    free(id);
    free(tl);
}

/* The pid of the one render process of the render node whose supervisor is pid; 0 if none. */
static long child_of(pid_t pid)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(p, "r"); /* a /proc file: read, not sized */
    long c = 0;
    if (f && fscanf(f, "%ld", &c) != 1) c = 0;
    if (f) fclose(f);
    return c;
}

/* Waits (at most timeout_s) until the render process of node i works a
 * segment (holds a running task's lease): 1, or 0. */
static int working_a_segment(int i, double timeout_s)
{
    char sql[200];
    for (double t = 0; t < timeout_s; t += 0.01) {
        long c = child_of(fleet.render[i]);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM tasks WHERE state = 1 AND lease_owner LIKE '%%:%ld:%%'", c);
        if (c > 0 && sr_pg_fixture_query_int(store, sql) > 0) return 1;
        sleep_ms(10);
    }
    fprintf(stderr, "render-1 (%ld) held no running task; tasks: %ld, running %ld (%s)\n", child_of(fleet.render[i]),
            sr_pg_fixture_query_int(store, "SELECT count(*) FROM tasks"),
            sr_pg_fixture_query_int(store, "SELECT count(*) FROM tasks WHERE state = 1"), sr_pg_fixture_error());
    return 0;
}

/* Sends the head and half the body of a render to API node s and leaves the
 * request there: the socket (the node is to be killed mid-request). */
static int half_request(const sr_test_server *s, const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) return -1;
    char head[600];
    int n = snprintf(head, sizeof head, "POST /pictoryapis/v2/video/render HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
                                        "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     fleet.key, strlen(body));
    if (send(fd, head, (size_t)n, MSG_NOSIGNAL) != n) return -1;
    send(fd, body, strlen(body) / 2, MSG_NOSIGNAL);
    return fd;
}

static void test_burst_with_a_node_of_each_kind_killed(void **state)
{
    char *ids[BURST] = {0};
    double secs[BURST];
    int api1 = 1; /* API node 1 is up */
    for (int i = 0; i < BURST; i++) {
        char name[32];
        /* 2, 3 or 4 s: 60, 90 or 120 frames; the job after which render-1 is killed
         * has 15 segments, so that render-1 is sure to take one of them while
         * it runs (the short ones can all be done before it takes any) */
        secs[i] = i == BURST / 2 ? 30 : 2 + (i % 3);
        snprintf(name, sizeof name, "burst%d", i);
        char *tl = timeline(name, (int)secs[i], 1.0);
        ids[i] = sr_test_submit(&fleet.api[api1 ? i % 2 : 0], fleet.key, "POST", "/v2/video/render", tl);
        assert_non_null(ids[i]); /* acknowledged: it must complete */
        if (i == BURST / 2) {
            assert_true(working_a_segment(0, 20)); /* render-1 dies in a segment */
            sr_test_kill(fleet.render[0], 1);
            fleet.render[0] = 0;
            /* API node 1 dies with a request half read */
            int fd = half_request(&fleet.api[1], tl);
            assert_true(fd >= 0);
            sleep_ms(50);
            sr_test_server_stop(&fleet.api[1], 1);
            close(fd);
            api1 = 0;
        }
        free(tl);
    }
    /* every acknowledged job completes on the survivors, each output exactly its frames */
    for (int i = 0; i < BURST; i++) {
        json_t *j = sr_test_wait_job(&fleet.api[0], fleet.key, ids[i], 120);
        assert_non_null(j);
        json_t *data = json_object_get(j, "data");
        const char *st = json_string_value(json_object_get(data, "status"));
        if (strcmp(st, "completed"))
            fprintf(stderr, "job %d: %s\n", i, json_string_value(json_object_get(data, "error_message")));
        assert_string_equal(st, "completed");
        const char *mp4 = sr_test_path(fleet.dir, "burst.mp4");
        assert_int_equal(sr_test_http_save(json_string_value(json_object_get(data, "videoURL")), mp4), 0);
        assert_int_equal(frames_of(mp4), (long)(secs[i] * 30));
        json_decref(j);
        free(ids[i]);
    }
    /* the survivors are all the render nodes left, and no task is left behind */
    assert_int_equal(sr_test_fleet_wait_workers(&fleet, 0, 2, 10), 200);
    assert_int_equal(sr_pg_fixture_query_int(store, "SELECT count(*) FROM tasks"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sixty_seconds_on_three_nodes),
        cmocka_unit_test(test_burst_with_a_node_of_each_kind_killed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
