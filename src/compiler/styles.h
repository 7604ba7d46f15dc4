/* styles.h - named subtitle styles (subtitleStyleId | subtitleStyleName):
 * a built-in table of fontStyles, and merging a named style or a brand's
 * style under a storyboard's own subtitleStyle. Pure JSON. */
#ifndef SR_STYLES_H
#define SR_STYLES_H

#include <jansson.h>

#include "common/err.h"

/* The built-in styles as a new array [{id, name, style}] (NULL on OOM). */
json_t *sr_styles_builtin(void);

/* The built-in style whose id or name (case-insensitive) is key, as a new
 * fontStyle object; NULL when there is none. */
json_t *sr_style_builtin_find(const char *key);

/* Sets every field of style that sb.subtitleStyle lacks (the storyboard's own
 * fields win); creates sb.subtitleStyle when absent. 0 or SR_ENOMEM /
 * SR_EINVALID_FIELD "subtitleStyle" (not an object). */
int sr_style_merge_under(json_t *sb, const json_t *style, sr_err *err);

#endif
