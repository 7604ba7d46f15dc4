/* worker.c - the render worker: leases a job from the store, resolves its
 * media, compiles (storyboards) and renders it, and records the outcome.
 *
 * A keeper thread renews the lease four times per lease period; when the
 * renewal fails (the job was cancelled through the API, or its lease expired
 * and another worker took it) it raises the render's cancel flag, so the
 * engine stops within a frame or two. Outputs go to DATA/files/<random>/,
 * written by the engine under temporary names and renamed when complete. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "compiler/brand.h"
#include "compiler/compiler.h"
#include "compiler/v1.h"
#include "jobs/jobs.h"
#include "render/engine.h"

#define IDLE_POLL_MS 200

/* Codes that are the input's fault: the job fails at once, never retried. */
static const int input_errors[] = {
    SR_EINVALID_JSON, SR_EINVALID_FIELD, SR_ENO_SCENES, SR_ELIMIT,    SR_EMEDIA_NOT_FOUND,
    SR_EMEDIA_UNREADABLE, SR_EMEDIA_INVALID, SR_EINVALID_SPEAKER, SR_EFONT, SR_EFORBIDDEN,
    SR_EFETCH, SR_ENOT_FOUND, SR_EUNAUTHORIZED, SR_ECANCELLED,
};

int sr_job_error_is_input(int code)
{
    for (size_t i = 0; i < sizeof input_errors / sizeof input_errors[0]; i++)
        if (input_errors[i] == code) return 1;
    return 0;
}

typedef struct run_ctx {
    const sr_svc_cfg *cfg;
    const sr_store_ops *ops;
    sr_store *st;
    const sr_job *job;
    const char *owner;
    volatile int cancel; /* raised by the keeper when the lease is lost */
    volatile int done;   /* tells the keeper to stop */
    const char *hls_key; /* files/<rnd>/hls/index.m3u8 of the render in progress */
    int hls_published;   /* its key is on the job (data.hlsURL) */
} run_ctx;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *keeper(void *ud)
{
    run_ctx *r = ud;
    int period = r->cfg->lease_ms / 4 < 250 ? r->cfg->lease_ms / 4 : 250;
    if (period < 50) period = 50;
    while (!r->done) {
        sleep_ms(period);
        if (r->done) break;
        sr_err e = {0};
        int rc = r->ops->lease_renew(r->st, r->job->id, r->owner, r->cfg->lease_ms, &e);
        if (rc == SR_ENOT_FOUND) r->cancel = 1;
    }
    return NULL;
}

static void on_progress(void *ud, const sr_progress *p)
{
    run_ctx *r = ud;
    char msg[128];
    snprintf(msg, sizeof msg, "rendering: frame %lld of %lld", (long long)p->frame, (long long)p->total_frames);
    int pct = (int)p->percent;
    if (pct > 99) pct = 99;
    if (pct < 0) pct = 0;
    if (r->ops->job_progress(r->st, r->job->id, r->owner, pct, msg, NULL) == SR_ENOT_FOUND) r->cancel = 1;
    if (p->hls_segments > 0 && !r->hls_published && r->hls_key && r->ops->job_partial_result) {
        json_t *part = json_pack("{s:s}", "hls", r->hls_key);
        char *txt = part ? json_dumps(part, JSON_COMPACT) : NULL;
        if (txt && r->ops->job_partial_result(r->st, r->job->id, r->owner, txt, NULL) == 0) r->hls_published = 1;
        free(txt);
        json_decref(part);
    }
}

/* Removes the HLS folder of a failed render (its files, then itself). */
static void remove_hls(const char *hls)
{
    DIR *d = opendir(hls);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char f[2000];
        snprintf(f, sizeof f, "%s/%s", hls, e->d_name);
        unlink(f);
    }
    if (d) closedir(d);
    rmdir(hls);
}

/* videoName -> a file name of safe characters (at most 80). */
static void safe_name(const char *in, char out[96])
{
    int n = 0;
    for (const char *p = in ? in : ""; *p && n < 80; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 ch == '_' || (ch == '.' && n > 0);
        out[n++] = ok ? ch : '_';
    }
    out[n] = 0;
    if (!n) snprintf(out, 96, "video");
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The picture limits of the service's settings (0: the engine's defaults). */
static sr_media_limits media_limits(const sr_svc_cfg *cfg)
{
    return (sr_media_limits){.max_side = cfg->max_image_side,
                             .max_pixels = cfg->max_image_mpx * 1000000LL,
                             .job_pixels = cfg->max_job_mpx * 1000000LL};
}

