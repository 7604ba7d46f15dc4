/* media_open.c - the one way storyreel opens an untrusted media file with
 * libavformat (see media.h: sr_media_open).
 *
 * A media file may be a trap: an HLS playlist whose segments are
 * file:///etc/... or http://169.254.169.254/..., an ffconcat list, an image2
 * pattern that walks the folder, a QuickTime reference to another file. So
 * the open is pinned three ways:
 *   - the demuxer: the file is probed here and only a demuxer of the allow
 *     list below may read it (also set as the context's format_whitelist);
 *   - the protocol: the URL is always file:PATH (protocol_whitelist "file");
 *   - nested opens: the context's io_open refuses every URL but the file's
 *     own (image2 reopens it per frame; nothing else may be opened). */
#include "render/media.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <libavutil/avstring.h>

#define SR_MEDIA_MAX_BYTES (4LL << 30) /* 4 GiB */

/* The demuxers storyreel reads (libavformat names; "mov" is mov,mp4,m4a,...,
 * "matroska" is matroska,webm). No playlist (hls, dash), list (concat) or
 * other format that opens further URLs belongs here. */
static const char sr_media_allowed[] =
    "image2,png_pipe,jpeg_pipe,webp_pipe,bmp_pipe,gif,gif_pipe,tiff_pipe," /* stills */
    "mov,matroska,webm,"                                                  /* video */
    "mp3,wav,ogg,flac,aac";                                               /* audio */

const char *sr_media_formats(void)
{
    return sr_media_allowed;
}

int sr_media_format_allowed(const char *name)
{
    return name && av_match_list(name, sr_media_allowed, ',') > 0;
}

const char *sr_media_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* io_open of a guarded context: only the file itself, over the file protocol. */
static int guarded_io_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                           AVDictionary **options)
{
    if (!s->url || strcmp(url, s->url) || (flags & AVIO_FLAG_WRITE)) {
        av_log(s, AV_LOG_ERROR, "refused to open a further URL from a media file\n");
        return AVERROR(EPERM);
    }
    AVDictionary *local = NULL, **o = options ? options : &local;
    av_dict_set(o, "protocol_whitelist", "file", 0);
    int r = avio_open2(pb, url, flags, &s->interrupt_callback, o);
    av_dict_free(&local);
    return r;
}

/* Probes url (file:PATH) with libavformat's own prober; the demuxer or NULL. */
static const AVInputFormat *probe(const char *url)
{
    AVIOContext *pb = NULL;
    AVDictionary *o = NULL;
    const AVInputFormat *fmt = NULL;
    av_dict_set(&o, "protocol_whitelist", "file", 0);
    int r = avio_open2(&pb, url, AVIO_FLAG_READ, NULL, &o);
    av_dict_free(&o);
    if (r < 0) return NULL;
    if (av_probe_input_buffer2(pb, &fmt, url, NULL, 0, 0) < 0) fmt = NULL;
    avio_closep(&pb);
    return fmt;
}

/* ------------------------------------------------------------------ limits */

void sr_media_budget_init(sr_media_budget *b, const sr_media_limits *lim)
{
    sr_media_limits l = lim ? *lim : (sr_media_limits){0};
    if (l.max_side <= 0 || l.max_side > SR_MEDIA_MAX_SIDE) l.max_side = SR_MEDIA_MAX_SIDE;
    if (l.max_pixels <= 0) l.max_pixels = SR_MEDIA_DEF_PIXELS;
    if (l.max_pixels > SR_MEDIA_CEIL_PIXELS) l.max_pixels = SR_MEDIA_CEIL_PIXELS;
    if (l.job_pixels <= 0) l.job_pixels = SR_MEDIA_DEF_JOB_PIXELS;
    b->lim = l;
    b->used = 0;
}

/* The ceilings, nothing charged (a budget passed as NULL). */
static const sr_media_budget ceilings = {{SR_MEDIA_MAX_SIDE, SR_MEDIA_CEIL_PIXELS, INT64_MAX}, 0};

