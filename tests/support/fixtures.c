#include "fixtures.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

char *sr_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/srtest-XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

void sr_test_rmdir(const char *dir)
{
    if (!dir || strlen(dir) < 8 || strstr(dir, "srtest-") == NULL) return;
    sr_test_sh("rm -rf '%s'", dir);
}

const char *sr_test_path(const char *dir, const char *name)
{
    static char slots[8][1024];
    static int next;
    char *s = slots[next++ & 7];
    snprintf(s, 1024, "%s/%s", dir, name);
    return s;
}

static char *vfmt(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *s = malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

int sr_test_sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = vfmt(fmt, ap);
    va_end(ap);
    if (!cmd) return -1;
    fflush(NULL);
    int st = system(cmd);
    free(cmd);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

char *sr_test_sh_out(int *status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = vfmt(fmt, ap);
    va_end(ap);
    if (!cmd) return NULL;
    size_t n = strlen(cmd) + 8;
    char *full = malloc(n);
    snprintf(full, n, "(%s) 2>&1", cmd);
    free(cmd);
    fflush(NULL);
    FILE *p = popen(full, "r");
    free(full);
    if (!p) return NULL;
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    size_t r;
    while (out && (r = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += r;
        if (cap - len < 2) {
            cap *= 2;
            out = realloc(out, cap);
        }
    }
    int st = pclose(p);
    if (out) out[len] = 0;
    if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return out;
}

static void put_le(FILE *f, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) fputc((v >> (8 * i)) & 0xFF, f);
}

int sr_test_write_wav(const char *path, int rate, int channels, double seconds, double freq, double amp)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    uint32_t n = (uint32_t)(seconds * rate + 0.5);
    uint32_t data = n * (uint32_t)channels * 2;
    fwrite("RIFF", 1, 4, f);
    put_le(f, 36 + data, 4);
    fwrite("WAVEfmt ", 1, 8, f);
    put_le(f, 16, 4);
    put_le(f, 1, 2);
    put_le(f, (uint32_t)channels, 2);
    put_le(f, (uint32_t)rate, 4);
    put_le(f, (uint32_t)(rate * channels * 2), 4);
    put_le(f, (uint32_t)(channels * 2), 2);
    put_le(f, 16, 2);
    fwrite("data", 1, 4, f);
    put_le(f, data, 4);
    for (uint32_t i = 0; i < n; i++) {
        double v = freq > 0 ? amp * sin(2 * M_PI * freq * i / rate) : 0;
        int16_t s = (int16_t)lrint(v * 32767);
        for (int c = 0; c < channels; c++) put_le(f, (uint16_t)s, 2);
    }
    return fclose(f) == 0 ? 0 : -1;
}

int sr_test_write_image(const char *path, int w, int h, uint8_t r, uint8_t g, uint8_t b, uint8_t a)
{
    size_t n = strlen(path);
    int png = n > 4 && strcmp(path + n - 4, ".png") == 0;
    if (png)
        return sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i color=c=0x%02x%02x%02x:s=%dx%d,format=rgba,"
                          "colorchannelmixer=aa=%.4f -frames:v 1 '%s'",
                          r, g, b, w, h, a / 255.0, path);
    return sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i color=c=0x%02x%02x%02x:s=%dx%d -frames:v 1 "
                      "-q:v 2 '%s'",
                      r, g, b, w, h, path);
}

int sr_test_write_video(const char *path, int w, int h, double fps, double seconds, const char *color,
                        int with_audio)
{
    char src[256];
    if (color)
        snprintf(src, sizeof src, "color=c=%s:s=%dx%d:r=%g:d=%g", color, w, h, fps, seconds);
    else
        snprintf(src, sizeof src, "testsrc2=s=%dx%d:r=%g:d=%g", w, h, fps, seconds);
    if (with_audio)
        return sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i %s -f lavfi -i sine=f=440:d=%g -c:v libx264 "
                          "-preset ultrafast -pix_fmt yuv420p -c:a aac -shortest '%s'",
                          src, seconds, path);
    return sr_test_sh("ffmpeg -loglevel error -y -f lavfi -i %s -c:v libx264 -preset ultrafast -pix_fmt "
                      "yuv420p '%s'",
                      src, path);
}