/* Renders rp into DATA/files/<random>/<name>.*; fills result with the keys. */
static int render(run_ctx *r, const json_t *rp, json_t *result, sr_err *err)
{
    char rnd[33], name[96], dir[1400], out[1600];
    sr_random_hex(rnd, 16);
    const json_t *output = json_object_get(rp, "output");
    safe_name(json_string_value(json_object_get(output, "name")), name);
    snprintf(dir, sizeof dir, "%s/files/%s", r->cfg->data, rnd);
    if (mkdir(dir, 0700)) return sr_err_set(err, SR_EIO, dir, "cannot create the output folder: %s", strerror(errno));
    snprintf(out, sizeof out, "%s/%s.mp4", dir, name);
    /* the HLS stream in a folder of its own, unguessable like the video's */
    char written[1700] = "", hls[1500], hls_key[100], cache[1400], hrnd[33];
    sr_random_hex(hrnd, 16);
    snprintf(hls, sizeof hls, "%s/files/%s", r->cfg->data, hrnd);
    snprintf(hls_key, sizeof hls_key, "files/%s/index.m3u8", hrnd);
    snprintf(cache, sizeof cache, "%s/cache/segments/%s", r->cfg->data, r->job->account_id); /* per account */
    r->hls_key = hls_key;
    r->hls_published = 0;
    sr_render_stats stats = {0};
    sr_render_opts ro = {.out_path = out,
                         .out_written = written,
                         .out_written_size = sizeof written,
                         .base_dir = r->cfg->data,
                         .progress = on_progress,
                         .progress_ud = r,
                         .cancel = &r->cancel,
                         .limits = media_limits(r->cfg),
                         .cache_dir = cache,
                         .hls_dir = hls,
                         .stats = &stats};
    r->ops->job_progress(r->st, r->job->id, r->owner, 0, "rendering", NULL);
    int rc = sr_render(rp, &ro, err);
    r->hls_key = NULL;
    static const struct {
        const char *key, *ext;
    } outputs[] = {{"video", "mp4"}, {"thumbnail", "jpg"}, {"srt", "srt"},
                   {"vtt", "vtt"},   {"txt", "txt"},       {"audio", "mp3"}};
    if (rc) { /* leave nothing half-made behind */
        for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
            char f[1800];
            snprintf(f, sizeof f, "%s/%s.%s", dir, name, outputs[i].ext);
            unlink(f);
        }
        remove_hls(hls);
        rmdir(dir);
        return rc;
    }
    struct stat hs;
    if (stat(hls, &hs) == 0) json_object_set_new(result, "hls", json_string(hls_key)); /* MP4 renders */
    json_t *sj = sr_render_stats_json(&stats);
    if (sj) json_object_set_new(result, "renderStats", sj);
    /* the video's extension follows output.format (mp4, webm, gif, mp3) */
    const char *vext = strrchr(written, '.') ? strrchr(written, '.') + 1 : "mp4";
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        char path[1800], key[300];
        const char *ext = i == 0 ? vext : outputs[i].ext;
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
        snprintf(key, sizeof key, "files/%s/%s.%s", rnd, name, ext);
        if (file_exists(path)) json_object_set_new(result, outputs[i].key, json_string(key));
    }
    json_t *dur = json_object_get(output, "duration");
    if (dur) json_object_set(result, "duration", dur);
    return 0;
}

/* Runs job j; on success *result is the result object and *save the
 * project to create (when saveProject). */