int sr_media_charge(sr_media_budget *b, const char *path, const char *field, int w, int h, sr_err *err)
{
    const sr_media_limits *l = b ? &b->lim : &ceilings.lim;
    const char *name = sr_media_name(path);
    if (!field) field = name;
    int64_t px = (int64_t)w * h;
    if (w > l->max_side || h > l->max_side)
        return sr_err_set(err, SR_ELIMIT, field, "%s is %dx%d: a picture may be at most %d px a side", name, w,
                          h, l->max_side);
    if (px > l->max_pixels)
        return sr_err_set(err, SR_ELIMIT, field, "%s is %dx%d (%.1f Mpx): a picture may have at most %.1f Mpx",
                          name, w, h, px / 1e6, l->max_pixels / 1e6);
    if (b && px > l->job_pixels - b->used)
        return sr_err_set(err, SR_ELIMIT, field,
                          "%s (%dx%d) would take the pictures decoded for this video over %.0f Mpx", name, w,
                          h, l->job_pixels / 1e6);
    if (b) b->used += px;
    return 0;
}

#define HEADER_PEEK (256 << 10) /* bytes read to find a still's declared size */

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }

/* PNG: the IHDR chunk comes first, by the format. */
static int png_size(const uint8_t *b, size_t n, uint32_t *w, uint32_t *h)
{
    if (n < 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) || memcmp(b + 12, "IHDR", 4)) return -1;
    *w = be32(b + 16), *h = be32(b + 20);
    return 0;
}

/* JPEG: the first start-of-frame segment, walking the segments before it. */
static int jpeg_size(const uint8_t *b, size_t n, uint32_t *w, uint32_t *h)
{
    if (n < 4 || b[0] != 0xff || b[1] != 0xd8) return -1;
    for (size_t i = 2; i + 9 <= n;) {
        if (b[i] != 0xff) return -1;
        int m = b[i + 1];
        if (m == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
            *h = be16(b + i + 5), *w = be16(b + i + 7);
            return 0;
        }
        if (m == 0xd9 || m == 0xda) return -1; /* end, or scan data before any frame header */
        i += 2 + be16(b + i + 2);
    }
    return -1;
}

/* Stills whose declared size is read from the file's own header, so that the
 * limits refuse them by name before a decoder allocates anything. */
static const struct {
    enum AVCodecID codec;
    int (*size)(const uint8_t *b, size_t n, uint32_t *w, uint32_t *h);
} header_sizes[] = {{AV_CODEC_ID_PNG, png_size}, {AV_CODEC_ID_MJPEG, jpeg_size}};

/* The size path's header declares for a still of codec id: 0, or -1 when unknown. */
static int still_size(const char *path, enum AVCodecID id, int *w, int *h)
{
    int k = -1;
    for (size_t i = 0; i < sizeof header_sizes / sizeof header_sizes[0]; i++)
        if (header_sizes[i].codec == id) k = (int)i;
    if (k < 0) return -1;
    uint8_t *b = av_malloc(HEADER_PEEK);
    FILE *f = b ? fopen(path, "rb") : NULL;
    size_t n = f ? fread(b, 1, HEADER_PEEK, f) : 0;
    if (f) fclose(f);
    uint32_t W = 0, H = 0;
    int r = n ? header_sizes[k].size(b, n, &W, &H) : -1;
    av_free(b);
    if (r || !W || !H) return -1;
    *w = W > INT32_MAX ? INT32_MAX : (int)W;
    *h = H > INT32_MAX ? INT32_MAX : (int)H;
    return 0;
}

/* The picture stream the limits apply to (cover art is not one), or -1. */
static int picture_stream(AVFormatContext *fc)
{
    int vs = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    return vs >= 0 && !(fc->streams[vs]->disposition & AV_DISPOSITION_ATTACHED_PIC) ? vs : -1;
}

/* avformat_find_stream_info (which decodes a still's picture to learn its
 * size) with every decoder refusing pictures over max_pixels before
 * allocating them. */
static int find_info(AVFormatContext *fc, int64_t max_pixels)
{
    unsigned n = fc->nb_streams;
    AVDictionary **o = n ? av_calloc(n, sizeof *o) : NULL;
    if (n && !o) return AVERROR(ENOMEM);
    for (unsigned i = 0; i < n; i++) av_dict_set_int(&o[i], "max_pixels", max_pixels, 0);
    int r = avformat_find_stream_info(fc, o);
    for (unsigned i = 0; i < n; i++) av_dict_free(&o[i]);
    av_free(o);
    return r;
}

