/* fuzz_media_open.c - the guarded media open (src/render/media_open.c:
 * sr_media_open) and what reads through it: the probe (first frames decoded),
 * stills, a few video frames, a few blocks of audio. The first byte of the
 * input picks the file's extension (libavformat's probes look at it: .m3u8
 * makes a playlist, .png an image2 candidate); the rest is the file, written
 * to a temporary file. Invariants beyond "no crash, no leak": a file that
 * opens is of a demuxer on the allow list, and no picture over the limits is
 * accepted. Small limits keep each input fast. */
#include "fuzz_common.h"

#include <stdio.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>

#include "render/audio/audio_src.h"
#include "render/compose.h"
#include "render/media.h"
#include "render/video.h"

#define FUZZ_MO_SIDE 2048
#define FUZZ_MO_PIXELS (2LL << 20)
#define FUZZ_MO_FRAMES 3
#define FUZZ_MO_AUDIO_BLOCKS 4

static const char *const fuzz_mo_ext[] = {".bin", ".png", ".jpg", ".mp4", ".m3u8", ".ffconcat", ".wav",
                                          ".mp3", ".webm", ".gif", ".mov", ".ogg", ".txt", ".mkv"};

/* Writes data to a new temporary file named *.EXT; 0 and its path, or -1. */
static int fuzz_mo_write(const uint8_t *data, size_t size, const char *ext, char path[512])
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, 512, "%s/fuzz-media-XXXXXX%s", dir && *dir ? dir : P_tmpdir, ext);
    int fd = mkstemps(path, (int)strlen(ext));
    if (fd < 0) return -1;
    int ok = write(fd, data, size) == (ssize_t)size;
    close(fd);
    if (!ok) unlink(path);
    return ok ? 0 : -1;
}

static void fuzz_mo_read(const char *path, const sr_media_info *mi)
{
    sr_err err = {0};
    if (mi->is_image) {
        AVFrame *fr = NULL;
        if (sr_image_decode(path, "f", &fr, &err) == 0 &&
            (fr->width > FUZZ_MO_SIDE || fr->height > FUZZ_MO_SIDE))
            abort(); /* bigger than the probe let through */
        av_frame_free(&fr);
    } else if (mi->has_video) {
        sr_video *v = NULL;
        if (sr_video_open(&v, path, "f", NULL, 0, 1, 64, 36, &err) == 0)
            for (int i = 0; i < FUZZ_MO_FRAMES; i++) {
                const sr_frame *pic;
                if (sr_video_frame(v, i * 0.5, &pic, &err)) break;
            }
        sr_video_close(v);
    }
    if (mi->has_audio) {
        sr_asrc *a = NULL;
        sr_err_clear(&err);
        if (sr_asrc_open(&a, path, "f", 1, &err) == 0 && a && sr_asrc_check(a, &err) == 0) {
            float buf[2 * 1024];
            for (int i = 0; i < FUZZ_MO_AUDIO_BLOCKS; i++)
                if (sr_asrc_read(a, buf, 1024, &err) <= 0) break;
        }
        sr_asrc_close(a);
    }
}

int FUZZ_ENTRY(const uint8_t *data, size_t size);
int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_INPUT) return 0;
    av_log_set_level(AV_LOG_QUIET);
    char path[512];
    const char *ext = fuzz_mo_ext[data[0] % (sizeof fuzz_mo_ext / sizeof fuzz_mo_ext[0])];
    if (fuzz_mo_write(data + 1, size - 1, ext, path)) return 0;
    sr_err err = {0};
    AVFormatContext *fc = NULL;
    sr_media_budget b;
    sr_media_budget_init(&b, &(sr_media_limits){FUZZ_MO_SIDE, FUZZ_MO_PIXELS, 4 * FUZZ_MO_PIXELS});
    if (sr_media_open(&fc, path, "f", &b, &err) == 0) {
        if (!sr_media_format_allowed(fc->iformat->name)) abort(); /* the allow list was bypassed */
        avformat_close_input(&fc);
    }
    sr_media_info mi;
    sr_err_clear(&err);
    sr_media_budget_init(&b, &(sr_media_limits){FUZZ_MO_SIDE, FUZZ_MO_PIXELS, 4 * FUZZ_MO_PIXELS});
    if (sr_media_probe_budget(path, SR_MEDIA_IMAGE | SR_MEDIA_VIDEO | SR_MEDIA_AUDIO, "f", &b, &mi, &err) == 0) {
        if (mi.width > FUZZ_MO_SIDE || mi.height > FUZZ_MO_SIDE) abort(); /* a limit was not applied */
        fuzz_mo_read(path, &mi);
    }
    unlink(path);
    return 0;
}
