/* encode.c - libavcodec/libavformat encoders (see encode.h). Following
 * FFmpeg's doc/examples/mux.c: one codec context per stream, packets
 * rescaled to the stream's time base and written with
 * av_interleaved_write_frame. */
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

#include "render/audio/audio.h"

/* one output file: a muxer and its streams */
typedef struct out_file {
    AVFormatContext *oc;
    const char *path;
    int header_written;
} out_file;

/* one audio encoder fed from a FIFO of planar float */
typedef struct aenc {
    AVCodecContext *cc;
    AVStream *st;
    out_file *of;
    AVAudioFifo *fifo;
    int64_t pts;
} aenc;

struct sr_encoder {
    out_file mp4, mp3;
    AVCodecContext *venc;
    AVStream *vst;
    aenc aac, lame;
    AVPacket *pkt;
    int64_t audio_in;
    float *plane[2]; /* deinterleave scratch */
};

#define SCRATCH 4096

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
        r = av_interleaved_write_frame(of->oc, pkt);
        if (r < 0) return sr_err_set(err, SR_EIO, of->path, "Writing %s failed.", of->path);
    }
}

static int open_audio(aenc *a, out_file *of, enum AVCodecID id, const char *name, int bitrate, sr_err *err)
{
    const AVCodec *codec = name ? avcodec_find_encoder_by_name(name) : avcodec_find_encoder(id);
    if (!codec) return sr_err_set(err, SR_EENCODE, "output", "The audio encoder %s is not available.", name ? name : "aac");
    a->of = of;
    a->cc = avcodec_alloc_context3(codec);
    a->st = avformat_new_stream(of->oc, NULL);
    if (!a->cc || !a->st) return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    AVCodecContext *c = a->cc;
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    c->sample_rate = SR_AUDIO_RATE;
    c->bit_rate = bitrate;
    av_channel_layout_default(&c->ch_layout, SR_AUDIO_CHANNELS);
    c->time_base = (AVRational){1, SR_AUDIO_RATE};
    if (of->oc->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int r = avcodec_open2(c, codec, NULL);
    if (r < 0) return enc_err(err, SR_EENCODE, "Opening the audio encoder", r);
    avcodec_parameters_from_context(a->st->codecpar, c);
    a->st->time_base = c->time_base;
    a->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, SR_AUDIO_CHANNELS, c->frame_size > 0 ? c->frame_size * 2 : 4096);
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
        f->nb_samples = n;
        f->format = a->cc->sample_fmt;
        f->sample_rate = a->cc->sample_rate;
        av_channel_layout_copy(&f->ch_layout, &a->cc->ch_layout);
        int r = av_frame_get_buffer(f, 0);
        if (r >= 0) {
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

int sr_encoder_open(sr_encoder **out, const sr_enc_cfg *cfg, sr_err *err)
{
    int rc = 0, r;
    *out = NULL;
    sr_encoder *e = calloc(1, sizeof *e);
    if (!e) return sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
    e->pkt = av_packet_alloc();
    e->plane[0] = malloc(sizeof(float) * SCRATCH * 2);
    if (!e->pkt || !e->plane[0]) {
        rc = sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
        goto fail;
    }
    e->plane[1] = e->plane[0] + SCRATCH;
    if ((rc = open_file(&e->mp4, "mp4", cfg->mp4_path, err))) goto fail;

    /* video: libx264, yuv420p, BT.709, GOP of about 2 s */
    const AVCodec *x264 = avcodec_find_encoder_by_name("libx264");
    if (!x264) {
        rc = sr_err_set(err, SR_EENCODE, "output.videoCodec", "The libx264 encoder is not available.");
        goto fail;
    }
    e->venc = avcodec_alloc_context3(x264);
    e->vst = avformat_new_stream(e->mp4.oc, NULL);
    if (!e->venc || !e->vst) {
        rc = sr_err_set(err, SR_ENOMEM, "output", "Out of memory.");
        goto fail;
    }
    AVRational fr = av_d2q(cfg->fps, 100000);
    AVCodecContext *v = e->venc;
    v->width = cfg->w;
    v->height = cfg->h;
    v->time_base = av_inv_q(fr);
    v->framerate = fr;
    v->pix_fmt = AV_PIX_FMT_YUV420P;
    v->gop_size = (int)lrint(2 * cfg->fps) < 1 ? 1 : (int)lrint(2 * cfg->fps);
    v->color_primaries = AVCOL_PRI_BT709;
    v->color_trc = AVCOL_TRC_BT709;
    v->colorspace = AVCOL_SPC_BT709;
    v->color_range = AVCOL_RANGE_MPEG;
    /* one x264 thread per core (x264's own default is 1.5 per core): the
     * compositor wants a share too, and each frame thread costs ~12 MB at 1080p */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    v->thread_count = ncpu < 2 ? 2 : ncpu > 16 ? 16 : (int)ncpu;
    if (e->mp4.oc->oformat->flags & AVFMT_GLOBALHEADER) v->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *vo = NULL;
    char crf[16];
    snprintf(crf, sizeof crf, "%d", cfg->crf);
    av_dict_set(&vo, "preset", cfg->preset ? cfg->preset : "veryfast", 0);
    av_dict_set(&vo, "crf", crf, 0);
    /* no threaded lookahead buffer: ~30 MB less at 1080p for a few % speed */
    av_dict_set(&vo, "x264-params", "sync-lookahead=0", 0);
    r = avcodec_open2(v, x264, &vo);
    av_dict_free(&vo);
    if (r < 0) {
        rc = enc_err(err, SR_EENCODE, "Opening the H.264 encoder", r);
        goto fail;
    }
    avcodec_parameters_from_context(e->vst->codecpar, v);
    e->vst->time_base = v->time_base;
    e->vst->avg_frame_rate = fr;

    if ((rc = open_audio(&e->aac, &e->mp4, AV_CODEC_ID_AAC, NULL, cfg->audio_bitrate, err))) goto fail;
    if ((rc = write_header(&e->mp4, 1, err))) goto fail;
    if (cfg->mp3_path) {
        if ((rc = open_file(&e->mp3, "mp3", cfg->mp3_path, err)) ||
            (rc = open_audio(&e->lame, &e->mp3, AV_CODEC_ID_MP3, "libmp3lame", cfg->mp3_bitrate, err)) ||
            (rc = write_header(&e->mp3, 0, err)))
            goto fail;
    }
    *out = e;
    return 0;
fail:
    sr_encoder_destroy(e);
    return rc;
}

int sr_encoder_video(sr_encoder *e, AVFrame *f, int64_t idx, sr_err *err)
{
    f->pts = idx;
    int r = avcodec_send_frame(e->venc, f);
    if (r < 0) return enc_err(err, SR_EENCODE, "Encoding video", r);
    return drain(e->venc, e->vst, &e->mp4, e->pkt, err);
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
        aenc *encs[2] = {&e->aac, &e->lame};
        for (int j = 0; j < 2; j++) {
            if (!encs[j]->cc) continue;
            if (av_audio_fifo_write(encs[j]->fifo, (void **)e->plane, k) < k)
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
    if (!of->oc) return 0;
    int r = av_write_trailer(of->oc);
    int c = avio_closep(&of->oc->pb);
    if (r < 0 || c < 0) return sr_err_set(err, SR_EIO, of->path, "Finishing %s failed.", of->path);
    return 0;
}

int sr_encoder_finish(sr_encoder *e, sr_err *err)
{
    int rc;
    aenc *encs[2] = {&e->aac, &e->lame};
    for (int j = 0; j < 2; j++) {
        if (!encs[j]->cc) continue;
        if ((rc = audio_pump(encs[j], e->pkt, 1, err))) return rc;
        avcodec_send_frame(encs[j]->cc, NULL);
        if ((rc = drain(encs[j]->cc, encs[j]->st, encs[j]->of, e->pkt, err))) return rc;
    }
    avcodec_send_frame(e->venc, NULL);
    if ((rc = drain(e->venc, e->vst, &e->mp4, e->pkt, err))) return rc;
    if ((rc = finish_file(&e->mp4, err))) return rc;
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
    aenc *encs[2] = {&e->aac, &e->lame};
    for (int j = 0; j < 2; j++) {
        avcodec_free_context(&encs[j]->cc);
        if (encs[j]->fifo) av_audio_fifo_free(encs[j]->fifo);
    }
    close_file(&e->mp4);
    close_file(&e->mp3);
    av_packet_free(&e->pkt);
    free(e->plane[0]);
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
    a = sws_getContext(f->w, f->h, AV_PIX_FMT_YUV420P, f->w, f->h, AV_PIX_FMT_RGB24, SWS_BICUBIC, NULL, NULL, NULL);
    b = sws_getContext(f->w, f->h, AV_PIX_FMT_RGB24, f->w, f->h, AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, NULL, NULL, NULL);
    if (!a || !b) {
        rc = sr_err_set(err, SR_EENCODE, "output", "The thumbnail cannot be converted.");
        goto done;
    }
    sws_setColorspaceDetails(a, sws_getCoefficients(SWS_CS_ITU709), 0, sws_getCoefficients(SWS_CS_ITU709), 1, 0,
                             1 << 16, 1 << 16);
    sws_setColorspaceDetails(b, sws_getCoefficients(SWS_CS_DEFAULT), 1, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0,
                             1 << 16, 1 << 16);
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
