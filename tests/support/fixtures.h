/* fixtures.h - helpers for tests: temporary folders, synthetic media, and
 * reading back what a render produced (a decoded frame, audio levels).
 * Media are made with real encoders (libav* or the ffmpeg program). */
#ifndef SR_TEST_FIXTURES_H
#define SR_TEST_FIXTURES_H

#include <stdint.h>

#include <jansson.h>

#include "render/frame.h"

/* A fresh temporary folder (malloc'd path), removed by sr_test_rmdir. */
char *sr_test_tmpdir(void);
void sr_test_rmdir(const char *dir);
/* dir/name in a static rotating buffer (8 slots). */
const char *sr_test_path(const char *dir, const char *name);
/* Runs a shell command; returns its exit status (or -1). Output goes to stderr. */
int sr_test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs a shell command and captures stdout+stderr (malloc'd, NUL-terminated) and the status. */
char *sr_test_sh_out(int *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A 16-bit PCM WAV: a sine of freq Hz (0: silence) at amplitude amp (0..1). */
int sr_test_write_wav(const char *path, int rate, int channels, double seconds, double freq, double amp);
/* A solid-colour image (PNG when the path ends in .png, else JPEG) with
 * alpha (PNG only), made by the ffmpeg program. */
int sr_test_write_image(const char *path, int w, int h, uint8_t r, uint8_t g, uint8_t b, uint8_t a);
/* A test video (ffmpeg testsrc2 pattern or a solid colour when color != NULL), optional sine audio. */
int sr_test_write_video(const char *path, int w, int h, double fps, double seconds, const char *color,
                        int with_audio);

/* Decodes the video frame shown at time t (s) of a media file into a new YUV420P frame
 * (caller frees with sr_frame_free). NULL on failure. */
sr_frame *sr_test_decode_frame(const char *path, double t);
/* RMS (0..1) of the audio of a media file between t0 and t1 seconds (channels averaged); -1 on failure. */
double sr_test_audio_rms(const char *path, double t0, double t1);
/* Amplitude (0..1, of a sine) of the frequency freq Hz in the audio between t0 and t1 (Goertzel,
 * channels averaged); -1 on failure. Tells music apart from a voice mixed over it. */
double sr_test_audio_tone(const char *path, double t0, double t1, double freq);
/* Media duration from the container (s); -1 on failure. */
double sr_test_media_duration(const char *path);
/* Reads a whole file (malloc'd, NUL-terminated); NULL when it cannot. */
char *sr_test_read(const char *path);

/* The bounding box (inclusive) and count of the pixels of f whose RGB pred
 * accepts; n == 0 (and x1 < x0) when none does. */
typedef struct sr_test_box {
    int x0, y0, x1, y1;
    long n;
} sr_test_box;
sr_test_box sr_test_find_px(const sr_frame *f, int (*pred)(const uint8_t rgb[3]));

/* Outlines around glyphs: mask (f->w x f->h bytes, 1 = a glyph's fill
 * pixel, found on a plain background) is cut into 4-connected glyphs; for
 * each glyph of 8 pixels or more, its ring is the pixels of f outside every
 * glyph within 1 px of it, its dark pixels those within 3 px with luma
 * (BT.709 of the RGB) below 80. Returns the number of glyphs measured and
 * *worst the least (dark pixels / ring pixels) over them; -1 when out of
 * memory. A solid dark outline gives about 1 and more; none gives 0. */
int sr_test_dark_rings(const sr_frame *f, const uint8_t *mask, double *worst);

/* Reading a timeline (renderParams): o[k] as a number / string (0 / NULL when absent). */
double sr_test_num(const json_t *o, const char *k);
const char *sr_test_str(const json_t *o, const char *k);
/* The elements of rp with elementType et (and type ty when not NULL), in order: the first max
 * go to out; returns how many there are. */
int sr_test_find(const json_t *rp, const char *et, const char *ty, const json_t **out, int max);

#endif
