/* libs: sr_storage sr_common */
/* The s3:// backend against a real S3-protocol server (s3rver on loopback,
 * tests/support/s3_fixture.c): round trips, multipart uploads, retries
 * through a loopback forwarder that answers 503, presigned URLs fetched by
 * the curl program, and refusals (missing bucket, unknown credentials). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "fixtures.h"
#include "s3_fixture.h"
#include "storage/storage.h"

static char *tmp;

static sr_storage *open_fresh(const char *extra)
{
    char uri[512];
    sr_s3_fixture_start(uri, sizeof uri - 64);
    if (extra) strcat(uri, extra);
    sr_storage *s = NULL;
    sr_err e = {0};
    if (sr_storage_open(uri, &s, &e) != 0) fail_msg("open %s: %s", uri, e.msg);
    return s;
}

static void write_bytes(const char *path, size_t n, unsigned seed)
{
    char *b = malloc(n ? n : 1);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (char)(seed >> 16);
    }
    sr_err e = {0};
    assert_int_equal(sr_write_file_atomic(path, b, n, &e), 0);
    free(b);
}

static void assert_same_file(const char *a, const char *b)
{
    int st = sr_test_sh("cmp -s '%s' '%s'", a, b);
    if (st != 0) fail_msg("%s and %s differ", a, b);
}

static void test_round_trip(void **state)
{
    (void)state;
    sr_storage *s = open_fresh(NULL);
    assert_string_equal(sr_storage_kind(s), "s3");
    sr_err e = {0};
    const char *in = sr_test_path(tmp, "in.bin"), *out = sr_test_path(tmp, "got/deep/out.bin");
    write_bytes(in, 70000, 1);
    const char *keys[] = {"files/ab12/video.mp4", "cache/with space/\xc3\xa9t\xc3\xa9+x.mp4"};
    for (size_t k = 0; k < 2; k++) {
        sr_err_clear(&e);
        if (sr_storage_put(s, keys[k], in, "video/mp4", &e) != 0) fail_msg("put %s: %s", keys[k], e.msg);
        int64_t size = -1;
        assert_int_equal(sr_storage_stat(s, keys[k], &size, &e), 0);
        assert_int_equal(size, 70000);
        unlink(out);
        if (sr_storage_get(s, keys[k], out, &e) != 0) fail_msg("get %s: %s", keys[k], e.msg);
        assert_same_file(in, out);
    }
    /* put replaces; an empty object too */
    write_bytes(in, 0, 2);
    assert_int_equal(sr_storage_put(s, keys[0], in, NULL, &e), 0);
    int64_t size = -1;
    assert_int_equal(sr_storage_stat(s, keys[0], &size, &e), 0);
    assert_int_equal(size, 0);
    assert_int_equal(sr_storage_get(s, keys[0], out, &e), 0);
    assert_same_file(in, out);

    /* remote storage has no local path */
    char local[256];
    assert_int_equal(sr_storage_local_path(s, keys[0], local, sizeof local), -1);

    /* delete; then missing: stat and get say NOT_FOUND and leave the target alone */
    assert_int_equal(sr_storage_delete(s, keys[0], &e), 0);
    assert_int_equal(sr_storage_stat(s, keys[0], NULL, &e), SR_ENOT_FOUND);
    assert_string_equal(e.field, keys[0]);
    sr_err_clear(&e);
    const char *none = sr_test_path(tmp, "none/never.bin");
    assert_int_equal(sr_storage_get(s, "files/none.mp4", none, &e), SR_ENOT_FOUND);
    assert_non_null(strstr(e.msg, "files/none.mp4"));
    struct stat st;
    assert_int_not_equal(stat(none, &st), 0);
    assert_int_equal(sr_test_sh("test -z \"$(ls -A '%s/none')\"", tmp), 0); /* no temporary left */
    sr_err_clear(&e);
    assert_int_equal(sr_storage_delete(s, "files/none.mp4", &e), 0);
    /* the keys are checked here too */
    assert_int_equal(sr_storage_put(s, "../up", in, NULL, NULL), SR_EINVALID_FIELD);
    sr_storage_close(s);
}

