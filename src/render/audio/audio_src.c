/* audio_src.c - one streamed audio source: demux, decode, resample to
 * 48 kHz stereo float, hand out in blocks (see audio_src.h). */
#include "render/audio/audio_src.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>

#include "render/audio/audio.h"
#include "render/media.h"

/* Bounds on what an untrusted file may claim. */
#define MAX_FRAME_SAMPLES (1 << 20) /* decoded samples in one frame */
#define MAX_IN_RATE 768000
#define MAX_IN_CHANNELS 64
#define MAX_CHECK_PACKETS 512   /* packets read to find the first frame */
#define MAX_BAD_PACKETS 256     /* consecutive undecodable packets before giving up */
#define SKIP_DECODE_LIMIT (2.0) /* seconds: closer seeks decode forward instead */

struct sr_asrc {
    char *path;
    char field[160];
    AVFormatContext *fmt;
    AVCodecContext *dec;
    int stream;
    AVRational tb;     /* the stream's time base */
    int64_t start_pts; /* the stream's first timestamp (0 when unknown) */
    AVPacket *pkt;
    AVFrame *frame;
    int have_frame; /* frame holds a decoded frame not yet converted */

    SwrContext *swr; /* configured for swr_fmt/swr_rate/swr_layout */
    int swr_fmt, swr_rate;
    AVChannelLayout swr_layout;

    float *pend; /* converted samples not yet handed out: [pend_off, pend_n) */
    int pend_n, pend_off, pend_cap;

    int64_t pos;     /* file position (48 kHz frames) of the next sample handed out */
    int pos_known;   /* pos is set from a decoded frame's timestamp */
    int fresh;       /* nothing decoded since open: pos is 0 */
    int64_t skip_to; /* drop samples before this position; -1: none */
    int eof_demux, eof_dec, eof_swr;
    int bad_packets;
};

static int fail(sr_asrc *s, sr_err *err, int code, const char *what)
{
    return sr_err_set(err, code, s->field, "%s: the audio of '%s' %s", s->field, sr_media_name(s->path), what);
}

static int averr_msg(sr_asrc *s, sr_err *err, int code, const char *what, int averr)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, buf, sizeof buf);
    return sr_err_set(err, code, s->field, "%s: the audio of '%s' %s (%s)", s->field, sr_media_name(s->path), what,
                      buf);
}

/* Closes the demuxer/decoder side (keeps path, buffers). */
static void close_streams(sr_asrc *s)
{
    avcodec_free_context(&s->dec);
    avformat_close_input(&s->fmt);
    swr_free(&s->swr);
    av_channel_layout_uninit(&s->swr_layout);
    s->have_frame = 0;
    if (s->frame) av_frame_unref(s->frame);
}

static void reset_state(sr_asrc *s)
{
    s->pend_n = s->pend_off = 0;
    s->pos = 0;
    s->pos_known = 0;
    s->fresh = 1;
    s->skip_to = -1;
    s->eof_demux = s->eof_dec = s->eof_swr = 0;
    s->bad_packets = 0;
}

