/* http_gate.c - the front door of the HTTP API (http_gate.h). */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/http_gate.h"

/* ------------------------------------------------------------ the parser */

static int tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int refuse(sr_http_head *h, int status, const char *code, const char *msg)
{
    h->status = status, h->code = code, h->msg = msg;
    return -1;
}

static int bad(sr_http_head *h, const char *msg) { return refuse(h, 400, "BAD_REQUEST", msg); }

/* The request line p[0..n) (no line end). */
static int request_line(sr_http_head *h, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && tchar((unsigned char)p[i])) i++;
    if (!i || i >= n || p[i] != ' ') return bad(h, "the request line is not METHOD TARGET HTTP/1.x");
    if (i > 32) return refuse(h, 501, "NOT_IMPLEMENTED", "the method is not supported");
    h->method = p, h->method_len = i;
    size_t t = ++i;
    while (i < n && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f) i++;
    if (i == t || i >= n || p[i] != ' ') return bad(h, "the request target is missing or has a forbidden byte");
    h->target = p + t, h->target_len = i - t;
    const char *qm = memchr(h->target, '?', h->target_len);
    size_t args = 0;
    for (const char *c = qm; c && c < h->target + h->target_len; c++) args += *c == '?' || *c == '&';
    if (args > SR_HTTP_MAX_FIELDS) /* each is a record in libmicrohttpd's pool, like a header field */
        return refuse(h, 431, "HEADERS_TOO_LARGE", "the request target has more query parameters than the limit");
    const char *v = p + i + 1;
    size_t vn = n - i - 1;
    if (vn == 8 && !memcmp(v, "HTTP/1.", 7) && (v[7] == '0' || v[7] == '1')) return 0;
    if (vn == 8 && !memcmp(v, "HTTP/", 5) && v[5] >= '0' && v[5] <= '9' && v[6] == '.' && v[7] >= '0' && v[7] <= '9')
        return refuse(h, 505, "HTTP_VERSION_NOT_SUPPORTED", "only HTTP/1.0 and HTTP/1.1 are supported");
    return bad(h, "the request line is not METHOD TARGET HTTP/1.x");
}

/* Optional white space trimmed from both ends of [*v, *v + *n). */
static void trim(const char **v, size_t *n)
{
    while (*n && (**v == ' ' || **v == '\t')) (*v)++, (*n)--;
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t')) (*n)--;
}

