/* assemble.c - segments + audio -> MP4 and HLS (see assemble.h). Following
 * FFmpeg's remuxing example (doc/examples/remux.c) for the copy, and
 * libavformat/hlsenc.c for fMP4 HLS: one mp4 muxer in fragment mode whose
 * output is collected in memory and cut into files at each flush. */
#include "render/assemble.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "common/util.h"
#include "render/afeed.h"

#define HLS_INIT "init.mp4"
#define HLS_LIST "index.m3u8"

typedef struct out {
    AVFormatContext *oc;
    int vi, ai; /* stream indexes (ai -1: no audio) */
} out;

struct sr_assembler {
    sr_asm_cfg cfg;
    AVRational vtb;            /* 1/fps */
    sr_afeed *audio;           /* the whole audio, taken as segments come */
    const AVCodecParameters *apar; /* its parameters, once the first segment came */
    AVRational atb;
    AVPacket *apkt;            /* the next audio packet, when have_apkt */
    int have_apkt, audio_eof;
    AVPacket *pkt;
    out mp4, hls;
    int started;
    uint8_t *extradata; /* the first segment's, that every other must match */
    int extradata_size;
    int64_t dts_delay;  /* the first segment's decode delay, in frames */
    int64_t last_dts;   /* the last video dts written, in frames */
    int64_t vframes;    /* frames laid */
    double audio_end;   /* seconds */
    int64_t abytes, adur; /* audio laid: bytes, duration in atb */
    /* HLS */
    char *hls_dir;
    double *extinf;
    int nseg;
};

static int av_fail(sr_err *err, int code, const char *what, int averr)
{
    char buf[128];
    av_strerror(averr, buf, sizeof buf);
    return sr_err_set(err, code, "output", "%s failed: %s.", what, buf);
}

/* The feed's error as this output's (the audio thread reports the cause). */
static int audio_fail(sr_err *err, int rc)
{
    return sr_err_set(err, rc < 0 ? rc : SR_EINTERNAL, "audio", "The audio could not be encoded.");
}

static int open_input(AVFormatContext **ic, const char *path, sr_err *err)
{
    int r = avformat_open_input(ic, path, NULL, NULL);
    if (r < 0) return sr_err_set(err, SR_EIO, path, "The segment %s cannot be read.", path);
    if ((r = avformat_find_stream_info(*ic, NULL)) < 0 || (*ic)->nb_streams < 1)
        return sr_err_set(err, SR_EIO, path, "The segment %s cannot be read.", path);
    return 0;
}

