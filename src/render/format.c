/* format.c - output format tables and their parsing (see format.h). */
#include "render/format.h"

#include <math.h>
#include <string.h>

static const struct fmt_info {
    const char *name, *ext, *audio;
    int def_vc;
    unsigned vcodecs; /* bit mask of allowed enum sr_vcodec */
} fmts[SR_FMT__COUNT] = {
    [SR_FMT_MP4] = {"mp4", "mp4", "aac", SR_VC_H264, 1u << SR_VC_H264 | 1u << SR_VC_H265},
    [SR_FMT_WEBM] = {"webm", "webm", "opus", SR_VC_VP9, 1u << SR_VC_VP9 | 1u << SR_VC_AV1},
    [SR_FMT_GIF] = {"gif", "gif", NULL, SR_VC_GIF, 1u << SR_VC_GIF},
    [SR_FMT_MP3] = {"mp3", "mp3", "mp3", SR_VC_NONE, 1u << SR_VC_NONE},
};

static const char *const vc_names[SR_VC__COUNT] = {
    [SR_VC_H264] = "h264", [SR_VC_H265] = "h265", [SR_VC_VP9] = "vp9",
    [SR_VC_AV1] = "av1",   [SR_VC_GIF] = "gif",   [SR_VC_NONE] = NULL,
};

/* NTSC rates: n * 1000 / 1001 */
static const int ntsc[] = {24, 30, 60};

const char *sr_fmt_name(int f)
{
    return f >= 0 && f < SR_FMT__COUNT ? fmts[f].name : NULL;
}
const char *sr_fmt_ext(int f)
{
    return f >= 0 && f < SR_FMT__COUNT ? fmts[f].ext : NULL;
}
const char *sr_fmt_audio_name(int f)
{
    return f >= 0 && f < SR_FMT__COUNT ? fmts[f].audio : NULL;
}
const char *sr_vcodec_name(int v)
{
    return v >= 0 && v < SR_VC__COUNT ? vc_names[v] : NULL;
}

static int parse_fps(const json_t *v, double fps_min, sr_out_format *f, sr_err *err)
{
    double d = 30;
    if (v && !json_is_null(v)) {
        if (!json_is_number(v))
            return sr_err_set(err, SR_EINVALID_FIELD, "output.fps", "output.fps must be a number.");
        d = json_number_value(v);
    }
    if (!isfinite(d) || d < fps_min || d > 60)
        return sr_err_set(err, SR_EINVALID_FIELD, "output.fps",
                          "output.fps must be between %g and 60.", fps_min);
    if (d == floor(d)) {
        f->fps_num = (int)d;
        f->fps_den = 1;
        return 0;
    }
    for (size_t i = 0; i < sizeof ntsc / sizeof *ntsc; i++)
        if (fabs(d - ntsc[i] * 1000.0 / 1001.0) < 0.005) {
            f->fps_num = ntsc[i] * 1000;
            f->fps_den = 1001;
            return 0;
        }
    return sr_err_set(err, SR_EINVALID_FIELD, "output.fps",
                      "output.fps must be a whole number or one of 23.976, 29.97 and 59.94.");
}

int sr_out_format_parse(const json_t *o, double fps_min, double def_loudness, sr_out_format *f,
                        sr_err *err)
{
    memset(f, 0, sizeof *f);
    const json_t *v = o ? json_object_get(o, "format") : NULL;
    f->format = SR_FMT_MP4;
    if (v && !json_is_null(v)) {
        f->format = -1;
        for (int i = 0; json_is_string(v) && i < SR_FMT__COUNT; i++)
            if (!strcmp(json_string_value(v), fmts[i].name)) f->format = i;
        if (f->format < 0)
            return sr_err_set(
                err, SR_EINVALID_FIELD, "output.format",
                "output.format must be one of \"mp4\", \"webm\", \"gif\" and \"mp3\".");
    }
    const struct fmt_info *fi = &fmts[f->format];
    f->vcodec = fi->def_vc;
    v = o ? json_object_get(o, "videoCodec") : NULL;
    if (v && !json_is_null(v)) {
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        int vc = -1;
        for (int i = 0; i < SR_VC__COUNT; i++)
            if (vc_names[i] && !strcmp(s, vc_names[i])) vc = i;
        if (!strcmp(s, "hevc")) vc = SR_VC_H265;
        /* the timeline's videoCodec of an mp3 or gif is informative only */
        if (f->format == SR_FMT_MP3 || f->format == SR_FMT_GIF) vc = fi->def_vc;
        if (vc < 0 || !(fi->vcodecs & (1u << vc)))
            return sr_err_set(
                err, SR_EINVALID_FIELD, "output.videoCodec",
                "output.videoCodec must be %s for the format %s.",
                f->format == SR_FMT_MP4 ? "\"h264\" or \"h265\"" : "\"vp9\" or \"av1\"", fi->name);
        f->vcodec = vc;
    }
    int rc = parse_fps(o ? json_object_get(o, "fps") : NULL, fps_min, f, err);
    if (rc) return rc;
    f->loudness = def_loudness;
    v = o ? json_object_get(o, "loudness") : NULL;
    if (v && !json_is_null(v)) {
        if (json_is_false(v))
            f->loudness = NAN;
        else if (json_is_number(v) && json_number_value(v) >= SR_LOUDNESS_MIN &&
                 json_number_value(v) <= SR_LOUDNESS_MAX)
            f->loudness = json_number_value(v);
        else
            return sr_err_set(
                err, SR_EINVALID_FIELD, "output.loudness",
                "output.loudness must be a target in LUFS between %g and %g, or false.",
                SR_LOUDNESS_MIN, SR_LOUDNESS_MAX);
    }
    return 0;
}

int sr_out_format_check(const sr_out_format *f, int w, int h, double duration, sr_err *err)
{
    if (f->format != SR_FMT_GIF) return 0;
    if (duration > SR_GIF_MAX_SECONDS)
        return sr_err_set(
            err, SR_ELIMIT, "output.duration",
            "A GIF is at most %g seconds long (this video is %.1f s); use mp4 or webm.",
            SR_GIF_MAX_SECONDS, duration);
    if (w > SR_GIF_MAX_SIDE || h > SR_GIF_MAX_SIDE)
        return sr_err_set(err, SR_ELIMIT, w > SR_GIF_MAX_SIDE ? "output.width" : "output.height",
                          "A GIF is at most %d pixels wide and high (this video is %dx%d).",
                          SR_GIF_MAX_SIDE, w, h);
    return 0;
}
