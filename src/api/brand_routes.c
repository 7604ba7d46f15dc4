/* brand_routes.c - templates, brand kits and named styles over the store
 * (brand_routes.h). Kinds in the store's resources table: "template" (data:
 * the storyboard), "brand" (data: the kit), "style" (data: the fontStyle). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/brand_routes.h"
#include "compiler/brand.h"
#include "compiler/smartlayouts.h"
#include "compiler/styles.h"
#include "compiler/template.h"

#define NAME_MAX_LEN 200

static int nomem(sr_err *err) { return sr_err_set(err, SR_ENOMEM, NULL, "out of memory"); }

static json_t *iso_date(int64_t ms)
{
    char buf[32];
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* A name from body[key] (a string of 1..NAME_MAX_LEN bytes), else def. */
static int take_name(const json_t *v, const char *field, const char *def, char out[256], sr_err *err)
{
    if (!v || json_is_null(v)) {
        snprintf(out, 256, "%s", def);
        return 0;
    }
    if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > NAME_MAX_LEN)
        return sr_err_set(err, SR_EINVALID_FIELD, field, "%s must be a string of 1-%d characters", field, NAME_MAX_LEN);
    snprintf(out, 256, "%s", json_string_value(v));
    return 0;
}

/* Stores data (a JSON value) as a new resource of kind named name; p->id is set. */
static int store_new(const sr_res_req *q, const char *kind, const char *name, const json_t *data, sr_project *p,
                     sr_err *err)
{
    memset(p, 0, sizeof *p);
    sr_uuid(p->id);
    snprintf(p->account_id, sizeof p->account_id, "%s", q->account);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->data = json_dumps(data, JSON_COMPACT);
    if (!p->data) return nomem(err);
    int rc = q->ops->resource_create(q->st, kind, p, err);
    free(p->data);
    p->data = NULL;
    return rc;
}

/* The resource's data parsed; by id (by_id) or name; a store miss becomes
 * SR_EINVALID_FIELD naming field (the request's field, so a 400). */
static int load(const sr_res_req *q, const char *kind, const char *key, int by_id, const char *field, json_t **out,
                sr_err *err)
{
    sr_project p;
    sr_err e = {0};
    int rc = by_id ? q->ops->resource_get(q->st, kind, q->account, key, &p, &e)
                   : q->ops->resource_find(q->st, kind, q->account, key, &p, &e);
    if (rc == SR_ENOT_FOUND) return sr_err_set(err, SR_EINVALID_FIELD, field, "%s: no %s is named %s", field, kind, key);
    if (rc) {
        if (err) *err = e;
        return rc;
    }
    *out = json_loads(p.data ? p.data : "", 0, NULL);
    sr_project_clear(&p);
    return *out ? 0 : sr_err_set(err, SR_EINTERNAL, field, "the stored %s is damaged", kind);
}

/* ------------------------------------------------------------- templates */

int sr_api_templates_list(const sr_res_req *q, json_t **out, sr_err *err)
{
    sr_project *ps = NULL;
    int n = q->ops->resource_list(q->st, "template", q->account, SR_RES_LIST_MAX, &ps, err);
    if (n < 0) return n;
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        sr_project full;
        json_t *vars = NULL;
        if (!q->ops->resource_get(q->st, "template", q->account, ps[i].id, &full, NULL)) {
            vars = sr_template_variables_text(full.data ? full.data : ""); /* one pass, no parse: 500 may be listed */
            sr_project_clear(&full);
        }
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o}", "id", ps[i].id, "name", ps[i].name, "variables",
                                             vars ? vars : json_array(), "createdDate", iso_date(ps[i].created_ms)));
    }
    free(ps);
    if (!arr) return nomem(err);
    *out = arr;
    return 0;
}

int sr_api_template_get(const sr_res_req *q, json_t **out, sr_err *err)
{
    sr_project p;
    int rc = q->ops->resource_get(q->st, "template", q->account, q->param, &p, err);
    if (rc) return rc;
    json_t *sb = json_loads(p.data ? p.data : "", 0, NULL);
    *out = json_pack("{s:s,s:s,s:o,s:o,s:o}", "id", p.id, "name", p.name, "variables", sr_template_variables(sb),
                     "storyboard", sb ? sb : json_object(), "createdDate", iso_date(p.created_ms));
    sr_project_clear(&p);
    return *out ? 0 : nomem(err);
}