/* Checks and charges the picture's size: from the file's or container's
 * header before anything is decoded (known = 1), else after find_info. */
static int check_picture(AVFormatContext *fc, const char *path, const char *field, sr_media_budget *b,
                         int *known, sr_err *err)
{
    int vs = picture_stream(fc), w = 0, h = 0;
    if (vs < 0) return 0;
    AVCodecParameters *p = fc->streams[vs]->codecpar;
    if (p->width > 0 && p->height > 0) w = p->width, h = p->height;
    else if (strstr(fc->iformat->name, "_pipe") || !strcmp(fc->iformat->name, "image2"))
        still_size(path, p->codec_id, &w, &h); /* a still: the file is the picture */
    if (w <= 0 || h <= 0) return 0;
    *known = 1;
    return sr_media_charge(b, path, field, w, h, err);
}

int sr_media_open(AVFormatContext **out, const char *path, const char *field, sr_media_budget *budget,
                  sr_err *err)
{
    *out = NULL;
    if (!field) field = path;
    const char *name = sr_media_name(path);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return sr_err_set(err, errno == ENOENT || errno == ENOTDIR ? SR_EMEDIA_NOT_FOUND : SR_EMEDIA_UNREADABLE,
                          field, "%s: %s", name, strerror(errno));
    if (!S_ISREG(sb.st_mode)) return sr_err_set(err, SR_EMEDIA_UNREADABLE, field, "%s is not a regular file", name);
    if (access(path, R_OK) != 0) return sr_err_set(err, SR_EMEDIA_UNREADABLE, field, "%s: %s", name, strerror(errno));
    if (sb.st_size == 0) return sr_err_set(err, SR_EMEDIA_INVALID, field, "%s is empty", name);
    if (sb.st_size > SR_MEDIA_MAX_BYTES) return sr_err_set(err, SR_ELIMIT, field, "%s is larger than 4 GiB", name);

    char *url = av_asprintf("file:%s", path);
    if (!url) return sr_err_set(err, SR_ENOMEM, field, "out of memory opening %s", name);
    const AVInputFormat *fmt = probe(url);
    AVFormatContext *fc = NULL;
    AVDictionary *o = NULL;
    int rc = 0;
    if (!fmt) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, field, "%s is not a media file that can be read", name);
        goto done;
    }
    if (!sr_media_format_allowed(fmt->name)) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, field,
                        "%s is a %s file, which is not accepted: only images, mp4/mov, webm/mkv, mp3, wav, "
                        "ogg, flac and aac files are read (no playlists or lists of other files)",
                        name, fmt->long_name ? fmt->long_name : fmt->name);
        goto done;
    }
    if (!(fc = avformat_alloc_context())) {
        rc = sr_err_set(err, SR_ENOMEM, field, "out of memory opening %s", name);
        goto done;
    }
    fc->io_open = guarded_io_open;
    av_dict_set(&o, "protocol_whitelist", "file", 0);
    av_dict_set(&o, "format_whitelist", sr_media_allowed, 0);
    av_dict_set(&o, "pattern_type", "none", 0); /* image2: exactly this file, no sequence or glob */
    av_dict_set(&o, "enable_drefs", "0", 0);    /* mov: no references to other files */
    av_dict_set(&o, "max_streams", "64", 0);
    if (avformat_open_input(&fc, url, fmt, &o) < 0) { /* frees fc */
        rc = sr_err_set(err, SR_EMEDIA_INVALID, field, "%s is not a media file that can be read", name);
        goto done;
    }
    int known = 0;
    if ((rc = check_picture(fc, path, field, budget, &known, err))) goto fail;
    const sr_media_limits *lim = budget ? &budget->lim : &ceilings.lim;
    if (find_info(fc, lim->max_pixels) < 0) {
        rc = sr_err_set(err, SR_EMEDIA_INVALID, field, "%s is damaged: its streams cannot be read", name);
        goto fail;
    }
    if (!known && (rc = check_picture(fc, path, field, budget, &known, err))) goto fail;
    *out = fc;
    goto done;
fail:
    avformat_close_input(&fc);
done:
    av_dict_free(&o);
    av_free(url);
    return rc;
}
