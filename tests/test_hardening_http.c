/* libs: sr_service sr_common */
/* test_hardening_http.c - attacks on the HTTP layer of a real server, each
 * failing without its fix (issue 7): a template of 60,000 placeholders, an
 * access token outliving its revoked key, two keys sharing a rate-limit
 * bucket, unauthenticated bodies held in memory, concurrent PUTs to one
 * signed upload URL, /metrics open to anyone, and malformed requests
 * answered late or with libmicrohttpd's HTML pages (raw sockets: each must
 * get the JSON error shape promptly; a stalled head is dropped after the 5 s
 * head timeout, not the 60 s connection timeout). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/http_client.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *jstr(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    return json_string_value(b ? json_object_get(v, b) : v);
}

static const char *field0(const sr_http_resp *r)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(r->json, "fields"), 0), "name"));
}

/* A kB value of the server's /proc status line name ("VmHWM"), or -1. */
static long proc_kb(pid_t pid, const char *name)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ':') kb = atol(line + strlen(name) + 1);
    if (f) fclose(f);
    return kb;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* ------------------------------------------------------------ item 2 */

/* 60,000 placeholders took 28 s (a quadratic scan on the HTTP thread); an
 * unclosed "{{" run was quadratic too. Both answer at once now. */
static void test_template_placeholders_bounded_linear(void **state)
{
    (void)state;
    sr_test_world *w = sr_test_world_start("--workers 1");
    assert_non_null(w);
    size_t n = 60000, cap = n * 12 + 200;
    char *body = malloc(cap);
    size_t len = (size_t)snprintf(body, cap, "{\"name\":\"many\",\"scenes\":[{\"story\":\"");
    for (size_t i = 0; i < n; i++) len += (size_t)snprintf(body + len, cap - len, "{{v%zu}}", i);
    snprintf(body + len, cap - len, "\"}]}");
    sr_http_resp r;
    double t0 = now_s();
    assert_int_equal(sr_test_api(w, "POST", "/v1/templates", w->key_a, body, &r), 400);
    assert_true(now_s() - t0 < 3.0);
    assert_string_equal(field0(&r), "scenes[0].story");
    assert_non_null(strstr(jstr(r.json, "message", NULL), "1000"));
    sr_http_resp_free(&r);
    /* 900 distinct names fit, listed once each */
    len = (size_t)snprintf(body, cap, "{\"name\":\"ok\",\"scenes\":[{\"story\":\"");
    for (size_t i = 0; i < 900; i++) len += (size_t)snprintf(body + len, cap - len, "{{v%zu}}", i % 450);
    snprintf(body + len, cap - len, "\"}]}");
    assert_int_equal(sr_test_api(w, "POST", "/v1/templates", w->key_a, body, &r), 200);
    json_t *vars = json_incref(json_object_get(json_object_get(r.json, "data"), "variables"));
    assert_int_equal(json_array_size(vars), 450);
    sr_http_resp_free(&r);
    /* the list finds the same names in the stored text, without parsing it */
    assert_int_equal(sr_test_api(w, "GET", "/v1/templates", w->key_a, NULL, &r), 200);
    assert_true(json_equal(json_object_get(json_array_get(r.json, 0), "variables"), vars));
    sr_http_resp_free(&r);
    json_decref(vars);
    /* 300,000 "{{" with no "}}": no placeholder, and no quadratic search for one */
    len = (size_t)snprintf(body, cap, "{\"name\":\"braces\",\"scenes\":[{\"story\":\"");
    for (size_t i = 0; i < 300000 && len + 8 < cap; i++) body[len++] = '{';
    snprintf(body + len, cap - len, "\"}]}");
    t0 = now_s();
    assert_int_equal(sr_test_api(w, "POST", "/v1/templates", w->key_a, body, &r), 200);
    assert_true(now_s() - t0 < 3.0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "data"), "variables")), 0);
    sr_http_resp_free(&r);
    free(body);
    sr_test_world_stop(w);
}

/* ------------------------------------------------------------ item 3 */

