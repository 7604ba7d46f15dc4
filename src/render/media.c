/* media.c - probe a media file: open it, check what it holds, decode its
 * first frame(s) so a damaged or mislabelled file fails before rendering. */
#include "render/media.h"

#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

/* ----------------------------------------------------------------- probing */

static int still_codec(enum AVCodecID id)
{
    switch (id) {
    case AV_CODEC_ID_MJPEG: case AV_CODEC_ID_PNG: case AV_CODEC_ID_WEBP: case AV_CODEC_ID_BMP:
    case AV_CODEC_ID_GIF: case AV_CODEC_ID_TIFF: case AV_CODEC_ID_JPEG2000: case AV_CODEC_ID_PPM:
    case AV_CODEC_ID_PGM: case AV_CODEC_ID_PAM:
        return 1;
    default:
        return 0;
    }
}

/* Decodes the first frame of stream si; 0 or SR_EMEDIA_INVALID. */
static int decode_first(AVFormatContext *fc, int si, const char *path, const char *field, sr_err *err)
{
    AVStream *st = fc->streams[si];
    const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!dec) return sr_err_set(err, SR_EMEDIA_INVALID, field, "%s: no decoder for its %s codec", path,
                                avcodec_get_name(st->codecpar->codec_id));
    AVCodecContext *cc = avcodec_alloc_context3(dec);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    int rc = SR_ENOMEM, got = 0, packets = 0;
    if (!cc || !pkt || !fr) goto out;
    rc = SR_EMEDIA_INVALID;
    if (avcodec_parameters_to_context(cc, st->codecpar) < 0) goto out;
    cc->err_recognition = AV_EF_EXPLODE | AV_EF_CRCCHECK | AV_EF_BITSTREAM;
    cc->thread_count = 1;
    cc->max_pixels = SR_MEDIA_CEIL_PIXELS; /* a frame bigger than its header said is refused, not allocated */
    if (avcodec_open2(cc, dec, NULL) < 0) goto out;
    while (!got && packets < 500) {
        int r = av_read_frame(fc, pkt);
        if (r < 0) {
            avcodec_send_packet(cc, NULL); /* drain */
        } else {
            if (pkt->stream_index != si) {
                av_packet_unref(pkt);
                continue;
            }
            packets++;
            int s = avcodec_send_packet(cc, pkt);
            av_packet_unref(pkt);
            if (s < 0 && s != AVERROR(EAGAIN)) break;
        }
        int d = avcodec_receive_frame(cc, fr);
        if (d == 0) got = 1;
        else if (d != AVERROR(EAGAIN) || r < 0) break;
    }
    rc = got ? 0 : SR_EMEDIA_INVALID;
out:
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&cc);
    if (rc == SR_ENOMEM) return sr_err_set(err, rc, field, "out of memory probing %s", path);
    if (rc) return sr_err_set(err, rc, field, "%s: the file is damaged or truncated (cannot decode its %s)",
                              path, st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO ? "audio" : "picture");
    return 0;
}

int sr_media_probe(const char *path, int expect, const char *field, sr_media_info *info, sr_err *err)
{
    return sr_media_probe_budget(path, expect, field, NULL, info, err);
}

int sr_media_probe_budget(const char *path, int expect, const char *field, sr_media_budget *budget,
                          sr_media_info *info, sr_err *err)
{
    sr_media_info tmp;
    if (!info) info = &tmp;
    memset(info, 0, sizeof *info);
    if (!field) field = path;
    AVFormatContext *fc = NULL;
    int rc = sr_media_open(&fc, path, field, budget, err);
    if (rc) return rc;
    path = sr_media_name(path); /* errors name the file, not where it lies */
    int vs = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    int as = av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (vs >= 0 && (fc->streams[vs]->disposition & AV_DISPOSITION_ATTACHED_PIC)) vs = -1; /* cover art */
    if (vs >= 0) {
        AVCodecParameters *p = fc->streams[vs]->codecpar;
        info->has_video = 1;
        info->width = p->width;
        info->height = p->height;
        info->is_image = still_codec(p->codec_id) &&
                         (fc->streams[vs]->nb_frames <= 1 || !strcmp(fc->iformat->name, "image2") ||
                          strstr(fc->iformat->name, "_pipe") != NULL);
    }
    info->has_audio = as >= 0;
    if (fc->duration > 0 && !info->is_image) info->duration = fc->duration / (double)AV_TIME_BASE;

    int want_visual = expect & (SR_MEDIA_IMAGE | SR_MEDIA_VIDEO);
    int ok = (want_visual && vs >= 0 &&
              (((expect & SR_MEDIA_IMAGE) && info->is_image) || ((expect & SR_MEDIA_VIDEO) && !info->is_image) ||
               (expect & SR_MEDIA_IMAGE && expect & SR_MEDIA_VIDEO))) ||
             ((expect & SR_MEDIA_AUDIO) && as >= 0);
    if (!ok) {
        const char *want = (expect & SR_MEDIA_AUDIO) ? "audio" : (expect & SR_MEDIA_VIDEO) &&
                           !(expect & SR_MEDIA_IMAGE) ? "a video" : (expect & SR_MEDIA_IMAGE) &&
                           !(expect & SR_MEDIA_VIDEO) ? "an image" : "an image or video";
        const char *has = vs >= 0 ? (info->is_image ? "an image" : "a video") : as >= 0 ? "audio only" : "no usable stream";
        rc = sr_err_set(err, SR_EMEDIA_INVALID, field, "%s should be %s but holds %s", path, want, has);
        goto out;
    }
    if (want_visual && vs >= 0) {
        if (info->width <= 0 || info->height <= 0) {
            rc = sr_err_set(err, SR_EMEDIA_INVALID, field, "%s: no readable picture in the file", path);
            goto out;
        }
        if ((rc = decode_first(fc, vs, path, field, err))) goto out;
    }
    if ((expect & SR_MEDIA_AUDIO) && as >= 0) {
        if (want_visual) av_seek_frame(fc, -1, 0, AVSEEK_FLAG_BACKWARD);
        if ((rc = decode_first(fc, as, path, field, err))) goto out;
    }
out:
    avformat_close_input(&fc);
    return rc;
}