static int run_job(run_ctx *r, json_t **result, sr_project *save, int *want_save, sr_err *err)
{
    int rc = 0;
    json_t *in = json_loads(r->job->input ? r->job->input : "{}", 0, NULL);
    json_t *sb = NULL, *rp = NULL, *res = json_object();
    if (!in || !res) {
        rc = sr_err_set(err, SR_EINTERNAL, "input", "the job's input is not valid JSON");
        goto done;
    }
    sr_media_ctx m = {.cfg = r->cfg, .ops = r->ops, .st = r->st, .account = r->job->account_id};
    const json_t *in_sb = json_object_get(in, "storyboard");
    r->ops->job_progress(r->st, r->job->id, r->owner, 0, "preparing media", NULL);
    if (in_sb) {
        if (!(sb = json_deep_copy(in_sb))) {
            rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
            goto done;
        }
        /* a storyboard made from a v1 renderParams names this server's keys (files/, cache/) */
        if ((rc = sr_media_rewrite(sb, json_is_true(json_object_get(in, "mediaKeys")), &m, err))) goto done;
        if ((rc = sr_brand_clip_durations(sb, NULL, err))) goto done; /* brand intro/outro lengths */
        char cache[1200];
        snprintf(cache, sizeof cache, "%s/cache/tts", r->cfg->data);
        sr_compile_opts co = {.base_dir = r->cfg->n_media_roots ? r->cfg->media_roots[0] : r->cfg->data,
                              .library_dir = r->cfg->library[0] ? r->cfg->library : NULL,
                              .music_library_dir = r->cfg->music_library[0] ? r->cfg->music_library : NULL,
                              .cache_dir = cache,
                              .media_limits = media_limits(r->cfg)};
        r->ops->job_progress(r->st, r->job->id, r->owner, 0, "compiling the storyboard", NULL);
        if ((rc = sr_compile(sb, &co, &rp, err))) goto done;
        sr_media_relativize(rp, r->cfg->data);
    } else {
        const json_t *in_rp = json_object_get(in, "renderParams");
        if (!in_rp || !(rp = json_deep_copy(in_rp))) {
            rc = sr_err_set(err, SR_EINVALID_FIELD, "renderParams", "the job has no storyboard or renderParams");
            goto done;
        }
        if ((rc = sr_media_rewrite(rp, 1, &m, err))) goto done;
    }
    if (r->cancel) {
        rc = sr_err_set(err, SR_ECANCELLED, NULL, "the render was cancelled");
        goto done;
    }
    /* the request's own warnings (v1 fields not used), then the compiler's
     * (font stand-ins, dropped elements, ...); they name files too: not by the server's folders */
    json_t *warn = json_array();
    json_array_extend(warn, json_object_get(in, "warnings"));
    json_array_extend(warn, json_object_get(rp, "warnings"));
    size_t wi;
    json_t *wv;
    json_array_foreach(warn, wi, wv)
    {
        char *t = json_is_string(wv) ? strdup(json_string_value(wv)) : NULL;
        if (t) sr_msg_unroot(t, r->cfg), json_string_set(wv, t);
        free(t);
    }
    if (json_array_size(warn)) json_object_set(res, "warnings", warn);
    json_decref(warn);
    if (!strcmp(r->job->kind, "preview")) {
        json_object_set(res, "renderParams", rp);
        if (in_sb) json_object_set(res, "storyboard", (json_t *)in_sb);
        json_t *v1 = NULL; /* a v1 preview also answers in Pictory's v1 shape */
        if (json_is_true(json_object_get(in, "v1")) && (rc = sr_v1_render_params(rp, in_sb, &v1, err))) goto done;
        if (v1) json_object_set_new(res, "v1RenderParams", v1);
    } else if ((rc = render(r, rp, res, err))) {
        goto done;
    }
    json_t *src_project = json_object_get(in, "projectId");
    if (src_project) json_object_set(res, "projectId", src_project);
    if (in_sb && json_is_true(json_object_get(in_sb, "saveProject"))) {
        memset(save, 0, sizeof *save);
        sr_uuid(save->id);
        snprintf(save->account_id, sizeof save->account_id, "%s", r->job->account_id);
        const char *nm = json_string_value(json_object_get(in_sb, "videoName"));
        snprintf(save->name, sizeof save->name, "%s", nm ? nm : "Untitled project");
        save->data = json_dumps(in_sb, JSON_COMPACT);
        if (!save->data) {
            rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
            goto done;
        }
        *want_save = 1;
        json_object_set_new(res, "projectId", json_string(save->id));
    }
    *result = res;
    res = NULL;
done:
    json_decref(res);
    json_decref(rp);
    json_decref(sb);
    json_decref(in);
    return rc;
}

/* A render that waited for a preview (PUT /v2/video/render/{id} sent while
 * the preview ran) takes the preview's renderParams into its input now, or
 * fails with the preview's error. Returns 1 when it ended the job here. */