int sr_assembler_open(sr_assembler **out, const sr_asm_cfg *cfg, sr_err *err)
{
    *out = NULL;
    sr_assembler *a = calloc(1, sizeof *a);
    if (!a) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    a->cfg = *cfg;
    a->vtb = (AVRational){cfg->fps_den, cfg->fps_num};
    a->mp4.ai = a->hls.ai = -1;
    a->pkt = av_packet_alloc();
    a->apkt = av_packet_alloc();
    int rc = 0;
    if (!a->pkt || !a->apkt) rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    a->audio = cfg->audio;
    if (!rc && cfg->hls_dir) {
        if (mkdir(cfg->hls_dir, 0755) != 0 && errno != EEXIST)
            rc = sr_err_set(err, SR_EIO, cfg->hls_dir, "The folder %s cannot be created: %s.", cfg->hls_dir,
                            strerror(errno));
        else if (!(a->hls_dir = strdup(cfg->hls_dir)))
            rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    }
    a->cfg.hls_dir = NULL; /* used here only (path: until the first segment) */
    if (rc) {
        sr_assembler_destroy(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* The output streams: video like vpar, audio like the audio file's. */
static int add_streams(sr_assembler *a, out *o, const AVCodecParameters *vpar, sr_err *err)
{
    AVStream *vs = avformat_new_stream(o->oc, NULL);
    if (!vs || avcodec_parameters_copy(vs->codecpar, vpar) < 0) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    vs->time_base = a->vtb;
    vs->avg_frame_rate = vs->r_frame_rate = av_inv_q(a->vtb);
    o->vi = vs->index;
    if (a->audio) {
        AVStream *as = avformat_new_stream(o->oc, NULL);
        if (!as || avcodec_parameters_copy(as->codecpar, a->apar) < 0)
            return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
        as->codecpar->codec_tag = 0;
        as->time_base = a->atb;
        o->ai = as->index;
    }
    return 0;
}

/* ---------------------------------------------------------------- HLS */

static int write_bytes(const char *dir, const char *name, const uint8_t *p, int n, sr_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return sr_write_file_atomic(path, p, (size_t)n, err);
}

/* Takes what the HLS muxer wrote since the last call into DIR/name and
 * gives it a fresh buffer. */
static int hls_cut(sr_assembler *a, const char *name, sr_err *err)
{
    uint8_t *buf = NULL;
    int n = avio_close_dyn_buf(a->hls.oc->pb, &buf);
    a->hls.oc->pb = NULL;
    int rc = name ? write_bytes(a->hls_dir, name, buf, n, err) : 0;
    av_free(buf);
    if (!rc && avio_open_dyn_buf(&a->hls.oc->pb) < 0) rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    return rc;
}

static int hls_playlist(sr_assembler *a, int ended, sr_err *err)
{
    sr_buf b;
    sr_buf_init(&b, 1 << 24);
    double target = a->cfg.max_seg_seconds;
    for (int i = 0; i < a->nseg; i++)
        if (a->extinf[i] > target) target = a->extinf[i];
    sr_buf_printf(&b,
                  "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n"
                  "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"" HLS_INIT "\"\n",
                  (int)ceil(target - 1e-9));
    for (int i = 0; i < a->nseg; i++) sr_buf_printf(&b, "#EXTINF:%.6f,\nseg-%05d.m4s\n", a->extinf[i], i);
    if (ended) sr_buf_printf(&b, "#EXT-X-ENDLIST\n");
    int rc = b.failed ? sr_err_set(err, SR_ENOMEM, "", "Out of memory.")
                      : write_bytes(a->hls_dir, HLS_LIST, (const uint8_t *)b.p, (int)b.len, err);
    sr_buf_free(&b);
    return rc;
}

static int hls_open(sr_assembler *a, const AVCodecParameters *vpar, sr_err *err)
{
    int r = avformat_alloc_output_context2(&a->hls.oc, NULL, "mp4", NULL);
    if (r < 0 || !a->hls.oc) return av_fail(err, SR_EENCODE, "Creating the HLS muxer", r);
    int rc = add_streams(a, &a->hls, vpar, err);
    if (rc) return rc;
    if (avio_open_dyn_buf(&a->hls.oc->pb) < 0) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    AVDictionary *o = NULL;
    av_dict_set(&o, "movflags", "+frag_custom+empty_moov+default_base_moof", 0);
    r = avformat_write_header(a->hls.oc, &o);
    av_dict_free(&o);
    if (r < 0) return av_fail(err, SR_EENCODE, "Writing the HLS header", r);
    return hls_cut(a, HLS_INIT, err);
}

/* --------------------------------------------------------------- muxing */

static int mp4_open(sr_assembler *a, const AVCodecParameters *vpar, sr_err *err)
{
    const char *path = a->cfg.path;
    int r = avformat_alloc_output_context2(&a->mp4.oc, NULL, "mp4", path);
    if (r < 0 || !a->mp4.oc) return av_fail(err, SR_EENCODE, "Creating the output container", r);
    int rc = add_streams(a, &a->mp4, vpar, err);
    if (rc) return rc;
    if (avio_open(&a->mp4.oc->pb, path, AVIO_FLAG_WRITE) < 0)
        return sr_err_set(err, SR_EIO, path, "The file %s cannot be written.", path);
    AVDictionary *o = NULL;
    av_dict_set(&o, "movflags", "+faststart", 0);
    r = avformat_write_header(a->mp4.oc, &o);
    av_dict_free(&o);
    if (r < 0) return av_fail(err, SR_EENCODE, "Writing the container header", r);
    return 0;
}

/* Writes pkt (timestamps in tb) to stream si of both outputs. */
static int put(sr_assembler *a, const AVPacket *pkt, AVRational tb, int audio, sr_err *err)
{
    out *outs[2] = {&a->mp4, &a->hls};
    for (int i = 0; i < 2; i++) {
        out *o = outs[i];
        if (!o->oc) continue;
        AVPacket *p = av_packet_clone(pkt);
        if (!p) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
        int si = audio ? o->ai : o->vi;
        p->stream_index = si;
        p->pos = -1;
        av_packet_rescale_ts(p, tb, o->oc->streams[si]->time_base);
        int r = i == 0 ? av_interleaved_write_frame(o->oc, p) : av_write_frame(o->oc, p);
        av_packet_free(&p);
        if (r < 0) return av_fail(err, SR_EIO, "Writing the video", r);
    }
    return 0;
}

/* Audio packets up to t seconds (all when t < 0). */
static int put_audio(sr_assembler *a, double t, sr_err *err)
{
    if (!a->audio) return 0;
    for (;;) {
        if (!a->have_apkt) {
            if (a->audio_eof) return 0;
            int r = sr_afeed_next(a->audio, a->apkt); /* waits for the audio thread */
            if (r == 1) {
                a->audio_eof = 1;
                return 0;
            }
            if (r < 0) return audio_fail(err, r);
            a->have_apkt = 1;
        }
        double pt = a->apkt->pts * av_q2d(a->atb);
        if (t >= 0 && pt >= t) return 0;
        double end = (a->apkt->pts + a->apkt->duration) * av_q2d(a->atb);
        if (end > a->audio_end) a->audio_end = end;
        a->abytes += a->apkt->size;
        a->adur += a->apkt->duration;
        int rc = put(a, a->apkt, a->atb, 1, err);
        av_packet_unref(a->apkt);
        a->have_apkt = 0;
        if (rc) return rc;
    }
}

int sr_assembler_add(sr_assembler *a, const char *seg, int64_t start, int64_t frames, int last, sr_err *err)
{
    AVFormatContext *ic = NULL;
    int rc = open_input(&ic, seg, err);
    if (rc) goto done;
    const AVStream *vs = ic->streams[0];
    const AVCodecParameters *par = vs->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_VIDEO) {
        rc = sr_err_set(err, SR_EENCODE, seg, "The segment %s has no video.", seg);
        goto done;
    }
    if (!a->started) {
        int tn, td, r = a->audio ? sr_afeed_params(a->audio, &a->apar, &tn, &td) : 0;
        if (r) {
            rc = audio_fail(err, r);
            goto done;
        }
        a->atb = (AVRational){tn, td};
        if ((rc = mp4_open(a, par, err)) || (a->hls_dir && (rc = hls_open(a, par, err)))) goto done;
        if (par->extradata_size > 0) {
            if (!(a->extradata = malloc((size_t)par->extradata_size))) {
                rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
                goto done;
            }
            memcpy(a->extradata, par->extradata, (size_t)par->extradata_size);
            a->extradata_size = par->extradata_size;
        }
        a->last_dts = INT64_MIN;
    } else if (par->extradata_size != a->extradata_size ||
               (a->extradata_size && memcmp(par->extradata, a->extradata, (size_t)a->extradata_size))) {
        rc = sr_err_set(err, SR_EENCODE, seg, "The segment %s was encoded with other settings.", seg);
        goto done;
    }
    /* decode timestamps run on: the k-th packet of a segment starting at
     * frame s gets s - D + k, D the first segment's decode delay */
    int64_t k = 0, n = 0;
    for (;;) {
        int r = av_read_frame(ic, a->pkt);
        if (r == AVERROR_EOF) break;
        if (r < 0) {
            rc = av_fail(err, SR_EIO, "Reading a segment", r);
            goto done;
        }
        if (a->pkt->stream_index != 0) {
            av_packet_unref(a->pkt);
            continue;
        }
        int64_t pts = av_rescale_q(a->pkt->pts, vs->time_base, a->vtb);
        int64_t dts = av_rescale_q(a->pkt->dts, vs->time_base, a->vtb);
        if (!a->started && k == 0) a->dts_delay = dts < 0 ? -dts : 0;
        a->started = 1;
        dts = start - a->dts_delay + k++;
        if (dts > pts + start) dts = pts + start;
        if (dts <= a->last_dts) {
            av_packet_unref(a->pkt);
            rc = sr_err_set(err, SR_EENCODE, seg, "The segment %s does not follow the one before.", seg);
            goto done;
        }
        a->last_dts = dts;
        a->pkt->pts = pts + start;
        a->pkt->dts = dts;
        a->pkt->duration = 1;
        rc = put(a, a->pkt, a->vtb, 0, err);
        av_packet_unref(a->pkt);
        if (rc) goto done;
        n++;
    }
    if (n != frames) {
        rc = sr_err_set(err, SR_EENCODE, seg, "The segment %s has %lld frames, not %lld.", seg, (long long)n,
                        (long long)frames);
        goto done;
    }
    a->vframes = start + frames;
    if ((rc = put_audio(a, last ? -1 : (double)(start + frames) * a->cfg.fps_den / a->cfg.fps_num, err))) goto done;
    if (a->hls.oc) { /* one HLS media segment per segment */
        int r = av_write_frame(a->hls.oc, NULL);
        if (r < 0) {
            rc = av_fail(err, SR_EIO, "Writing the HLS segment", r);
            goto done;
        }
        char name[32];
        snprintf(name, sizeof name, "seg-%05d.m4s", a->nseg);
        double *ne = realloc(a->extinf, sizeof *ne * (size_t)(a->nseg + 1));
        if (!ne) {
            rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
            goto done;
        }
        a->extinf = ne;
        ne[a->nseg] = (double)frames * a->cfg.fps_den / a->cfg.fps_num;
        if ((rc = hls_cut(a, name, err))) goto done;
        a->nseg++;
        if ((rc = hls_playlist(a, 0, err))) goto done;
    }
done:
    avformat_close_input(&ic);
    return rc;
}

int sr_assembler_finish(sr_assembler *a, sr_err *err)
{
    if (!a->started) return sr_err_set(err, SR_EINTERNAL, "", "No segment was assembled.");
    int rc = put_audio(a, -1, err);
    if (rc) return rc;
    /* the audio's measured bit rate, as a demuxer reports it, for the header's maximum (the MP4 muxer
     * writes max(this, the average)): the same bytes as when the audio came from a finished file */
    if (a->mp4.ai >= 0 && a->adur > 0) /* truncated, as libavformat's MP4 reader computes it */
        a->mp4.oc->streams[a->mp4.ai]->codecpar->bit_rate = a->abytes * 8 * a->atb.den / (a->adur * a->atb.num);
    int r = av_write_trailer(a->mp4.oc);
    int c = avio_closep(&a->mp4.oc->pb);
    if (r < 0 || c < 0) return sr_err_set(err, SR_EIO, "output", "Finishing the video failed.");
    if (a->hls.oc) {
        av_write_trailer(a->hls.oc); /* the index of fragments: not needed */
        uint8_t *buf = NULL;
        avio_close_dyn_buf(a->hls.oc->pb, &buf);
        av_free(buf);
        a->hls.oc->pb = NULL;
        if ((rc = hls_playlist(a, 1, err))) return rc;
    }
    return 0;
}

double sr_assembler_av_end_diff(const sr_assembler *a)
{
    return a->audio ? a->audio_end - (double)a->vframes * a->cfg.fps_den / a->cfg.fps_num : 0;
}

int sr_assembler_hls_segments(const sr_assembler *a)
{
    return a->nseg;
}

void sr_assembler_destroy(sr_assembler *a)
{
    if (!a) return;
    if (a->mp4.oc) {
        if (a->mp4.oc->pb) avio_closep(&a->mp4.oc->pb);
        avformat_free_context(a->mp4.oc);
    }
    if (a->hls.oc) {
        if (a->hls.oc->pb) {
            uint8_t *buf = NULL;
            avio_close_dyn_buf(a->hls.oc->pb, &buf);
            av_free(buf);
        }
        avformat_free_context(a->hls.oc);
    }
    if (a->audio) sr_afeed_close(a->audio); /* the audio thread stops waiting for room */
    av_packet_free(&a->pkt);
    av_packet_free(&a->apkt);
    free(a->extradata);
    free(a->extinf);
    free(a->hls_dir);
    free(a);
}
