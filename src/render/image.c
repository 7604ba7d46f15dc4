/* image.c - stills: decoded once with libavcodec, converted and scaled once
 * with swscale to the engine's YUV 4:2:0. */
#include "render/compose.h"
#include "render/media.h"

#include <math.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

int sr_image_decode(const char *path, const char *field, AVFrame **out, sr_err *err)
{
    AVFormatContext *fc = NULL;
    AVCodecContext *cc = NULL;
    AVPacket *pkt = NULL;
    AVFrame *fr = NULL;
    int rc = 0, r;
    const char *fld = field ? field : path;
    *out = NULL;

    if ((rc = sr_media_open(&fc, path, fld, NULL, err))) goto done;
    path = sr_media_name(path); /* errors name the file, not where it lies */
    const AVCodec *dec = NULL;
    int si = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
    if (si < 0 || !dec) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, fld, "The file %s holds no picture.", path);
        goto done;
    }
    AVCodecParameters *par = fc->streams[si]->codecpar;
    if (par->width <= 0 || par->height <= 0) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, fld, "The image %s holds no readable picture.", path);
        goto done;
    }
    if (par->width > SR_MAX_IMAGE_SIDE ||
        par->height > SR_MAX_IMAGE_SIDE ||
        (long long)par->width * par->height > SR_MAX_IMAGE_PIXELS) {
        rc = sr_err_set(err, SR_ELIMIT, fld, "The image %s is %dx%d, larger than allowed.", path,
                        par->width, par->height);
        goto done;
    }
    cc = avcodec_alloc_context3(dec);
    pkt = av_packet_alloc();
    fr = av_frame_alloc();
    if (!cc || !pkt || !fr) {
        rc = sr_err_set(err, SR_ENOMEM, fld, "Out of memory decoding %s.", path);
        goto done;
    }
    avcodec_parameters_to_context(cc, par);
    cc->err_recognition = AV_EF_EXPLODE | AV_EF_CRCCHECK | AV_EF_BITSTREAM;
    cc->thread_count = 1;
    cc->max_pixels = SR_MAX_IMAGE_PIXELS; /* a frame bigger than its header said is refused, not allocated */
    if (avcodec_open2(cc, dec, NULL) < 0) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, fld, "The image %s cannot be decoded.", path);
        goto done;
    }
    int got = 0, sent_eof = 0;
    while (!got) {
        if (!sent_eof) {
            r = av_read_frame(fc, pkt);
            if (r < 0) {
                avcodec_send_packet(cc, NULL);
                sent_eof = 1;
            } else {
                if (pkt->stream_index == si) r = avcodec_send_packet(cc, pkt);
                else r = 0;
                av_packet_unref(pkt);
                if (r < 0 && r != AVERROR(EAGAIN)) break;
            }
        }
        r = avcodec_receive_frame(cc, fr);
        if (r == 0) got = 1;
        else if (r == AVERROR_EOF || (r != AVERROR(EAGAIN)) || (sent_eof && r == AVERROR(EAGAIN)))
            break;
    }
    if (!got || fr->width != par->width || fr->height != par->height) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, fld, "The image %s is damaged or truncated.", path);
        goto done;
    }
    if (fr->decode_error_flags || (fr->flags & AV_FRAME_FLAG_CORRUPT)) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, fld, "The image %s is damaged or truncated.", path);
        goto done;
    }
    *out = fr;
    fr = NULL;
done:
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&cc);
    avformat_close_input(&fc);
    return rc;
}

void sr_scaled_size(int iw, int ih, double scale, int *w, int *h)
{
    int a = (int)lround(iw * scale / 2.0) * 2, b = (int)lround(ih * scale / 2.0) * 2;
    *w = a < 2 ? 2 : a;
    *h = b < 2 ? 2 : b;
}

double sr_cover_scale(int iw, int ih, int W, int H)
{
    double sx = (double)W / iw, sy = (double)H / ih;
    return sx > sy ? sx : sy;
}

/* The colour description swscale needs for a source pixel format. */
static int src_is_full_range(const AVFrame *f)
{
    if (f->color_range == AVCOL_RANGE_JPEG) return 1;
    switch (f->format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUVJ411P: return 1;
    default: return 0;
    }
}

static enum AVPixelFormat unjpeg(enum AVPixelFormat p)
{
    switch (p) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: return AV_PIX_FMT_YUV411P;
    default: return p;
    }
}

/* Re-expresses, in place, a limited-range YUV 4:2:0 picture from the BT.601
 * matrix in BT.709 (swscale changes ranges between YUV formats, not
 * matrices). Luma takes the co-sited chroma sample. */
