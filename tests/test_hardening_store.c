/* libs: sr_service sr_common */
/* test_hardening_store.c - storage faults and permissions (issue:
 * hardening, items 10 and 11), against the real server: a zero-length or
 * noise-filled storyreel.db is refused (never silently replaced), damage
 * inside the database and a nearly full disk make /healthz say so (503), a
 * database locked by another process does not hang the HTTP threads, and
 * the data folder is private to the server's user. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/util.h"
#include "support/fixtures.h"
#include "support/http_client.h"

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Runs `storyreel serve` on dir/data for at most 8 s: its exit status (124:
 * still running) and output (malloc'd). */
static char *serve_briefly(const char *dir, int *status)
{
    int port = sr_test_free_port();
    return sr_test_sh_out(status, "timeout 8 '%s' serve --data '%s/data' --listen 127.0.0.1:%d --workers 1 2>&1",
                          getenv("SR_BINARY"), dir, port);
}

/* Makes dir/data/storyreel.db from a shell command writing to $DB. */
static void make_db(const char *dir, const char *cmd)
{
    assert_int_equal(sr_test_sh("mkdir -p '%s/data' && DB='%s/data/storyreel.db' && %s", dir, dir, cmd), 0);
}

static void assert_refused(const char *dir, const char *what)
{
    int status = 0;
    char *out = serve_briefly(dir, &status);
    if (status == 0 || status == 124 || !strstr(out, "storyreel.db"))
        fail_msg("%s: serve exited %d: %s", what, status, out);
    free(out);
}

static void test_zero_length_db_silently_replaced(void **state)
{
    (void)state;
    char *dir = sr_test_tmpdir();
    make_db(dir, ": > \"$DB\"");
    assert_refused(dir, "zero-length storyreel.db");
    struct stat sb;
    assert_int_equal(stat(sr_test_path(dir, "data/storyreel.db"), &sb), 0);
    assert_int_equal((int)sb.st_size, 0); /* left as it was */
    /* keys refuses too */
    int status = 0;
    char *out = sr_test_sh_out(&status, "'%s' keys list --data '%s/data' 2>&1", getenv("SR_BINARY"), dir);
    assert_int_not_equal(status, 0);
    assert_non_null(strstr(out, "storyreel.db"));
    free(out);
    /* a missing database in a folder a server used (its secret is there) */
    assert_int_equal(sr_test_sh("rm '%s/data/storyreel.db' && echo 0123456789abcdef0123456789abcdef0123 > "
                                "'%s/data/server.secret'", dir, dir), 0);
    assert_refused(dir, "missing storyreel.db beside server.secret");
    sr_test_rmdir(dir);
    free(dir);
}

static void test_noise_db_reported_ok(void **state)
{
    (void)state;
    char *dir = sr_test_tmpdir();
    /* all noise: not a database at all */
    make_db(dir, "head -c 65536 /dev/urandom > \"$DB\"");
    assert_refused(dir, "noise-filled storyreel.db");
    sr_test_rmdir(dir);
    free(dir);
    /* a real database with noise over its table pages (the header and schema intact) */
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1"), 0);
    json_t *k = sr_test_key_create(&s, "n", NULL);
    assert_non_null(k);
    json_decref(k);
    sr_test_server_stop(&s, 0);
    assert_int_equal(sr_test_sh("DB='%s/data/storyreel.db'; rm -f \"$DB-wal\" \"$DB-shm\"; "
                                "head -c 40960 /dev/urandom | dd of=\"$DB\" bs=4096 seek=1 conv=notrunc 2>/dev/null",
                                s.dir), 0);
    assert_int_equal(sr_test_server_spawn(&s, NULL), 0);
    char url[200];
    snprintf(url, sizeof url, "%s/healthz", s.url);
    int seen = 0, exited = 0;
    for (int i = 0; i < 150 && !seen && !exited; i++, nap_ms(100)) {
        sr_http_resp r;
        int st = sr_http("GET", url, NULL, NULL, NULL, 0, &r);
        const char *integ = json_string_value(json_object_get(r.json, "integrity"));
        const char *db = json_string_value(json_object_get(r.json, "database"));
        if (st == 200) fail_msg("healthz says ok on a damaged database: %s", r.body);
        seen = st == 503 && ((integ && strcmp(integ, "ok") && strcmp(integ, "unchecked")) || (db && strcmp(db, "ok")));
        sr_http_resp_free(&r);
        exited = waitpid(s.pid, NULL, WNOHANG) == s.pid; /* refusing to start is fine too */
    }
    if (exited) {
        s.pid = 0;
        char *log = sr_test_read(sr_test_path(s.dir, "server.log"));
        assert_non_null(strstr(log, "storyreel.db"));
        free(log);
    }
    assert_true(seen || exited);
    sr_test_server_stop(&s, 1);
    sr_test_rmdir(s.dir);
}

static void test_low_disk_reported_ok(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_spawn(&s, "--workers 1 --min-free-disk-mb 900000000"), 0); /* 900 TB */
    char url[200];
    snprintf(url, sizeof url, "%s/healthz", s.url);
    sr_http_resp r = {0};
    int st = 0;
    for (int i = 0; i < 100 && !st; i++, nap_ms(100)) {
        sr_http_resp_free(&r);
        st = sr_http("GET", url, NULL, NULL, NULL, 0, &r);
    }
    assert_int_equal(st, 503);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "degraded");
    json_t *disk = json_object_get(r.json, "disk");
    assert_string_equal(json_string_value(json_object_get(disk, "status")), "low");
    assert_true(json_integer_value(json_object_get(disk, "freeBytes")) > 0);
    sr_http_resp_free(&r);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

