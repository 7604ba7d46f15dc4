/* tidy.c - what the service leaves behind and what it shows: the startup
 * sweep of half-written files in the data folder, and error messages made
 * free of the server's own folders (see jobs.h). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobs/jobs.h"

#define SWEEP_DEPTH 4 /* DATA/files/<random>/<name>, DATA/cache/fetch/<hash>, ... */

/* Names of files written half-way: NAME.tmp-XXXXXX (outputs, caches, atomic
 * writes) and NAME.part (uploads). */
static int leftover(const char *name)
{
    size_t n = strlen(name);
    return strstr(name, ".tmp-") != NULL || (n > 5 && !strcmp(name + n - 5, ".part"));
}

/* Removes leftovers under dir (depth levels down); empty folders go too when
 * prune (only below DATA/files: an output folder a render never finished). */
static int sweep(const char *dir, int depth, int prune)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int removed = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char p[4096];
        if (snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >= (int)sizeof p) continue;
        struct stat sb;
        if (lstat(p, &sb)) continue; /* symbolic links are neither followed nor removed */
        if (S_ISREG(sb.st_mode) && leftover(de->d_name)) removed += unlink(p) == 0;
        else if (S_ISDIR(sb.st_mode) && depth > 1) {
            removed += sweep(p, depth - 1, prune);
            if (prune) rmdir(p); /* fails unless empty */
        }
    }
    closedir(d);
    return removed;
}

int sr_data_sweep(const char *data_dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/files", data_dir);
    int n = sweep(p, SWEEP_DEPTH - 1, 1);
    snprintf(p, sizeof p, "%s/cache", data_dir);
    return n + sweep(p, SWEEP_DEPTH - 1, 0);
}

/* Replaces, in s, every "root/" with "" and every other "root" with "."
 * (in place: the text only shrinks). */
static void unroot(char *s, const char *root)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/') n--; /* "DIR/" is "DIR" */
    if (n < 2) return;                       /* "" or "/": nothing to hide */
    for (char *p = strstr(s, root); p; p = strstr(p, root)) {
        char next = p[n];
        if (!strchr("/ :,')\"", next)) { /* NUL matches too: the end */
            p += n; /* "/data-other": another folder */
            continue;
        }
        if (next == '/') memmove(p, p + n + 1, strlen(p + n + 1) + 1);
        else {
            *p = '.';
            memmove(p + 1, p + n, strlen(p + n) + 1);
            p++;
        }
    }
}

void sr_msg_unroot(char *msg, const sr_svc_cfg *cfg)
{
    /* the longest first, so that a folder inside another is taken whole */
    const char *roots[SR_MAX_MEDIA_ROOTS + 3];
    int n = 0;
    for (int i = 0; i < cfg->n_media_roots; i++) roots[n++] = cfg->media_roots[i];
    roots[n++] = cfg->data;
    roots[n++] = cfg->library;
    roots[n++] = cfg->music_library;
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && strlen(roots[k]) > strlen(roots[k - 1]); k--) {
            const char *t = roots[k];
            roots[k] = roots[k - 1];
            roots[k - 1] = t;
        }
    for (int i = 0; i < n; i++)
        if (roots[i][0] == '/') unroot(msg, roots[i]);
}