/* ---- a loopback forwarder in front of s3rver ----
 * Each request comes on its own connection (the storage makes a curl handle
 * per call and a 503 closes the connection), so the first line read on a
 * connection is its request. The forwarder records those lines and answers
 * 503 to the first fail_first requests (-1: all) and to any whose line holds
 * refuse_match; the others it forwards to s3rver. */

typedef struct forwarder {
    int fd, port;
    int fail_first;
    const char *refuse_match;
    int refused; /* 503s answered */
    char lines[64][160];
    int n_lines;
    int stop;
    pthread_t thread;
} forwarder;

/* Reads a request head (and, when refusing, its Content-Length body) into buf: its length or -1. */
static long read_head(int c, char *buf, size_t cap, char **end)
{
    size_t have = 0;
    *end = NULL;
    while (!*end && have < cap - 1) {
        ssize_t r = read(c, buf + have, cap - 1 - have);
        if (r <= 0) return -1;
        have += (size_t)r;
        buf[have] = 0;
        *end = strstr(buf, "\r\n\r\n");
    }
    return *end ? (long)have : -1;
}

static void drain_body(int c, const char *buf, const char *end, long have)
{
    long body = 0;
    const char *cl = strcasestr(buf, "\r\ncontent-length:");
    if (cl && cl < end) body = atol(cl + 17);
    char sink[65536];
    for (long left = body - (have - (long)(end + 4 - buf)); left > 0;) {
        ssize_t r = read(c, sink, sizeof sink);
        if (r <= 0) return;
        left -= r;
    }
}

static void pipe_both(int a, int b, const int *stop)
{
    char buf[65536];
    struct pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    while (!__atomic_load_n(stop, __ATOMIC_SEQ_CST)) {
        if (poll(p, 2, 100) <= 0) continue;
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t r = read(p[i].fd, buf, sizeof buf);
            if (r <= 0) return;
            for (ssize_t off = 0; off < r;) {
                ssize_t w = write(p[1 - i].fd, buf + off, (size_t)(r - off));
                if (w <= 0) return;
                off += w;
            }
        }
    }
}

static void serve_one(forwarder *f, int c)
{
    char buf[65536], *end;
    long have = read_head(c, buf, sizeof buf, &end);
    if (have < 0) return;
    int n = f->n_lines;
    if (n < 64) {
        snprintf(f->lines[n], sizeof f->lines[n], "%.*s", (int)strcspn(buf, "\r\n"), buf);
        __atomic_store_n(&f->n_lines, n + 1, __ATOMIC_SEQ_CST);
    }
    int refuse = f->fail_first < 0 || __atomic_load_n(&f->refused, __ATOMIC_SEQ_CST) < f->fail_first ||
                 (f->refuse_match && strstr(f->lines[n], f->refuse_match));
    if (refuse) {
        drain_body(c, buf, end, have);
        static const char answer[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\n"
                                     "Content-Length: 72\r\nConnection: close\r\n\r\n"
                                     "<Error><Code>SlowDown</Code><Message>Please slow down.</Message></Error>";
        /* counted before the answer: the client may look as soon as it has read it */
        __atomic_add_fetch(&f->refused, 1, __ATOMIC_SEQ_CST);
        ssize_t w = write(c, answer, sizeof answer - 1);
        (void)w;
        return;
    }
    int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sr_s3_fixture_port())};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (up >= 0 && connect(up, (struct sockaddr *)&sa, sizeof sa) == 0 && write(up, buf, (size_t)have) == have)
        pipe_both(c, up, &f->stop);
    if (up >= 0) close(up);
}