/* Opens the container and decoder. Returns 1 with no audio stream, 0, or an error. */
static int open_streams(sr_asrc *s, sr_err *err)
{
    int r = sr_media_open(&s->fmt, s->path, s->field, NULL, err);
    if (r) return r;
    const AVCodec *codec = NULL;
    r = av_find_best_stream(s->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (r == AVERROR_STREAM_NOT_FOUND) return 1;
    if (r < 0 || !codec)
        return fail(s, err, SR_EMEDIA_INVALID, "uses a codec that cannot be decoded");
    s->stream = r;
    AVStream *st = s->fmt->streams[r];
    s->tb = st->time_base;
    s->start_pts = st->start_time == AV_NOPTS_VALUE ? 0 : st->start_time;
    s->dec = avcodec_alloc_context3(codec);
    if (!s->dec) return sr_err_set(err, SR_ENOMEM, s->field, "out of memory opening audio");
    r = avcodec_parameters_to_context(s->dec, st->codecpar);
    if (r >= 0) {
        s->dec->pkt_timebase = st->time_base;
        r = avcodec_open2(s->dec, codec, NULL);
    }
    if (r < 0) return averr_msg(s, err, SR_EMEDIA_INVALID, "cannot be decoded", r);
    /* Discard every other stream so that video packets are not even read in full. */
    for (unsigned i = 0; i < s->fmt->nb_streams; i++)
        if ((int)i != s->stream) s->fmt->streams[i]->discard = AVDISCARD_ALL;
    return 0;
}

int sr_asrc_open(sr_asrc **out, const char *path, const char *field, int allow_silent, sr_err *err)
{
    *out = NULL;
    sr_asrc *s = calloc(1, sizeof *s);
    int r = SR_ENOMEM;
    if (!s) return sr_err_set(err, SR_ENOMEM, field, "out of memory opening audio");
    snprintf(s->field, sizeof s->field, "%s", field ? field : "");
    s->path = strdup(path);
    s->pkt = av_packet_alloc();
    s->frame = av_frame_alloc();
    if (!s->path || !s->pkt || !s->frame) {
        sr_err_set(err, r, field, "out of memory opening audio");
        goto fail;
    }
    reset_state(s);

    r = open_streams(s, err);
    if (r == 1) {
        if (allow_silent) {
            sr_asrc_close(s);
            return 0;
        }
        r = fail(s, err, SR_EMEDIA_INVALID, "is missing: the file has no audio stream");
        goto fail;
    }
    if (r < 0) goto fail;
    *out = s;
    return 0;
fail:
    sr_asrc_close(s);
    return r;
}

/* (Re)configures the resampler for the frame's format. */
static int setup_swr(sr_asrc *s, const AVFrame *f, sr_err *err)
{
    if (s->swr && s->swr_fmt == f->format && s->swr_rate == f->sample_rate &&
        av_channel_layout_compare(&s->swr_layout, &f->ch_layout) == 0)
        return 0;
    swr_free(&s->swr);
    av_channel_layout_uninit(&s->swr_layout);
    AVChannelLayout in = {0};
    AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    int r;
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&in, f->ch_layout.nb_channels);
    else if ((r = av_channel_layout_copy(&in, &f->ch_layout)) < 0)
        return sr_err_set(err, SR_ENOMEM, s->field, "out of memory");
    r = swr_alloc_set_opts2(&s->swr, &stereo, AV_SAMPLE_FMT_FLT, SR_AUDIO_RATE, &in, f->format,
                            f->sample_rate, 0, NULL);
    if (r >= 0 && in.nb_channels == 1) {
        /* Mono: the same signal at full level on both sides (not -3 dB). */
        static const double mono[2] = {1.0, 1.0};
        r = swr_set_matrix(s->swr, mono, 1);
    }
    av_channel_layout_uninit(&in);
    if (r >= 0) r = swr_init(s->swr);
    if (r < 0) {
        swr_free(&s->swr);
        return averr_msg(s, err, SR_EMEDIA_INVALID, "has a sample format that cannot be converted",
                         r);
    }
    s->swr_fmt = f->format;
    s->swr_rate = f->sample_rate;
    if (av_channel_layout_copy(&s->swr_layout, &f->ch_layout) < 0)
        return sr_err_set(err, SR_ENOMEM, s->field, "out of memory");
    return 0;
}

static int ensure_pend(sr_asrc *s, int n, sr_err *err)
{
    if (n <= s->pend_cap) return 0;
    if (n > 4 * MAX_FRAME_SAMPLES) return fail(s, err, SR_EMEDIA_INVALID, "has an oversized frame");
    float *p = realloc(s->pend, (size_t)n * SR_AUDIO_CHANNELS * sizeof *p);
    if (!p) return sr_err_set(err, SR_ENOMEM, s->field, "out of memory decoding audio");
    s->pend = p;
    s->pend_cap = n;
    return 0;
}

/* Drops pending samples before skip_to. */
static void apply_skip(sr_asrc *s)
{
    if (s->skip_to < 0) return;
    int64_t d = s->skip_to - s->pos;
    int avail = s->pend_n - s->pend_off;
    if (d > avail) d = avail;
    if (d > 0) {
        s->pend_off += (int)d;
        s->pos += d;
    }
    if (s->pos >= s->skip_to) s->skip_to = -1;
}