/* Storyboard scene fields: a template's scenes must have at least one, so
 * that another tool's document (Pictory's .pictai export: scenes of
 * subtitles and backgroundVisual) is refused rather than stored empty. */
static const char *const scene_fields[] = {"story", "background", "audioUrl", "videoUrl", "elements", "caption",
                                           "minimumDuration", "voiceOver", NULL};

static int is_storyboard_scene(const json_t *sc)
{
    for (int i = 0; json_is_object(sc) && scene_fields[i]; i++)
        if (json_object_get(sc, scene_fields[i])) return 1;
    return 0;
}

/* A template request body ({"name","storyboard"} or a storyboard with a
 * name) as its storyboard (*data_out), its placeholder names (*vars_out,
 * from the one bounded scan; both caller decrefs) and name. */
static int template_body(const sr_res_req *q, json_t **data_out, json_t **vars_out, char name[256], sr_err *err)
{
    *data_out = NULL;
    *vars_out = NULL;
    if (!json_is_object(q->body))
        return sr_err_set(err, SR_EINVALID_FIELD, "body",
                          "a template is a storyboard (JSON) with {{name}} placeholders; Pictory's project "
                          "exports (.pictai files) cannot be imported");
    const json_t *sb = json_object_get(q->body, "storyboard");
    if (sb && !json_is_object(sb)) return sr_err_set(err, SR_EINVALID_FIELD, "storyboard", "storyboard must be an object");
    json_t *data = json_is_object(sb) ? json_deep_copy(sb) : json_deep_copy(q->body);
    if (!data) return nomem(err);
    if (!json_is_object(sb)) json_object_del(data, "name"), json_object_del(data, "templateName");
    const json_t *scenes = json_object_get(data, "scenes"), *sc;
    size_t i;
    int bad = !json_is_array(scenes) || !json_array_size(scenes) || json_object_get(data, "templateId");
    json_array_foreach(scenes, i, sc) bad |= !is_storyboard_scene(sc);
    if (bad) {
        json_decref(data);
        return sr_err_set(err, SR_EINVALID_FIELD, "scenes",
                          "the body is not a storyboard: a template is a storyboard with at least one scene of "
                          "story, background, elements, ... (and no templateId); Pictory's project exports "
                          "(.pictai) cannot be imported");
    }
    const json_t *nv = json_object_get(q->body, "name");
    if (!nv) nv = json_object_get(q->body, "templateName");
    const char *vn = json_string_value(json_object_get(data, "videoName"));
    int rc = take_name(nv, "name", vn && strlen(vn) <= NAME_MAX_LEN ? vn : "Untitled template", name, err);
    if (!rc) rc = sr_template_check(data, vars_out, err); /* bounded before it is stored */
    if (rc) json_decref(data);
    else *data_out = data;
    return rc;
}

/* {"success":true,"data":{id,name,variables}}, consuming vars. */
static int template_answer(const char *id, const char *name, json_t *vars, json_t **out, sr_err *err)
{
    *out = json_pack("{s:b,s:{s:s,s:s,s:s,s:o}}", "success", 1, "data", "id", id, "templateId", id, "name", name,
                     "variables", vars ? vars : json_array());
    return *out ? 0 : nomem(err);
}

int sr_api_template_create(const sr_res_req *q, json_t **out, sr_err *err)
{
    char name[256];
    json_t *data = NULL, *vars = NULL;
    sr_project p;
    int rc = template_body(q, &data, &vars, name, err);
    if (!rc) rc = store_new(q, "template", name, data, &p, err);
    json_decref(data);
    if (rc) {
        json_decref(vars);
        return rc;
    }
    return template_answer(p.id, name, vars, out, err);
}