/* Another process holds the database's write lock (BEGIN EXCLUSIVE): reads
 * answer at once, a submission answers 503 with Retry-After within ~2 s
 * (not after the workers' 10 s busy timeout), and works again after. */
static void test_locked_db_hangs_http(void **state)
{
    (void)state;
    sr_test_world *w = sr_test_world_start("--workers 1");
    assert_non_null(w);
    char db_path[700];
    snprintf(db_path, sizeof db_path, "%s/data/storyreel.db", w->srv.dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN EXCLUSIVE; UPDATE accounts SET name=name;", NULL, NULL, NULL), SQLITE_OK);
    static const char *tl = "{\"version\":1,\"output\":{\"name\":\"l\",\"width\":160,\"height\":90,\"fps\":10,"
                            "\"duration\":1},\"sceneMarkers\":[{\"sceneIndex\":0,\"startTime\":0,\"duration\":1,"
                            "\"transition\":\"none\",\"transitionDuration\":0}],\"elements\":[{\"id\":\"bg\","
                            "\"elementType\":\"backgroundElement\",\"type\":\"color\",\"color\":\"#000000\","
                            "\"sceneIndex\":0,\"startTime\":0,\"duration\":1}],\"subtitles\":[],\"transcript\":\"\"}";
    sr_http_resp r;
    double t0 = sr_now();
    int st = sr_test_api(w, "GET", "/v1/jobs", w->key_a, NULL, &r);
    double took = sr_now() - t0;
    if (!(st == 200 || st == 503) || took > 2.5) fail_msg("GET /v1/jobs: %d after %.1f s", st, took);
    sr_http_resp_free(&r);
    t0 = sr_now();
    st = sr_test_api(w, "POST", "/v2/video/render", w->key_a, tl, &r);
    took = sr_now() - t0;
    char ra[16];
    if (st != 503 || took > 2.5 || !sr_http_header(&r, "Retry-After", ra, sizeof ra))
        fail_msg("POST while locked: %d after %.1f s: %s", st, took, r.body ? r.body : "");
    sr_http_resp_free(&r);
    t0 = sr_now();
    st = sr_test_api(w, "GET", "!/healthz", NULL, NULL, &r);
    assert_true(sr_now() - t0 < 2.5);
    sr_http_resp_free(&r);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(sr_test_api(w, "POST", "/v2/video/render", w->key_a, tl, &r), 200);
    sr_http_resp_free(&r);
    sr_test_world_stop(w);
}

static int mode_of(const char *path)
{
    struct stat sb;
    if (stat(path, &sb)) fail_msg("no %s", path);
    return (int)(sb.st_mode & 0777);
}

/* The data folder and everything in it is the server user's alone. */
static void test_data_folder_readable_by_others(void **state)
{
    (void)state;
    sr_test_world *w = sr_test_world_start("--workers 1");
    assert_non_null(w);
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "POST", "/v1/media/generateurl", w->key_a, "{\"fileName\":\"p.png\"}", &r), 200);
    char signed_url[1024], key[400], p[1200];
    snprintf(signed_url, sizeof signed_url, "%s",
             json_string_value(json_object_get(json_object_get(r.json, "data"), "signedUrl")));
    snprintf(key, sizeof key, "%s", json_string_value(json_object_get(json_object_get(r.json, "data"), "key")));
    sr_http_resp_free(&r);
    assert_int_equal(sr_http("PUT", signed_url, NULL, NULL, "bytes", 5, &r), 200);
    sr_http_resp_free(&r);
    const char *d = w->srv.dir;
    snprintf(p, sizeof p, "%s/data", d);
    assert_int_equal(mode_of(p), 0700);
    static const char *const files[] = {"storyreel.db", "storyreel.db-wal", "storyreel.db-shm", "server.secret"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/data/%s", d, files[i]);
        if (mode_of(p) & 077) fail_msg("%s is %o", files[i], mode_of(p));
    }
    static const char *const dirs[] = {"files", "cache", "cache/tts", "cache/fetch"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/data/%s", d, dirs[i]);
        if (mode_of(p) & 077) fail_msg("%s is %o", dirs[i], mode_of(p));
    }
    snprintf(p, sizeof p, "%s/data/%s", d, key);
    assert_int_equal(mode_of(p) & 077, 0); /* the upload */
    *strrchr(p, '/') = 0;
    assert_int_equal(mode_of(p) & 077, 0); /* its folder */
    /* a folder left open by an older version is closed on start */
    sr_test_server_stop(&w->srv, 0);
    assert_int_equal(sr_test_sh("chmod 755 '%s/data' '%s/data/files' && chmod 644 '%s/data/storyreel.db' && "
                                "echo x > '%s/data/cache/fetch/0123abcd.png'", d, d, d, d), 0);
    assert_int_equal(sr_test_server_start(&w->srv, NULL), 0);
    snprintf(p, sizeof p, "%s/data", d);
    assert_int_equal(mode_of(p), 0700);
    snprintf(p, sizeof p, "%s/data/files", d);
    assert_int_equal(mode_of(p), 0700);
    snprintf(p, sizeof p, "%s/data/storyreel.db", d);
    assert_int_equal(mode_of(p), 0600);
    /* and the shared fetch cache of older versions (readable by any account) is gone */
    snprintf(p, sizeof p, "%s/data/cache/fetch/0123abcd.png", d);
    assert_int_not_equal(access(p, F_OK), 0);
    sr_test_world_stop(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_length_db_silently_replaced),
        cmocka_unit_test(test_noise_db_reported_ok),
        cmocka_unit_test(test_low_disk_reported_ok),
        cmocka_unit_test(test_locked_db_hangs_http),
        cmocka_unit_test(test_data_folder_readable_by_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