/* Opens path and a decoder for its best stream of type; 0 on success. */
static int open_dec(const char *path, enum AVMediaType type, AVFormatContext **fc, AVCodecContext **cc,
                    int *si)
{
    *fc = NULL;
    *cc = NULL;
    if (avformat_open_input(fc, path, NULL, NULL) < 0) return -1;
    if (avformat_find_stream_info(*fc, NULL) < 0) goto fail;
    const AVCodec *dec = NULL;
    *si = av_find_best_stream(*fc, type, -1, -1, &dec, 0);
    if (*si < 0 || !dec) goto fail;
    *cc = avcodec_alloc_context3(dec);
    if (!*cc || avcodec_parameters_to_context(*cc, (*fc)->streams[*si]->codecpar) < 0) goto fail;
    if (avcodec_open2(*cc, dec, NULL) < 0) goto fail;
    return 0;
fail:
    avcodec_free_context(cc);
    avformat_close_input(fc);
    return -1;
}

sr_frame *sr_test_decode_frame(const char *path, double t)
{
    AVFormatContext *fc;
    AVCodecContext *cc;
    int si;
    if (open_dec(path, AVMEDIA_TYPE_VIDEO, &fc, &cc, &si)) return NULL;
    AVStream *st = fc->streams[si];
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc(), *best = av_frame_alloc();
    int have = 0, done = 0;
    double start = st->start_time != AV_NOPTS_VALUE ? st->start_time * av_q2d(st->time_base) : 0;
    while (!done) {
        int r = av_read_frame(fc, pkt);
        if (r < 0) avcodec_send_packet(cc, NULL);
        else if (pkt->stream_index == si) avcodec_send_packet(cc, pkt);
        if (r >= 0) av_packet_unref(pkt);
        for (;;) {
            int d = avcodec_receive_frame(cc, fr);
            if (d == AVERROR_EOF) {
                done = 1;
                break;
            }
            if (d < 0) break;
            double ft = (fr->best_effort_timestamp == AV_NOPTS_VALUE ? 0 : fr->best_effort_timestamp) *
                            av_q2d(st->time_base) - start;
            if (ft <= t + 1e-6 || !have) {
                av_frame_unref(best);
                av_frame_move_ref(best, fr);
                have = 1;
            } else {
                done = 1;
                av_frame_unref(fr);
                break;
            }
        }
        if (r < 0 && !done) {
            /* drained decoder returned EAGAIN: nothing more */
            if (avcodec_receive_frame(cc, fr) < 0) done = 1;
        }
    }
    sr_frame *out = NULL;
    if (have) {
        out = sr_frame_alloc(best->width & ~1, best->height & ~1);
        struct SwsContext *sws = out ? sws_getContext(best->width, best->height, best->format, out->w, out->h,
                                                      AV_PIX_FMT_YUV420P, SWS_POINT, NULL, NULL, NULL)
                                     : NULL;
        if (sws) {
            sws_scale(sws, (const uint8_t *const *)best->data, best->linesize, 0, best->height, out->data,
                      out->linesize);
            sws_freeContext(sws);
        } else {
            sr_frame_free(out);
            out = NULL;
        }
    }
    av_frame_free(&fr);
    av_frame_free(&best);
    av_packet_free(&pkt);
    avcodec_free_context(&cc);
    avformat_close_input(&fc);
    return out;
}

/* Calls fn(ud, sample, t) for every mono sample between t0 and t1; returns the sample rate or -1. */
static int audio_visit(const char *path, double t0, double t1, void (*fn)(void *ud, float s, double t), void *ud);

typedef struct rms_acc {
    double sum;
    long n;
} rms_acc;
static void rms_fn(void *ud, float s, double t)
{
    (void)t;
    rms_acc *a = ud;
    a->sum += (double)s * s;
    a->n++;
}

