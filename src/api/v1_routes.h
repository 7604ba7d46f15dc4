/* v1_routes.h - Pictory's v1 API (docs/api.md, *The v1 API*): POST
 * /v1/video/storyboard (a v1 body -> a preview job whose completed answer
 * carries a v1 renderParams), POST /v1/video/render (a v1 renderParams, maybe
 * edited -> a render job), GET /v1/video/storyboard/fonts. The shapes are
 * translated by src/compiler/v1.c; these functions build the job's input and
 * the answers. http.c routes to them; they know nothing of libmicrohttpd. */
#ifndef SR_V1_ROUTES_H
#define SR_V1_ROUTES_H

#include <jansson.h>

#include "api/brand_routes.h"
#include "common/err.h"

/* A job to queue: its kind ("preview" | "render") and input (owned). */
typedef struct sr_v1_job {
    const char *kind;
    json_t *input;
} sr_v1_job;

/* q->body is a v1 storyboard body: 0 with *out the preview job's input
 * {"storyboard", "v1":true, "warnings"}, or SR_EINVALID_FIELD naming the field. */
int sr_api_v1_storyboard(const sr_res_req *q, sr_v1_job *out, sr_err *err);
/* q->body is a v1 renderParams {output, audio, scenes, ...} (or one under
 * "renderParams"): 0 with *out the render job's input, or an error naming the field. */
int sr_api_v1_render(const sr_res_req *q, sr_v1_job *out, sr_err *err);

/* The answers to a queued v1 job: {"success":true,"jobId":ID,"data":{"jobId":ID}}
 * (storyboard) and {"success":true,"data":{"job_id":ID,"jobId":ID}} (render). */
json_t *sr_api_v1_storyboard_answer(const char *id);
json_t *sr_api_v1_render_answer(const char *id);

/* {"success":true,"data":[{name, fontFamily, category, installed}]}: the font catalog. */
int sr_api_v1_fonts(const sr_res_req *q, json_t **out, sr_err *err);

#endif
