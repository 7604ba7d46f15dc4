/* brand_routes.h - the API of templates, brand kits and named subtitle
 * styles (GET/POST /v1/templates, GET /v1/templates/{id}, GET /v1/brands/video,
 * POST /v1/brands, GET/POST /v1/styles), and the resolution of a storyboard
 * body's templateId, subtitleStyleId|Name and brandId|Name against the store
 * before a job is queued. http.c routes to these; they only read and write
 * the store and build JSON, so they know nothing of libmicrohttpd. */
#ifndef SR_BRAND_ROUTES_H
#define SR_BRAND_ROUTES_H

#include <jansson.h>

#include "common/err.h"
#include "store/store.h"

#define SR_RES_LIST_MAX 500 /* resources listed per kind and account */

/* One request: the caller's account, its JSON body (may be NULL) and the
 * path's "*" segment (may be ""). */
typedef struct sr_res_req {
    const sr_store_ops *ops;
    sr_store *st;
    const char *account;
    const json_t *body;
    const char *param;
} sr_res_req;

/* A route body: 0 with *out the new 200 answer, or an error for http.c's
 * reply_err (SR_EINVALID_FIELD -> 400 naming the field, SR_ENOT_FOUND -> 404). */
typedef int (*sr_res_fn)(const sr_res_req *q, json_t **out, sr_err *err);

int sr_api_templates_list(const sr_res_req *q, json_t **out, sr_err *err);  /* [{id,name,variables,createdDate}] */
int sr_api_template_get(const sr_res_req *q, json_t **out, sr_err *err);    /* {id,name,variables,storyboard,...} */
int sr_api_template_create(const sr_res_req *q, json_t **out, sr_err *err); /* {"success":true,"data":{id,name,variables}} */
/* PUT /v1/templates/{id}: the body as for create replaces the template's storyboard and name; same answer. */
int sr_api_template_update(const sr_res_req *q, json_t **out, sr_err *err);
/* DELETE /v1/templates/{id}: {"success":true,"message":"Template deleted successfully"}. */
int sr_api_template_delete(const sr_res_req *q, json_t **out, sr_err *err);
int sr_api_brands_list(const sr_res_req *q, json_t **out, sr_err *err);     /* [{id,name}] */
int sr_api_brand_create(const sr_res_req *q, json_t **out, sr_err *err);    /* {"success":true,"data":{id,name}} */
int sr_api_styles_list(const sr_res_req *q, json_t **out, sr_err *err);     /* [{id,name,style}] built-in + account's */
int sr_api_style_create(const sr_res_req *q, json_t **out, sr_err *err);    /* {"success":true,"data":{id,name}} */

/* Resolves q->body (a storyboard body) into a new storyboard *out: expands
 * templateId with variables (request fields override the template's), puts
 * the named style (subtitleStyleId | subtitleStyleName) under subtitleStyle,
 * applies the brand kit (brandId | brandName), and drops those fields. A body
 * with none of them comes back as a copy; a body that is not an object comes
 * back as is (the caller's checks name it). Errors are SR_EINVALID_FIELD
 * naming the field (templateId, variables.NAME, brandName, ...) or a store
 * error. */
int sr_api_resolve_storyboard(const sr_res_req *q, json_t **out, sr_err *err);

#endif