static void test_revoked_key_kills_token(void **state)
{
    (void)state;
    sr_test_world *w = sr_test_world_start("--workers 1");
    assert_non_null(w);
    json_t *k = sr_test_key_create(&w->srv, "short-lived", w->account_a);
    assert_non_null(k);
    char body[300], token[400];
    snprintf(body, sizeof body, "{\"client_id\":\"x\",\"client_secret\":\"%s\"}", jstr(k, "key", NULL));
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "POST", "/v1/oauth2/token", NULL, body, &r), 200);
    snprintf(token, sizeof token, "Bearer %s", jstr(r.json, "access_token", NULL));
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", token, NULL, &r), 200);
    sr_http_resp_free(&r);
    assert_int_equal(sr_test_sh("'%s' keys revoke %s --data '%s/data' >/dev/null", getenv("SR_BINARY"),
                                jstr(k, "id", NULL), w->srv.dir),
                     0);
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", token, NULL, &r), 401);
    sr_http_resp_free(&r);
    /* a signature cut short or changed in its last digit is refused too */
    size_t tl = strlen(token);
    token[tl - 1] = token[tl - 1] == '0' ? '1' : '0';
    assert_int_equal(sr_test_api(w, "GET", "/v1/jobs", token, NULL, &r), 401);
    sr_http_resp_free(&r);
    json_decref(k);
    sr_test_world_stop(w);
}

/* ------------------------------------------------------------ item 4 */

