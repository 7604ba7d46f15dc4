/* text_shape.h - shape elements (timeline `SceneShape`, docs/renderParams.md)
 * drawn as vectors through libass's drawing mode ({\p1} m/l/b paths) on the
 * scene's text track, so shapes are layered, timed and animated like text
 * (their animations[]: the block animations of text_anim.c).
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

/* Checks the animations[] of obj (a shape element, or its style; pfx: obj's
 * path) as a shape takes them: the block animations of text
 * (docs/storyboard.md, "Text animations"), typewriter as a wipe, karaoke
 * refused. Returns 0 or SR_EINVALID_FIELD naming pfx.animations[i].FIELD. */
int sr_shape_check_animations(const json_t *obj, const char *pfx, sr_err *err);

/* Emits the events that draw shape element el (a SceneShape timeline element:
 * name, fill, stroke, strokeWidth, borderRadius, opacity, position |
 * left/top, width, animations) on a W x H frame over [start, end) ms: one
 * event, or with animations up to three (entry, hold, exit; text_anim.c).
 * emit takes ownership of text (box_pass is 0). Returns 0, SR_EINVALID_FIELD
 * naming pfx.FIELD, SR_ENOMEM, or what emit returned (err set). */
int tx_shape_events(const json_t *el, int W, int H, const char *pfx, long long start, long long end,
                    int (*emit)(void *arg, long long start, long long dur, int box_pass, char *text),
                    void *arg, sr_err *err);

#endif
