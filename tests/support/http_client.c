/* http_client.c - see http_client.h. */
#include "http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"

#define MAX_RESPONSE (64 << 20)

static int parse_url(const char *url, char host[64], int *port, const char **path)
{
    if (strncmp(url, "http://", 7)) return -1;
    const char *h = url + 7, *colon = strchr(h, ':'), *slash = strchr(h, '/');
    if (!slash) slash = h + strlen(h);
    if (!colon || colon > slash) return -1;
    snprintf(host, 64, "%.*s", (int)(colon - h), h);
    *port = atoi(colon + 1);
    *path = *slash ? slash : "/";
    return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int sr_http(const char *method, const char *url, const char *auth, const char *extra, const char *body, long len,
            sr_http_resp *out)
{
    memset(out, 0, sizeof *out);
    char host[64];
    int port;
    const char *path;
    if (parse_url(url, host, &port, &path)) return 0;
    if (body && len < 0) len = (long)strlen(body);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, strcmp(host, "localhost") ? host : "127.0.0.1", &sa.sin_addr);
    struct timeval tv = {60, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
        if (fd >= 0) close(fd);
        return 0;
    }
    char head[4096];
    int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n%s%s%s%s",
                     method, path, host, port, auth ? "Authorization: " : "", auth ? auth : "", auth ? "\r\n" : "",
                     extra ? extra : "");
    if (body) n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %ld\r\n", len);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    if (send_all(fd, head, (size_t)n)) {
        close(fd);
        return 0;
    }
    /* the server may answer from the head alone (401, 413, ...) and stop
     * reading: the answer is read even when the body cannot be sent */
    if (body && len) send_all(fd, body, (size_t)len);
    size_t cap = 1 << 16, got = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (got + 4096 > cap) {
            if (cap >= MAX_RESPONSE) break;
            cap *= 2;
            buf = realloc(buf, cap);
        }
        ssize_t r = recv(fd, buf + got, cap - got - 1, 0);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = 0;
    char *sep = strstr(buf, "\r\n\r\n");
    if (!sep || sscanf(buf, "HTTP/1.%*d %d", &out->status) != 1) {
        free(buf);
        out->status = 0;
        return 0;
    }
    out->headers = strndup(buf, (size_t)(sep - buf) + 2);
    out->body_len = got - (size_t)(sep + 4 - buf);
    out->body = malloc(out->body_len + 1);
    memcpy(out->body, sep + 4, out->body_len);
    out->body[out->body_len] = 0;
    out->json = json_loadb(out->body, out->body_len, 0, NULL);
    free(buf);
    return out->status;
}

void sr_http_resp_free(sr_http_resp *r)
{
    free(r->headers);
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

const char *sr_http_header(const sr_http_resp *r, const char *name, char *buf, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol) break;
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ') v++;
            snprintf(buf, n, "%.*s", (int)(eol - v), v);
            return buf;
        }
        p = eol + 2;
    }
    return NULL;
}

int sr_test_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || getsockname(fd, (struct sockaddr *)&sa, &sl)) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(sa.sin_port);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int sr_test_server_spawn(sr_test_server *s, const char *args)
{
    if (!s->dir[0]) {
        char *d = sr_test_tmpdir();
        if (!d) return -1;
        snprintf(s->dir, sizeof s->dir, "%s", d);
        free(d);
    }
    if (args) snprintf(s->args, sizeof s->args, "%s", args);
    s->port = sr_test_free_port();
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    char cmd[4096], log[600];
    snprintf(cmd, sizeof cmd, "serve --data '%s/data' --listen 127.0.0.1:%d %s", s->dir, s->port, s->args);
    snprintf(log, sizeof log, "%s/server.log", s->dir);
    s->pid = sr_test_spawn(cmd, log);
    return s->pid < 0 ? -1 : 0;
}

int sr_test_http_save(const char *url, const char *path)
{
    sr_http_resp r;
    int st = sr_http("GET", url, NULL, NULL, NULL, 0, &r);
    FILE *f = st == 200 ? fopen(path, "wb") : NULL;
    int ok = f && fwrite(r.body, 1, r.body_len, f) == r.body_len;
    if (f) ok &= fclose(f) == 0;
    sr_http_resp_free(&r);
    return ok ? 0 : -1;
}

pid_t sr_test_spawn(const char *args, const char *log)
{
    const char *bin = getenv("SR_BINARY");
    if (!bin) return -1;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "exec '%s' %s 2>>'%s'", bin, args, log);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* its own group: kill -9 reaches the workers too */
        /* a test that fails before it stops its server (cmocka leaves the test
         * function) must not leave the server holding ctest's output open */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

void sr_test_kill(pid_t pid, int hard)
{
    if (pid <= 0) return;
    kill(hard ? -pid : pid, hard ? SIGKILL : SIGTERM);
    waitpid(pid, NULL, 0);
    if (hard) kill(-pid, SIGKILL);
}