double sr_test_audio_rms(const char *path, double t0, double t1)
{
    rms_acc a = {0, 0};
    if (audio_visit(path, t0, t1, rms_fn, &a) < 0 || !a.n) return -1;
    return sqrt(a.sum / a.n);
}

typedef struct tone_acc {
    double re, im;
    double freq;
    long n;
} tone_acc;
static void tone_fn(void *ud, float s, double t)
{
    tone_acc *a = ud;
    a->re += s * cos(2 * M_PI * a->freq * t);
    a->im += s * sin(2 * M_PI * a->freq * t);
    a->n++;
}

double sr_test_audio_tone(const char *path, double t0, double t1, double freq)
{
    tone_acc a = {0, 0, freq, 0};
    if (audio_visit(path, t0, t1, tone_fn, &a) < 0 || !a.n) return -1;
    return 2 * sqrt(a.re * a.re + a.im * a.im) / a.n;
}

static int audio_visit(const char *path, double t0, double t1, void (*fn)(void *ud, float s, double t), void *ud)
{
    AVFormatContext *fc;
    AVCodecContext *cc;
    int si;
    if (open_dec(path, AVMEDIA_TYPE_AUDIO, &fc, &cc, &si)) return -1;
    AVStream *st = fc->streams[si];
    int rate = cc->sample_rate;
    SwrContext *swr = NULL;
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    if (swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, cc->sample_rate, &cc->ch_layout, cc->sample_fmt,
                            cc->sample_rate, 0, NULL) < 0 ||
        swr_init(swr) < 0) {
        swr_free(&swr);
        avcodec_free_context(&cc);
        avformat_close_input(&fc);
        return -1;
    }
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    int64_t pos = -1; /* sample index of the next converted sample */
    double start = st->start_time != AV_NOPTS_VALUE ? st->start_time * av_q2d(st->time_base) : 0;
    int eof = 0;
    float buf[8192];
    while (!eof) {
        int r = av_read_frame(fc, pkt);
        if (r < 0) {
            avcodec_send_packet(cc, NULL);
            eof = 1;
        } else if (pkt->stream_index == si) {
            avcodec_send_packet(cc, pkt);
        }
        if (r >= 0) av_packet_unref(pkt);
        while (avcodec_receive_frame(cc, fr) == 0) {
            if (pos < 0) {
                double ft = fr->pts == AV_NOPTS_VALUE ? 0 : fr->pts * av_q2d(st->time_base) - start;
                pos = (int64_t)llround((ft < 0 ? 0 : ft) * cc->sample_rate);
            }
            int left = fr->nb_samples;
            const uint8_t **in = (const uint8_t **)fr->extended_data;
            while (left > 0 || in) {
                uint8_t *o = (uint8_t *)buf;
                int got = swr_convert(swr, &o, 8192, in, in ? left : 0);
                in = NULL;
                left = 0;
                if (got <= 0) break;
                for (int i = 0; i < got; i++, pos++) {
                    double tt = (double)pos / cc->sample_rate;
                    if (tt >= t0 && tt < t1) fn(ud, buf[i], tt);
                }
            }
            av_frame_unref(fr);
        }
    }
    av_frame_free(&fr);
    av_packet_free(&pkt);
    swr_free(&swr);
    avcodec_free_context(&cc);
    avformat_close_input(&fc);
    return rate;
}

double sr_test_media_duration(const char *path)
{
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0) return -1;
    double d = -1;
    if (avformat_find_stream_info(fc, NULL) >= 0 && fc->duration > 0) d = fc->duration / (double)AV_TIME_BASE;
    avformat_close_input(&fc);
    return d;
}

char *sr_test_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b) b[n] = 0;
    fclose(f);
    return b;
}

double sr_test_num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

const char *sr_test_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int sr_test_find(const json_t *rp, const char *et, const char *ty, const json_t **out, int max)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(rp, "elements"), i, e)
    {
        const char *t = sr_test_str(e, "type");
        if (strcmp(sr_test_str(e, "elementType"), et) || (ty && (!t || strcmp(t, ty)))) continue;
        if (n < max) out[n] = e;
        n++;
    }
    return n;
}

