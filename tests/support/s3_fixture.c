/* s3_fixture.c - see s3_fixture.h. */
#include "s3_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"

#define BUCKET "storyreel-test"

static struct {
    pid_t pid;
    int port;
    char *dir;
    char endpoint[64];
    int prefixes;
} fx;

void sr_s3_fixture_stop(void)
{
    if (fx.pid > 0) {
        kill(fx.pid, SIGTERM);
        waitpid(fx.pid, NULL, 0);
        fx.pid = 0;
    }
    if (fx.dir) {
        sr_test_rmdir(fx.dir);
        free(fx.dir);
        fx.dir = NULL;
    }
    fx.port = 0;
}

/* The port s3rver printed ("S3rver listening on 127.0.0.1:PORT\n"), 0 while not yet (or not the whole line). */
static int listening_port(const char *log)
{
    char *text = sr_test_read(log);
    const char *at = text ? strstr(text, "listening on 127.0.0.1:") : NULL;
    char *end = NULL;
    long port = at ? strtol(at + strlen("listening on 127.0.0.1:"), &end, 10) : 0;
    int whole = end && *end == '\n' && port > 0 && port < 65536;
    free(text);
    return whole ? (int)port : 0;
}

static void start_server(void)
{
    const char *src = getenv("SR_SOURCE_DIR");
#ifdef SR_TEST_SOURCE_DIR
    if (!src) src = SR_TEST_SOURCE_DIR;
#endif
    if (!src) fail_msg("s3 fixture: SR_SOURCE_DIR is not set (run the test under ctest)");
    char script[1024], log[1024], data[1024];
    snprintf(script, sizeof script, "%s/node_modules/s3rver/bin/s3rver.js", src);
    if (access(script, R_OK) != 0)
        fail_msg("s3 fixture: %s is missing: run scripts/install-npm (npm ci installs s3rver)", script);
    fx.dir = sr_test_tmpdir();
    if (!fx.dir) fail_msg("s3 fixture: no temporary folder");
    snprintf(log, sizeof log, "%s/s3rver.log", fx.dir);
    snprintf(data, sizeof data, "%s/data", fx.dir);
    pid_t parent = getpid();
    fx.pid = fork();
    if (fx.pid < 0) fail_msg("s3 fixture: fork failed");
    if (fx.pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with the test, however it ends */
        if (getppid() != parent) _exit(1);
        if (!freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0) _exit(126);
        execlp("node", "node", script, "--silent", "-a", "127.0.0.1", "-p", "0", "-d", data, "--configure-bucket",
               BUCKET, (char *)NULL);
        fprintf(stderr, "cannot run node: not installed?\n");
        _exit(127);
    }
    atexit(sr_s3_fixture_stop);
    for (int i = 0; i < 300; i++) { /* 15 s at most: node starts in about one */
        if ((fx.port = listening_port(log))) break;
        int status;
        if (waitpid(fx.pid, &status, WNOHANG) == fx.pid) {
            fx.pid = 0;
            char *out = sr_test_read(log);
            fail_msg("s3 fixture: s3rver exited (status %d) before listening:\n%s", status, out ? out : "");
        }
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!fx.port) {
        char *out = sr_test_read(log);
        sr_s3_fixture_stop();
        fail_msg("s3 fixture: s3rver did not listen within 15 s:\n%s", out ? out : "");
    }
    snprintf(fx.endpoint, sizeof fx.endpoint, "http://127.0.0.1:%d", fx.port);
}

int sr_s3_fixture_start(char *uri, size_t n)
{
    if (fx.pid <= 0) start_server();
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    unsetenv("AWS_SESSION_TOKEN");
    snprintf(uri, n, "s3://%s/t%d-%d?endpoint=%s&region=us-east-1", BUCKET, (int)getpid(), ++fx.prefixes,
             fx.endpoint);
    return 0;
}

const char *sr_s3_fixture_endpoint(void) { return fx.endpoint; }
int sr_s3_fixture_port(void) { return fx.port; }
const char *sr_s3_fixture_bucket(void) { return BUCKET; }
