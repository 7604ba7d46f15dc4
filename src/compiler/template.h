/* template.h - storyboard templates: a stored storyboard whose strings hold
 * {{name}} placeholders, expanded with a request's variables before it is
 * compiled. Pure JSON in, JSON out (no store, no files), so the service and
 * the CLI share it. See docs/storyboard.md "Templates". */
#ifndef SR_TEMPLATE_H
#define SR_TEMPLATE_H

#include <stddef.h>

#include <jansson.h>

#include "common/err.h"

#define SR_TEMPLATE_MAX_BYTES (4u << 20) /* default bound of an expanded template */
#define SR_TEMPLATE_NAME_MAX 64          /* a variable name's length */
#define SR_TEMPLATE_MAX_PLACEHOLDERS 1000 /* placeholders in one template (all uses counted) */

/* Expands tpl (any JSON; usually a storyboard object) with vars (an object,
 * or NULL) into a new document *out (caller json_decref's it):
 * - a string that is exactly one placeholder ("{{price}}", spaces allowed
 *   inside the braces) becomes a copy of the variable's value, keeping its
 *   JSON type (number, bool, object, array, null, string);
 * - elsewhere each "{{name}}" inside a string is replaced by the value's text
 *   (a string as is, a number in its shortest form, true/false, "" for null,
 *   compact JSON for an object or array).
 * Object keys are not expanded. A name is [A-Za-z0-9_.-]{1,64}; anything else
 * between braces is left as it is.
 * Errors: SR_EINVALID_FIELD "variables.NAME" when a used variable is missing
 * (the message names where it is used), SR_EINVALID_FIELD "variables" when
 * vars is not an object, SR_ELIMIT "variables" when the result would exceed
 * max_bytes of string data (0: SR_TEMPLATE_MAX_BYTES). *out is NULL on error. */
int sr_template_expand(const json_t *tpl, const json_t *vars, size_t max_bytes, json_t **out, sr_err *err);

/* Checks that tpl has at most SR_TEMPLATE_MAX_PLACEHOLDERS placeholders
 * (every use counts): 0 with *vars (when not NULL) a new array of the
 * distinct names in order of first use, or SR_ELIMIT naming where the bound
 * was crossed ("scenes[3].text"), or SR_ENOMEM. Linear in tpl's size. */
int sr_template_check(const json_t *tpl, json_t **vars, sr_err *err);
/* The distinct placeholder names used in tpl, in order of first use, as a new
 * JSON array of strings (empty past the bound; NULL on OOM). */
json_t *sr_template_variables(const json_t *tpl);
/* The same for a template stored as text (NUL-terminated compact JSON as
 * json_dumps(JSON_COMPACT) writes it) without parsing it: one pass over the
 * bytes (GET /v1/templates lists many). */
json_t *sr_template_variables_text(const char *text);

/* Applies a request to a template: expands tpl with req.variables, then sets
 * every top-level field of req other than templateId and variables over the
 * result. *out is new. Errors as sr_template_expand; SR_EINVALID_FIELD
 * "templateId" when tpl is not an object. */
int sr_template_apply(const json_t *tpl, const json_t *req, size_t max_bytes, json_t **out, sr_err *err);

#endif
