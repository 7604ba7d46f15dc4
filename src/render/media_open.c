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

/* avformat_find_stream_info, its decoders refusing pictures over the ceiling
 * (PNG and JPEG are read from their headers alone; others may decode a frame). */
static int find_info(AVFormatContext *fc)
{
    unsigned n = fc->nb_streams;
    AVDictionary **o = n ? av_calloc(n, sizeof *o) : NULL;
    if (n && !o) return AVERROR(ENOMEM);
    for (unsigned i = 0; i < n; i++) av_dict_set_int(&o[i], "max_pixels", SR_MEDIA_CEIL_PIXELS, 0);
    int r = avformat_find_stream_info(fc, o);
    for (unsigned i = 0; i < n; i++) av_dict_free(&o[i]);
    av_free(o);
    return r;
}

int sr_media_open(AVFormatContext **out, const char *path, const char *field, sr_err *err)
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
    if (find_info(fc) < 0) {
        avformat_close_input(&fc);
        rc = sr_err_set(err, SR_EMEDIA_INVALID, field, "%s is damaged: its streams cannot be read", name);
        goto done;
    }
    *out = fc;
done:
    av_dict_free(&o);
    av_free(url);
    return rc;
}
