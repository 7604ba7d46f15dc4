/* encode.c - libavcodec/libavformat encoders (see encode.h). Following
 * FFmpeg's doc/examples/mux.c: one codec context per stream, packets
 * rescaled to the stream's time base and written with
 * av_interleaved_write_frame. The formats differ only by the rows of two
 * tables: the video codecs and the audio codec of each container. */
#include "render/encode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "render/afeed.h"
#include "render/audio/audio.h"
#include "render/format.h"

/* one output file: a muxer and its streams */
typedef struct out_file {
    AVFormatContext *oc;
    const char *path;
    int header_written;
    sr_afeed *feed; /* the packets go there instead (oc only holds the streams) */
} out_file;

/* one audio encoder fed from a FIFO (planar or interleaved float) */
typedef struct aenc {
    AVCodecContext *cc;
    AVStream *st;
    out_file *of;
    AVAudioFifo *fifo;
    int64_t pts;
} aenc;

/* GIF: YUV -> RGB24 -> 256 colours, a palette per frame */
#define GIF_BINS 32768 /* 5 bits per channel */
typedef struct gif_q {
    struct SwsContext *sws;
    uint8_t *rgb;
    int rgb_ls;
    AVFrame *pal;
    uint32_t *cnt, *sum; /* per bin: count, and r, g, b sums */
    uint16_t *used;      /* bins with pixels */
    uint8_t *map;        /* bin -> palette index */
} gif_q;

struct sr_encoder {
    out_file main, mp3;
    AVCodecContext *venc;
    AVStream *vst;
    aenc aud, lame; /* the main file's audio; the side MP3 */
    AVPacket *pkt;
    int64_t audio_in;
    float *plane[2]; /* deinterleave scratch */
    gif_q *gif;
};

#define SCRATCH 4096

/* ------------------------------------------------------------------ tables */

static const struct vc_info {
    const char *encoder, *label;
    enum AVPixelFormat pix;
} vcs[SR_VC__COUNT] = {
    [SR_VC_H264] = {"libx264", "H.264", AV_PIX_FMT_YUV420P},
    [SR_VC_H265] = {"libx265", "H.265", AV_PIX_FMT_YUV420P},
    [SR_VC_VP9] = {"libvpx-vp9", "VP9", AV_PIX_FMT_YUV420P},
    [SR_VC_AV1] = {"libsvtav1", "AV1", AV_PIX_FMT_YUV420P},
    [SR_VC_GIF] = {"gif", "GIF", AV_PIX_FMT_PAL8},
    [SR_VC_NONE] = {NULL, NULL, AV_PIX_FMT_NONE},
};

static const struct fmt_enc {
    const char *muxer, *aencoder; /* aencoder NULL: no audio */
    enum AVSampleFormat afmt;
    int faststart;
} fencs[SR_FMT__COUNT] = {
    [SR_FMT_MP4] = {"mp4", "aac", AV_SAMPLE_FMT_FLTP, 1},
    [SR_FMT_WEBM] = {"webm", "libopus", AV_SAMPLE_FMT_FLT, 0},
    [SR_FMT_GIF] = {"gif", NULL, AV_SAMPLE_FMT_NONE, 0},
    [SR_FMT_MP3] = {"mp3", "libmp3lame", AV_SAMPLE_FMT_FLTP, 0},
};

/* The codec's private options: quality (CRF mapped from x264's 0..51 scale
 * to the 0..63 of VP9 and SVT-AV1: 23 -> 31) and speed. */
