/* video.c - streamed video backgrounds (see video.h). */
#include "render/video.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "render/compose.h"
#include "render/media.h"

struct sr_video {
    AVFormatContext *fc;
    AVCodecContext *cc;
    AVPacket *pkt;
    AVFrame *cur, *next; /* the frame shown, and the one decoded after it */
    int have_cur, have_next, eof, dirty;
    int si;
    double tb, t0; /* stream time base and start time (s) */
    double file_dur;
    sr_clip *clips;
    int nclips, clip; /* current clip, -1 before the first seek */
    int loop;
    double total; /* sum of clip lengths */
    struct SwsContext *sws;
    sr_frame *pic;
    char path[512], field[64];
};

void sr_video_close(sr_video *v)
{
    if (!v) return;
    av_frame_free(&v->cur);
    av_frame_free(&v->next);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->cc);
    avformat_close_input(&v->fc);
    sws_freeContext(v->sws);
    sr_frame_free(v->pic);
    free(v->clips);
    free(v);
}

static int bad(sr_video *v, int code, const char *what, sr_err *err)
{
    return sr_err_set(err, code, v->field, "The video %s %s.", v->path, what);
}

int sr_video_open(sr_video **out, const char *path, const char *field, const sr_clip *clips,
                  int nclips, int loop, int W, int H, sr_err *err)
{
    int rc = 0;
    *out = NULL;
    sr_video *v = calloc(1, sizeof *v);
    if (!v) return sr_err_set(err, SR_ENOMEM, field, "Out of memory.");
    snprintf(v->path, sizeof v->path, "%s", sr_media_name(path)); /* for errors */
    snprintf(v->field, sizeof v->field, "%s", field ? field : "");
    v->loop = loop;
    v->clip = -1;
    if ((rc = sr_media_open(&v->fc, path, field, NULL, err))) goto fail;
    const AVCodec *dec = NULL;
    v->si = av_find_best_stream(v->fc, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
    if (v->si < 0 || !dec) {
        rc = bad(v, SR_EMEDIA_INVALID, "holds no video", err);
        goto fail;
    }
    AVStream *s = v->fc->streams[v->si];
    if (s->codecpar->width <= 0 || s->codecpar->height <= 0) {
        rc = bad(v, SR_EMEDIA_INVALID, "holds no readable picture", err);
        goto fail;
    }
    if (s->codecpar->width > SR_MAX_IMAGE_SIDE ||
        s->codecpar->height > SR_MAX_IMAGE_SIDE ||
        (int64_t)s->codecpar->width * s->codecpar->height > SR_MAX_IMAGE_PIXELS) {
        rc = bad(v, SR_ELIMIT, "has an unsupported picture size", err);
        goto fail;
    }
    v->tb = av_q2d(s->time_base);
    v->t0 = s->start_time != AV_NOPTS_VALUE ? s->start_time * v->tb : 0;
    v->file_dur = s->duration != AV_NOPTS_VALUE ? s->duration * v->tb
                  : v->fc->duration > 0        ? v->fc->duration / (double)AV_TIME_BASE
                                               : 0;
    v->cc = avcodec_alloc_context3(dec);
    v->pkt = av_packet_alloc();
    v->cur = av_frame_alloc();
    v->next = av_frame_alloc();
    if (!v->cc || !v->pkt || !v->cur || !v->next) {
        rc = sr_err_set(err, SR_ENOMEM, field, "Out of memory.");
        goto fail;
    }
    avcodec_parameters_to_context(v->cc, s->codecpar);
    v->cc->thread_count = 2;
    v->cc->max_pixels = SR_MAX_IMAGE_PIXELS; /* a frame bigger than its header said is refused */
    if (avcodec_open2(v->cc, dec, NULL) < 0) {
        rc = bad(v, SR_EMEDIA_INVALID, "cannot be decoded", err);
        goto fail;
    }
    /* clips: whole file when none */
    v->nclips = nclips > 0 ? nclips : 1;
    v->clips = calloc((size_t)v->nclips, sizeof *v->clips);
    if (!v->clips) {
        rc = sr_err_set(err, SR_ENOMEM, field, "Out of memory.");
        goto fail;
    }
    for (int i = 0; i < v->nclips; i++) {
        sr_clip c = nclips > 0 ? clips[i] : (sr_clip){0, 0};
        if (c.end <= 0 || (v->file_dur > 0 && c.end > v->file_dur)) c.end = v->file_dur;
        if (c.end <= c.start) c.end = c.start + 1e-3;
        v->clips[i] = c;
        v->total += c.end - c.start;
    }
    int cw, ch;
    sr_scaled_size(s->codecpar->width, s->codecpar->height,
                   sr_cover_scale(s->codecpar->width, s->codecpar->height, W, H), &cw, &ch);
    if (cw < W) cw = W;
    if (ch < H) ch = H;
    v->pic = sr_frame_alloc(cw, ch);
    if (!v->pic) {
        rc = sr_err_set(err, SR_ENOMEM, field, "Out of memory.");
        goto fail;
    }
    *out = v;
    return 0;
fail:
    sr_video_close(v);
    return rc;
}

/* Decodes the next frame into v->next. 0, AVERROR_EOF, or another error. */
static int decode_next(sr_video *v)
{
    for (;;) {
        int r = avcodec_receive_frame(v->cc, v->next);
        if (r == 0) return 0;
        if (r != AVERROR(EAGAIN)) return r;
        r = av_read_frame(v->fc, v->pkt);
        if (r < 0) {
            avcodec_send_packet(v->cc, NULL);
            continue;
        }
        if (v->pkt->stream_index == v->si) r = avcodec_send_packet(v->cc, v->pkt);
        av_packet_unref(v->pkt);
        if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA) return r;
    }
}

