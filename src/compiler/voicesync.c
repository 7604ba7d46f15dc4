/* voicesync.c - silence detection and boundary assignment (voicesync.h). */
#include "compiler/voicesync.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/audio/audio_src.h"

#define VS_RATE 48000                     /* what sr_asrc hands out */
#define VS_WIN (VS_RATE / 50)             /* 20 ms */
#define VS_MAX_SECONDS (3 * 3600)
#define VS_MAX_CELLS (16 * 1024 * 1024)   /* DP table: boundaries x pauses */

typedef struct pause {
    double start, end;
} pause;

struct sr_vsync {
    double dur, first, last; /* seconds; first/last sound */
    pause *p;
    int np;
};

int sr_vsync_open(const char *path, const char *field, sr_vsync **out, sr_err *err)
{
    sr_asrc *s = NULL;
    float *buf = NULL, *rms = NULL;
    int rc, nw = 0, cap = 0;
    sr_vsync *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v) return sr_err_set(err, SR_ENOMEM, field, "out of memory");
    if ((rc = sr_asrc_open(&s, path, field, 0, err)) || (rc = sr_asrc_check(s, err))) goto done;
    buf = malloc(VS_WIN * 2 * sizeof *buf);
    if (!buf) {
        rc = sr_err_set(err, SR_ENOMEM, field, "out of memory");
        goto done;
    }
    double total = 0;
    int64_t nsamp = 0;
    for (;;) { /* one 20-ms window per iteration (the last may be short) */
        int got = 0;
        while (got < VS_WIN) {
            int r = sr_asrc_read(s, buf + 2 * got, VS_WIN - got, err);
            if (r < 0) {
                rc = r;
                goto done;
            }
            if (r == 0) break;
            got += r;
        }
        if (got == 0) break;
        double ss = 0;
        for (int i = 0; i < got; i++) {
            double m = 0.5 * (buf[2 * i] + buf[2 * i + 1]);
            ss += m * m;
        }
        if (nw == cap) {
            cap = cap ? cap * 2 : 1024;
            if (cap > VS_MAX_SECONDS * 50 + 1) {
                rc = sr_err_set(err, SR_ELIMIT, field, "%s: the narration is longer than %d hours", field,
                                VS_MAX_SECONDS / 3600);
                goto done;
            }
            float *q = realloc(rms, (size_t)cap * sizeof *q);
            if (!q) {
                rc = sr_err_set(err, SR_ENOMEM, field, "out of memory");
                goto done;
            }
            rms = q;
        }
        rms[nw++] = (float)sqrt(ss / got);
        total += ss;
        nsamp += got;
        if (got < VS_WIN) break;
    }
    v->dur = (double)nsamp / VS_RATE;
    double level = nsamp ? sqrt(total / (double)nsamp) : 0;
    double thr = fmin(fmax(level * 0.1, 1e-4), 0.01);
    int first = -1, last = -1;
    for (int i = 0; i < nw; i++)
        if (rms[i] >= thr) {
            if (first < 0) first = i;
            last = i;
        }
    v->first = first < 0 ? 0 : first * SR_VSYNC_WINDOW;
    v->last = last < 0 ? v->dur : fmin(v->dur, (last + 1) * SR_VSYNC_WINDOW);
    int minw = (int)ceil(SR_VSYNC_MIN_PAUSE / SR_VSYNC_WINDOW - 1e-9);
    for (int i = first + 1; first >= 0 && i < last;) {
        if (rms[i] >= thr) {
            i++;
            continue;
        }
        int j = i;
        while (j < last && rms[j] < thr) j++;
        if (j - i >= minw) {
            pause *q = realloc(v->p, ((size_t)v->np + 1) * sizeof *q);
            if (!q) {
                rc = sr_err_set(err, SR_ENOMEM, field, "out of memory");
                goto done;
            }
            v->p = q;
            v->p[v->np].start = i * SR_VSYNC_WINDOW;
            v->p[v->np].end = j * SR_VSYNC_WINDOW;
            v->np++;
        }
        i = j;
    }
    rc = 0;
done:
    sr_asrc_close(s);
    free(buf);
    free(rms);
    if (rc) sr_vsync_free(v);
    else *out = v;
    return rc;
}

double sr_vsync_duration(const sr_vsync *v) { return v->dur; }
int sr_vsync_npauses(const sr_vsync *v) { return v->np; }

int sr_vsync_split(const sr_vsync *v, const double *w, int n, double *bounds, sr_err *err)
{
    int nb = n - 1, m = v->np;
    double W = 0;
    for (int i = 0; i < n; i++) W += w[i];
    bounds[0] = 0;
    bounds[n] = v->dur;
    if (nb <= 0) return 1;
    double *e = malloc((size_t)nb * sizeof *e), acc = 0;
    if (!e) return sr_err_set(err, SR_ENOMEM, "voiceOver.externalVoice", "out of memory");
    for (int k = 0; k < nb; k++) {
        acc += w[k];
        e[k] = v->first + (v->last - v->first) * (W > 0 ? acc / W : (k + 1.0) / n);
    }
    if (m < nb || (double)nb * m > VS_MAX_CELLS) {
        for (int k = 0; k < nb; k++) bounds[k + 1] = e[k];
        free(e);
        return 0;
    }
    /* cost[k][j]: boundaries 0..k placed, boundary k at pause j (j >= k) */
    double *cost = malloc((size_t)nb * m * sizeof *cost);
    int *from = malloc((size_t)nb * m * sizeof *from);
    if (!cost || !from) {
        free(cost);
        free(from);
        free(e);
        return sr_err_set(err, SR_ENOMEM, "voiceOver.externalVoice", "out of memory");
    }
    for (int k = 0; k < nb; k++) {
        double best = INFINITY;
        int arg = -1;
        for (int j = 0; j < m; j++) {
            double mid = 0.5 * (v->p[j].start + v->p[j].end);
            double c = INFINITY;
            if (j >= k && m - j >= nb - k) {
                if (k == 0) c = fabs(mid - e[0]);
                else if (arg >= 0) c = best + fabs(mid - e[k]);
            }
            cost[(size_t)k * m + j] = c;
            from[(size_t)k * m + j] = arg;
            /* prefix minimum of row k-1 up to j, for column j+1 of row k */
            if (k > 0 && cost[(size_t)(k - 1) * m + j] < best) {
                best = cost[(size_t)(k - 1) * m + j];
                arg = j;
            }
        }
    }
    int j = 0;
    for (int t = 1; t < m; t++)
        if (cost[(size_t)(nb - 1) * m + t] < cost[(size_t)(nb - 1) * m + j]) j = t;
    for (int k = nb - 1; k >= 0; k--) {
        bounds[k + 1] = 0.5 * (v->p[j].start + v->p[j].end);
        j = from[(size_t)k * m + j];
    }
    free(cost);
    free(from);
    free(e);
    return 1;
}

void sr_vsync_free(sr_vsync *v)
{
    if (!v) return;
    free(v->p);
    free(v);
}