static void video_opts(int vc, const sr_enc_cfg *cfg, AVDictionary **o)
{
    char crf[16];
    int q63 = (int)lrint(cfg->crf * 31.0 / 23.0);
    snprintf(crf, sizeof crf, "%d",
             vc == SR_VC_VP9 || vc == SR_VC_AV1 ? (q63 > 63 ? 63 : q63) : cfg->crf);
    switch (vc) {
    case SR_VC_H264:
        av_dict_set(o, "preset", cfg->preset ? cfg->preset : "veryfast", 0);
        av_dict_set(o, "crf", crf, 0);
        break;
    case SR_VC_H265:
        av_dict_set(o, "preset", cfg->preset ? cfg->preset : "veryfast", 0);
        av_dict_set(o, "crf", crf, 0);
        av_dict_set(o, "x265-params", "log-level=error", 0);
        break;
    case SR_VC_VP9:
        av_dict_set(o, "crf", crf, 0);
        av_dict_set(o, "b", "0", 0); /* constant quality */
        av_dict_set(o, "deadline", "good", 0);
        av_dict_set(o, "cpu-used", "5", 0);
        av_dict_set(o, "row-mt", "1", 0);
        break;
    case SR_VC_AV1:
        av_dict_set(o, "crf", crf, 0);
        av_dict_set(o, "preset", "10", 0);
        break;
    case SR_VC_GIF:
        /* per-frame palettes: the offsetting/transdiff optimisations compare
         * palette indices across frames, which is wrong when palettes differ */
        av_dict_set(o, "gifflags", "0", 0);
        break;
    }
}

/* ----------------------------------------------------------------- helpers */

static int enc_err(sr_err *err, int code, const char *what, int averr)
{
    char buf[128];
    av_strerror(averr, buf, sizeof buf);
    return sr_err_set(err, code, "output", "%s failed: %s.", what, buf);
}

static int open_file(out_file *of, const char *fmt, const char *path, sr_err *err)
{
    of->path = path;
    int r = avformat_alloc_output_context2(&of->oc, NULL, fmt, path);
    if (r < 0 || !of->oc) return enc_err(err, SR_EENCODE, "Creating the output container", r);
    r = avio_open(&of->oc->pb, path, AVIO_FLAG_WRITE);
    if (r < 0) return sr_err_set(err, SR_EIO, path, "The file %s cannot be written.", path);
    return 0;
}

