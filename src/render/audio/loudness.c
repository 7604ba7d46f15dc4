/* loudness.c - integrated loudness (libebur128) and the limiter (see loudness.h). */
#include "render/audio/loudness.h"

#include <math.h>
#include <stdlib.h>

#include <ebur128.h>

#include "render/audio/audio.h"

#define BLOCK 4096
#define MAX_GAIN_DB 30.0
#define RELEASE_S 0.08

struct sr_limiter {
    double gain, env, rel;
};

int sr_loudness_measure(const json_t *rp, const char *base_dir, double *lufs, sr_err *err)
{
    int rc = 0;
    sr_audio *a = NULL;
    float *buf = malloc(sizeof(float) * BLOCK * SR_AUDIO_CHANNELS);
    ebur128_state *st = ebur128_init(SR_AUDIO_CHANNELS, SR_AUDIO_RATE, EBUR128_MODE_I);
    *lufs = -HUGE_VAL;
    if (!buf || !st) {
        rc = sr_err_set(err, SR_ENOMEM, "output.loudness", "Out of memory.");
        goto done;
    }
    if ((rc = sr_audio_create(&a, rp, base_dir, err))) goto done;
    for (;;) {
        int n = sr_audio_read(a, buf, BLOCK, err);
        if (n < 0) {
            rc = n;
            goto done;
        }
        if (n == 0) break;
        if (ebur128_add_frames_float(st, buf, (size_t)n) != EBUR128_SUCCESS) {
            rc = sr_err_set(err, SR_EINTERNAL, "output.loudness",
                            "The loudness cannot be measured.");
            goto done;
        }
    }
    double l;
    if (ebur128_loudness_global(st, &l) == EBUR128_SUCCESS && isfinite(l)) *lufs = l;
done:
    sr_audio_destroy(a);
    if (st) ebur128_destroy(&st);
    free(buf);
    return rc;
}

double sr_loudness_gain(double lufs, double target)
{
    if (!isfinite(lufs) || !isfinite(target)) return 1.0;
    double db = target - lufs;
    if (db > MAX_GAIN_DB) db = MAX_GAIN_DB;
    return pow(10.0, db / 20.0);
}

sr_limiter *sr_limiter_create(double gain)
{
    sr_limiter *l = malloc(sizeof *l);
    if (!l) return NULL;
    l->gain = gain;
    l->env = 1.0;
    l->rel = 1.0 - exp(-1.0 / (RELEASE_S * SR_AUDIO_RATE));
    return l;
}

void sr_limiter_process(sr_limiter *l, float *buf, int n)
{
    for (int i = 0; i < n; i++) {
        float *s = buf + (size_t)i * SR_AUDIO_CHANNELS;
        double peak = 0;
        for (int c = 0; c < SR_AUDIO_CHANNELS; c++) {
            double v = fabs(s[c] * l->gain);
            if (v > peak) peak = v;
        }
        double need = peak > SR_LIMIT_CEILING ? SR_LIMIT_CEILING / peak : 1.0;
        l->env += (1.0 - l->env) * l->rel; /* release towards unity */
        if (need < l->env) l->env = need;  /* instant attack */
        double g = l->gain * l->env;
        for (int c = 0; c < SR_AUDIO_CHANNELS; c++)
            s[c] = (float)(s[c] * g);
    }
}

void sr_limiter_destroy(sr_limiter *l)
{
    free(l);
}
