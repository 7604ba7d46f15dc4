/* worker.c - the render worker: leases a job from the store, resolves its
 * media, compiles (storyboards) and renders it, and records the outcome.
 *
 * A keeper thread renews the lease four times per lease period; when the
 * renewal fails (the job was cancelled through the API, or its lease expired
 * and another worker took it) it raises the render's cancel flag, so the
 * engine stops within a frame or two. Outputs go to files/<random>/ (under
 * local_root, files.c), written by the engine under temporary names and
 * renamed when complete, then put into the storage.
 *
 * In a fleet (a shared --store) a render job's holder plans the video's
 * segments, reuses those the storage already has (cache/segments/<account>/
 * <key>.mp4) and makes one task per missing one; every render process takes
 * a due task before a job, so any node's processes render the segments. The
 * holder works tasks too while it waits, then assembles the segments. */
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
/* Encoder threads of a segment rendered as a task: the same on every node
 * (they are part of its key), whatever its cores; a node runs about one
 * render process per two cores (--processes), each rendering one segment
 * with two H.264 slices a core, as a 2-core render does (encode.c). */
#define TASK_ENCODER_THREADS 4
#define BEAT_MS 1000
#define MAX_TASK_INPUT (64 << 20) /* bytes of one task's input (its timeline) */

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

/* The thread that renews a lease (a job's or a task's: the same shape). */
typedef struct lease_keeper {
    int (*renew)(sr_store *s, const char *id, const char *owner, int64_t ttl_ms, sr_err *err);
    sr_store *st;
    const char *id, *owner;
    int lease_ms;
    volatile int cancel; /* raised when the lease is lost */
    volatile int done;   /* tells the keeper to stop */
    pthread_t th;
    int started;
} lease_keeper;

typedef struct run_ctx {
    const sr_svc_cfg *cfg;
    const sr_store_ops *ops;
    sr_store *st;
    const sr_job *job;
    const char *owner;
    lease_keeper k;
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
    lease_keeper *k = ud;
    int period = k->lease_ms / 4 < 250 ? k->lease_ms / 4 : 250;
    if (period < 50) period = 50;
    while (!k->done) {
        sleep_ms(period);
        if (k->done) break;
        sr_err e = {0};
        if (k->renew(k->st, k->id, k->owner, k->lease_ms, &e) == SR_ENOT_FOUND) k->cancel = 1;
    }
    return NULL;
}

static void keeper_start(lease_keeper *k)
{
    k->started = pthread_create(&k->th, NULL, keeper, k) == 0;
}

static void keeper_stop(lease_keeper *k)
{
    k->done = 1;
    if (k->started) pthread_join(k->th, NULL);
    k->started = 0;
}

