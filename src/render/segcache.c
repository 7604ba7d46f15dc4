/* segcache.c - the segment cache (see segcache.h). */
#include "render/segcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#include "render/segkey.h"

#define EXT ".mp4"

struct sr_segcache {
    pthread_mutex_t mu;
    char *dir;
    int64_t max_bytes;
    char **pin; /* keys held by this render */
    int npin, cpin;
};

/* A KEY.mp4.tmp-PID-XXXXXX whose process is gone. */
static int stale_tmp(const char *name)
{
    const char *t = strstr(name, EXT ".tmp-");
    if (!t) return 0;
    long pid = strtol(t + strlen(EXT ".tmp-"), NULL, 10);
    return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

int sr_segcache_open(sr_segcache **out, const char *dir, int64_t max_bytes, sr_err *err)
{
    *out = NULL;
    if (sr_mkdirs(dir, 0755) != 0)
        return sr_err_set(err, SR_EIO, "cache", "The cache folder %s cannot be created: %s.", dir, strerror(errno));
    sr_segcache *c = calloc(1, sizeof *c);
    if (!c || !(c->dir = strdup(dir))) {
        free(c);
        return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    }
    c->max_bytes = max_bytes;
    pthread_mutex_init(&c->mu, NULL);
    DIR *d = opendir(dir); /* what killed renders left */
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!stale_tmp(e->d_name)) continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    *out = c;
    return 0;
}

static void pin(sr_segcache *c, const char *key)
{
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < c->npin; i++)
        if (!strcmp(c->pin[i], key)) {
            pthread_mutex_unlock(&c->mu);
            return;
        }
    if (c->npin == c->cpin) {
        int nc = c->cpin ? 2 * c->cpin : 64;
        char **np = realloc(c->pin, sizeof *np * (size_t)nc);
        if (!np) {
            pthread_mutex_unlock(&c->mu);
            return;
        }
        c->pin = np;
        c->cpin = nc;
    }
    if ((c->pin[c->npin] = strdup(key))) c->npin++;
    pthread_mutex_unlock(&c->mu);
}

static int pinned(sr_segcache *c, const char *name)
{
    for (int i = 0; i < c->npin; i++)
        if (!strncmp(c->pin[i], name, SR_SEGKEY_LEN) && !strcmp(name + SR_SEGKEY_LEN, EXT)) return 1;
    return 0;
}

void sr_segcache_unpin(sr_segcache *c)
{
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < c->npin; i++) free(c->pin[i]);
    c->npin = 0;
    pthread_mutex_unlock(&c->mu);
}

void sr_segcache_close(sr_segcache *c)
{
    if (!c) return;
    sr_segcache_unpin(c);
    sr_segcache_evict(c);
    free(c->pin);
    free(c->dir);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int sr_segcache_get(sr_segcache *c, const char *key, char *path, size_t n)
{
    snprintf(path, n, "%s/%s" EXT, c->dir, key);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return 0;
    utimensat(AT_FDCWD, path, NULL, 0); /* most recently used */
    pin(c, key);
    return 1;
}

char *sr_segcache_tmp(sr_segcache *c, const char *key)
{
    size_t n = strlen(c->dir) + strlen(key) + 64;
    char *t = malloc(n);
    if (!t) return NULL;
    snprintf(t, n, "%s/%s" EXT ".tmp-%ld-XXXXXX", c->dir, key, (long)getpid());
    return sr_tmp_file(t);
}

char *sr_tmp_file(char *t)
{
    int fd = t ? mkstemp(t) : -1;
    if (fd < 0) {
        free(t);
        return NULL;
    }
    fchmod(fd, 0644);
    close(fd);
    return t;
}

int sr_segcache_put(sr_segcache *c, const char *key, const char *tmp, sr_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s" EXT, c->dir, key);
    /* the bytes are on disk before the name says they are complete */
    FILE *f = fopen(tmp, "rb");
    if (f) {
        fsync(fileno(f));
        fclose(f);
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return sr_err_set(err, SR_EIO, "cache", "The segment %s cannot be stored: %s.", path, strerror(e));
    }
    pin(c, key);
    sr_segcache_evict(c);
    return 0;
}

typedef struct entry {
    char *name;
    int64_t size;
    long long mtime_ns;
} entry;

static int by_age(const void *a, const void *b)
{
    long long x = ((const entry *)a)->mtime_ns, y = ((const entry *)b)->mtime_ns;
    return x < y ? -1 : x > y;
}

int64_t sr_segcache_evict(sr_segcache *c)
{
    DIR *d = opendir(c->dir);
    if (!d) return 0;
    entry *e = NULL;
    int n = 0, cap = 0;
    int64_t total = 0;
    struct dirent *de;
    char p[4096];
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len != SR_SEGKEY_LEN + strlen(EXT) || strcmp(de->d_name + SR_SEGKEY_LEN, EXT)) continue;
        snprintf(p, sizeof p, "%s/%s", c->dir, de->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (n == cap) {
            int nc = cap ? 2 * cap : 256;
            entry *ne = realloc(e, sizeof *ne * (size_t)nc);
            if (!ne) break;
            e = ne;
            cap = nc;
        }
        if (!(e[n].name = strdup(de->d_name))) break;
        e[n].size = (int64_t)st.st_blocks * 512 > st.st_size ? (int64_t)st.st_blocks * 512 : st.st_size;
        e[n].mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        total += e[n].size;
        n++;
    }
    closedir(d);
    qsort(e, (size_t)n, sizeof *e, by_age);
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < n && total > c->max_bytes; i++) {
        if (pinned(c, e[i].name)) continue;
        snprintf(p, sizeof p, "%s/%s", c->dir, e[i].name);
        if (unlink(p) == 0) total -= e[i].size;
    }
    pthread_mutex_unlock(&c->mu);
    for (int i = 0; i < n; i++) free(e[i].name);
    free(e);
    return total;
}
