/* libs: sr_service sr_common */
/* test_hardening_http_edge.c - malformed requests over raw sockets against a
 * real server (issue 7, item 12): each is answered promptly with the API's
 * JSON error shape (no libmicrohttpd HTML page), and a head that stalls is
 * dropped after the head timeout (5 s), not the 60 s connection timeout. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
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

/* Sends req (len bytes) on a new connection and reads until the server
 * closes or timeout_s: the answer into out (NUL-terminated), its time. */
static size_t exchange(int port, const char *req, size_t len, double timeout_s, char *out, size_t n, double *took)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
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
        cmocka_unit_test(test_malformed_requests_answer_json_promptly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