/* Converts the held frame (or flushes the resampler when f is NULL) into pend. */
static int convert(sr_asrc *s, const AVFrame *f, sr_err *err)
{
    int r, in_n = 0;
    const uint8_t **in = NULL;
    if (f) {
        if (f->nb_samples <= 0) return 0;
        if (f->nb_samples > MAX_FRAME_SAMPLES || f->sample_rate <= 0 ||
            f->sample_rate > MAX_IN_RATE || f->ch_layout.nb_channels <= 0 ||
            f->ch_layout.nb_channels > MAX_IN_CHANNELS)
            return fail(s, err, SR_EMEDIA_INVALID, "has an unsupported frame layout");
        if ((r = setup_swr(s, f, err)) < 0) return r;
        if (!s->pos_known) {
            int64_t ts = f->best_effort_timestamp;
            if (ts != AV_NOPTS_VALUE && !s->fresh) {
                double sec = (double)(ts - s->start_pts) * av_q2d(s->tb);
                s->pos = sec > 0 ? llrint(sec * SR_AUDIO_RATE) : 0;
            } else if (!s->fresh && s->skip_to >= 0) {
                s->pos = s->skip_to; /* no timestamp after a seek: trust the seek */
            }
            s->pos_known = 1;
        }
        in = (const uint8_t **)f->extended_data;
        in_n = f->nb_samples;
    }
    if (!s->swr) return 0;
    s->fresh = 0;
    int cap = swr_get_out_samples(s->swr, in_n);
    if (cap < 0) return fail(s, err, SR_EMEDIA_INVALID, "cannot be resampled");
    if ((r = ensure_pend(s, cap + 16, err)) < 0) return r;
    uint8_t *o = (uint8_t *)s->pend;
    int k = swr_convert(s->swr, &o, s->pend_cap, in, in_n);
    if (k < 0) return averr_msg(s, err, SR_EMEDIA_INVALID, "cannot be resampled", k);
    s->pend_n = k;
    s->pend_off = 0;
    apply_skip(s);
    return 0;
}

/* Refills pend. Returns 1 when samples are pending, 0 at the end, or an error. */
static int refill(sr_asrc *s, sr_err *err)
{
    int r;
    s->pend_n = s->pend_off = 0;
    for (;;) {
        if (s->pend_off < s->pend_n) return 1;
        if (s->have_frame) {
            s->have_frame = 0;
            r = convert(s, s->frame, err);
            av_frame_unref(s->frame);
            if (r < 0) return r;
            continue;
        }
        if (s->eof_dec) {
            if (s->eof_swr) return 0;
            s->eof_swr = 1;
            if ((r = convert(s, NULL, err)) < 0) return r;
            continue;
        }
        r = avcodec_receive_frame(s->dec, s->frame);
        if (r == 0) {
            s->have_frame = 1;
            s->bad_packets = 0;
            continue;
        }
        if (r == AVERROR_EOF) {
            s->eof_dec = 1;
            continue;
        }
        if (r != AVERROR(EAGAIN)) return averr_msg(s, err, SR_EMEDIA_INVALID, "is damaged", r);
        if (s->eof_demux) return fail(s, err, SR_EMEDIA_INVALID, "cannot be decoded");
        r = av_read_frame(s->fmt, s->pkt);
        if (r == AVERROR_EOF || r == AVERROR_INVALIDDATA || (r < 0 && avio_feof(s->fmt->pb))) {
            /* The end (a truncated file ends here too): drain the decoder. */
            s->eof_demux = 1;
            r = avcodec_send_packet(s->dec, NULL);
            if (r < 0 && r != AVERROR_EOF)
                return averr_msg(s, err, SR_EMEDIA_INVALID, "cannot be decoded", r);
            continue;
        }
        if (r < 0) return averr_msg(s, err, SR_EMEDIA_UNREADABLE, "cannot be read", r);
        if (s->pkt->stream_index != s->stream) {
            av_packet_unref(s->pkt);
            continue;
        }
        r = avcodec_send_packet(s->dec, s->pkt);
        av_packet_unref(s->pkt);
        if (r == AVERROR_INVALIDDATA) {
            /* A damaged packet: skip it, as players do, unless nothing decodes. */
            if (++s->bad_packets > MAX_BAD_PACKETS)
                return fail(s, err, SR_EMEDIA_INVALID, "is damaged");
            continue;
        }
        if (r < 0) return averr_msg(s, err, SR_EMEDIA_INVALID, "cannot be decoded", r);
    }
}