static double frame_time(const sr_video *v, const AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
    return ts == AV_NOPTS_VALUE ? 0 : ts * v->tb - v->t0;
}

static int seek_to(sr_video *v, double s)
{
    int64_t ts = (int64_t)((s + v->t0) / v->tb);
    av_seek_frame(v->fc, v->si, ts, AVSEEK_FLAG_BACKWARD);
    avcodec_flush_buffers(v->cc);
    av_frame_unref(v->next);
    v->have_next = 0;
    v->have_cur = 0;
    v->eof = 0;
    return 0;
}

int sr_video_frame(sr_video *v, double t, const sr_frame **pic, sr_err *err)
{
    /* where in the clips t falls */
    double tt = t < 0 ? 0 : t;
    if (v->loop && v->total > 0) tt = fmod(tt, v->total);
    else if (tt >= v->total) tt = v->total - 1e-6;
    int k = 0;
    while (k < v->nclips - 1 && tt >= v->clips[k].end - v->clips[k].start) {
        tt -= v->clips[k].end - v->clips[k].start;
        k++;
    }
    double s = v->clips[k].start + tt;
    if (k != v->clip || (v->have_cur && s + 1e-6 < frame_time(v, v->cur))) {
        /* to the key frame before s: a scene that starts into the video
         * (sourceOffset) does not decode from the clip's start */
        seek_to(v, s);
        v->clip = k;
    }
    while (!v->eof) {
        if (!v->have_next) {
            int r = decode_next(v);
            if (r == AVERROR_EOF) {
                v->eof = 1;
                break;
            }
            if (r < 0) return bad(v, SR_EMEDIA_INVALID, "is damaged", err);
            v->have_next = 1;
        }
        if (v->have_cur && frame_time(v, v->next) > s + 1e-6) break;
        av_frame_unref(v->cur);
        av_frame_move_ref(v->cur, v->next);
        v->have_cur = 1;
        v->have_next = 0;
        v->dirty = 1;
    }
    if (!v->have_cur) return bad(v, SR_EMEDIA_INVALID, "has no picture", err);
    if (v->dirty) {
        const AVFrame *f = v->cur;
        v->sws = sws_getCachedContext(v->sws, f->width, f->height, f->format, v->pic->w, v->pic->h,
                                      AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
        if (!v->sws) return bad(v, SR_EMEDIA_INVALID, "has a picture format that cannot be converted", err);
        int full = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P;
        sws_setColorspaceDetails(v->sws, sws_getCoefficients(f->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT),
                                 full, sws_getCoefficients(SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16);
        sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, v->pic->data,
                  v->pic->linesize);
        v->dirty = 0;
    }
    *pic = v->pic;
    return 0;
}