static void on_progress(void *ud, const sr_progress *p)
{
    run_ctx *r = ud;
    char msg[128];
    snprintf(msg, sizeof msg, "rendering: frame %lld of %lld", (long long)p->frame, (long long)p->total_frames);
    int pct = (int)p->percent;
    if (pct > 99) pct = 99;
    if (pct < 0) pct = 0;
    if (r->ops->job_progress(r->st, r->job->id, r->owner, pct, msg, NULL) == SR_ENOT_FOUND) r->k.cancel = 1;
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

/* ---------------------------------------------------------------- tasks */

/* The storage key of segment content key of account: cache/segments/<account>/<key>.mp4. */
static void segment_key(char *out, size_t n, const char *account, const char *key)
{
    snprintf(out, n, "cache/segments/%s/%s.mp4", account, key);
}

static int hex64(const char *s)
{
    if (!s || strlen(s) != 64) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return 0;
    return 1;
}

/* The compositor context of the last task's timeline, kept for the next
 * task of the same timeline (a video's segments come one after another):
 * one per process, as tasks run on the worker loop's thread only. */
static struct {
    char *timeline; /* the JSON text of its timeline, as the task gave it */
    sr_segrender *sg;
} last_tl;

static void task_ctx_drop(void)
{
    sr_segrender_close(last_tl.sg);
    free(last_tl.timeline);
    last_tl.sg = NULL;
    last_tl.timeline = NULL;
}

/* The context for timeline tl (text: its JSON in the task's input). */
static int task_ctx(const sr_svc_cfg *cfg, const json_t *tl, const char *text, sr_segrender **out, sr_err *err)
{
    if (!last_tl.sg || strcmp(last_tl.timeline, text)) {
        task_ctx_drop();
        sr_render_opts ro = {.base_dir = cfg->local_root, .limits = media_limits(cfg),
                             .threads = TASK_ENCODER_THREADS};
        int rc = sr_segrender_open(&last_tl.sg, tl, &ro, err);
        if (!rc && !(last_tl.timeline = strdup(text))) rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
        if (rc) {
            task_ctx_drop();
            return rc;
        }
    }
    *out = last_tl.sg;
    return 0;
}

/* Task t (leased): its timeline's media here, its segment rendered and put
 * into the storage at its key; *result {"key","seconds"}. */
static int task_work(const sr_svc_cfg *cfg, const sr_task *t, volatile int *cancel, json_t **result, sr_err *err)
{
    json_t *in = t->input && strlen(t->input) <= MAX_TASK_INPUT ? json_loads(t->input, 0, NULL) : NULL;
    json_t *tl = json_object_get(in, "timeline");
    const char *key = json_string_value(json_object_get(in, "key"));
    const char *text = in ? strstr(t->input, "\"timeline\":") : NULL; /* make_tasks puts it last */
    json_int_t idx = json_integer_value(json_object_get(in, "index"));
    char skey[200], path[2400];
    double t0 = sr_now();
    sr_segrender *sg = NULL;
    int rc = 0;
    if (!json_is_object(tl) || !text || !hex64(key) || idx < 0 || idx > 1000000)
        rc = sr_err_set(err, SR_EINVALID_FIELD, "task", "the task's input is not a segment of a timeline");
    if (!rc) rc = sr_media_sync(tl, cfg, 0, err);
    if (!rc) {
        segment_key(skey, sizeof skey, t->account_id, key);
        sr_files_local(cfg, skey, path, sizeof path);
        rc = sr_files_mkdirs(path, err);
    }
    if (!rc) rc = task_ctx(cfg, tl, text, &sg, err);
    if (!rc) rc = sr_segrender_run(sg, (int)idx, path, cancel, err);
    if (rc) task_ctx_drop(); /* a context that failed is not reused */
    if (!rc) rc = sr_files_publish(cfg, skey, path, 0, err);
    if (!rc && !(*result = json_pack("{s:s,s:f}", "key", skey, "seconds", sr_now() - t0)))
        rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    json_decref(in);
    return rc;
}

/* Leases and works one task; 1 when one ran, 0 when none was due. A task
 * that failed for a reason of its input fails (and so its job); another
 * failure is left to its lease, which expires and lets a node try again. */
static int one_task(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, const char *owner)
{
    sr_task t;
    sr_err err = {0};
    if (ops->task_acquire(st, owner, cfg->lease_ms, &t, &err) <= 0) return 0;
    lease_keeper k = {.renew = ops->task_renew, .st = st, .id = t.id, .owner = owner, .lease_ms = cfg->lease_ms};
    keeper_start(&k);
    json_t *res = NULL;
    int rc = task_work(cfg, &t, &k.cancel, &res, &err);
    keeper_stop(&k);
    char *txt = res ? json_dumps(res, JSON_COMPACT) : NULL;
    sr_msg_unroot(err.msg, cfg);
    if (!rc && txt)
        ops->task_finish(st, t.id, owner, SR_TASK_DONE, cfg->node, txt, NULL, NULL, NULL);
    else if (!k.cancel && (sr_job_error_is_input(rc) || t.attempts >= t.max_attempts))
        ops->task_finish(st, t.id, owner, SR_TASK_FAILED, cfg->node, NULL, sr_err_name(rc),
                         err.msg[0] ? err.msg : sr_err_default_msg(rc), NULL);
    else if (rc)
        fprintf(stderr, "storyreel: segment %d of job %s: %s (retried)\n", t.idx, t.job_id, err.msg);
    free(txt);
    json_decref(res);
    sr_task_clear(&t);
    return 1;
}

/* The tasks of the holder's job: how many of those it waits for (not
 * reused[idx]: a holder before it may have finished others) are done, the
 * first failure (1), and the distinct names of the nodes that made its
 * segments (into workers). */
static int tasks_state(run_ctx *r, const int *reused, int nseg, int *done, json_t *workers, char code[48],
                       char msg[512], sr_err *err)
{
    sr_task *ts = NULL;
    int n = r->ops->task_list(r->st, r->job->id, &ts, err), failed = 0;
    if (n < 0) return n;
    *done = 0;
    json_array_clear(workers);
    for (int i = 0; i < n; i++) {
        if (ts[i].state == SR_TASK_FAILED && !failed) {
            failed = 1;
            snprintf(code, 48, "%s", ts[i].error_code[0] ? ts[i].error_code : "INTERNAL_ERROR");
            snprintf(msg, 512, "%s", ts[i].error_msg);
        }
        if (ts[i].state != SR_TASK_DONE) continue;
        *done += ts[i].idx >= 0 && ts[i].idx < nseg && !reused[ts[i].idx];
        size_t k;
        json_t *w;
        int seen = 0;
        json_array_foreach(workers, k, w) seen |= !strcmp(json_string_value(w), ts[i].node);
        if (!seen) json_array_append_new(workers, json_string(ts[i].node));
    }
    for (int i = 0; i < n; i++) sr_task_clear(&ts[i]);
    free(ts);
    return failed;
}

/* Makes tasks for the segments of tl (a timeline of keys, base local_root)
 * the storage lacks; marks the others in reused[]. Returns how many tasks. */
static int make_tasks(run_ctx *r, const json_t *tl, int n, char (*keys)[65], int *reused, sr_err *err)
{
    char *tl_txt = json_dumps(tl, JSON_COMPACT);
    sr_task *ts = calloc((size_t)n, sizeof *ts);
    int nt = 0, rc = tl_txt && ts ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    size_t cap = tl_txt ? strlen(tl_txt) + 160 : 0;
    for (int k = 0; !rc && k < n; k++) {
        char skey[200];
        segment_key(skey, sizeof skey, r->job->account_id, keys[k]);
        if ((reused[k] = sr_storage_stat(r->cfg->storage, skey, NULL, NULL) == 0)) continue;
        sr_task *t = &ts[nt++];
        sr_uuid(t->id);
        snprintf(t->job_id, sizeof t->job_id, "%s", r->job->id);
        snprintf(t->account_id, sizeof t->account_id, "%s", r->job->account_id);
        t->idx = k;
        t->max_attempts = r->cfg->max_attempts;
        if (!(t->input = malloc(cap))) rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
        else snprintf(t->input, cap, "{\"index\":%d,\"key\":\"%s\",\"timeline\":%s}", k, keys[k], tl_txt);
    }
    if (!rc && nt) rc = r->ops->task_create(r->st, ts, nt, err);
    for (int i = 0; ts && i < n; i++) free(ts[i].input);
    free(ts);
    free(tl_txt);
    return rc ? rc : nt;
}

/* Waits for the job's tasks, working tasks meanwhile; reports progress. */
static int await_tasks(run_ctx *r, const int *reused, int n, int ntasks, json_t *workers, sr_err *err)
{
    char code[48], msg[512];
    for (;;) {
        if (r->k.cancel) return sr_err_set(err, SR_ECANCELLED, NULL, "the render was cancelled");
        int done = 0, f = tasks_state(r, reused, n, &done, workers, code, msg, err);
        if (f < 0) return f;
        if (f) {
            r->ops->job_finish(r->st, r->job->id, r->owner, SR_JOB_FAILED, NULL, code, msg, NULL, NULL);
            r->k.cancel = 1; /* ended here (its tasks go below): nothing more to record */
            return sr_err_set(err, SR_ECANCELLED, NULL, "%s", msg);
        }
        char pm[128];
        int total_done = n - ntasks + done;
        snprintf(pm, sizeof pm, "rendering: segment %d of %d", total_done, n);
        r->ops->job_progress(r->st, r->job->id, r->owner, total_done * 95 / (n ? n : 1), pm, NULL);
        if (done >= ntasks) return 0;
        if (!one_task(r->cfg, r->ops, r->st, r->owner)) r->ops->wait_work(r->st, IDLE_POLL_MS);
    }
}

/* The fleet's render of rp (local paths) with opts ro: segments as tasks,
 * then assembled here. 1 when rp does not render in segments (the caller
 * renders it alone), else 0 or an error. */
static int render_tasks(run_ctx *r, const json_t *rp, const sr_render_opts *ro, json_t *result, sr_err *err)
{
    const sr_svc_cfg *cfg = r->cfg;
    json_t *tl = json_deep_copy(rp), *workers = json_array();
    sr_segment *segs = NULL;
    char (*keys)[65] = NULL, cache[1400], **paths = NULL;
    int *reused = NULL, rc = tl && workers ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory"), n = 0, nt = 0;
    sr_job ended = {0};
    if (!rc) {
        sr_media_relativize(tl, cfg->data);
        sr_media_relativize(tl, cfg->local_root);
        rc = (n = sr_render_plan(tl, cfg->local_root, &segs, err)) < 0 ? n : 0;
    }
    if (!rc && (!(keys = calloc((size_t)n + 1, sizeof *keys)) || !(reused = calloc((size_t)n + 1, sizeof *reused)) ||
                !(paths = calloc((size_t)n + 1, sizeof *paths))))
        rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    snprintf(cache, sizeof cache, "%s/cache/segments/%s", cfg->local_root, r->job->account_id);
    sr_render_opts ko = {.base_dir = cfg->local_root, .limits = ro->limits, .cache_dir = cache,
                         .threads = TASK_ENCODER_THREADS};
    if (!rc && n > 0) rc = sr_render_segment_keys(tl, &ko, keys, n, err);
    if ((rc == SR_EINVALID_FIELD && !strcmp(err->field, "output.format")) || (!rc && !n)) rc = 1; /* WebM, GIF, MP3 */
    if (!rc) rc = sr_media_sync(tl, cfg, 1, err); /* speech made here, for the other nodes */
    if (!rc) rc = sr_render_check(tl, &ko, err);    /* every file once: a task probes none */
    if (!rc) rc = (nt = make_tasks(r, tl, n, keys, reused, err)) < 0 ? nt : 0;
    if (!rc) rc = await_tasks(r, reused, n, nt, workers, err);
    task_ctx_drop(); /* the segments' context, if this node made some, before the assembly */
    for (int k = 0; !rc && k < n; k++) {
        char skey[200], p[2400];
        segment_key(skey, sizeof skey, r->job->account_id, keys[k]);
        if ((rc = sr_files_fetch(cfg, skey, p, sizeof p, err)) == 0 && !(paths[k] = strdup(p)))
            rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    if (rc == SR_ECANCELLED && r->ops->job_get(r->st, NULL, r->job->id, 0, &ended, NULL) == 0) {
        if (ended.state == SR_JOB_COMPLETED || ended.state == SR_JOB_FAILED) /* cancelled, not re-leased */
            r->ops->task_delete(r->st, r->job->id, NULL);
        sr_job_clear(&ended);
    }
    if (!rc) rc = sr_render_assemble(rp, ro, (const char *const *)paths, n, err);
    if (!rc && ro->stats) {
        ro->stats->segments_total = n;
        ro->stats->segments_encoded = nt;
        ro->stats->segments_reused = n - nt;
        json_object_set(result, "workers", workers); /* into renderStats by the caller */
        r->ops->task_delete(r->st, r->job->id, NULL);
    }
    for (int k = 0; paths && k < n; k++) free(paths[k]);
    free(paths);
    free(reused);
    free(keys);
    free(segs);
    json_decref(workers);
    json_decref(tl);
    return rc;
}

/* Puts the outputs of a render (the files under dir, keys files/<rnd>/..)
 * into the storage; a remote storage keeps them only there. */
static int publish_dir(const sr_svc_cfg *cfg, const char *dir, const char *rnd, sr_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;
    while (!rc && d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char f[2000], key[400];
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        snprintf(key, sizeof key, "files/%s/%.300s", rnd, e->d_name);
        rc = sr_files_publish(cfg, key, f, 0, err);
    }
    if (d) closedir(d);
    if (sr_files_remote(cfg)) rmdir(dir);
    return rc;
}

/* Renders rp into files/<random>/<name>.*; fills result with the keys. */
static int render(run_ctx *r, const json_t *rp, json_t *result, sr_err *err)
{
    char rnd[33], name[96], dir[1400], out[1600];
    sr_random_hex(rnd, 16);
    const json_t *output = json_object_get(rp, "output");
    safe_name(json_string_value(json_object_get(output, "name")), name);
    snprintf(out, sizeof out, "files/%s/%s.mp4", rnd, name);
    sr_files_local(r->cfg, out, dir, sizeof dir);
    if (sr_files_mkdirs(dir, err)) return err->code;
    *strrchr(dir, '/') = 0;
    snprintf(out, sizeof out, "%s/%s.mp4", dir, name);
    /* the HLS stream in a folder of its own, unguessable like the video's
     * (not with S3 storage: it is a local folder the API node serves) */
    char written[1700] = "", hls[1500], hls_key[100], cache[1400], hrnd[33];
    sr_random_hex(hrnd, 16);
    snprintf(hls_key, sizeof hls_key, "files/%s/index.m3u8", hrnd);
    sr_files_local(r->cfg, hls_key, hls, sizeof hls);
    *strrchr(hls, '/') = 0;
    snprintf(cache, sizeof cache, "%s/cache/segments/%s", r->cfg->local_root, r->job->account_id); /* per account */
    r->hls_key = hls_key;
    r->hls_published = 0;
    sr_render_stats stats = {0};
    sr_render_opts ro = {.out_path = out,
                         .out_written = written,
                         .out_written_size = sizeof written,
                         .base_dir = r->cfg->data,
                         .progress = on_progress,
                         .progress_ud = r,
                         .cancel = &r->k.cancel,
                         .limits = media_limits(r->cfg),
                         .cache_dir = cache,
                         .hls_dir = sr_files_remote(r->cfg) ? NULL : hls,
                         .stats = &stats};
    r->ops->job_progress(r->st, r->job->id, r->owner, 0, "rendering", NULL);
    int rc = r->cfg->fleet ? render_tasks(r, rp, &ro, result, err) : 1;
    if (rc == 1) rc = sr_render(rp, &ro, err);
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
    json_t *sj = sr_render_stats_json(&stats), *workers = json_object_get(result, "workers");
    if (sj && workers) json_object_set(sj, "workers", workers);
    json_object_del(result, "workers");
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
    return publish_dir(r->cfg, dir, rnd, err); /* (the HLS folder is local_root's: never remote) */
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
        snprintf(cache, sizeof cache, "%s/cache/tts", r->cfg->local_root[0] ? r->cfg->local_root : r->cfg->data);
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
    if (r->k.cancel) {
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
    r.k = (lease_keeper){.renew = ops->lease_renew, .st = st, .id = job.id, .owner = owner, .lease_ms = cfg->lease_ms};
    keeper_start(&r.k);
    json_t *result = NULL;
    sr_project save = {0};
    int want_save = 0;
    int rc = run_job(&r, &result, &save, &want_save, &err);
    keeper_stop(&r.k);
    sr_msg_unroot(err.msg, cfg); /* the job shows no folder of this server */
    if (!rc) {
        char *txt = json_dumps(result, JSON_COMPACT);
        ops->job_finish(st, job.id, owner, SR_JOB_COMPLETED, txt, NULL, NULL, want_save ? &save : NULL, NULL);
        free(txt);
    } else if (r.k.cancel || rc == SR_ECANCELLED) {
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

/* The heartbeat of a fleet's render process: cfg->node, kind "render". */
typedef struct beater {
    const sr_svc_cfg *cfg;
    const sr_store_ops *ops;
    sr_store *st;
    volatile int stop;
} beater;

static void *beat_main(void *ud)
{
    beater *b = ud;
    while (!b->stop) {
        b->ops->node_beat(b->st, b->cfg->node, "render", NULL, NULL);
        for (int t = 0; t < BEAT_MS && !b->stop; t += 50) sleep_ms(50);
    }
    return NULL;
}

int sr_worker_loop(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, volatile int *stop)
{
    char owner[64];
    char host[32] = "";
    gethostname(host, sizeof host - 1);
    snprintf(owner, sizeof owner, "%s:%d:%lld", host, (int)getpid(), (long long)sr_now_ms());
    pid_t parent = getppid();
    beater b = {.cfg = cfg, .ops = ops, .st = st};
    pthread_t bt;
    int beating = cfg->fleet && pthread_create(&bt, NULL, beat_main, &b) == 0;
    while (!(stop && *stop) && getppid() == parent) {
        if (cfg->fleet && one_task(cfg, ops, st, owner)) continue; /* started videos first */
        if (one_job(cfg, ops, st, owner)) continue;
        task_ctx_drop(); /* idle: the last video's context goes */
        if (cfg->fleet) ops->wait_work(st, IDLE_POLL_MS);
        else sleep_ms(IDLE_POLL_MS);
    }
    task_ctx_drop();
    b.stop = 1;
    if (beating) pthread_join(bt, NULL);
    return 0;
}