int sr_asrc_check(sr_asrc *s, sr_err *err)
{
    for (;;) {
        if (s->have_frame) return 0;
        if (s->eof_dec) return fail(s, err, SR_EMEDIA_INVALID, "has no decodable audio");
        int r = avcodec_receive_frame(s->dec, s->frame);
        if (r == 0) {
            if (s->frame->nb_samples <= 0) {
                av_frame_unref(s->frame);
                continue;
            }
            s->have_frame = 1;
            return 0;
        }
        if (r == AVERROR_EOF) {
            s->eof_dec = 1;
            continue;
        }
        if (r != AVERROR(EAGAIN)) return averr_msg(s, err, SR_EMEDIA_INVALID, "is damaged", r);
        /* Reuse refill's packet path for one packet at a time. */
        if (s->eof_demux) return fail(s, err, SR_EMEDIA_INVALID, "has no decodable audio");
        if (++s->bad_packets > MAX_CHECK_PACKETS)
            return fail(s, err, SR_EMEDIA_INVALID, "has no decodable audio");
        r = av_read_frame(s->fmt, s->pkt);
        if (r == AVERROR_EOF || r == AVERROR_INVALIDDATA) {
            s->eof_demux = 1;
            avcodec_send_packet(s->dec, NULL);
            continue;
        }
        if (r < 0) return averr_msg(s, err, SR_EMEDIA_UNREADABLE, "cannot be read", r);
        if (s->pkt->stream_index == s->stream) {
            r = avcodec_send_packet(s->dec, s->pkt);
            if (r < 0 && r != AVERROR_INVALIDDATA) {
                av_packet_unref(s->pkt);
                return averr_msg(s, err, SR_EMEDIA_INVALID, "cannot be decoded", r);
            }
        }
        av_packet_unref(s->pkt);
    }
}

/* Makes pos exact after a seek: decodes until the first sample at or after
 * the target is pending (or the stream ends). */
static int settle(sr_asrc *s, sr_err *err)
{
    apply_skip(s);
    if (s->pend_off < s->pend_n) return 0;
    int r = refill(s, err);
    return r < 0 ? r : 0;
}

int sr_asrc_seek(sr_asrc *s, double t, sr_err *err)
{
    if (!(t >= 0)) t = 0;
    int64_t target = llrint(t * SR_AUDIO_RATE);
    int64_t here = s->pos_known || s->fresh ? s->pos : -1;
    if (here >= 0 && target >= here &&
        target - here < (int64_t)(SKIP_DECODE_LIMIT * SR_AUDIO_RATE)) {
        /* Close ahead: decode forward and drop. */
        s->skip_to = target;
        return settle(s, err);
    }
    int64_t ts = s->start_pts + av_rescale_q(target, (AVRational){1, SR_AUDIO_RATE}, s->tb);
    int r = av_seek_frame(s->fmt, s->stream, ts, AVSEEK_FLAG_BACKWARD);
    if (r < 0) {
        /* Not seekable: reopen and decode forward from the start. */
        close_streams(s);
        reset_state(s);
        r = open_streams(s, err);
        if (r == 1) return fail(s, err, SR_EMEDIA_INVALID, "disappeared on reopening");
        if (r < 0) return r;
        s->skip_to = target;
        return settle(s, err);
    }
    avcodec_flush_buffers(s->dec);
    swr_free(&s->swr);
    av_channel_layout_uninit(&s->swr_layout);
    if (s->have_frame) av_frame_unref(s->frame);
    reset_state(s);
    s->fresh = 0;
    s->skip_to = target;
    return settle(s, err);
}

int sr_asrc_read(sr_asrc *s, float *buf, int n, sr_err *err)
{
    int got = 0;
    while (got < n) {
        int avail = s->pend_n - s->pend_off;
        if (avail > 0) {
            int k = avail < n - got ? avail : n - got;
            memcpy(buf + (size_t)got * SR_AUDIO_CHANNELS,
                   s->pend + (size_t)s->pend_off * SR_AUDIO_CHANNELS,
                   (size_t)k * SR_AUDIO_CHANNELS * sizeof *buf);
            s->pend_off += k;
            s->pos += k;
            got += k;
            continue;
        }
        int r = refill(s, err);
        if (r < 0) return r;
        if (r == 0) break;
    }
    return got;
}

int64_t sr_asrc_pos(const sr_asrc *s)
{
    return s->pos;
}

void sr_asrc_close(sr_asrc *s)
{
    if (!s) return;
    close_streams(s);
    av_packet_free(&s->pkt);
    av_frame_free(&s->frame);
    free(s->pend);
    free(s->path);
    free(s);
}
