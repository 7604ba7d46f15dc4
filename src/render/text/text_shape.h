/* text_shape.h - shape elements (timeline `SceneShape`, docs/renderParams.md)
 * drawn as vectors through libass's drawing mode ({\p1} m/l/b paths) on the
 * scene's text track, so shapes are layered, timed and animated like text.
 * The geometry of every named shape is one table in text_shape.c. */
#ifndef SR_TEXT_SHAPE_H
#define SR_TEXT_SHAPE_H

#include <jansson.h>

#include "common/err.h"

/* Whether name is a shape the table knows ("circle", "star-5", ...). */
int sr_shape_known(const char *name);
/* The natural width:height of shape name in pixels (1 for a square), or 0
 * when the name is unknown. */
double sr_shape_aspect(const char *name);

/* Builds the ASS event text that draws shape element el (a SceneShape
 * timeline element: name, fill, stroke, strokeWidth, borderRadius, opacity,
 * position | left/top, width) on a W x H frame. *out is malloc'd. Returns 0,
 * or SR_EINVALID_FIELD naming pfx.FIELD, or SR_ENOMEM. */
int tx_shape_event(const json_t *el, int W, int H, const char *pfx, char **out, sr_err *err);

#endif