int sr_api_template_update(const sr_res_req *q, json_t **out, sr_err *err)
{
    char name[256];
    json_t *data = NULL, *vars = NULL;
    int rc = template_body(q, &data, &vars, name, err);
    if (rc) return rc;
    sr_project p;
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", q->param);
    snprintf(p.account_id, sizeof p.account_id, "%s", q->account);
    snprintf(p.name, sizeof p.name, "%s", name);
    p.data = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    rc = p.data ? q->ops->resource_update(q->st, "template", &p, err) : nomem(err);
    free(p.data);
    if (rc) {
        json_decref(vars);
        return rc;
    }
    return template_answer(q->param, name, vars, out, err);
}

int sr_api_template_delete(const sr_res_req *q, json_t **out, sr_err *err)
{
    int rc = q->ops->resource_delete(q->st, "template", q->account, q->param, err);
    if (rc) return rc;
    *out = json_pack("{s:b,s:s}", "success", 1, "message", "Template deleted successfully");
    return *out ? 0 : nomem(err);
}

/* ----------------------------------------------------------------- brands */

int sr_api_brands_list(const sr_res_req *q, json_t **out, sr_err *err)
{
    sr_project *ps = NULL;
    int n = q->ops->resource_list(q->st, "brand", q->account, SR_RES_LIST_MAX, &ps, err);
    if (n < 0) return n;
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s}", "id", ps[i].id, "name", ps[i].name));
    free(ps);
    if (!arr) return nomem(err);
    *out = arr;
    return 0;
}

int sr_api_brand_create(const sr_res_req *q, json_t **out, sr_err *err)
{
    int rc = sr_brand_validate(q->body, err);
    if (rc) return rc;
    sr_project p;
    if ((rc = store_new(q, "brand", json_string_value(json_object_get(q->body, "name")), q->body, &p, err))) return rc;
    *out = json_pack("{s:b,s:{s:s,s:s}}", "success", 1, "data", "id", p.id, "name", p.name);
    return *out ? 0 : nomem(err);
}

/* ----------------------------------------------------------------- styles */

int sr_api_styles_list(const sr_res_req *q, json_t **out, sr_err *err)
{
    json_t *arr = sr_styles_builtin();
    if (!arr) return nomem(err);
    sr_project *ps = NULL;
    int n = q->ops->resource_list(q->st, "style", q->account, SR_RES_LIST_MAX, &ps, err);
    if (n < 0) {
        json_decref(arr);
        return n;
    }
    for (int i = 0; i < n; i++) {
        sr_project full;
        json_t *style = NULL;
        if (!q->ops->resource_get(q->st, "style", q->account, ps[i].id, &full, NULL)) {
            style = json_loads(full.data ? full.data : "", 0, NULL);
            sr_project_clear(&full);
        }
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "id", ps[i].id, "name", ps[i].name, "style",
                                             style ? style : json_object()));
    }
    free(ps);
    *out = arr;
    return 0;
}

int sr_api_style_create(const sr_res_req *q, json_t **out, sr_err *err)
{
    if (!json_is_object(q->body)) return sr_err_set(err, SR_EINVALID_FIELD, "body", "the body must be a JSON object");
    const json_t *style = json_object_get(q->body, "style");
    if (!json_is_object(style)) return sr_err_set(err, SR_EINVALID_FIELD, "style", "style must be a fontStyle object");
    json_t *check = json_pack("{s:O,s:O}", "name", json_object_get(q->body, "name"), "subtitleStyle", style);
    int rc = check ? sr_brand_validate(check, err) : nomem(err);
    json_decref(check);
    if (rc) {
        if (err && !strncmp(err->field, "subtitleStyle", 13)) { /* name it as the caller wrote it */
            char f[sizeof err->field];
            snprintf(f, sizeof f, "style%s", err->field + 13);
            snprintf(err->field, sizeof err->field, "%s", f);
        }
        return rc;
    }
    json_t *builtin = sr_style_builtin_find(json_string_value(json_object_get(q->body, "name")));
    json_decref(builtin);
    if (builtin) return sr_err_set(err, SR_EINVALID_FIELD, "name", "name is the name of a built-in style");
    sr_project p;
    if ((rc = store_new(q, "style", json_string_value(json_object_get(q->body, "name")), style, &p, err))) return rc;
    *out = json_pack("{s:b,s:{s:s,s:s}}", "success", 1, "data", "id", p.id, "name", p.name);
    return *out ? 0 : nomem(err);
}

