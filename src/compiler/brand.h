/* brand.h - brand kits: a logo, colours, a font, a subtitle style and intro
 * and outro clips that keep a company's videos consistent. A kit is a JSON
 * object (docs/storyboard.md "Brand kits"):
 *   {"name", "logo":{url,position,width}, "colors":{primary,secondary,text,background},
 *    "fontFamily", "subtitleStyle":{fontStyle}, "intro":{visualUrl,duration}|PATH, "outro":...}
 * Validating and applying one are pure JSON; only sr_brand_clip_durations
 * reads files. */
#ifndef SR_BRAND_H
#define SR_BRAND_H

#include <jansson.h>

#include "common/err.h"

#define SR_BRAND_CLIP_MAX_S 15.0   /* an intro/outro lasts at most this */
#define SR_BRAND_IMAGE_CLIP_S 3.0  /* an image intro/outro without a duration */

/* Checks kit like a storyboard's fields (logo, subtitleStyle and colours go
 * through the compiler's own checks). 0 or SR_EINVALID_FIELD / SR_ELIMIT
 * naming the kit's field ("colors.primary", "logo.position", "intro.duration"). */
int sr_brand_validate(const json_t *kit, sr_err *err);

/* Applies kit to storyboard sb in place:
 * - kit.logo unless sb has a logo;
 * - kit.subtitleStyle (+ fontFamily, colors.text) merged under sb.subtitleStyle;
 * - fontFamily and colors.text as defaults of text elements' style;
 * - colors as sb.brandColors [primary, secondary] (the palette of generated
 *   backgrounds) unless sb has brandColors;
 * - intro/outro as an extra visual-only first/last scene marked
 *   "brandClip":"intro"|"outro" (minimumDuration = the kit's duration, else
 *   filled later by sr_brand_clip_durations).
 * 0 or SR_ENOMEM / SR_EINVALID_FIELD (sb's own subtitleStyle or scenes malformed). */
int sr_brand_apply(json_t *sb, const json_t *kit, sr_err *err);

/* For each brandClip scene of sb without minimumDuration, probes its
 * background.visualUrl (a local path by now) and sets minimumDuration: a
 * video's length capped at SR_BRAND_CLIP_MAX_S, SR_BRAND_IMAGE_CLIP_S for an
 * image. base_dir resolves relative paths (may be NULL). 0 or the probe's
 * error naming the scene's field. */
int sr_brand_clip_durations(json_t *sb, const char *base_dir, sr_err *err);

#endif
