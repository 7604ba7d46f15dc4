/* media.c - probe a media file: open it, check what it holds, decode its
 * first frame(s) so a damaged or mislabelled file fails before rendering. */
#include "render/media.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#define SR_MEDIA_MAX_BYTES (4LL << 30) /* 4 GiB */
#define SR_MEDIA_MAX_PIXELS (16384LL * 16384)

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
    if (got && st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        (int64_t)fr->width * fr->height > SR_MEDIA_MAX_PIXELS)
        got = 0;
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
    sr_media_info tmp;
    if (!info) info = &tmp;
    memset(info, 0, sizeof *info);
    if (!field) field = path;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return sr_err_set(err, errno == ENOENT ? SR_EMEDIA_NOT_FOUND : SR_EMEDIA_UNREADABLE, field,
                          "%s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return sr_err_set(err, SR_EMEDIA_UNREADABLE, field, "%s is not a regular file", path);
    if (access(path, R_OK) != 0)
        return sr_err_set(err, SR_EMEDIA_UNREADABLE, field, "%s: %s", path, strerror(errno));
    if (sb.st_size == 0) return sr_err_set(err, SR_EMEDIA_INVALID, field, "%s is empty", path);
    if (sb.st_size > SR_MEDIA_MAX_BYTES)
        return sr_err_set(err, SR_ELIMIT, field, "%s is larger than 4 GiB", path);

    AVFormatContext *fc = NULL;
    int rc = 0;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return sr_err_set(err, SR_EMEDIA_INVALID, field, "%s is not a media file that can be read", path);
    if (avformat_find_stream_info(fc, NULL) < 0) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, field, "%s: cannot read its streams", path);
        goto out;
    }
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
        if ((int64_t)info->width * info->height > SR_MEDIA_MAX_PIXELS) {
            rc = sr_err_set(err, SR_ELIMIT, field, "%s: picture size %dx%d is out of range", path,
                            info->width, info->height);
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
