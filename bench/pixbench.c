/* pixbench: a micro-benchmark of the compositor's camera and blends at
 * 1920x1080, per SIMD level (scalar, SSE2, AVX2): output megapixels per
 * second of one thread (luma + chroma pixels) of the camera (story60's Ken
 * Burns) and of four transitions through their length. Cheap: about a second a
 * level.
 *
 *   build/sr_pixbench [frames]       (default 60) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/compose.h"
#include "render/pixels.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void noise(sr_frame *f, unsigned seed)
{
    for (int p = 0; p < 3; p++)
        for (int r = 0; r < (p ? f->h / 2 : f->h); r++)
            for (int i = 0; i < (p ? f->w / 2 : f->w); i++) {
                seed = seed * 1664525u + 1013904223u;
                f->data[p][(size_t)r * f->linesize[p] + i] = (uint8_t)(seed >> 24);
            }
}

int main(int argc, char **argv)
{
    int frames = argc > 1 ? atoi(argv[1]) : 60;
    if (frames < 1) frames = 1;
    const int W = 1920, H = 1080;
    const double zmax = 1.2;
    sr_frame *pic = sr_frame_alloc(2304, 1296), *out = sr_frame_alloc(W, H), *a = sr_frame_alloc(W, H),
             *b = sr_frame_alloc(W, H);
    sr_sampler *s = sr_sampler_create(W);
    if (!pic || !out || !a || !b || !s) return 1;
    noise(pic, 1);
    noise(a, 2);
    noise(b, 3);
    const sr_motion m = {1.0, zmax, 0.4, 0.45, 0.6, 0.55}; /* the Ken Burns of story60 */
    const double px = (double)W * H * 1.5 * frames / 1e6;
    static const char *const trans[] = {"fade", "wipeleft", "circlecrop", "radial"};
    const int nt = (int)(sizeof trans / sizeof trans[0]);
    printf("| level | camera Mpx/s |");
    for (int k = 0; k < nt; k++) printf(" %s Mpx/s |", trans[k]);
    printf("\n|---|---|---|---|---|---|\n");
    for (int lv = SR_PX_SCALAR; lv <= SR_PX_AVX2; lv++) {
        if (sr_px_select((sr_px_level)lv) != (sr_px_level)lv) continue;
        double t0 = now();
        for (int i = 0; i < frames; i++) sr_draw_view(s, out, pic, zmax, &m, (double)i / frames);
        printf("| %s | %.0f |", sr_px()->name, px / (now() - t0));
        for (int k = 0; k < nt; k++) {
            const sr_transition *tr = &sr_transitions[sr_transition_find(trans[k])];
            t0 = now();
            for (int i = 0; i < frames; i++) tr->fn(out, a, b, (i + 0.5) / frames);
            printf(" %.0f |", px / (now() - t0));
        }
        printf("\n");
    }
    sr_sampler_destroy(s);
    sr_frame_free(pic);
    sr_frame_free(out);
    sr_frame_free(a);
    sr_frame_free(b);
    return 0;
}
