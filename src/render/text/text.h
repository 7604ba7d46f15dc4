/* text.h - all text on screen through libass: scene text elements and
 * subtitles, shaped (HarfBuzz), bidi, with font fallback (fontconfig).
 *
 * Built once per render from the timeline; then, per frame, draws what is
 * visible at time t into a YUV frame. */
#ifndef SR_TEXT_H
#define SR_TEXT_H

#include <jansson.h>

#include "common/err.h"
#include "render/frame.h"

typedef struct sr_text sr_text;

/* Builds the text layers of timeline rp (its SceneText elements and its
 * subtitles[]) for a w x h output. fonts_dir: an extra folder of fonts (may
 * be NULL). Returns 0 and *out, or an error naming the element at fault. */
int sr_text_create(sr_text **out, const json_t *rp, int w, int h, const char *fonts_dir, sr_err *err);

/* Draws, into f, the SceneText elements of scene `scene` visible at time t
 * (seconds on the timeline). Elements with no sceneIndex belong to scene -1. */
int sr_text_draw_scene(sr_text *tx, sr_frame *f, double t, int scene);
/* Draws the subtitle cue(s) visible at time t. */
int sr_text_draw_subtitles(sr_text *tx, sr_frame *f, double t);

void sr_text_destroy(sr_text *tx); /* accepts NULL */

/* Checks fontStyle style's animations[] (docs/storyboard.md); pfx names the
 * style in errors ("scenes[0].subtitleStyle"). Returns 0 or SR_EINVALID_FIELD. */
int sr_text_check_animations(const json_t *style, const char *pfx, sr_err *err);

#endif