sr_test_box sr_test_find_px(const sr_frame *f, int (*pred)(const uint8_t rgb[3]))
{
    sr_test_box b = {f->w, f->h, -1, -1, 0};
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            uint8_t c[3];
            sr_frame_get_rgb(f, x, y, c);
            if (!pred(c)) continue;
            b.n++;
            if (x < b.x0) b.x0 = x;
            if (x > b.x1) b.x1 = x;
            if (y < b.y0) b.y0 = y;
            if (y > b.y1) b.y1 = y;
        }
    return b;
}

/* Labels the 4-connected components of mask (w x h, 1 = set) into lab
 * (1-based; 0 = none); returns the component count, -1 when out of memory. */
static int label(const uint8_t *mask, int w, int h, int *lab)
{
    int n = 0;
    int *stack = malloc((size_t)w * h * sizeof *stack);
    if (!stack) return -1;
    memset(lab, 0, (size_t)w * h * sizeof *lab);
    for (int i = 0; i < w * h; i++) {
        if (!mask[i] || lab[i]) continue;
        int sp = 0;
        stack[sp++] = i;
        lab[i] = ++n;
        while (sp) {
            int p = stack[--sp], x = p % w, y = p / w;
            const int nb[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
            for (int k = 0; k < 4; k++) {
                int xx = x + nb[k][0], yy = y + nb[k][1];
                if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                int q = yy * w + xx;
                if (mask[q] && !lab[q]) {
                    lab[q] = n;
                    stack[sp++] = q;
                }
            }
        }
    }
    free(stack);
    return n;
}

int sr_test_dark_rings(const sr_frame *f, const uint8_t *mask, double *worst)
{
    const int W = f->w, H = f->h;
    int *lab = malloc((size_t)W * H * sizeof *lab);
    int n = lab ? label(mask, W, H, lab) : -1;
    long *ring = n >= 0 ? calloc((size_t)n + 1, sizeof *ring) : NULL;
    long *dark = n >= 0 ? calloc((size_t)n + 1, sizeof *dark) : NULL;
    long *size = n >= 0 ? calloc((size_t)n + 1, sizeof *size) : NULL;
    int checked = -1;
    if (!ring || !dark || !size) goto done;
    for (int y = 3; y < H - 3; y++)
        for (int x = 3; x < W - 3; x++) {
            if (lab[y * W + x]) {
                size[lab[y * W + x]]++;
                continue;
            }
            /* the glyphs within 3 px (8 at most): a dark pixel counts for each; ring: within 1 px */
            uint8_t c[3];
            sr_frame_get_rgb(f, x, y, c);
            int ls[8], md[8], nl = 0, isdark = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] < 80;
            for (int dy = -3; dy <= 3; dy++)
                for (int dx = -3; dx <= 3; dx++) {
                    int l = lab[(y + dy) * W + x + dx], q = 0, d = abs(dx) > abs(dy) ? abs(dx) : abs(dy);
                    if (!l) continue;
                    while (q < nl && ls[q] != l) q++;
                    if (q == nl && nl < 8) {
                        ls[nl] = l;
                        md[nl++] = d;
                    } else if (q < nl && d < md[q]) {
                        md[q] = d;
                    }
                }
            for (int q = 0; q < nl; q++) {
                ring[ls[q]] += md[q] <= 1;
                dark[ls[q]] += isdark;
            }
        }
    checked = 0;
    *worst = 1e9;
    for (int k = 1; k <= n; k++) {
        if (size[k] < 8 || ring[k] < 8) continue; /* specks of anti-aliasing */
        checked++;
        if ((double)dark[k] / ring[k] < *worst) *worst = (double)dark[k] / ring[k];
    }
    if (!checked) *worst = 0;
done:
    free(lab);
    free(ring);
    free(dark);
    free(size);
    return checked;
}
