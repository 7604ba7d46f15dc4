/* v1_routes.c - Pictory's v1 API routes (v1_routes.h). */
#include <string.h>

#include "api/v1_routes.h"
#include "compiler/v1.h"
#include "render/text/fonts.h"

/* Wraps storyboard sb (stolen) and the warnings (stolen) as a job's input. */
static int job_of(const char *kind, json_t *sb, json_t *warnings, int media_keys, sr_v1_job *out, sr_err *err)
{
    json_t *in = json_pack("{s:o,s:b,s:o}", "storyboard", sb, "v1", 1, "warnings", warnings);
    if (in && media_keys) json_object_set_new(in, "mediaKeys", json_true());
    if (!in) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    out->kind = kind;
    out->input = in;
    return 0;
}

int sr_api_v1_storyboard(const sr_res_req *q, sr_v1_job *out, sr_err *err)
{
    json_t *w = json_array(), *sb = NULL;
    int rc = w ? sr_v1_storyboard(q->body, &sb, w, err) : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    if (rc) {
        json_decref(w);
        return rc;
    }
    return job_of("preview", sb, w, 0, out, err);
}

int sr_api_v1_render(const sr_res_req *q, sr_v1_job *out, sr_err *err)
{
    const json_t *rp = json_object_get(q->body, "renderParams");
    json_t *w = json_array(), *sb = NULL;
    int rc = w ? sr_v1_from_render_params(rp ? rp : q->body, &sb, w, err)
               : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    if (rc) {
        json_decref(w);
        return rc;
    }
    return job_of("render", sb, w, 1, out, err);
}

json_t *sr_api_v1_storyboard_answer(const char *id)
{
    return json_pack("{s:b,s:s,s:{s:s}}", "success", 1, "jobId", id, "data", "jobId", id);
}

json_t *sr_api_v1_render_answer(const char *id)
{
    return json_pack("{s:b,s:{s:s,s:s}}", "success", 1, "data", "job_id", id, "jobId", id);
}

int sr_api_v1_fonts(const sr_res_req *q, json_t **out, sr_err *err)
{
    (void)q;
    static const char *const cats[] = {"sans-serif", "serif", "monospace", "display", "handwriting"};
    size_t n;
    const sr_font_family *f = sr_font_catalog(&n);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        char got[128];
        int stand_in = sr_font_resolve(f[i].name, got, sizeof got);
        json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "name", f[i].name, "fontFamily", f[i].name, "category",
                              f[i].category >= 0 && f[i].category < 5 ? cats[f[i].category] : "sans-serif",
                              "installed", !stand_in);
        if (o && stand_in) json_object_set_new(o, "drawnWith", json_string(got));
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (!arr || !(*out = json_pack("{s:b,s:o}", "success", 1, "data", arr)))
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    return 0;
}