/* A header field line p[0..n) (no line end). */
static int field_line(sr_http_head *h, const char *p, size_t n)
{
    if (p[0] == ' ' || p[0] == '\t') return bad(h, "a header field is folded over lines");
    size_t i = 0;
    while (i < n && tchar((unsigned char)p[i])) i++;
    if (i == n || p[i] != ':') return bad(h, "a header field has no colon after its name");
    if (!i) return bad(h, "a header field has an empty name");
    for (size_t k = i + 1; k < n; k++) {
        unsigned char c = (unsigned char)p[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return bad(h, "a header field value has a control byte");
    }
    const char *v = p + i + 1;
    size_t vn = n - i - 1;
    trim(&v, &vn);
    if (i == 14 && !strncasecmp(p, "Content-Length", 14)) {
        if (!vn || vn > 18) return bad(h, "Content-Length is not a number of bytes");
        int64_t x = 0;
        for (size_t k = 0; k < vn; k++) {
            if (v[k] < '0' || v[k] > '9') return bad(h, "Content-Length is not a number of bytes");
            x = x * 10 + (v[k] - '0');
        }
        if (h->content_length >= 0 && h->content_length != x) return bad(h, "Content-Length is given twice");
        h->content_length = x;
    } else if (i == 17 && !strncasecmp(p, "Transfer-Encoding", 17)) {
        if (vn != 7 || strncasecmp(v, "chunked", 7))
            return refuse(h, 501, "NOT_IMPLEMENTED", "transfer codings are not supported");
        /* like S3's signed PUTs: a body declares its length, so a truncated or
         * malformed chunk can neither stall a connection nor reach
         * libmicrohttpd's HTML error page */
        return refuse(h, 411, "LENGTH_REQUIRED", "a request body needs Content-Length (chunked is not accepted)");
    }
    return 0;
}

int sr_http_head_parse(const char *buf, size_t len, size_t max_head, sr_http_head *h)
{
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    size_t scan = len < max_head ? len : max_head, pos = 0;
    int line = 0;
    while (pos < scan && line == 0 && (buf[pos] == '\r' || buf[pos] == '\n') && pos < 4) pos++; /* stray CRLFs */
    while (pos < scan) {
        const char *nl = memchr(buf + pos, '\n', scan - pos);
        if (!nl) break;
        size_t n = (size_t)(nl - (buf + pos));
        if (n && buf[pos + n - 1] == '\r') n--;
        if (memchr(buf + pos, '\r', n) || memchr(buf + pos, 0, n)) return bad(h, "the request head has a stray CR or NUL");
        if (!n) {
            if (!line) return bad(h, "the request line is missing");
            h->head_len = (size_t)(nl + 1 - buf);
            return 0;
        }
        if (line > SR_HTTP_MAX_FIELDS)
            return refuse(h, 431, "HEADERS_TOO_LARGE", "the request has more header fields than the limit");
        if ((line++ ? field_line(h, buf + pos, n) : request_line(h, buf + pos, n))) return -1;
        pos = (size_t)(nl + 1 - buf);
    }
    if (len >= max_head) return refuse(h, 431, "HEADERS_TOO_LARGE", "the request head is larger than the limit");
    return 1;
}

static const struct {
    int status;
    const char *reason;
} reasons[] = {
    {400, "Bad Request"}, {408, "Request Timeout"}, {411, "Length Required"}, {431, "Request Header Fields Too Large"},
    {501, "Not Implemented"}, {503, "Service Unavailable"}, {505, "HTTP Version Not Supported"},
};

size_t sr_gate_answer(int status, const char *code, const char *msg, char *out, size_t n)
{
    const char *reason = "Error";
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status) reason = reasons[i].reason;
    char body[320];
    int bl = snprintf(body, sizeof body, "{\"code\":\"%s\",\"message\":\"%s\"}", code, msg);
    int len = snprintf(out, n,
                       "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                       "Connection: close\r\n%s\r\n%s",
                       status, reason, bl, status == 503 ? "Retry-After: 1\r\n" : "", body);
    return len > 0 && (size_t)len < n && (size_t)bl < sizeof body ? (size_t)len : 0;
}

/* -------------------------------------------------------------- the gate */

typedef struct pending {
    int fd;          /* -1: free slot */
    int64_t deadline_ms;
    struct sockaddr_storage addr;
    socklen_t alen;
} pending;

struct sr_gate {
    sr_gate_cfg cfg;
    int listen_fd, ep, stop_fd;
    struct MHD_Daemon *d;
    pending *p;     /* cfg.max_pending slots */
    int n;          /* slots in use */
    char *buf;      /* cfg.max_head bytes: one peek at a time */
    pthread_t th;
    int started;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int same_ip(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family) return 0;
    if (a->ss_family == AF_INET)
        return !memcmp(&((const struct sockaddr_in *)a)->sin_addr, &((const struct sockaddr_in *)b)->sin_addr, 4);
    if (a->ss_family == AF_INET6)
        return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
    return 1;
}

/* Answers (best effort) and closes fd: the head read so far is consumed
 * first, so the close does not reset the connection under the answer. */
static void answer_close(int fd, int status, const char *code, const char *msg)
{
    char out[640], sink[4096];
    size_t n = sr_gate_answer(status, code, msg, out, sizeof out);
    for (int i = 0; i < 16 && recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; i++) {
    }
    if (n) (void)!send(fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_WR);
    close(fd);
}

static void drop(sr_gate *g, int i)
{
    epoll_ctl(g->ep, EPOLL_CTL_DEL, g->p[i].fd, NULL);
    g->p[i].fd = -1;
    g->n--;
}

