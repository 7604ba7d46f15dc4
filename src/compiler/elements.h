/* elements.h - the compiler's mapping of visual extras to the timeline: shape
 * and video elements (scene elements[]) and a background's fit and explicit
 * zoom path (settings.videoKenBurns). Private to the compiler; placement and
 * media lookup stay in compiler.c. */
#ifndef SR_ELEMENTS_H
#define SR_ELEMENTS_H

#include <jansson.h>

#include "common/err.h"

/* Reads storyboard shape element el (field path ep): name, fill, stroke,
 * strokeWidth, borderRadius, opacity, animations (on the element or in its
 * style, not both; checked by sr_shape_check_animations); writes the timeline
 * SceneShape fields into o (elementType, type, name, ..., animations).
 * Returns 0 or SR_EINVALID_FIELD. */
int sr_el_shape(const json_t *el, const char *ep, json_t *o, sr_err *err);

/* Reads a video element's settings.loop / settings.mute (default true) and
 * colorOverlay into the timeline layerItem o. Returns 0 or an error. */
int sr_el_video(const json_t *el, const char *ep, json_t *o, sr_err *err);

/* Reads background bg's `fit` and settings.videoKenBurns (pfx: the
 * background's path). mw x mh: the media's size (0: unknown), W x H the
 * frame's: with no fit given, media whose aspect differs from the frame's by
 * more than 30% get "blur", others "cover". *fit is a static string; *motion
 * a new timeline motion object, or NULL when there is no videoKenBurns.
 * Returns 0 or SR_EINVALID_FIELD. */
int sr_el_background(const json_t *bg, const char *pfx, int mw, int mh, int W, int H, const char **fit,
                     json_t **motion, sr_err *err);

#endif