static void *forward_loop(void *arg)
{
    forwarder *f = arg;
    while (!__atomic_load_n(&f->stop, __ATOMIC_SEQ_CST)) {
        struct pollfd p = {f->fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        int c = accept(f->fd, NULL, NULL);
        if (c < 0) continue;
        serve_one(f, c);
        close(c);
    }
    return NULL;
}

static void forwarder_start(forwarder *f, int fail_first, const char *refuse_match)
{
    memset(f, 0, sizeof *f);
    f->fail_first = fail_first;
    f->refuse_match = refuse_match;
    f->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(f->fd, 16), 0);
    assert_int_equal(getsockname(f->fd, (struct sockaddr *)&sa, &len), 0);
    f->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&f->thread, NULL, forward_loop, f), 0);
}

static void forwarder_stop(forwarder *f)
{
    __atomic_store_n(&f->stop, 1, __ATOMIC_SEQ_CST);
    pthread_join(f->thread, NULL);
    close(f->fd);
}

/* How many recorded request lines hold all of a and b. */
static int lines_with(const forwarder *f, const char *a, const char *b)
{
    int n = 0;
    for (int i = 0; i < __atomic_load_n(&f->n_lines, __ATOMIC_SEQ_CST); i++)
        n += strstr(f->lines[i], a) && (!b || strstr(f->lines[i], b));
    return n;
}

/* the fixture's bucket through another endpoint */
static sr_storage *open_via(int port, const char *bucket, const char *extra)
{
    char uri[512];
    sr_s3_fixture_start(uri, sizeof uri); /* the server and the credentials */
    snprintf(uri, sizeof uri, "s3://%s/via?endpoint=http://127.0.0.1:%d&region=us-east-1%s", bucket, port,
             extra ? extra : "");
    sr_storage *s = NULL;
    sr_err e = {0};
    if (sr_storage_open(uri, &s, &e) != 0) fail_msg("open %s: %s", uri, e.msg);
    return s;
}

static void test_multipart(void **state)
{
    (void)state;
    sr_err e = {0};
    const char *in = sr_test_path(tmp, "big.bin"), *out = sr_test_path(tmp, "big.out");
    const int64_t size = 12 * 1024 * 1024 + 12345;
    write_bytes(in, (size_t)size, 7);
    /* through a recording forwarder, with the threshold lowered to 5 MiB: 5 + 5 + 2 MiB parts */
    forwarder f;
    forwarder_start(&f, 0, NULL);
    sr_storage *s = open_via(f.port, sr_s3_fixture_bucket(), "&part_mb=5");
    if (sr_storage_put(s, "files/big.mp4", in, "video/mp4", &e) != 0) fail_msg("multipart put: %s", e.msg);
    assert_int_equal(lines_with(&f, "POST ", "?uploads"), 1);
    assert_int_equal(lines_with(&f, "PUT ", "partNumber="), 3);
    assert_int_equal(lines_with(&f, "PUT ", "partNumber=3&uploadId="), 1);
    assert_int_equal(lines_with(&f, "POST ", "?uploadId="), 1);
    int64_t got = -1;
    assert_int_equal(sr_storage_stat(s, "files/big.mp4", &got, &e), 0);
    assert_int_equal(got, size);
    assert_int_equal(sr_storage_get(s, "files/big.mp4", out, &e), 0);
    assert_same_file(in, out);
    /* the content type given at the start of the upload is the object's */
    char url[4096];
    assert_int_equal(sr_storage_presign(s, "files/big.mp4", 60, url, sizeof url, &e), 0);
    int status = -1;
    char *head = sr_test_sh_out(&status, "curl -s -o /dev/null -D - '%s'", url);
    if (status != 0 || !strcasestr(head, "content-type: video/mp4")) fail_msg("no content type:\n%s", head);
    free(head);
    forwarder_stop(&f);
    sr_storage_close(s);

    /* a part that keeps failing: the upload is aborted and no object appears */
    forwarder_start(&f, 0, "partNumber=2&");
    s = open_via(f.port, sr_s3_fixture_bucket(), "&part_mb=5");
    sr_err_clear(&e);
    assert_int_equal(sr_storage_put(s, "files/half.mp4", in, "video/mp4", &e), SR_EIO);
    if (!strstr(e.msg, "files/half.mp4") || !strstr(e.msg, "503")) fail_msg("unclear: %s", e.msg);
    assert_int_equal(lines_with(&f, "PUT ", "partNumber=2&"), 4);
    assert_int_equal(lines_with(&f, "DELETE ", "?uploadId="), 1);
    assert_int_equal(lines_with(&f, "POST ", "?uploadId="), 0);
    assert_int_equal(sr_storage_stat(s, "files/half.mp4", NULL, NULL), SR_ENOT_FOUND);
    forwarder_stop(&f);
    sr_storage_close(s);
}