static void accept_all(sr_gate *g)
{
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t alen = sizeof addr;
        int fd = accept4(g->listen_fd, (struct sockaddr *)&addr, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        int same = 0, slot = -1;
        for (int i = 0; i < g->cfg.max_pending; i++) {
            if (g->p[i].fd < 0) {
                if (slot < 0) slot = i;
            } else {
                same += same_ip(&g->p[i].addr, &addr);
            }
        }
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET};
        if (slot < 0 || same >= g->cfg.max_per_ip) {
            answer_close(fd, 503, "SERVER_BUSY", "too many connections are waiting: retry");
            continue;
        }
        ev.data.u32 = (uint32_t)slot;
        if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev)) {
            close(fd);
            continue;
        }
        g->p[slot] = (pending){.fd = fd, .deadline_ms = now_ms() + g->cfg.head_timeout_ms, .addr = addr, .alen = alen};
        g->n++;
    }
}

/* Looks at slot i's head: hands it on, refuses it, or waits for more. */
static void look(sr_gate *g, int i)
{
    pending *p = &g->p[i];
    ssize_t n = recv(p->fd, g->buf, g->cfg.max_head, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    int fd = p->fd;
    if (n <= 0) { /* closed before a whole head */
        drop(g, i);
        close(fd);
        return;
    }
    sr_http_head h;
    int rc = sr_http_head_parse(g->buf, (size_t)n, g->cfg.max_head, &h);
    if (rc == 1) return;
    struct sockaddr_storage addr = p->addr;
    socklen_t alen = p->alen;
    drop(g, i);
    if (rc < 0) answer_close(fd, h.status, h.code, h.msg);
    else MHD_add_connection(g->d, fd, (struct sockaddr *)&addr, alen); /* closes fd when it fails */
}

static void expire(sr_gate *g)
{
    int64_t now = now_ms();
    for (int i = 0; i < g->cfg.max_pending && g->n; i++) {
        if (g->p[i].fd < 0 || g->p[i].deadline_ms > now) continue;
        int fd = g->p[i].fd;
        drop(g, i);
        answer_close(fd, 408, "REQUEST_TIMEOUT", "the request head did not arrive in time");
    }
}

static void *gate_main(void *ud)
{
    sr_gate *g = ud;
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(g->ep, evs, 64, 100);
        for (int k = 0; k < n; k++) {
            uint32_t id = evs[k].data.u32;
            if (id == UINT32_MAX) return NULL; /* stop */
            if (id == UINT32_MAX - 1) accept_all(g);
            else if ((int)id < g->cfg.max_pending && g->p[id].fd >= 0) look(g, (int)id);
        }
        expire(g);
    }
}

static int add_fd(sr_gate *g, int fd, uint32_t id)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = id};
    return epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev);
}

int sr_gate_start(int listen_fd, struct MHD_Daemon *d, const sr_gate_cfg *cfg, sr_gate **out, sr_err *err)
{
    *out = NULL;
    sr_gate *g = calloc(1, sizeof *g);
    if (!g) {
        close(listen_fd);
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    g->cfg = *cfg, g->listen_fd = listen_fd, g->d = d;
    g->ep = epoll_create1(EPOLL_CLOEXEC);
    g->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    g->p = calloc((size_t)cfg->max_pending, sizeof *g->p);
    g->buf = malloc(cfg->max_head);
    for (int i = 0; g->p && i < cfg->max_pending; i++) g->p[i].fd = -1;
    if (g->ep < 0 || g->stop_fd < 0 || !g->p || !g->buf || add_fd(g, listen_fd, UINT32_MAX - 1) ||
        add_fd(g, g->stop_fd, UINT32_MAX) || pthread_create(&g->th, NULL, gate_main, g)) {
        sr_gate_stop(g);
        return sr_err_set(err, SR_EIO, "--listen", "cannot start the HTTP listener: %s", strerror(errno));
    }
    g->started = 1;
    *out = g;
    return 0;
}

void sr_gate_stop(sr_gate *g)
{
    if (!g) return;
    if (g->started) {
        uint64_t one = 1;
        (void)!write(g->stop_fd, &one, sizeof one);
        pthread_join(g->th, NULL);
    }
    for (int i = 0; g->p && i < g->cfg.max_pending; i++)
        if (g->p[i].fd >= 0) close(g->p[i].fd);
    if (g->ep >= 0) close(g->ep);
    if (g->stop_fd >= 0) close(g->stop_fd);
    close(g->listen_fd);
    free(g->p);
    free(g->buf);
    free(g);
}
