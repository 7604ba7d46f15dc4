/* resolve_local.h - what the CLI resolves in a storyboard without the
 * service's store: {{name}} template variables, the built-in named subtitle
 * styles, and a brand kit read from a file. The service does the same against
 * its store (src/api/brand_routes.c). */
#ifndef SR_RESOLVE_LOCAL_H
#define SR_RESOLVE_LOCAL_H

#include <jansson.h>

#include "common/err.h"

/* Replaces *sb (a storyboard; the reference is taken over) with the resolved
 * one: expanded with vars when vars is non-NULL (sr_template_expand), the
 * built-in style named by subtitleStyleId | subtitleStyleName merged under
 * subtitleStyle, kit applied when non-NULL (sr_brand_validate, then its
 * relative media paths rebased on kit_dir, then sr_brand_apply), and the
 * brand clips' durations probed (paths against base_dir). Errors name the
 * field (variables.NAME, subtitleStyleName, brand.colors.primary, ...); *sb
 * is left as it was on error. */
int sr_resolve_local(json_t **sb, const json_t *vars, const json_t *kit, const char *kit_dir, const char *base_dir,
                     sr_err *err);

#endif