/* Sends everything cc has ready to the muxer. */
static int drain(AVCodecContext *cc, AVStream *st, out_file *of, AVPacket *pkt, sr_err *err)
{
    for (;;) {
        int r = avcodec_receive_packet(cc, pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return 0;
        if (r < 0) return enc_err(err, SR_EENCODE, "Encoding", r);
        av_packet_rescale_ts(pkt, cc->time_base, st->time_base);
        pkt->stream_index = st->index;
        if (of->feed) {
            r = sr_afeed_put(of->feed, pkt, err);
            av_packet_unref(pkt);
            if (r) return r;
            continue;
        }
        r = av_interleaved_write_frame(of->oc, pkt);
        if (r < 0) return sr_err_set(err, SR_EIO, of->path, "Writing %s failed.", of->path);
    }
}

static int open_audio(aenc *a, out_file *of, const char *name, enum AVSampleFormat sfmt,
                      int bitrate, sr_err *err)
{
    const AVCodec *codec = avcodec_find_encoder_by_name(name);
    if (!codec)
        return sr_err_set(err, SR_EENCODE, "output.format",
                          "The audio encoder %s is not available.", name);
    a->of = of;
    a->cc = avcodec_alloc_context3(codec);
    a->st = avformat_new_stream(of->oc, NULL);
    if (!a->cc || !a->st) return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    AVCodecContext *c = a->cc;
    c->sample_fmt = sfmt;
    c->sample_rate = SR_AUDIO_RATE;
    c->bit_rate = bitrate;
    av_channel_layout_default(&c->ch_layout, SR_AUDIO_CHANNELS);
    c->time_base = (AVRational){1, SR_AUDIO_RATE};
    if (of->oc->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int r = avcodec_open2(c, codec, NULL);
    if (r < 0) return enc_err(err, SR_EENCODE, "Opening the audio encoder", r);
    avcodec_parameters_from_context(a->st->codecpar, c);
    a->st->time_base = c->time_base;
    a->fifo =
        av_audio_fifo_alloc(sfmt, SR_AUDIO_CHANNELS, c->frame_size > 0 ? c->frame_size * 2 : 4096);
    if (!a->fifo) return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    return 0;
}

/* Encodes full frames from the FIFO (and, when flush, the last partial one). */
static int audio_pump(aenc *a, AVPacket *pkt, int flush, sr_err *err)
{
    int fs = a->cc->frame_size > 0 ? a->cc->frame_size : 1024;
    while (av_audio_fifo_size(a->fifo) >= fs || (flush && av_audio_fifo_size(a->fifo) > 0)) {
        int n = av_audio_fifo_size(a->fifo) < fs ? av_audio_fifo_size(a->fifo) : fs;
        AVFrame *f = av_frame_alloc();
        if (!f) return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
        /* an encoder that cannot take a short last frame gets it padded with silence */
        int caps = a->cc->codec->capabilities;
        f->nb_samples =
            caps & (AV_CODEC_CAP_VARIABLE_FRAME_SIZE | AV_CODEC_CAP_SMALL_LAST_FRAME) ? n : fs;
        f->format = a->cc->sample_fmt;
        f->sample_rate = a->cc->sample_rate;
        av_channel_layout_copy(&f->ch_layout, &a->cc->ch_layout);
        int r = av_frame_get_buffer(f, 0);
        if (r >= 0) {
            if (n < f->nb_samples)
                av_samples_set_silence(f->data, 0, f->nb_samples, SR_AUDIO_CHANNELS,
                                       a->cc->sample_fmt);
            av_audio_fifo_read(a->fifo, (void **)f->data, n);
            f->pts = a->pts;
            a->pts += n;
            r = avcodec_send_frame(a->cc, f);
        }
        av_frame_free(&f);
        if (r < 0) return enc_err(err, SR_EENCODE, "Encoding audio", r);
        if ((r = drain(a->cc, a->st, a->of, pkt, err))) return r;
    }
    return 0;
}

static int write_header(out_file *of, int faststart, sr_err *err)
{
    AVDictionary *o = NULL;
    if (faststart) av_dict_set(&o, "movflags", "+faststart", 0);
    int r = avformat_write_header(of->oc, &o);
    av_dict_free(&o);
    if (r < 0) return enc_err(err, SR_EENCODE, "Writing the container header", r);
    of->header_written = 1;
    return 0;
}

/* --------------------------------------------------------------------- GIF */

static void gif_free(gif_q *g)
{
    if (!g) return;
    sws_freeContext(g->sws);
    av_free(g->rgb);
    av_frame_free(&g->pal);
    free(g->cnt);
    free(g->sum);
    free(g->used);
    free(g->map);
    free(g);
}

static int gif_open(sr_encoder *e, int w, int h, sr_err *err)
{
    gif_q *g = e->gif = calloc(1, sizeof *g);
    if (!g) return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    g->rgb_ls = FFALIGN(w * 3, 64);
    g->rgb = av_malloc((size_t)g->rgb_ls * h);
    g->pal = av_frame_alloc();
    g->cnt = calloc(GIF_BINS, sizeof *g->cnt);
    g->sum = calloc(GIF_BINS * 3, sizeof *g->sum);
    g->used = calloc(GIF_BINS, sizeof *g->used);
    g->map = calloc(GIF_BINS, 1);
    g->sws = sws_getContext(w, h, AV_PIX_FMT_YUV420P, w, h, AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL,
                            NULL, NULL);
    if (!g->rgb || !g->pal || !g->cnt || !g->sum || !g->used || !g->map || !g->sws)
        return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    sws_setColorspaceDetails(g->sws, sws_getCoefficients(SWS_CS_ITU709), 0,
                             sws_getCoefficients(SWS_CS_ITU709), 1, 0, 1 << 16, 1 << 16);
    g->pal->format = AV_PIX_FMT_PAL8;
    g->pal->width = w;
    g->pal->height = h;
    if (av_frame_get_buffer(g->pal, 0) < 0)
        return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    return 0;
}

/* The up to 256 most used bins of g, most used first, into top (an
 * insertion into a sorted top list: a frame uses few bins). */
static int top_bins(const gif_q *g, int nused, uint16_t *top)
{
    int n = 0;
    for (int i = 0; i < nused; i++) {
        uint16_t b = g->used[i];
        if (n == 256 && g->cnt[b] <= g->cnt[top[255]]) continue;
        int j = n < 256 ? n++ : 255;
        while (j > 0 && g->cnt[top[j - 1]] < g->cnt[b]) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = b;
    }
    return n;
}

/* Converts f to 256 colours in g->pal: a 15-bit histogram, the 256 most used
 * colours (each the mean of its bin) as the palette, every bin mapped to its
 * nearest palette entry. Exact for flat colours; gradients are banded. */
static int gif_quantise(gif_q *g, const AVFrame *f, sr_err *err)
{
    int w = f->width, h = f->height;
    if (av_frame_make_writable(g->pal) < 0)
        return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    uint8_t *dst[4] = {g->rgb};
    int dls[4] = {g->rgb_ls};
    sws_scale(g->sws, (const uint8_t *const *)f->data, f->linesize, 0, h, dst, dls);
    int nused = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *p = g->rgb + (size_t)y * g->rgb_ls;
        for (int x = 0; x < w; x++, p += 3) {
            int b = (p[0] >> 3) << 10 | (p[1] >> 3) << 5 | p[2] >> 3;
            if (!g->cnt[b]++) g->used[nused++] = (uint16_t)b;
            g->sum[3 * b] += p[0];
            g->sum[3 * b + 1] += p[1];
            g->sum[3 * b + 2] += p[2];
        }
    }
    uint16_t top[256];
    int n = top_bins(g, nused, top);
    uint32_t *pal = (uint32_t *)(void *)g->pal->data[1];
    int pr[256], pg[256], pb[256];
    for (int i = 0; i < 256; i++) {
        if (i < n) {
            uint32_t c = g->cnt[top[i]];
            pr[i] = (int)((g->sum[3 * top[i]] + c / 2) / c);
            pg[i] = (int)((g->sum[3 * top[i] + 1] + c / 2) / c);
            pb[i] = (int)((g->sum[3 * top[i] + 2] + c / 2) / c);
        } else
            pr[i] = pg[i] = pb[i] = 0;
        pal[i] = 0xFFu << 24 | (uint32_t)pr[i] << 16 | (uint32_t)pg[i] << 8 | (uint32_t)pb[i];
    }
    for (int i = 0; i < nused; i++) {
        int b = g->used[i];
        int r = (int)(g->sum[3 * b] / g->cnt[b]), gg = (int)(g->sum[3 * b + 1] / g->cnt[b]),
            bb = (int)(g->sum[3 * b + 2] / g->cnt[b]);
        int best = 0, bd = 1 << 30;
        for (int k = 0; k < n && bd; k++) {
            int d = (r - pr[k]) * (r - pr[k]) + (gg - pg[k]) * (gg - pg[k]) +
                    (bb - pb[k]) * (bb - pb[k]);
            if (d < bd) bd = d, best = k;
        }
        g->map[b] = (uint8_t)best;
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *p = g->rgb + (size_t)y * g->rgb_ls;
        uint8_t *o = g->pal->data[0] + (size_t)y * g->pal->linesize[0];
        for (int x = 0; x < w; x++, p += 3)
            o[x] = g->map[(p[0] >> 3) << 10 | (p[1] >> 3) << 5 | p[2] >> 3];
    }
    for (int i = 0; i < nused; i++) { /* reset only what was used */
        int b = g->used[i];
        g->cnt[b] = g->sum[3 * b] = g->sum[3 * b + 1] = g->sum[3 * b + 2] = 0;
    }
    return 0;
}

/* -------------------------------------------------------------------- open */

static int open_video(sr_encoder *e, const sr_enc_cfg *cfg, sr_err *err)
{
    const struct vc_info *vi = &vcs[cfg->vcodec];
    const AVCodec *codec = avcodec_find_encoder_by_name(vi->encoder);
    if (!codec)
        return sr_err_set(err, SR_EENCODE, "output.videoCodec",
                          "The %s encoder (%s) is not available.", vi->label, vi->encoder);
    e->venc = avcodec_alloc_context3(codec);
    e->vst = avformat_new_stream(e->main.oc, NULL);
    if (!e->venc || !e->vst) return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    AVRational fr = {cfg->fps_num, cfg->fps_den};
    double fps = av_q2d(fr);
    AVCodecContext *v = e->venc;
    v->width = cfg->w;
    v->height = cfg->h;
    v->time_base = av_inv_q(fr);
    v->framerate = fr;
    v->pix_fmt = vi->pix;
    v->gop_size = (int)lrint(2 * fps) < 1 ? 1 : (int)lrint(2 * fps);
    if (cfg->vcodec != SR_VC_GIF) {
        v->color_primaries = AVCOL_PRI_BT709;
        v->color_trc = AVCOL_TRC_BT709;
        v->colorspace = AVCOL_SPC_BT709;
        v->color_range = AVCOL_RANGE_MPEG;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (cfg->vcodec == SR_VC_H264) {
        /* x264's sliced threads (each frame cut into slices encoded at once),
         * not its frame threads, which keep more frames in flight (the
         * threads' own and a threaded lookahead's): story60's peak is 246 MB
         * instead of 304, its wall time longer on 2 cores, where each frame
         * waits for its slowest slice (make bench; bench/README.md). Two
         * slices per core, so that the compositor's share of a core leaves no
         * slice waiting; at most 8 (each slice costs a little compression). */
        v->thread_type = FF_THREAD_SLICE;
        v->thread_count = ncpu < 1 ? 2 : ncpu > 4 ? 8 : 2 * (int)ncpu;
    } else {
        /* one encoder thread per core: the compositor wants a share too */
        v->thread_count = ncpu < 2 ? 2 : ncpu > 16 ? 16 : (int)ncpu;
    }
    if (cfg->threads > 0) v->thread_count = cfg->threads > 16 ? 16 : cfg->threads;
    if (e->main.oc->oformat->flags & AVFMT_GLOBALHEADER) v->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *vo = NULL;
    video_opts(cfg->vcodec, cfg, &vo);
    int r = avcodec_open2(v, codec, &vo);
    av_dict_free(&vo);
    if (r < 0) {
        char what[64];
        snprintf(what, sizeof what, "Opening the %s encoder", vi->label);
        return enc_err(err, SR_EENCODE, what, r);
    }
    avcodec_parameters_from_context(e->vst->codecpar, v);
    if (cfg->vcodec == SR_VC_H265)
        e->vst->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1'); /* plays on Apple */
    e->vst->time_base = v->time_base;
    e->vst->avg_frame_rate = fr;
    e->vst->r_frame_rate = fr;
    if (cfg->vcodec == SR_VC_GIF) return gif_open(e, cfg->w, cfg->h, err);
    return 0;
}

int sr_encoder_open(sr_encoder **out, const sr_enc_cfg *cfg, sr_err *err)
{
    int rc = 0;
    *out = NULL;
    if (cfg->format < 0 || cfg->format >= SR_FMT__COUNT || cfg->vcodec < 0 ||
        cfg->vcodec >= SR_VC__COUNT)
        return sr_err_set(err, SR_EINVALID_FIELD, "output.format", "Unknown output format.");
    const struct fmt_enc *fe = &fencs[cfg->format];
    sr_encoder *e = calloc(1, sizeof *e);
    if (!e) return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    e->pkt = av_packet_alloc();
    e->plane[0] = malloc(sizeof(float) * SCRATCH * 2);
    if (!e->pkt || !e->plane[0]) {
        rc = sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
        goto fail;
    }
    e->plane[1] = e->plane[0] + SCRATCH;
    int abr = cfg->format == SR_FMT_MP3 ? cfg->mp3_bitrate : cfg->audio_bitrate;
    if (cfg->audio_feed) { /* the muxer's streams only, for the packets' parameters and time base */
        if (cfg->format != SR_FMT_MP4 || cfg->vcodec != SR_VC_NONE) {
            rc = sr_err_set(err, SR_EINTERNAL, "output", "An audio feed takes MP4 audio alone.");
            goto fail;
        }
        int r = avformat_alloc_output_context2(&e->main.oc, NULL, fe->muxer, NULL);
        if (r < 0 || !e->main.oc) {
            rc = enc_err(err, SR_EENCODE, "Creating the audio stream", r);
            goto fail;
        }
        e->main.path = "audio";
        e->main.feed = cfg->audio_feed;
        if ((rc = open_audio(&e->aud, &e->main, fe->aencoder, fe->afmt, abr, err)) ||
            (rc = sr_afeed_start(cfg->audio_feed, e->aud.st->codecpar, e->aud.st->time_base.num,
                                 e->aud.st->time_base.den, err)))
            goto fail;
    } else {
        if ((rc = open_file(&e->main, fe->muxer, cfg->path, err))) goto fail;
        if (cfg->vcodec != SR_VC_NONE && (rc = open_video(e, cfg, err))) goto fail;
        if (fe->aencoder && !cfg->segment &&
            (rc = open_audio(&e->aud, &e->main, fe->aencoder, fe->afmt, abr, err)))
            goto fail;
        if ((rc = write_header(&e->main, fe->faststart && !cfg->segment, err))) goto fail;
    }
    if (cfg->mp3_path) {
        if ((rc = open_file(&e->mp3, "mp3", cfg->mp3_path, err)) ||
            (rc = open_audio(&e->lame, &e->mp3, "libmp3lame", AV_SAMPLE_FMT_FLTP, cfg->mp3_bitrate,
                             err)) ||
            (rc = write_header(&e->mp3, 0, err)))
            goto fail;
    }
    *out = e;
    return 0;
fail:
    sr_encoder_destroy(e);
    return rc;
}

/* ------------------------------------------------------------------ encode */

int sr_encoder_video(sr_encoder *e, AVFrame *f, int64_t idx, sr_err *err)
{
    if (!e->venc) return 0;
    int r;
    if (e->gif) {
        if ((r = gif_quantise(e->gif, f, err))) return r;
        f = e->gif->pal;
    }
    f->pts = idx;
    r = avcodec_send_frame(e->venc, f);
    if (r < 0) return enc_err(err, SR_EENCODE, "Encoding video", r);
    return drain(e->venc, e->vst, &e->main, e->pkt, err);
}

int sr_encoder_audio(sr_encoder *e, const float *buf, int n, sr_err *err)
{
    int rc;
    while (n > 0) {
        int k = n < SCRATCH ? n : SCRATCH;
        for (int i = 0; i < k; i++) {
            e->plane[0][i] = buf[2 * i];
            e->plane[1][i] = buf[2 * i + 1];
        }
        aenc *encs[2] = {&e->aud, &e->lame};
        for (int j = 0; j < 2; j++) {
            if (!encs[j]->cc) continue;
            void *inter[1] = {(void *)(uintptr_t)buf};
            void **src =
                av_sample_fmt_is_planar(encs[j]->cc->sample_fmt) ? (void **)e->plane : inter;
            if (av_audio_fifo_write(encs[j]->fifo, src, k) < k)
                return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
            if ((rc = audio_pump(encs[j], e->pkt, 0, err))) return rc;
        }
        buf += 2 * k;
        n -= k;
        e->audio_in += k;
    }
    return 0;
}

int64_t sr_encoder_audio_pos(const sr_encoder *e)
{
    return e->audio_in;
}

static int finish_file(out_file *of, sr_err *err)
{
    if (!of->oc || of->feed) return 0;
    int r = av_write_trailer(of->oc);
    int c = avio_closep(&of->oc->pb);
    if (r < 0 || c < 0) return sr_err_set(err, SR_EIO, of->path, "Finishing %s failed.", of->path);
    return 0;
}

int sr_encoder_finish(sr_encoder *e, sr_err *err)
{
    int rc;
    aenc *encs[2] = {&e->aud, &e->lame};
    for (int j = 0; j < 2; j++) {
        if (!encs[j]->cc) continue;
        if ((rc = audio_pump(encs[j], e->pkt, 1, err))) return rc;
        avcodec_send_frame(encs[j]->cc, NULL);
        if ((rc = drain(encs[j]->cc, encs[j]->st, encs[j]->of, e->pkt, err))) return rc;
    }
    if (e->venc) {
        avcodec_send_frame(e->venc, NULL);
        if ((rc = drain(e->venc, e->vst, &e->main, e->pkt, err))) return rc;
    }
    if ((rc = finish_file(&e->main, err))) return rc;
    return finish_file(&e->mp3, err);
}

static void close_file(out_file *of)
{
    if (!of->oc) return;
    if (of->oc->pb) avio_closep(&of->oc->pb);
    avformat_free_context(of->oc);
    of->oc = NULL;
}

void sr_encoder_destroy(sr_encoder *e)
{
    if (!e) return;
    avcodec_free_context(&e->venc);
    aenc *encs[2] = {&e->aud, &e->lame};
    for (int j = 0; j < 2; j++) {
        avcodec_free_context(&encs[j]->cc);
        if (encs[j]->fifo) av_audio_fifo_free(encs[j]->fifo);
    }
    close_file(&e->main);
    close_file(&e->mp3);
    av_packet_free(&e->pkt);
    free(e->plane[0]);
    gif_free(e->gif);
    free(e);
}

int sr_encode_jpeg(const sr_frame *f, uint8_t **data, int *len, sr_err *err)
{
    int rc = 0, r;
    AVCodecContext *c = NULL;
    AVFrame *j = NULL;
    AVPacket *pkt = NULL;
    struct SwsContext *a = NULL, *b = NULL;
    uint8_t *rgb[4] = {NULL};
    int rgbls[4];
    *data = NULL;
    *len = 0;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec) return sr_err_set(err, SR_EENCODE, "output", "The JPEG encoder is not available.");
    c = avcodec_alloc_context3(codec);
    j = av_frame_alloc();
    pkt = av_packet_alloc();
    if (!c || !j || !pkt || av_image_alloc(rgb, rgbls, f->w, f->h, AV_PIX_FMT_RGB24, 64) < 0) {
        rc = sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
        goto done;
    }
    c->width = f->w;
    c->height = f->h;
    c->pix_fmt = AV_PIX_FMT_YUVJ420P;
    c->time_base = (AVRational){1, 25};
    c->flags |= AV_CODEC_FLAG_QSCALE;
    c->global_quality = FF_QP2LAMBDA * 3;
    if ((r = avcodec_open2(c, codec, NULL)) < 0) {
        rc = enc_err(err, SR_EENCODE, "Opening the JPEG encoder", r);
        goto done;
    }
    j->format = AV_PIX_FMT_YUVJ420P;
    j->width = f->w;
    j->height = f->h;
    if (av_frame_get_buffer(j, 0) < 0) {
        rc = sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
        goto done;
    }
    /* BT.709 limited -> RGB -> BT.601 full range, as JPEG readers expect */
    a = sws_getContext(f->w, f->h, AV_PIX_FMT_YUV420P, f->w, f->h, AV_PIX_FMT_RGB24, SWS_BICUBIC,
                       NULL, NULL, NULL);
    b = sws_getContext(f->w, f->h, AV_PIX_FMT_RGB24, f->w, f->h, AV_PIX_FMT_YUVJ420P, SWS_BICUBIC,
                       NULL, NULL, NULL);
    if (!a || !b) {
        rc = sr_err_set(err, SR_EENCODE, "output", "The thumbnail cannot be converted.");
        goto done;
    }
    sws_setColorspaceDetails(a, sws_getCoefficients(SWS_CS_ITU709), 0,
                             sws_getCoefficients(SWS_CS_ITU709), 1, 0, 1 << 16, 1 << 16);
    sws_setColorspaceDetails(b, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    sws_scale(a, (const uint8_t *const *)f->data, f->linesize, 0, f->h, rgb, rgbls);
    sws_scale(b, (const uint8_t *const *)rgb, rgbls, 0, f->h, j->data, j->linesize);
    j->pts = 0;
    j->quality = c->global_quality;
    j->color_range = AVCOL_RANGE_JPEG;
    if ((r = avcodec_send_frame(c, j)) < 0 || (r = avcodec_send_frame(c, NULL)) < 0 ||
        (r = avcodec_receive_packet(c, pkt)) < 0) {
        rc = enc_err(err, SR_EENCODE, "Encoding the thumbnail", r);
        goto done;
    }
    *data = av_malloc((size_t)pkt->size);
    if (!*data) {
        rc = sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
        goto done;
    }
    memcpy(*data, pkt->data, (size_t)pkt->size);
    *len = pkt->size;
done:
    sws_freeContext(a);
    sws_freeContext(b);
    av_freep(&rgb[0]);
    av_packet_free(&pkt);
    av_frame_free(&j);
    avcodec_free_context(&c);
    return rc;
}