static void bt601_to_bt709(sr_frame *f)
{
    /* M = T709 * inverse(T601) on (Y, Cb, Cr), from the Kr/Kb constants */
    const double kr6 = 0.299, kb6 = 0.114, kr7 = 0.2126, kb7 = 0.0722;
    const double kg7 = 1 - kr7 - kb7, kg6 = 1 - kr6 - kb6;
    /* RGB from (Y, cb, cr) in BT.601, per unit cb / cr */
    const double rcr = 2 * (1 - kr6), bcb = 2 * (1 - kb6);
    const double gcb = -kb6 * bcb / kg6, gcr = -kr6 * rcr / kg6;
    /* BT.709 luma change per unit cb / cr (Y itself carries over) */
    double ycb = kg7 * gcb + kb7 * bcb, ycr = kr7 * rcr + kg7 * gcr;
    /* BT.709 chroma from the same RGB: cb = (B - Y) / (2 (1 - kb7)) */
    double cbcb = (bcb - ycb) / (2 * (1 - kb7)), cbcr = (0 - ycr) / (2 * (1 - kb7));
    double crcb = (0 - ycb) / (2 * (1 - kr7)), crcr = (rcr - ycr) / (2 * (1 - kr7));
    /* 8-bit: luma has 219 steps where chroma has 224 */
    int a = (int)lrint(ycb * 219 / 224 * 65536), b = (int)lrint(ycr * 219 / 224 * 65536);
    int c = (int)lrint(cbcb * 65536), d = (int)lrint(cbcr * 65536);
    int e = (int)lrint(crcb * 65536), g = (int)lrint(crcr * 65536);
    for (int y = 0; y < f->h; y++) {
        uint8_t *py = f->data[0] + (size_t)y * f->linesize[0];
        const uint8_t *pu = f->data[1] + (size_t)(y / 2) * f->linesize[1];
        const uint8_t *pv = f->data[2] + (size_t)(y / 2) * f->linesize[2];
        for (int x = 0; x < f->w; x++) {
            int u = pu[x / 2] - 128, v = pv[x / 2] - 128;
            int Y = py[x] + ((a * u + b * v + 32768) >> 16);
            py[x] = (uint8_t)(Y < 0 ? 0 : Y > 255 ? 255 : Y);
        }
    }
    for (int y = 0; y < f->h / 2; y++) {
        uint8_t *pu = f->data[1] + (size_t)y * f->linesize[1];
        uint8_t *pv = f->data[2] + (size_t)y * f->linesize[2];
        for (int x = 0; x < f->w / 2; x++) {
            int u = pu[x] - 128, v = pv[x] - 128;
            int U = 128 + ((c * u + d * v + 32768) >> 16), V = 128 + ((e * u + g * v + 32768) >> 16);
            pu[x] = (uint8_t)(U < 0 ? 0 : U > 255 ? 255 : U);
            pv[x] = (uint8_t)(V < 0 ? 0 : V > 255 ? 255 : V);
        }
    }
}

int sr_image_to_yuv(const AVFrame *src, int w, int h, sr_frame **out, sr_err *err)
{
    *out = NULL;
    sr_frame *f = sr_frame_alloc(w, h);
    if (!f) return sr_err_set(err, SR_ENOMEM, "", "Out of memory for a %dx%d picture.", w, h);
    enum AVPixelFormat fmt = unjpeg(src->format);
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(fmt);
    int is_rgb = desc && (desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL));
    int is_gray = desc && desc->nb_components <= 2 && !is_rgb;
    struct SwsContext *sws = sws_getContext(src->width, src->height, fmt, w, h, AV_PIX_FMT_YUV420P,
                                            SWS_BICUBIC | SWS_ACCURATE_RND, NULL,
                                            NULL, NULL);
    if (!sws) {
        sr_frame_free(f);
        return sr_err_set(err, SR_EMEDIA_INVALID, "", "The picture's format cannot be converted.");
    }
    /* RGB sources: straight to BT.709. YUV sources: range here, matrix after. */
    int src709 = src->colorspace == AVCOL_SPC_BT709;
    const int *dst_table = sws_getCoefficients(is_rgb || src709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT);
    sws_setColorspaceDetails(sws, sws_getCoefficients(src709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT),
                             src_is_full_range(src), dst_table, 0, 0, 1 << 16, 1 << 16);
    sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height, f->data,
              f->linesize);
    sws_freeContext(sws);
    if (!is_rgb && !is_gray && !src709) bt601_to_bt709(f);
    *out = f;
    return 0;
}
