#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static int parse_hex(const char *s, int ndig, uint8_t *out)
{
    int v = 0;
    for (int i = 0; i < ndig; i++) {
        int h = hexval((unsigned char)s[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    *out = (uint8_t)(ndig == 1 ? v * 17 : v);
    return 0;
}

int sr_parse_color(const char *s, uint8_t rgba[4])
{
    static const struct {
        const char *name;
        uint8_t c[4];
    } named[] = {
        {"white", {255, 255, 255, 255}}, {"black", {0, 0, 0, 255}},
        {"red", {255, 0, 0, 255}},       {"green", {0, 128, 0, 255}},
        {"blue", {0, 0, 255, 255}},      {"yellow", {255, 255, 0, 255}},
        {"transparent", {0, 0, 0, 0}},
    };
    if (!s) return -1;
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n == 0 || n > 64) return -1;
    if (s[0] == '#') {
        int d = (int)n - 1;
        rgba[3] = 255;
        if (d == 3 || d == 4) {
            for (int i = 0; i < d; i++)
                if (parse_hex(s + 1 + i, 1, &rgba[i])) return -1;
            return 0;
        }
        if (d == 6 || d == 8) {
            for (int i = 0; i < d / 2; i++)
                if (parse_hex(s + 1 + 2 * i, 2, &rgba[i])) return -1;
            return 0;
        }
        return -1;
    }
    if (strncasecmp(s, "rgb", 3) == 0) {
        char tmp[65];
        memcpy(tmp, s, n);
        tmp[n] = 0;
        double v[4] = {0, 0, 0, 1};
        int has_a = (tmp[3] == 'a' || tmp[3] == 'A');
        char *p = strchr(tmp, '(');
        if (!p || tmp[n - 1] != ')') return -1;
        p++;
        int want = has_a ? 4 : 3;
        for (int i = 0; i < want; i++) {
            char *end;
            errno = 0;
            v[i] = strtod(p, &end);
            if (end == p || errno) return -1;
            p = end;
            while (isspace((unsigned char)*p)) p++;
            if (i < want - 1) {
                if (*p != ',') return -1;
                p++;
            }
        }
        if (*p != ')') return -1;
        for (int i = 0; i < 3; i++) {
            if (v[i] < 0 || v[i] > 255) return -1;
            rgba[i] = (uint8_t)(v[i] + 0.5);
        }
        if (v[3] < 0 || v[3] > 1) return -1;
        rgba[3] = (uint8_t)(v[3] * 255 + 0.5);
        return 0;
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == n && strncasecmp(s, named[i].name, n) == 0) {
            memcpy(rgba, named[i].c, 4);
            return 0;
        }
    return -1;
}

int sr_parse_percent(const json_t *v, double *frac)
{
    if (json_is_number(v)) {
        *frac = json_number_value(v) / 100.0;
        return 0;
    }
    if (!json_is_string(v)) return -1;
    const char *s = json_string_value(v);
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || errno) return -1;
    while (isspace((unsigned char)*end)) end++;
    if (*end == '%') end++;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return -1;
    *frac = d / 100.0;
    return 0;
}

char *sr_path_resolve(const char *base_dir, const char *p)
{
    if (!p) return NULL;
    if (p[0] == '/' || strstr(p, "://") || !base_dir || !*base_dir) return strdup(p);
    if (strncmp(p, "file:", 5) == 0) return strdup(p + 5);
    size_t n = strlen(base_dir) + strlen(p) + 2;
    char *r = malloc(n);
    if (r) snprintf(r, n, "%s/%s", base_dir, p);
    return r;
}

int sr_mkdirs(const char *dir, int mode)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    return p[0] && mkdir(p, (mode_t)mode) != 0 && errno != EEXIST ? -1 : 0;
}

int sr_mkdirs_for(const char *path, int mode)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char *slash = strrchr(p, '/');
    if (!slash || slash == p) return 0;
    *slash = 0;
    return sr_mkdirs(p, mode);
}

char *sr_dirname_dup(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int sr_write_file_atomic(const char *path, const void *data, size_t len, sr_err *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) return sr_err_set(err, SR_ENOMEM, path, "out of memory");
    snprintf(tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = sr_err_set(err, SR_EIO, path, "cannot write %s: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
    }
    fchmod(fd, 0644);
    int ok = left == 0 && close(fd) == 0;
    if (!ok || rename(tmp, path) != 0) {
        int rc = sr_err_set(err, SR_EIO, path, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return 0;
}

int sr_read_file(const char *path, size_t max, char **out, size_t *len, sr_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int code = errno == ENOENT ? SR_EMEDIA_NOT_FOUND : SR_EMEDIA_UNREADABLE;
        return sr_err_set(err, code, path, "%s: %s", path, strerror(errno));
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    for (;;) {
        if (!b) {
            fclose(f);
            return sr_err_set(err, SR_ENOMEM, path, "out of memory reading %s", path);
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (n > max) {
            free(b);
            fclose(f);
            return sr_err_set(err, SR_ELIMIT, path, "%s is larger than %zu bytes", path, max);
        }
        if (r == 0) break;
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(b, cap + 1);
            if (!nb) free(b);
            b = nb;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return sr_err_set(err, SR_EMEDIA_UNREADABLE, path, "cannot read %s", path);
    }
    b[n] = 0;
    *out = b;
    if (len) *len = n;
    return 0;
}

double sr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void sr_buf_init(sr_buf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

void sr_buf_append(sr_buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n + 1) nc *= 2;
        if (b->max && nc > b->max + 1) nc = b->max + 1;
        if (b->len + n + 1 > nc) {
            b->failed = 1;
            return;
        }
        char *np = realloc(b->p, nc);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void sr_buf_printf(sr_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        sr_buf_append(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sr_buf_append(b, big, (size_t)n);
    free(big);
}

void sr_buf_free(sr_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

int sr_utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    int n = (u[0] & 0xE0) == 0xC0 ? 2 : (u[0] & 0xF0) == 0xE0 ? 3 : (u[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = u[0] & (0xFF >> (n + 1));
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (u[i] & 0x3F);
    }
    *cp = v;
    return n;
}
