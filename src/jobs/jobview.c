/* jobview.c - a job record as the API shows it (GET /v1/jobs/{id}, the
 * webhook body). Render outputs are stored as keys relative to the data
 * folder; here they become URLs under the public URL, or, with S3 storage
 * (unless --proxy-files), presigned URLs of the objects that expire after
 * --url-expiry-s. */
#include <stdio.h>
#include <string.h>

#include "jobs/jobs.h"

/* Output key in result -> the URL field(s) of the answer. */
static const struct {
    const char *key;
    const char *fields[3];
} output_fields[] = {
    {"video", {"videoURL", "shareVideoURL", "videoShareURL"}},
    {"thumbnail", {"thumbnail"}},
    {"srt", {"srtFile"}},
    {"vtt", {"vttFile"}},
    {"txt", {"txtFile"}},
    {"audio", {"audioURL"}},
};

static json_t *url_of(const sr_svc_cfg *cfg, const char *key)
{
    char buf[4096];
    if (!(sr_files_remote(cfg) && !cfg->proxy_files &&
          sr_storage_presign(cfg->storage, key, cfg->url_expiry_s, buf, sizeof buf, NULL) == 0))
        snprintf(buf, sizeof buf, "%s/%s", cfg->public_url, key);
    return json_string(buf);
}

static void completed(json_t *data, const sr_job *j, const sr_svc_cfg *cfg)
{
    json_t *res = j->result ? json_loads(j->result, 0, NULL) : NULL;
    json_object_set_new(data, "progress", json_integer(100));
    json_object_set_new(data, "renderProgress", json_integer(100));
    json_object_set_new(data, "aiCreditsUsed", json_integer(0)); /* nothing is metered here */
    if (!res) return;
    json_t *warn = json_object_get(res, "warnings");
    if (warn) json_object_set(data, "warnings", warn);
    if (!strcmp(j->kind, "preview")) {
        static const char *const copy[] = {"renderParams", "storyboard", "projectId"};
        for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
            json_t *v = json_object_get(res, copy[i]);
            if (v) json_object_set(data, copy[i], v);
        }
        json_t *v1 = json_object_get(res, "v1RenderParams"); /* a v1 preview: Pictory's v1 shape */
        if (v1) {
            json_object_set(data, "timeline", json_object_get(res, "renderParams"));
            json_object_set(data, "renderParams", v1);
        }
        /* Pictory's clients open data.preview: here the console's view of this preview */
        char link[1200];
        snprintf(link, sizeof link, "%s/console#preview=%s", cfg->public_url, j->id);
        json_object_set_new(data, "preview", json_string(link));
        json_object_set_new(data, "previewUrl", json_string(link));
    } else {
        for (size_t i = 0; i < sizeof output_fields / sizeof output_fields[0]; i++) {
            const char *key = json_string_value(json_object_get(res, output_fields[i].key));
            for (int f = 0; f < 3 && output_fields[i].fields[f]; f++)
                json_object_set_new(data, output_fields[i].fields[f], key ? url_of(cfg, key) : json_null());
        }
        json_t *d = json_object_get(res, "duration");
        if (d) json_object_set(data, "videoDuration", d);
        json_t *pid = json_object_get(res, "projectId");
        if (pid) json_object_set(data, "projectId", pid);
    }
    json_decref(res);
}

/* Extensions of a render job (docs/api.md): data.hlsURL (the HLS stream, as
 * soon as its first segment exists, kept after completion) and, once
 * completed, data.renderStats. */
static void render_extras(json_t *data, const sr_job *j, const sr_svc_cfg *cfg)
{
    json_t *res = j->result ? json_loads(j->result, 0, NULL) : NULL;
    const char *hls = json_string_value(json_object_get(res, "hls"));
    if (hls) json_object_set_new(data, "hlsURL", url_of(cfg, hls));
    json_t *stats = json_object_get(res, "renderStats");
    if (stats && j->state == SR_JOB_COMPLETED) json_object_set(data, "renderStats", stats);
    json_decref(res);
}

json_t *sr_job_view(const sr_job *j, const sr_svc_cfg *cfg)
{
    json_t *root = json_object(), *data = json_object();
    if (!root || !data) {
        json_decref(root);
        json_decref(data);
        return NULL;
    }
    json_object_set_new(root, "job_id", json_string(j->id));
    json_object_set_new(root, "success", json_boolean(j->state != SR_JOB_FAILED));
    /* Pictory's clients poll while status is "in-progress": a queued job is
     * in progress too; storyreel's own state word stays in jobState. */
    json_object_set_new(data, "status", json_string(j->state == SR_JOB_PENDING ? "in-progress"
                                                                               : sr_job_state_name(j->state)));
    json_object_set_new(data, "jobState", json_string(sr_job_state_name(j->state)));
    json_object_set_new(data, "jobType", json_string(j->kind));
    switch (j->state) {
    case SR_JOB_PENDING: {
        char msg[sizeof j->error_msg];
        if (j->attempts && j->error_code[0]) snprintf(msg, sizeof msg, "%s", j->error_msg); /* waiting to retry */
        else if (j->depends_on[0]) snprintf(msg, sizeof msg, "waiting for the preview job %s", j->depends_on);
        else snprintf(msg, sizeof msg, "queued");
        json_object_set_new(data, "renderProgress", json_integer(0));
        json_object_set_new(data, "renderProgressMessage", json_string(msg));
        json_object_set_new(data, "renderState", json_string("QUEUED"));
        if (j->depends_on[0]) json_object_set_new(data, "waitingFor", json_string(j->depends_on));
        break;
    }
    case SR_JOB_RUNNING:
        json_object_set_new(data, "renderProgress", json_integer(j->progress));
        json_object_set_new(data, "renderProgressMessage", json_string(j->progress_msg));
        json_object_set_new(data, "renderState", json_string("RUNNING"));
        break;
    case SR_JOB_COMPLETED:
        completed(data, j, cfg);
        break;
    default:
        json_object_set_new(data, "error_code", json_string(j->error_code[0] ? j->error_code : "INTERNAL_ERROR"));
        json_object_set_new(data, "error_message", json_string(j->error_msg));
        break;
    }
    if ((j->state == SR_JOB_RUNNING || j->state == SR_JOB_COMPLETED) && !strcmp(j->kind, "render"))
        render_extras(data, j, cfg);
    json_object_set_new(root, "data", data);
    return root;
}