/* The old bucket of a key id: FNV-1a 32 mod 1024. */
static unsigned old_bucket(const char *id)
{
    uint32_t h = 2166136261u;
    for (const char *p = id; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    return h % 1024;
}

/* Two keys in one of the old 1024 buckets reset each other's tokens, so
 * alternating between them was never limited. */
static void test_rate_limit_colliding_keys(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1 --rate-limit 2"), 0);
    json_t *keys[200] = {0}, *a = NULL, *b = NULL;
    for (int i = 0; i < 200 && !b; i++) {
        keys[i] = sr_test_key_create(&s, "k", NULL);
        assert_non_null(keys[i]);
        for (int j = 0; j < i && !b; j++)
            if (old_bucket(jstr(keys[i], "id", NULL)) == old_bucket(jstr(keys[j], "id", NULL))) a = keys[j], b = keys[i];
    }
    assert_non_null(b); /* 200 keys in 1024 buckets: a collision is all but certain */
    char url[256];
    snprintf(url, sizeof url, "%s/pictoryapis/v1/jobs", s.url);
    int limited[2] = {0, 0};
    for (int i = 0; i < 24; i++) {
        sr_http_resp r;
        int st = sr_http("GET", url, jstr(i % 2 ? b : a, "key", NULL), NULL, NULL, 0, &r);
        assert_true(st == 200 || st == 429);
        limited[i % 2] += st == 429;
        sr_http_resp_free(&r);
    }
    assert_true(limited[0] > 0 && limited[1] > 0);
    for (int i = 0; i < 200; i++) json_decref(keys[i]);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

/* ------------------------------------------------------------ item 5 */

#define N_CONNS 100
#define BODY_BYTES (1000 * 1000)

/* 100 connections each sending a 1 MB body to a keyed route without a key:
 * the bodies were buffered before authentication (about 100 MB). Now each
 * is answered 401 from its head and the server's peak RSS barely moves. */
static void test_unauthenticated_bodies_cost_no_memory(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1"), 0);
    long hwm0 = proc_kb(s.pid, "VmHWM");
    assert_true(hwm0 > 0);
    static char chunk[64 << 10];
    memset(chunk, ' ', sizeof chunk);
    int fds[N_CONNS], sent[N_CONNS] = {0}, status[N_CONNS] = {0};
    char got[N_CONNS][64];
    size_t gotn[N_CONNS] = {0};
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "POST /pictoryapis/v2/video/storyboard HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: %d\r\n\r\n",
                      BODY_BYTES);
    for (int i = 0; i < N_CONNS; i++) {
        fds[i] = connect_to(s.port);
        assert_true(fds[i] >= 0);
        assert_int_equal(send(fds[i], head, (size_t)hl, MSG_NOSIGNAL), hl);
    }
    double t0 = now_s();
    int answered = 0;
    while (answered < N_CONNS && now_s() - t0 < 20) {
        for (int i = 0; i < N_CONNS; i++) {
            if (status[i]) continue;
            if (sent[i] >= 0 && sent[i] < BODY_BYTES) {
                size_t n = (size_t)(BODY_BYTES - sent[i]) < sizeof chunk ? (size_t)(BODY_BYTES - sent[i]) : sizeof chunk;
                ssize_t w = send(fds[i], chunk, n, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w > 0) sent[i] += (int)w;
                else if (errno != EAGAIN && errno != EWOULDBLOCK) sent[i] = -1; /* the server closed its end */
            }
            ssize_t r = recv(fds[i], got[i] + gotn[i], sizeof got[i] - 1 - gotn[i], MSG_DONTWAIT);
            if (r > 0) gotn[i] += (size_t)r;
            got[i][gotn[i]] = 0;
            if ((r == 0 || gotn[i] >= 12) && !status[i]) {
                status[i] = gotn[i] >= 12 ? atoi(got[i] + 9) : -1;
                answered++;
            }
        }
        struct timespec ts = {0, 2 * 1000000L};
        nanosleep(&ts, NULL);
    }
    double took = now_s() - t0;
    long hwm1 = proc_kb(s.pid, "VmHWM");
    for (int i = 0; i < N_CONNS; i++) {
        close(fds[i]);
        assert_int_equal(status[i], 401);
    }
    print_message("100 unauthenticated 1 MB bodies: answered in %.2f s, peak RSS %ld -> %ld kB\n", took, hwm0, hwm1);
    assert_true(took < 5.0);
    assert_true(hwm1 - hwm0 < 30 * 1024);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

/* Sends req (len bytes) on a new connection and reads until the server
 * closes or timeout_s: the answer into out (NUL-terminated), its time. */
static size_t exchange(int port, const char *req, size_t len, double timeout_s, char *out, size_t n, double *took)
{
    int fd = connect_to(port);
    assert_true(fd >= 0);
    double t0 = now_s();
    send(fd, req, len, MSG_NOSIGNAL);
    size_t got = 0;
    while (got + 1 < n && now_s() - t0 < timeout_s) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        ssize_t r = recv(fd, out + got, n - 1 - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
    }
    out[got] = 0;
    *took = now_s() - t0;
    close(fd);
    return got;
}

/* The status of the answer to a head sent alone (0: none within 3 s). */
static int head_only(int port, const char *head, double *took, char *out, size_t n)
{
    return exchange(port, head, strlen(head), 3, out, n, took) >= 12 ? atoi(out + 9) : 0;
}

/* A refusal is decided from the head: no 100 Continue for a request that
 * will be refused, and a declared Content-Length over the limit is 413
 * before a byte of the body was sent. */
static void test_refusals_come_before_the_body(void **state)
{
    (void)state;
    sr_test_world *w = sr_test_world_start("--workers 1 --max-body-kb 64");
    assert_non_null(w);
    char head[512], out[2048];
    double took;
    snprintf(head, sizeof head,
             "POST /pictoryapis/v2/video/storyboard HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n"
             "Expect: 100-continue\r\n\r\n");
    assert_int_equal(head_only(w->srv.port, head, &took, out, sizeof out), 401);
    assert_null(strstr(out, "100 Continue"));
    snprintf(head, sizeof head,
             "POST /pictoryapis/v2/video/storyboard HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
             "Content-Length: 99999999\r\n\r\n",
             w->key_a);
    assert_int_equal(head_only(w->srv.port, head, &took, out, sizeof out), 413);
    assert_non_null(strstr(out, "PAYLOAD_TOO_LARGE"));
    assert_true(took < 2.0);
    snprintf(head, sizeof head, "POST /pictoryapis/v1/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    assert_int_equal(head_only(w->srv.port, head, &took, out, sizeof out), 413); /* open routes: 16 KB */
    snprintf(head, sizeof head, "PUT /pictoryapis/v9/none HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    assert_int_equal(head_only(w->srv.port, head, &took, out, sizeof out), 404);
    snprintf(head, sizeof head, "PATCH /pictoryapis/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    assert_int_equal(head_only(w->srv.port, head, &took, out, sizeof out), 405);
    sr_test_world_stop(w);
}

/* ------------------------------------------------------------ item 6 */

#define N_PUTS 8
#define PUT_BYTES (3 << 20)

typedef struct put_arg {
    const char *url;
    char *body;
    pthread_barrier_t *go;
    sr_http_resp r;
} put_arg;

static void *put_main(void *ud)
{
    put_arg *p = ud;
    pthread_barrier_wait(p->go);
    sr_http("PUT", p->url, NULL, NULL, p->body, PUT_BYTES, &p->r);
    return NULL;
}

/* Eight PUTs at once to one signed URL: several were acknowledged and the
 * file held another's bytes. Now one wins; the others are 409. */
static void test_concurrent_upload_puts_one_wins(void **state)
{
    (void)state;
    sr_test_world *w = sr_test_world_start("--workers 1");
    assert_non_null(w);
    sr_http_resp r;
    assert_int_equal(sr_test_api(w, "POST", "/v1/media/generateurl", w->key_a, "{\"fileName\":\"race.bin\"}", &r), 200);
    char signed_url[1024], url[1024];
    snprintf(signed_url, sizeof signed_url, "%s", jstr(r.json, "data", "signedUrl"));
    snprintf(url, sizeof url, "%s", jstr(r.json, "data", "url"));
    sr_http_resp_free(&r);
    /* a PUT cut off half way gives the URL back (its claim and temporary file go with it) */
    char head[1400], path[1200];
    snprintf(path, sizeof path, "%s", strstr(signed_url + 7, "/"));
    int hl = snprintf(head, sizeof head, "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", path);
    int fd = connect_to(w->srv.port);
    assert_true(fd >= 0);
    assert_int_equal(send(fd, head, (size_t)hl, MSG_NOSIGNAL), hl);
    assert_int_equal(send(fd, head, 500, MSG_NOSIGNAL), 500);
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    close(fd);
    nanosleep(&ts, NULL);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N_PUTS);
    put_arg args[N_PUTS];
    pthread_t th[N_PUTS];
    for (int i = 0; i < N_PUTS; i++) {
        args[i] = (put_arg){.url = signed_url, .body = malloc(PUT_BYTES), .go = &go};
        for (int k = 0; k < PUT_BYTES; k++) args[i].body[k] = (char)('a' + i + (k % 7) * 3);
        pthread_create(&th[i], NULL, put_main, &args[i]);
    }
    int wins = 0, winner = -1;
    for (int i = 0; i < N_PUTS; i++) {
        pthread_join(th[i], NULL);
        if (args[i].r.status == 200) wins++, winner = i;
        else {
            assert_int_equal(args[i].r.status, 409);
            assert_string_equal(jstr(args[i].r.json, "code", NULL), "CONFLICT");
        }
    }
    assert_int_equal(wins, 1);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 200);
    assert_int_equal((long)r.body_len, PUT_BYTES);
    assert_memory_equal(r.body, args[winner].body, PUT_BYTES);
    sr_http_resp_free(&r);
    /* nothing is left beside it but its lock file */
    const char *files = strstr(url, "/files/") + 1;
    int st = -1;
    char *ls = sr_test_sh_out(&st, "ls -A '%s/data/%.*s'", w->srv.dir, (int)(strrchr(files, '/') - files), files);
    assert_int_equal(st, 0);
    assert_string_equal(ls, ".race.bin.lock\nrace.bin\n");
    free(ls);
    for (int i = 0; i < N_PUTS; i++) {
        sr_http_resp_free(&args[i].r);
        free(args[i].body);
    }
    pthread_barrier_destroy(&go);
    /* once stored, the URL stays used */
    assert_int_equal(sr_http("PUT", signed_url, NULL, NULL, "x", 1, &r), 409);
    sr_http_resp_free(&r);
    sr_test_world_stop(w);
}

/* ------------------------------------------------------------ item 11 */

static void test_metrics_key_required(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1 --metrics-key m3tr1cs-s3cret"), 0);
    char url[256];
    snprintf(url, sizeof url, "%s/metrics", s.url);
    sr_http_resp r;
    static const char *const bad[] = {NULL, "Bearer wrong", "Bearer m3tr1cs-s3cre", "Bearer m3tr1cs-s3cret0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sr_http("GET", url, bad[i], NULL, NULL, 0, &r), 401);
        sr_http_resp_free(&r);
    }
    assert_int_equal(sr_http("GET", url, "Bearer m3tr1cs-s3cret", NULL, NULL, 0, &r), 200);
    assert_non_null(strstr(r.body, "storyreel_workers"));
    sr_http_resp_free(&r);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

static void test_metrics_on_own_listener(void **state)
{
    (void)state;
    sr_test_server s = {0};
    int mport = sr_test_free_port();
    char args[128], url[256];
    snprintf(args, sizeof args, "--workers 1 --metrics-listen 127.0.0.1:%d", mport);
    assert_int_equal(sr_test_server_start(&s, args), 0);
    sr_http_resp r;
    snprintf(url, sizeof url, "%s/metrics", s.url);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 404);
    sr_http_resp_free(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", mport);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 200);
    assert_non_null(strstr(r.body, "storyreel_http_requests_total"));
    sr_http_resp_free(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/pictoryapis/v1/jobs", mport);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 404);
    sr_http_resp_free(&r);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

/* ------------------------------------------------------------ item 12 */

static void test_malformed_requests_answer_json_promptly(void **state)
{
    (void)state;
    sr_test_server s = {0};
    assert_int_equal(sr_test_server_start(&s, "--workers 1"), 0);
    size_t huge_n = 100 * 1024;
    char *huge = malloc(huge_n + 128);
    int hl = snprintf(huge, 128, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(huge + hl, 'a', huge_n);
    memcpy(huge + hl + huge_n, "\r\n\r\n", 5);
    static const char nul_req[] = "GET /heal\0thz HTTP/1.1\r\nHost: x\r\n\r\n";
    char *many = malloc(16 << 10); /* 500 tiny fields: libmicrohttpd's pool overflowed into an HTML 431 */
    size_t ml = (size_t)snprintf(many, 64, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 500; i++) ml += (size_t)snprintf(many + ml, 32, "A%d: b\r\n", i);
    snprintf(many + ml, 8, "\r\n");
    char *args = malloc(16 << 10); /* 500 query parameters: the same pool, the same HTML 431 */
    size_t al = (size_t)snprintf(args, 64, "GET /healthz?a=b");
    for (int i = 0; i < 500; i++) al += (size_t)snprintf(args + al, 32, "&a%d=b", i);
    snprintf(args + al, 64, " HTTP/1.1\r\nHost: x\r\n\r\n");
    const struct {
        const char *name, *req;
        size_t len;
        int status;
        double within;
    } cases[] = {
        {"bad request line", "GARBAGE\r\n\r\n", 0, 400, 3},
        {"request line without a version", "GET /healthz\r\n\r\n", 0, 400, 3},
        {"header without colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 0, 400, 3},
        {"huge header", huge, strlen(huge), 431, 3},
        {"500 header fields", many, strlen(many), 431, 3},
        {"500 query parameters", args, strlen(args), 431, 3},
        {"truncated chunked body",
         "POST /v1/oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 0, 411, 3},
        {"malformed chunk", "POST /v1/oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0,
         411, 3},
        {"unknown method", "FOO /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 0, 405, 3},
        {"unsupported version", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 0, 505, 3},
        {"bad Content-Length", "POST /v1/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 0, 400, 3},
        {"two Content-Lengths", "POST /v1/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
         0, 400, 3},
        {"NUL in the target", nul_req, sizeof nul_req - 1, 400, 3},
        {"head that stalls", "GET /healthz HTTP/1.1\r\nHost: x\r\n", 0, 408, 8},
    };
    static char out[1 << 16];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double took;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].req);
        size_t got = exchange(s.port, cases[i].req, len, 15, out, sizeof out, &took);
        print_message("%-32s %.2f s: %.60s\n", cases[i].name, took, out);
        assert_true(got > 12);
        assert_int_equal(atoi(out + 9), cases[i].status);
        assert_true(took < cases[i].within);
        assert_null(strstr(out, "<html"));
        assert_non_null(strcasestr(out, "Content-Type: application/json"));
        const char *body = strstr(out, "\r\n\r\n");
        assert_non_null(body);
        json_t *j = json_loads(body + 4, 0, NULL);
        assert_non_null(j);
        assert_non_null(json_string_value(json_object_get(j, "code")));
        assert_non_null(json_string_value(json_object_get(j, "message")));
        json_decref(j);
    }
    free(huge);
    free(many);
    free(args);
    /* the server still serves */
    char url[200];
    sr_http_resp r;
    snprintf(url, sizeof url, "%s/healthz", s.url);
    assert_int_equal(sr_http("GET", url, NULL, NULL, NULL, 0, &r), 200);
    sr_http_resp_free(&r);
    sr_test_server_stop(&s, 0);
    sr_test_rmdir(s.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_placeholders_bounded_linear),
        cmocka_unit_test(test_revoked_key_kills_token),
        cmocka_unit_test(test_rate_limit_colliding_keys),
        cmocka_unit_test(test_unauthenticated_bodies_cost_no_memory),
        cmocka_unit_test(test_refusals_come_before_the_body),
        cmocka_unit_test(test_concurrent_upload_puts_one_wins),
        cmocka_unit_test(test_metrics_key_required),
        cmocka_unit_test(test_metrics_on_own_listener),
        cmocka_unit_test(test_malformed_requests_answer_json_promptly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