static void test_retries(void **state)
{
    (void)state;
    const char *in = sr_test_path(tmp, "small.bin"), *out = sr_test_path(tmp, "small.out");
    write_bytes(in, 5000, 3);
    sr_err e = {0};

    /* two 503s, then the store: the put goes through on its third try */
    forwarder f;
    forwarder_start(&f, 2, NULL);
    sr_storage *s = open_via(f.port, sr_s3_fixture_bucket(), NULL);
    double t0 = sr_now();
    if (sr_storage_put(s, "r/obj", in, NULL, &e) != 0) fail_msg("put through 503s: %s", e.msg);
    double took = sr_now() - t0;
    assert_int_equal(__atomic_load_n(&f.refused, __ATOMIC_SEQ_CST), 2);
    assert_true(took >= 0.45); /* waited 100 ms and 400 ms */
    assert_int_equal(sr_storage_get(s, "r/obj", out, &e), 0);
    assert_same_file(in, out);
    sr_storage_close(s);
    forwarder_stop(&f);

    /* always 503: four tries (100 ms, 400 ms, 1.6 s apart), then a clear error */
    forwarder_start(&f, -1, NULL);
    s = open_via(f.port, sr_s3_fixture_bucket(), NULL);
    t0 = sr_now();
    sr_err_clear(&e);
    assert_int_equal(sr_storage_put(s, "r/never", in, NULL, &e), SR_EIO);
    took = sr_now() - t0;
    assert_int_equal(__atomic_load_n(&f.refused, __ATOMIC_SEQ_CST), 4);
    assert_true(took >= 2.0 && took < 10);
    assert_string_equal(e.field, "r/never");
    if (!strstr(e.msg, "r/never") || !strstr(e.msg, "503") || !strstr(e.msg, "SlowDown") ||
        !strstr(e.msg, sr_s3_fixture_bucket()))
        fail_msg("unclear error: %s", e.msg);
    /* a GET too; and nothing was written to the target */
    sr_err_clear(&e);
    assert_int_equal(sr_storage_get(s, "r/obj", sr_test_path(tmp, "never/x"), &e), SR_EIO);
    assert_int_equal(__atomic_load_n(&f.refused, __ATOMIC_SEQ_CST), 8);
    sr_storage_close(s);
    forwarder_stop(&f);

    /* nothing listening: connection errors are retried, then named */
    int port = f.port; /* closed now */
    s = open_via(port, sr_s3_fixture_bucket(), NULL);
    sr_err_clear(&e);
    assert_int_equal(sr_storage_stat(s, "r/obj", NULL, &e), SR_EIO);
    if (!strstr(e.msg, "after 4 tries") || !strstr(e.msg, "r/obj")) fail_msg("unclear error: %s", e.msg);
    sr_storage_close(s);
}

