/* fuzz_timeline.c - the engine's timeline reader (src/render/timeline.c:
 * sr_timeline_parse) and, on a timeline it accepts, the text layers
 * (src/render/text: libass script generation from arbitrary text, styles and
 * animations) built at a tiny size, drawing 2 frames. No media is opened. */
#include "fuzz_common.h"

#include "render/frame.h"
#include "render/text/text.h"
#include "render/timeline.h"

#define FUZZ_TL_W 64
#define FUZZ_TL_H 36

int FUZZ_ENTRY(const uint8_t *data, size_t size);
int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    json_t *rp = fuzz_json(data, size);
    if (!rp) return 0;
    sr_timeline *tl = NULL;
    sr_text *tx = NULL;
    sr_frame *f = NULL;
    sr_err err = {0};
    if (sr_timeline_parse(rp, NULL, &tl, &err)) goto done;
    if (sr_text_create(&tx, rp, FUZZ_TL_W, FUZZ_TL_H, NULL, &err)) goto done;
    if (!(f = sr_frame_alloc(FUZZ_TL_W, FUZZ_TL_H))) goto done;
    for (int k = 0; k < 2; k++) { /* a third and two thirds into the video */
        double t = tl->duration * (k + 1) / 3.0;
        for (int s = 0; s < tl->nscenes; s++)
            if (t >= tl->scenes[s].start && t < tl->scenes[s].start + tl->scenes[s].dur)
                sr_text_draw_scene(tx, f, t, s);
        sr_text_draw_scene(tx, f, t, -1);
        sr_text_draw_subtitles(tx, f, t);
    }
done:
    sr_frame_free(f);
    sr_text_destroy(tx);
    sr_timeline_free(tl);
    json_decref(rp);
    return 0;
}
