/* v1.h - Pictory's v1 API shapes translated to and from storyreel's own
 * storyboard and timeline (docs/api.md, *The v1 API*). Pure JSON to JSON:
 * no HTTP, no store, no media access.
 *
 *   v1 storyboard body (POST /v1/video/storyboard)  -> storyreel storyboard
 *   storyreel timeline (+ the storyboard it came from) -> v1 renderParams
 *   v1 renderParams (POST /v1/video/render)          -> storyreel storyboard
 *
 * A v1 renderParams holds what a client may edit (scene text, background,
 * duration, text style, voice, music, output size); rendering it compiles
 * the storyboard it translates to, so an edit renders what it says (new text
 * is spoken again, a new speaker speaks, a new background shows).
 *
 * Every function checks the fields it reads: a field of the wrong type or
 * one whose meaning storyreel cannot honour is SR_EINVALID_FIELD naming it
 * (scenes[1].backgroundUri); a field Pictory accepts that changes nothing
 * here, and any unknown field, adds one sentence naming it to warnings (a
 * JSON array; may be NULL). Nothing is ignored in silence. */
#ifndef SR_V1_H
#define SR_V1_H

#include <jansson.h>

#include "common/err.h"

/* The v1 storyboard body v1 as a new storyreel storyboard *out (caller
 * json_decref's it). The body's webhook fields are not copied. */
int sr_v1_storyboard(const json_t *v1, json_t **out, json_t *warnings, sr_err *err);

/* The v1 renderParams {output, audio, scenes[], language, brandLogo} of
 * timeline, the compiled form of storyboard sb (a storyboard made by
 * sr_v1_storyboard or sr_v1_from_render_params: one timeline scene per v1
 * scene). New reference in *out. */
int sr_v1_render_params(const json_t *timeline, const json_t *sb, json_t **out, sr_err *err);

/* A v1 renderParams rp (as sr_v1_render_params makes it, maybe edited) as a
 * new storyreel storyboard *out: one scene per rp scene, not split again. */
int sr_v1_from_render_params(const json_t *rp, json_t **out, json_t *warnings, sr_err *err);

#endif