static void test_presign(void **state)
{
    (void)state;
    sr_storage *s = open_fresh(NULL);
    sr_err e = {0};
    const char *in = sr_test_path(tmp, "p.txt");
    sr_write_file_atomic(in, "presigned body", 14, &e);
    assert_int_equal(sr_storage_put(s, "share/p.txt", in, "text/plain", &e), 0);
    char url[4096];
    assert_int_equal(sr_storage_presign(s, "share/p.txt", 300, url, sizeof url, &e), 0);
    assert_non_null(strstr(url, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="));
    assert_non_null(strstr(url, "&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature="));
    assert_null(strstr(url, "Secret"));
    int status = -1;
    char *body = sr_test_sh_out(&status, "curl -s -f '%s'", url);
    assert_int_equal(status, 0);
    assert_string_equal(body, "presigned body");
    free(body);
    body = sr_test_sh_out(&status, "curl -s -o /dev/null -D - '%s'", url);
    if (!strcasestr(body, "content-type: text/plain")) fail_msg("no content type:\n%s", body);
    free(body);

    /* a URL that lasted 1 s is refused once it is past (s3rver enforces X-Amz-Expires) */
    assert_int_equal(sr_storage_presign(s, "share/p.txt", 1, url, sizeof url, &e), 0);
    struct timespec ts = {2, 200 * 1000000L};
    nanosleep(&ts, NULL);
    body = sr_test_sh_out(&status, "curl -s -w '\\n%%{http_code}' '%s'", url);
    if (!strstr(body, "\n403") || !strstr(body, "Request has expired")) fail_msg("an expired URL worked: %s", body);
    free(body);

    /* bounds */
    assert_int_equal(sr_storage_presign(s, "share/p.txt", 0, url, sizeof url, &e), SR_EINVALID_FIELD);
    sr_err_clear(&e);
    assert_int_equal(sr_storage_presign(s, "share/p.txt", 604801, url, sizeof url, &e), SR_EINVALID_FIELD);
    sr_err_clear(&e);
    assert_int_equal(sr_storage_presign(s, "share/p.txt", 60, url, 40, &e), SR_ELIMIT);
    sr_storage_close(s);
}

static void test_refusals(void **state)
{
    (void)state;
    char uri[512];
    sr_s3_fixture_start(uri, sizeof uri);
    const char *in = sr_test_path(tmp, "r.txt");
    sr_err e = {0};
    sr_write_file_atomic(in, "x", 1, &e);

    /* a bucket that does not exist: SR_EIO naming it, for put and get alike */
    snprintf(uri, sizeof uri, "s3://no-such-bucket/p?endpoint=%s&region=us-east-1", sr_s3_fixture_endpoint());
    sr_storage *s = NULL;
    assert_int_equal(sr_storage_open(uri, &s, &e), 0);
    assert_int_equal(sr_storage_put(s, "k.txt", in, NULL, &e), SR_EIO);
    if (!strstr(e.msg, "no-such-bucket") || !strstr(e.msg, "NoSuchBucket")) fail_msg("unclear: %s", e.msg);
    sr_err_clear(&e);
    assert_int_equal(sr_storage_get(s, "k.txt", sr_test_path(tmp, "nb.txt"), &e), SR_EIO);
    if (!strstr(e.msg, "no-such-bucket")) fail_msg("unclear: %s", e.msg);
    sr_storage_close(s);

    /* credentials the store does not know: refused, named by the bucket, the key never shown */
    sr_s3_fixture_start(uri, sizeof uri);
    setenv("AWS_ACCESS_KEY_ID", "AKIDWRONGWRONG", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "sekrit-wrong-value", 1);
    assert_int_equal(sr_storage_open(uri, &s, &e), 0);
    sr_err_clear(&e);
    assert_int_equal(sr_storage_put(s, "k.txt", in, NULL, &e), SR_EIO);
    if (!strstr(e.msg, sr_s3_fixture_bucket()) || !strstr(e.msg, "403") || !strstr(e.msg, "InvalidAccessKeyId"))
        fail_msg("unclear: %s", e.msg);
    assert_null(strstr(e.msg, "AKIDWRONGWRONG"));
    assert_null(strstr(e.msg, "sekrit"));
    sr_storage_close(s);
    /* a 4xx is final: one request, no retries (the wrong credentials still set) */
    forwarder f;
    forwarder_start(&f, 0, NULL);
    char via[256];
    snprintf(via, sizeof via, "s3://%s/via?endpoint=http://127.0.0.1:%d", sr_s3_fixture_bucket(), f.port);
    assert_int_equal(sr_storage_open(via, &s, &e), 0);
    sr_err_clear(&e);
    assert_int_equal(sr_storage_put(s, "k.txt", in, NULL, &e), SR_EIO);
    assert_int_equal(lines_with(&f, "PUT ", NULL), 1);
    sr_storage_close(s);
    forwarder_stop(&f);

    /* no credentials at all: the open says which variables */
    unsetenv("AWS_ACCESS_KEY_ID");
    sr_err_clear(&e);
    assert_int_equal(sr_storage_open(uri, &s, &e), SR_EINVALID_FIELD);
    assert_non_null(strstr(e.msg, "AWS_ACCESS_KEY_ID"));
    sr_s3_fixture_start(uri, sizeof uri); /* back to good ones */

    /* uris that name their fault */
    static const struct {
        const char *uri, *says;
    } bad[] = {
        {"s3://ab", "3 to 63"},
        {"s3://bad!/x", "letters"},
        {"s3://b%2Fx/p", "letters"},
        {"s3://bucket/p?colour=red", "colour"},
        {"s3://bucket/p?part_mb=4", "part_mb"},
        {"s3://bucket/p?part_mb=x", "part_mb"},
        {"s3://bucket/p?endpoint=ftp://h", "endpoint"},
        {"s3://bucket/p?endpoint=http://user:pw@h", "endpoint"},
        {"s3://bucket/p?region=US%20EAST", "region"},
        {"s3://bucket/a%0Ab", "prefix"},
        {"s3://bucket/a/../b", "prefix"},
        {"s3://bucket//a", "prefix"},
        {"s3://bucket/p?endpoint", "value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sr_err_clear(&e);
        int rc = sr_storage_open(bad[i].uri, &s, &e);
        if (rc == 0) fail_msg("%s was accepted", bad[i].uri);
        assert_string_equal(e.field, "storage");
        if (bad[i].says && !strstr(e.msg, bad[i].says)) fail_msg("%s: %s", bad[i].uri, e.msg);
        assert_null(s);
    }
    /* no endpoint: AWS itself, virtual-hosted (the URL is made, nothing is sent) */
    assert_int_equal(sr_storage_open("s3://my-bucket/pre?region=eu-west-1", &s, &e), 0);
    char url[4096];
    assert_int_equal(sr_storage_presign(s, "a b.txt", 60, url, sizeof url, &e), 0);
    if (strncmp(url, "https://my-bucket.s3.eu-west-1.amazonaws.com/pre/a%20b.txt?", 59) != 0) fail_msg("%s", url);
    assert_non_null(strstr(url, "%2Feu-west-1%2Fs3%2Faws4_request"));
    sr_storage_close(s);
}

/* one handle, several threads */
typedef struct worker_arg {
    sr_storage *s;
    int id;
    int failed;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *w = arg;
    for (int i = 0; i < 5 && !w->failed; i++) {
        char key[64], in[64], out[64], body[64];
        snprintf(key, sizeof key, "threads/%d/%d", w->id, i);
        snprintf(in, sizeof in, "in-%d-%d", w->id, i);
        snprintf(out, sizeof out, "out-%d-%d", w->id, i);
        int n = snprintf(body, sizeof body, "thread %d object %d", w->id, i);
        sr_err e = {0};
        char inp[1024], outp[1024];
        snprintf(inp, sizeof inp, "%s/%s", tmp, in);
        snprintf(outp, sizeof outp, "%s/%s", tmp, out);
        if (sr_write_file_atomic(inp, body, (size_t)n, &e) || sr_storage_put(w->s, key, inp, NULL, &e) ||
            sr_storage_get(w->s, key, outp, &e)) {
            w->failed = 1;
            break;
        }
        char *got = sr_test_read(outp);
        w->failed = !got || strcmp(got, body) != 0;
        free(got);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    sr_storage *s = open_fresh(NULL);
    pthread_t t[4];
    worker_arg w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker_arg){s, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failed, 0);
    }
    sr_storage_close(s);
}

static int setup(void **state)
{
    (void)state;
    tmp = sr_test_tmpdir();
    return tmp ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sr_test_rmdir(tmp);
    free(tmp);
    sr_s3_fixture_stop();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_multipart), cmocka_unit_test(test_retries),
        cmocka_unit_test(test_presign),    cmocka_unit_test(test_refusals),  cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