static int take_dependency(const sr_store_ops *ops, sr_store *st, const char *owner, sr_job *job)
{
    if (!job->depends_on[0]) return 0;
    json_t *in = json_loads(job->input ? job->input : "{}", 0, NULL), *res = NULL;
    if (!in || json_object_get(in, "renderParams") || json_object_get(in, "storyboard")) {
        json_decref(in);
        return 0;
    }
    sr_job dep;
    char code[48] = "NOT_FOUND", msg[700];
    snprintf(msg, sizeof msg, "the preview job %s is gone", job->depends_on);
    if (ops->job_get(st, job->account_id, job->depends_on, 0, &dep, NULL) == 0) {
        res = dep.state == SR_JOB_COMPLETED && dep.result ? json_loads(dep.result, 0, NULL) : NULL;
        const json_t *rp = json_object_get(res, "renderParams");
        if (rp) {
            json_object_set(in, "renderParams", (json_t *)rp);
            json_t *pid = json_object_get(res, "projectId");
            if (pid) json_object_set(in, "projectId", pid);
            char *txt = json_dumps(in, JSON_COMPACT);
            if (txt) free(job->input), job->input = txt;
        } else {
            snprintf(code, sizeof code, "%s", dep.error_code[0] ? dep.error_code : "INTERNAL_ERROR");
            snprintf(msg, sizeof msg, "the preview job %s failed: %s", job->depends_on,
                     dep.error_msg[0] ? dep.error_msg : "no renderParams");
        }
        sr_job_clear(&dep);
    }
    int ended = !json_object_get(in, "renderParams");
    if (ended) ops->job_finish(st, job->id, owner, SR_JOB_FAILED, NULL, code, msg, NULL, NULL);
    json_decref(res);
    json_decref(in);
    return ended;
}

/* Leases and runs one job; returns 1 when one ran, 0 when none was due. */
static int one_job(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, const char *owner)
{
    sr_job job;
    sr_err err = {0};
    int got = ops->lease_acquire_fair(st, owner, cfg->lease_ms, cfg->max_running_per_account, &job, &err);
    if (got <= 0) return 0;
    if (take_dependency(ops, st, owner, &job)) {
        sr_job_clear(&job);
        return 1;
    }
    run_ctx r = {.cfg = cfg, .ops = ops, .st = st, .job = &job, .owner = owner};
    pthread_t th;
    int have_keeper = pthread_create(&th, NULL, keeper, &r) == 0;
    json_t *result = NULL;
    sr_project save = {0};
    int want_save = 0;
    int rc = run_job(&r, &result, &save, &want_save, &err);
    r.done = 1;
    if (have_keeper) pthread_join(th, NULL);
    sr_msg_unroot(err.msg, cfg); /* the job shows no folder of this server */
    if (!rc) {
        char *txt = json_dumps(result, JSON_COMPACT);
        ops->job_finish(st, job.id, owner, SR_JOB_COMPLETED, txt, NULL, NULL, want_save ? &save : NULL, NULL);
        free(txt);
    } else if (r.cancel || rc == SR_ECANCELLED) {
        /* cancelled through the API (already failed) or taken by another worker */
    } else if (sr_job_error_is_input(rc) || job.attempts >= job.max_attempts) {
        ops->job_finish(st, job.id, owner, SR_JOB_FAILED, NULL, sr_err_name(rc),
                        err.msg[0] ? err.msg : sr_err_default_msg(rc), NULL, NULL);
    } else {
        int64_t delay = 1000LL << (job.attempts < 8 ? job.attempts : 8); /* 2 s, 4 s, ... */
        ops->lease_release(st, job.id, owner, delay, sr_err_name(rc), err.msg, NULL);
    }
    json_decref(result);
    sr_project_clear(&save);
    sr_job_clear(&job);
    return 1;
}

int sr_worker_loop(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, volatile int *stop)
{
    char owner[64];
    char host[32] = "";
    gethostname(host, sizeof host - 1);
    snprintf(owner, sizeof owner, "%s:%d:%lld", host, (int)getpid(), (long long)sr_now_ms());
    pid_t parent = getppid();
    while (!(stop && *stop) && getppid() == parent) {
        if (!one_job(cfg, ops, st, owner)) sleep_ms(IDLE_POLL_MS);
    }
    return 0;
}