/* ------------------------------------------------------------- resolution */

/* Which of the pair (a | b) body has: 0 none, 1 a, 2 b; -1 with err when both
 * or when the one given is not a non-empty string. */
static int pick(const json_t *body, const char *a, const char *b, const char **val, sr_err *err)
{
    const json_t *va = json_object_get(body, a), *vb = json_object_get(body, b);
    if (va && json_is_null(va)) va = NULL;
    if (vb && json_is_null(vb)) vb = NULL;
    if (va && vb) return sr_err_set(err, SR_EINVALID_FIELD, b, "%s and %s cannot both be given", a, b), -1;
    const json_t *v = va ? va : vb;
    const char *f = va ? a : b;
    if (!v) return 0;
    if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > NAME_MAX_LEN)
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a string of 1-%d characters", f, NAME_MAX_LEN), -1;
    *val = json_string_value(v);
    return va ? 1 : 2;
}

static const char *const resolved_fields[] = {"templateId", "variables", "subtitleStyleId", "subtitleStyleName",
                                              "brandId", "brandName"};

int sr_api_resolve_storyboard(const sr_res_req *q, json_t **out, sr_err *err)
{
    *out = NULL;
    const json_t *body = q->body;
    if (!json_is_object(body)) {
        *out = json_incref((json_t *)body);
        return 0;
    }
    json_t *sb = NULL, *tmp = NULL;
    int rc = 0, which;
    const char *val = NULL;
    const json_t *tid = json_object_get(body, "templateId");
    if (tid && !json_is_null(tid)) {
        if (!json_is_string(tid) || !json_string_length(tid) || json_string_length(tid) >= SR_ID_LEN)
            return sr_err_set(err, SR_EINVALID_FIELD, "templateId", "templateId must be a template's id");
        if ((rc = load(q, "template", json_string_value(tid), 1, "templateId", &tmp, err))) return rc;
        rc = sr_template_apply(tmp, body, 0, &sb, err);
        json_decref(tmp);
        tmp = NULL;
        if (rc) return rc;
    } else if (!(sb = json_deep_copy(body))) {
        return nomem(err);
    }
    /* the named style, then the brand's style under it */
    const char *sfield = NULL;
    if ((which = pick(sb, "subtitleStyleId", "subtitleStyleName", &val, err)) < 0) goto fail;
    if (which) {
        sfield = which == 1 ? "subtitleStyleId" : "subtitleStyleName";
        tmp = sr_style_builtin_find(val);
        if (!tmp && (rc = load(q, "style", val, which == 1, sfield, &tmp, err))) goto fail;
        if ((rc = sr_style_merge_under(sb, tmp, err))) goto fail;
        json_decref(tmp);
        tmp = NULL;
    }
    if ((which = pick(sb, "brandId", "brandName", &val, err)) < 0) goto fail;
    if (which) {
        const char *bfield = which == 1 ? "brandId" : "brandName";
        if (which == 1 && strlen(val) >= SR_ID_LEN) {
            rc = sr_err_set(err, SR_EINVALID_FIELD, bfield, "brandId: no brand has this id");
            goto fail;
        }
        if ((rc = load(q, "brand", val, which == 1, bfield, &tmp, err))) goto fail;
        if ((rc = sr_brand_apply(sb, tmp, err))) goto fail;
    }
    if ((rc = sr_smartlayout_apply(sb, err))) goto fail; /* under all of the above */
    for (size_t i = 0; i < sizeof resolved_fields / sizeof resolved_fields[0]; i++)
        json_object_del(sb, resolved_fields[i]);
    json_decref(tmp);
    *out = sb;
    return 0;
fail:
    if (!rc) rc = err && err->code ? err->code : SR_EINVALID_FIELD;
    json_decref(tmp);
    json_decref(sb);
    return rc;
}