int sr_test_server_start(sr_test_server *s, const char *args)
{
    if (sr_test_server_spawn(s, args)) return -1;
    char url[200];
    snprintf(url, sizeof url, "%s/healthz", s->url);
    for (int i = 0; i < 200; i++) {
        sr_http_resp r;
        int st = sr_http("GET", url, NULL, NULL, NULL, 0, &r);
        sr_http_resp_free(&r);
        if (st == 200) return 0;
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid) return -1;
        sleep_ms(100);
    }
    return -1;
}

void sr_test_server_stop(sr_test_server *s, int hard)
{
    sr_test_kill(s->pid, hard);
    s->pid = 0;
}

json_t *sr_test_keys_create(const char *store_args, const char *name, const char *account)
{
    int status = -1;
    char acc[128] = "";
    if (account) snprintf(acc, sizeof acc, "--account %s", account);
    char *out = sr_test_sh_out(&status, "'%s' keys create %s --name '%s' %s --json 2>/dev/null", getenv("SR_BINARY"),
                               store_args, name, acc);
    json_t *j = out && status == 0 ? json_loads(out, 0, NULL) : NULL;
    free(out);
    return j;
}

json_t *sr_test_key_create(const sr_test_server *s, const char *name, const char *account)
{
    char args[700];
    snprintf(args, sizeof args, "--data '%s/data'", s->dir);
    return sr_test_keys_create(args, name, account);
}

json_t *sr_test_wait_job(const sr_test_server *s, const char *key, const char *job_id, double timeout_s)
{
    char url[256];
    snprintf(url, sizeof url, "%s/pictoryapis/v1/jobs/%s", s->url, job_id);
    for (double waited = 0; waited <= timeout_s; waited += 0.1) {
        sr_http_resp r;
        sr_http("GET", url, key, NULL, NULL, 0, &r);
        const char *st = json_string_value(json_object_get(json_object_get(r.json, "data"), "status"));
        if (st && (!strcmp(st, "completed") || !strcmp(st, "failed"))) {
            json_t *j = json_incref(r.json);
            sr_http_resp_free(&r);
            return j;
        }
        sr_http_resp_free(&r);
        sleep_ms(100);
    }
    return NULL;
}

char *sr_test_submit(const sr_test_server *s, const char *key, const char *method, const char *path,
                     const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s/pictoryapis%s", s->url, path);
    sr_http_resp r;
    sr_http(method, url, key, "Content-Type: application/json\r\n", body, -1, &r);
    const char *id = json_string_value(json_object_get(json_object_get(r.json, "data"), "jobId"));
    char *out = r.status == 200 && id ? strdup(id) : NULL;
    if (!out) fprintf(stderr, "submit %s %s -> %d %s\n", method, path, r.status, r.body ? r.body : "");
    sr_http_resp_free(&r);
    return out;
}

sr_test_world *sr_test_world_start(const char *args)
{
    sr_test_world *w = calloc(1, sizeof *w);
    char *dir = sr_test_tmpdir();
    char full[1200];
    json_t *a = NULL, *b = NULL;
    if (!w || !dir) goto fail;
    snprintf(w->srv.dir, sizeof w->srv.dir, "%s", dir);
    if (sr_test_sh("mkdir -p '%s/media'", w->srv.dir)) goto fail;
    snprintf(full, sizeof full, "%s --media-root '%s/media'", args ? args : "", w->srv.dir);
    if (sr_test_server_start(&w->srv, full)) goto fail;
    a = sr_test_key_create(&w->srv, "alice", NULL);
    b = sr_test_key_create(&w->srv, "bob", NULL);
    if (!a || !b) goto fail;
    snprintf(w->key_a, sizeof w->key_a, "%s", json_string_value(json_object_get(a, "key")));
    snprintf(w->key_b, sizeof w->key_b, "%s", json_string_value(json_object_get(b, "key")));
    snprintf(w->account_a, sizeof w->account_a, "%s", json_string_value(json_object_get(a, "account")));
    json_decref(a);
    json_decref(b);
    free(dir);
    return w;
fail:
    json_decref(a);
    json_decref(b);
    free(dir);
    sr_test_world_stop(w);
    return NULL;
}

void sr_test_world_stop(sr_test_world *w)
{
    if (!w) return;
    if (w->srv.pid > 0) sr_test_server_stop(&w->srv, 0);
    if (w->srv.dir[0]) sr_test_rmdir(w->srv.dir);
    free(w);
}

int sr_test_api_at(const sr_test_server *s, const char *method, const char *path, const char *key, const char *body,
                   sr_http_resp *r)
{
    char url[1024];
    if (path[0] == '!') snprintf(url, sizeof url, "%s%s", s->url, path + 1);
    else snprintf(url, sizeof url, "%s/pictoryapis%s", s->url, path);
    return sr_http(method, url, key, body ? "Content-Type: application/json\r\n" : NULL, body, -1, r);
}

int sr_test_api(const sr_test_world *w, const char *method, const char *path, const char *key, const char *body,
                sr_http_resp *r)
{
    return sr_test_api_at(&w->srv, method, path, key, body, r);
}
