/* smartlayouts.h - Pictory's smart layouts (smartLayoutName | smartLayoutId
 * on a storyboard): named looks, each a caption style (font, size, colours,
 * box, position, case), its text animations, the font of text elements and
 * the scenes' transition, defined in one table (smartlayouts.c). A look is
 * merged under the storyboard: what the storyboard (or its named style or
 * brand kit) sets wins. Pure JSON, like styles.h. */
#ifndef SR_SMARTLAYOUTS_H
#define SR_SMARTLAYOUTS_H

#include <jansson.h>

#include "common/err.h"

/* GET /v1/smartlayouts in Pictory's shape: {"items":[{templateId,
 * templateName, schemaVersion, id, name, description, subtitleStyle,
 * sceneTransition}]} (NULL on OOM). */
json_t *sr_smartlayouts_list(void);

/* Applies sb's smartLayoutName | smartLayoutId (Pictory's id, our short id
 * or the name, case-insensitive) and removes the field. No field: 0. An
 * unknown layout, both fields, or a non-string: SR_EINVALID_FIELD naming it. */
int sr_smartlayout_apply(json_t *sb, sr_err *err);

#endif
