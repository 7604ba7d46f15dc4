/* render.c - the render pipeline: timeline in, files out.
 *
 *   compositor thread                      calling thread
 *   -----------------                      --------------
 *   for each frame i:                      for each frame i:
 *     scene(s) at t -> picture               pull audio up to the frame's end
 *     transition mix, global layers,         encode the frame (x264 threads)
 *     text, subtitles                        progress, cancel
 *     -> queue slot (a few frames)  ---->    slot back to the compositor
 *
 * Scene media are loaded when a scene first shows and freed when it ends, so
 * memory depends on the frame size, not on the video's length. */
#include "render/engine.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/frame.h>

#include "common/util.h"
#include "render/audio/audio.h"
#include "render/audio/loudness.h"
#include "render/compose.h"
#include "render/encode.h"
#include "render/layers.h"
#include "render/media.h"
#include "render/pixels.h"
#include "render/profile.h"
#include "render/still.h"
#include "render/text/text.h"
#include "render/timeline.h"
#include "render/video.h"

#define QUEUE_FRAMES 4
#define AUDIO_BLOCK 1024
#define MP3_BITRATE 192000

typedef struct scene_media {
    int loaded;
    sr_frame *pic;   /* still, pre-scaled to cover x prescale */
    double prescale;
    sr_video *video;
    sr_frame *fitpic; /* a video background fitted (contain/blur) into the frame */
} scene_media;

typedef struct render {
    const sr_render_opts *opts;
    sr_timeline *tl;
    sr_text *tx;
    sr_sampler *sampler;
    sr_frame *sa, *sb;     /* the two scenes of a transition */
    scene_media *sm;       /* per scene */
    sr_layer **layers;     /* per visual (layerItems only) */
    int *lx, *ly;          /* their positions */
    sr_limiter *lim;       /* loudness gain + limiter on the mix, or NULL */
    sr_vlayer **vl;        /* per visual (video layerItems only) */
    sr_fitter *fitter;     /* background fit (contain, blur) */
    sr_still *still;       /* still scenes' pictures, composited once */
    sr_render_profile prof;
    /* the queue */
    pthread_mutex_t mu;
    pthread_cond_t cv_free, cv_full;
    AVFrame *slot[QUEUE_FRAMES];
    int head, count, stop;
    int comp_rc;
    sr_err comp_err;
    double t_start; /* when sr_render began: progress fps and ETA count from here */
} render;

static int cancelled(const render *r)
{
    return r->opts->cancel && *r->opts->cancel;
}

/* ------------------------------------------------------------- scene media */

static void scene_unload(render *r, int s)
{
    scene_media *m = &r->sm[s];
    sr_frame_free(m->pic);
    sr_video_close(m->video);
    sr_frame_free(m->fitpic);
    m->pic = NULL;
    m->video = NULL;
    m->fitpic = NULL;
    for (int i = 0; i < r->tl->nvis; i++)
        if (r->tl->vis[i].scene == s && r->vl && r->vl[i]) {
            sr_vlayer_close(r->vl[i]);
            r->vl[i] = NULL;
        }
    for (int i = 0; i < r->tl->nvis; i++)
        if (r->tl->vis[i].scene == s && r->layers[i]) {
            sr_layer_destroy(r->layers[i]);
            r->layers[i] = NULL;
        }
    m->loaded = 0;
}

/* Loads layerItem i: scaled to its width, placed by its position. */
static int layer_load(render *r, int i, sr_err *err)
{
    const sr_visual *v = &r->tl->vis[i];
    int W = r->tl->w, H = r->tl->h;
    AVFrame *fr = NULL;
    int rc = sr_image_decode(v->path, v->field, &fr, err);
    if (rc) return rc;
    int w = (int)lrint(v->width * W / 2) * 2;
    if (w < 2) w = 2;
    int h = (int)lrint((double)w * fr->height / fr->width / 2) * 2;
    if (h < 2) h = 2;
    if (h > 4 * H) h = 4 * H;
    rc = sr_layer_from_frame(&r->layers[i], fr, w, h, v->opacity, err);
    av_frame_free(&fr);
    if (rc) return sr_err_set(err, rc, v->field, "The image %s cannot be used.", v->path);
    if (v->grid >= 0) {
        double m = 0.025 * (W < H ? W : H);
        int col = v->grid % 3, row = v->grid / 3;
        r->lx[i] = (int)lrint(col == 0 ? m : col == 1 ? (W - w) / 2.0 : W - w - m);
        r->ly[i] = (int)lrint(row == 0 ? m : row == 1 ? (H - h) / 2.0 : H - h - m);
    } else {
        r->lx[i] = (int)lrint(v->left * W);
        r->ly[i] = (int)lrint(v->top * H);
    }
    return 0;
}

static int scene_load(render *r, int s, sr_err *err)
{
    scene_media *m = &r->sm[s];
    const sr_timeline *tl = r->tl;
    int rc = 0;
    m->loaded = 1;
    if (tl->scenes[s].bg >= 0) {
        const sr_visual *v = &tl->vis[tl->scenes[s].bg];
        if (v->kind == SR_VIS_IMAGE) {
            AVFrame *fr = NULL;
            if ((rc = sr_image_decode(v->path, v->field, &fr, err))) return rc;
            m->prescale = sr_motion_max_zoom(v->has_motion ? &v->motion : NULL);
            int pw, ph;
            sr_scaled_size(fr->width, fr->height, sr_cover_scale(fr->width, fr->height, tl->w, tl->h) * m->prescale,
                           &pw, &ph);
            if (v->fit != SR_FIT_COVER) { /* fitted once into a frame-shaped picture */
                sr_frame *fitted = NULL;
                int cw, ch;
                sr_scaled_size(tl->w, tl->h, m->prescale, &pw, &ph); /* frame-shaped */
                sr_contain_size(fr->width, fr->height, pw, ph, &cw, &ch);
                if (!(rc = sr_image_to_yuv(fr, cw, ch, &fitted, err)) && !(m->pic = sr_frame_alloc(pw, ph)))
                    rc = sr_err_set(err, SR_ENOMEM, v->field, "Out of memory.");
                if (!rc) {
                    sr_fitter *ft = sr_fitter_create(pw, ph);
                    if (ft) sr_fit_draw(ft, m->pic, fitted, v->fit, tl->bg);
                    else rc = sr_err_set(err, SR_ENOMEM, v->field, "Out of memory.");
                    sr_fitter_destroy(ft);
                }
                sr_frame_free(fitted);
            } else
                rc = sr_image_to_yuv(fr, pw, ph, &m->pic, err);
            av_frame_free(&fr);
            if (rc) return sr_err_set(err, rc, v->field, "The image %s cannot be used.", v->path);
        } else if (v->kind == SR_VIS_VIDEO) {
            int vw = tl->w, vh = tl->h;
            if (v->fit != SR_FIT_COVER) { /* decoded at its contained size, fitted per frame */
                sr_media_info mi;
                if ((rc = sr_media_probe(v->path, SR_MEDIA_VIDEO | SR_MEDIA_IMAGE, v->field, &mi, err))) return rc;
                sr_contain_size(mi.width > 0 ? mi.width : tl->w, mi.height > 0 ? mi.height : tl->h, tl->w, tl->h, &vw, &vh);
                if (!(m->fitpic = sr_frame_alloc(tl->w, tl->h))) return sr_err_set(err, SR_ENOMEM, v->field, "Out of memory.");
            }
            if ((rc = sr_video_open(&m->video, v->path, v->field, v->clips, v->nclips, v->loop, vw, vh, err)))
                return rc;
        }
    }
    for (int i = 0; i < tl->nvis; i++)
        if (tl->vis[i].kind == SR_VIS_VLAYER && tl->vis[i].scene == s &&
            (rc = sr_vlayer_open(&r->vl[i], &tl->vis[i], tl->w, tl->h, err)))
            return rc;
    for (int i = 0; i < tl->nvis; i++)
        if (tl->vis[i].kind == SR_VIS_LAYER && tl->vis[i].scene == s && (rc = layer_load(r, i, err))) return rc;
    return 0;
}

/* ------------------------------------------------------------- compositing */

static void fill_rgb(sr_frame *f, const uint8_t c[4])
{
    uint8_t y, u, v;
    sr_rgb_to_yuv(c[0], c[1], c[2], &y, &u, &v);
    sr_frame_fill(f, y, u, v);
}

static int draw_layers(render *r, sr_frame *f, int scene, double t, sr_err *err)
{
    for (int i = 0; i < r->tl->nvis; i++) {
        const sr_visual *v = &r->tl->vis[i];
        if (v->scene != scene || t < v->start || t >= v->start + v->dur) continue;
        if (v->kind == SR_VIS_LAYER && r->layers[i]) sr_layer_blend(r->layers[i], f, r->lx[i], r->ly[i]);
        int rc = v->kind == SR_VIS_VLAYER && r->vl[i] ? sr_vlayer_draw(r->vl[i], f, t - v->start, err) : 0;
        if (rc) return rc;
    }
    return 0;
}

/* Draws the text of scene s (-1: the whole video's text and the subtitles)
 * at t into f; its CPU time goes to the profile's text stage. */
static int draw_text(render *r, sr_frame *f, double t, int s)
{
    if (!r->tx) return 0;
    double c0 = sr_cpu_thread();
    sr_text_draw_scene(r->tx, f, t, s);
    if (s < 0) sr_text_draw_subtitles(r->tx, f, t);
    r->prof.text_s += sr_cpu_thread() - c0;
    return 0;
}

/* Draws scene s at time t into f: background (+camera, tint), images, text;
 * a still scene's picture before its text comes from the still cache. */
static int draw_scene(render *r, int s, double t, sr_frame *f, sr_err *err)
{
    const sr_timeline *tl = r->tl;
    scene_media *m = &r->sm[s];
    int rc;
    if (!m->loaded && (rc = scene_load(r, s, err))) return rc;
    if (sr_still_get(r->still, tl, s, t, f)) return draw_text(r, f, t, s);
    const sr_visual *v = tl->scenes[s].bg >= 0 ? &tl->vis[tl->scenes[s].bg] : NULL;
    double u = v && v->dur > 0 ? (t - v->start) / v->dur : 0;
    const sr_motion *mo = v && v->has_motion ? &v->motion : NULL;
    if (!v) fill_rgb(f, tl->bg);
    else if (v->kind == SR_VIS_COLOR) fill_rgb(f, v->color);
    else if (v->kind == SR_VIS_GRADIENT) sr_gradient_draw(f, &v->grad, t - v->start);
    else if (v->kind == SR_VIS_IMAGE) sr_draw_view(r->sampler, f, m->pic, m->prescale, mo, u);
    else {
        const sr_frame *pic;
        if ((rc = sr_video_frame(m->video, t - v->start + v->offset, &pic, err))) return rc;
        if (m->fitpic) {
            sr_fit_draw(r->fitter, m->fitpic, pic, v->fit, tl->bg);
            pic = m->fitpic;
        }
        sr_draw_view(r->sampler, f, pic, 1.0, mo, u);
    }
    if (v && v->has_overlay) {
        uint8_t y, cu, cv;
        sr_rgb_to_yuv(v->ov_color[0], v->ov_color[1], v->ov_color[2], &y, &cu, &cv);
        sr_frame_tint(f, y, cu, cv, (int)lrint(v->ov_opacity * v->ov_color[3]));
    }
    if ((rc = draw_layers(r, f, s, t, err))) return rc;
    sr_still_put(r->still, tl, s, t, f);
    return draw_text(r, f, t, s);
}

/* Composites frame i into f. */
static int compose(render *r, int64_t i, sr_frame *f, sr_err *err)
{
    const sr_timeline *tl = r->tl;
    double t = i / tl->fps;
    int a = -1, b = -1, rc;
    for (int s = 0; s < tl->nscenes; s++) {
        const sr_scene *sc = &tl->scenes[s];
        if (t >= sc->start && t < sc->start + sc->dur) {
            a = b;
            b = s;
        } else if (r->sm[s].loaded && t >= sc->start + sc->dur) scene_unload(r, s);
    }
    const sr_scene *sb = b >= 0 ? &tl->scenes[b] : NULL;
    if (b < 0) fill_rgb(f, tl->bg);
    else if (a >= 0 && sb->tdur > 0 && t < sb->start + sb->tdur) {
        double p = (t - sb->start) / sb->tdur;
        if ((rc = draw_scene(r, a, t, r->sa, err)) || (rc = draw_scene(r, b, t, r->sb, err))) return rc;
        sr_transitions[sb->transition].fn(f, r->sa, r->sb, p);
    } else if ((rc = draw_scene(r, b, t, f, err))) return rc;
    if ((rc = draw_layers(r, f, -1, t, err))) return rc;
    return draw_text(r, f, t, -1);
}

static void view_of(AVFrame *av, sr_frame *f)
{
    memset(f, 0, sizeof *f);
    f->w = av->width;
    f->h = av->height;
    for (int p = 0; p < 3; p++) {
        f->data[p] = av->data[p];
        f->linesize[p] = av->linesize[p];
    }
}

static void *compositor(void *arg)
{
    render *r = arg;
    int tail = 0;
    double c0 = sr_cpu_thread();
    sr_px_counters pc0 = *sr_px_counters_get();
    for (int64_t i = 0; i < r->tl->frames; i++) {
        pthread_mutex_lock(&r->mu);
        while (r->count == QUEUE_FRAMES && !r->stop) pthread_cond_wait(&r->cv_free, &r->mu);
        int stop = r->stop;
        pthread_mutex_unlock(&r->mu);
        if (stop) break;
        int rc = 0;
        if (cancelled(r)) rc = sr_err_set(&r->comp_err, SR_ECANCELLED, "", "The render was cancelled.");
        AVFrame *slot = r->slot[tail];
        if (!rc && av_frame_make_writable(slot) < 0) rc = sr_err_set(&r->comp_err, SR_ENOMEM, "", "Out of memory.");
        sr_frame f;
        if (!rc) {
            view_of(slot, &f);
            rc = compose(r, i, &f, &r->comp_err);
        }
        pthread_mutex_lock(&r->mu);
        if (rc) {
            r->comp_rc = rc;
            r->stop = 1;
        } else r->count++;
        pthread_cond_signal(&r->cv_full);
        pthread_mutex_unlock(&r->mu);
        if (rc) break;
        tail = (tail + 1) % QUEUE_FRAMES;
        r->prof.frames++;
    }
    const sr_px_counters *pc = sr_px_counters_get();
    r->prof.compose_s = sr_cpu_thread() - c0 - r->prof.text_s;
    r->prof.stills_drawn = pc->stills_drawn - pc0.stills_drawn;
    r->prof.stills_reused = pc->stills_reused - pc0.stills_reused;
    r->prof.sampled_px = pc->sampled - pc0.sampled;
    r->prof.mixed_px = pc->mixed - pc0.mixed;
    r->prof.copied_px = pc->copied - pc0.copied;
    return NULL;
}

/* ------------------------------------------------------------------- files */

/* A unique temporary name beside path (path.tmp-XXXXXX), created empty. */
static char *tmp_name(const char *path)
{
    size_t n = strlen(path) + 16;
    char *t = malloc(n);
    if (!t) return NULL;
    snprintf(t, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(t);
    if (fd < 0) {
        free(t);
        return NULL;
    }
    fchmod(fd, 0644);
    close(fd);
    return t;
}

static void unlink_free(char **p)
{
    if (*p) unlink(*p);
    free(*p);
    *p = NULL;
}

/* -------------------------------------------------------------- validation */

/* Probes every visual and audio file; each visual's picture is checked and
 * charged to budget (limits) before it is decoded. */
static int probe_all(const sr_timeline *tl, const sr_media_limits *limits, sr_err *err)
{
    sr_media_info info;
    sr_media_budget budget;
    sr_media_budget_init(&budget, limits);
    int rc;
    for (int i = 0; i < tl->nvis; i++) {
        const sr_visual *v = &tl->vis[i];
        if (!v->path) continue;
        int expect = v->kind == SR_VIS_VIDEO || v->kind == SR_VIS_VLAYER ? SR_MEDIA_VIDEO | SR_MEDIA_IMAGE : SR_MEDIA_IMAGE;
        char f[64];
        snprintf(f, sizeof f, "%s.url", v->field);
        if ((rc = sr_media_probe_budget(v->path, expect, f, &budget, &info, err))) return rc;
    }
    for (int i = 0; i < tl->naudio; i++) {
        char f[64];
        snprintf(f, sizeof f, "%s.url", tl->audio[i].field);
        if ((rc = sr_media_probe(tl->audio[i].path, SR_MEDIA_AUDIO, f, &info, err))) return rc;
    }
    return 0;
}

int sr_render_validate(const json_t *rp, const char *base_dir, sr_err *err)
{
    sr_timeline *tl = NULL;
    int rc = sr_timeline_parse(rp, base_dir, &tl, err);
    if (!rc) rc = probe_all(tl, NULL, err);
    sr_timeline_free(tl);
    return rc;
}

/* ------------------------------------------------------------------ render */

static void report(const sr_render_opts *o, int64_t done, int64_t total, double t0)
{
    if (!o->progress) return;
    double el = sr_now() - t0;
    sr_progress p = {.frame = done, .total_frames = total};
    p.percent = total ? 100.0 * done / total : 100;
    p.fps = el > 0 ? done / el : 0;
    p.eta_s = p.fps > 0 ? (total - done) / p.fps : 0;
    o->progress(o->progress_ud, &p);
}

/* The next n sample frames of the mix, through the loudness gain and limiter,
 * encoded (enc non-NULL); returns the count, 0 at the end or an error. */
static int pull_audio(render *r, sr_audio *au, float *buf, int n, sr_encoder *enc, sr_err *err)
{
    double c0 = sr_cpu_thread();
    int got = sr_audio_read(au, buf, n, err), rc;
    if (got > 0 && r->lim) sr_limiter_process(r->lim, buf, got);
    if (got > 0 && enc && (rc = sr_encoder_audio(enc, buf, got, err))) got = rc;
    r->prof.audio_s += sr_cpu_thread() - c0;
    return got;
}

/* output.format mp3: the mix alone, no frame composited or encoded. */
static int encode_audio_only(render *r, sr_encoder *enc, sr_audio *au, sr_err *err)
{
    float abuf[AUDIO_BLOCK * SR_AUDIO_CHANNELS];
    int64_t done = 0;
    double t0 = r->t_start, last = sr_now();
    for (;;) {
        if (cancelled(r)) return sr_err_set(err, SR_ECANCELLED, "", "The render was cancelled.");
        int n = pull_audio(r, au, abuf, AUDIO_BLOCK, enc, err);
        if (n < 0) return n;
        if (n == 0) break;
        done += n;
        if (sr_now() - last >= 0.25) { /* progress in frames of the timeline */
            report(r->opts, llround(done * r->tl->fps / SR_AUDIO_RATE), r->tl->frames, t0);
            last = sr_now();
        }
    }
    return 0;
}

/* The encode loop on the calling thread; returns 0 or an error. */
static int encode_loop(render *r, sr_encoder *enc, sr_audio *au, uint8_t **jpg, int *jpg_len, sr_err *err)
{
    const sr_timeline *tl = r->tl;
    float abuf[AUDIO_BLOCK * SR_AUDIO_CHANNELS];
    int audio_done = au == NULL, rc = 0, head = 0;
    const sr_scene *s0 = &tl->scenes[0];
    int64_t thumb = llround((s0->start + s0->dur / 2) * tl->fps);
    if (thumb >= tl->frames) thumb = tl->frames - 1;
    double t0 = r->t_start, last = sr_now();
    for (int64_t i = 0; i < tl->frames; i++) {
        pthread_mutex_lock(&r->mu);
        while (r->count == 0 && !r->stop) pthread_cond_wait(&r->cv_full, &r->mu);
        int have = r->count > 0;
        pthread_mutex_unlock(&r->mu);
        if (!have) break; /* the compositor stopped: its error is reported */
        if (cancelled(r)) return sr_err_set(err, SR_ECANCELLED, "", "The render was cancelled.");
        /* audio up to the end of this frame */
        int64_t target = llround((i + 1) * (double)SR_AUDIO_RATE / tl->fps);
        while (!audio_done && sr_encoder_audio_pos(enc) < target) {
            int64_t want = target - sr_encoder_audio_pos(enc);
            int n = pull_audio(r, au, abuf, want < AUDIO_BLOCK ? (int)want : AUDIO_BLOCK, enc, err);
            if (n < 0) return n;
            if (n == 0) audio_done = 1;
        }
        AVFrame *slot = r->slot[head];
        if (i == thumb) {
            sr_frame f;
            view_of(slot, &f);
            if ((rc = sr_encode_jpeg(&f, jpg, jpg_len, err))) return rc;
        }
        if ((rc = sr_encoder_video(enc, slot, i, err))) return rc;
        head = (head + 1) % QUEUE_FRAMES;
        pthread_mutex_lock(&r->mu);
        r->count--;
        pthread_cond_signal(&r->cv_free);
        pthread_mutex_unlock(&r->mu);
        double now = sr_now();
        if (now - last >= 0.25 || i + 1 == tl->frames) {
            report(r->opts, i + 1, tl->frames, t0);
            last = now;
        }
    }
    pthread_mutex_lock(&r->mu);
    rc = r->comp_rc;
    pthread_mutex_unlock(&r->mu);
    if (rc) return sr_err_set(err, rc, r->comp_err.field, "%s", r->comp_err.msg);
    while (!audio_done) { /* the rest of the mix */
        int n = pull_audio(r, au, abuf, AUDIO_BLOCK, enc, err);
        if (n < 0) return n;
        if (n == 0) break;
    }
    return 0;
}

int sr_render(const json_t *rp, const sr_render_opts *opts, sr_err *err)
{
    int rc = 0, thread_started = 0, sync_init = 0;
    render r = {.opts = opts, .t_start = sr_now()};
    double cpu0 = sr_cpu_process();
    sr_audio *au = NULL;
    sr_encoder *enc = NULL;
    char *base = NULL, *main_path = NULL, *mp4_tmp = NULL, *mp3_tmp = NULL, *mp3_path = NULL, *jpg_path = NULL;
    uint8_t *jpg = NULL;
    int jpg_len = 0;
    char *done_files[6] = {NULL};
    int ndone = 0;
    pthread_t th;

    if (!opts || !opts->out_path || !*opts->out_path)
        return sr_err_set(err, SR_EINVALID_FIELD, "out_path", "An output path is required.");
    if ((rc = sr_timeline_parse(rp, opts->base_dir, &r.tl, err))) goto done;
    if ((rc = probe_all(r.tl, &opts->limits, err))) goto done;
    const sr_timeline *tl = r.tl;

    /* output names: OUT.<format> (the format decides the extension) and
     * OUT.{srt,vtt,txt,jpg,mp3}; an mp3 video is its own audio file */
    const int audio_only = tl->fmt.format == SR_FMT_MP3;
    size_t n = strlen(opts->out_path);
    base = malloc(n + 8);
    main_path = malloc(n + 8);
    mp3_path = malloc(n + 8);
    jpg_path = malloc(n + 8);
    if (!base || !main_path || !mp3_path || !jpg_path) {
        rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
        goto done;
    }
    memcpy(base, opts->out_path, n + 1);
    char *dot = strrchr(base, '.'), *slash = strrchr(base, '/');
    if (dot && (!slash || dot > slash + 1)) *dot = 0;
    snprintf(main_path, n + 8, "%s.%s", base, sr_fmt_ext(tl->fmt.format));
    snprintf(mp3_path, n + 8, "%s.mp3", base);
    snprintf(jpg_path, n + 8, "%s.jpg", base);
    if (!(mp4_tmp = tmp_name(main_path)) || (!audio_only && !(mp3_tmp = tmp_name(mp3_path)))) {
        rc = sr_err_set(err, SR_EIO, main_path, "The output %s cannot be created: %s.", main_path, strerror(errno));
        goto done;
    }

    /* the parts */
    r.sm = calloc((size_t)tl->nscenes, sizeof *r.sm);
    r.layers = calloc((size_t)tl->nvis + 1, sizeof *r.layers);
    r.lx = calloc((size_t)tl->nvis + 1, sizeof *r.lx);
    r.ly = calloc((size_t)tl->nvis + 1, sizeof *r.ly);
    r.vl = calloc((size_t)tl->nvis + 1, sizeof *r.vl);
    r.fitter = sr_fitter_create(tl->w, tl->h);
    r.sampler = sr_sampler_create(tl->w);
    r.still = sr_still_create(tl->w, tl->h);
    r.sa = sr_frame_alloc(tl->w, tl->h);
    r.sb = sr_frame_alloc(tl->w, tl->h);
    if (!r.sm || !r.layers || !r.lx || !r.ly || !r.vl || !r.fitter || !r.sampler || !r.still || !r.sa || !r.sb) {
        rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
        goto done;
    }
    for (int i = 0; i < QUEUE_FRAMES; i++) {
        AVFrame *f = r.slot[i] = av_frame_alloc();
        if (!f) {
            rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
            goto done;
        }
        f->format = AV_PIX_FMT_YUV420P;
        f->width = tl->w;
        f->height = tl->h;
        f->color_primaries = AVCOL_PRI_BT709;
        f->color_trc = AVCOL_TRC_BT709;
        f->colorspace = AVCOL_SPC_BT709;
        f->color_range = AVCOL_RANGE_MPEG;
        if (av_frame_get_buffer(f, 64) < 0) {
            rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
            goto done;
        }
    }
    for (int i = 0; i < tl->nvis; i++) /* global layers live for the whole render */
        if (tl->vis[i].scene < 0 && ((tl->vis[i].kind == SR_VIS_LAYER && (rc = layer_load(&r, i, err))) ||
                                     (tl->vis[i].kind == SR_VIS_VLAYER &&
                                      (rc = sr_vlayer_open(&r.vl[i], &tl->vis[i], tl->w, tl->h, err)))))
            goto done;
    if ((rc = sr_text_create(&r.tx, rp, tl->w, tl->h, NULL, err))) goto done;
    if (!isnan(tl->fmt.loudness)) { /* first pass: the mix's integrated loudness */
        double lufs;
        double c0 = sr_cpu_thread();
        rc = sr_loudness_measure(rp, opts->base_dir, &lufs, err);
        r.prof.audio_s += sr_cpu_thread() - c0;
        if (rc) goto done;
        if (!(r.lim = sr_limiter_create(sr_loudness_gain(lufs, tl->fmt.loudness)))) {
            rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
            goto done;
        }
    }
    if ((rc = sr_audio_create(&au, rp, opts->base_dir, err))) goto done;
    sr_enc_cfg cfg = {.path = mp4_tmp, .format = tl->fmt.format, .vcodec = tl->fmt.vcodec, .mp3_path = mp3_tmp,
                      .w = tl->w, .h = tl->h, .fps_num = tl->fmt.fps_num, .fps_den = tl->fmt.fps_den,
                      .crf = tl->crf, .preset = tl->preset, .audio_bitrate = tl->audio_bitrate,
                      .mp3_bitrate = MP3_BITRATE};
    if ((rc = sr_encoder_open(&enc, &cfg, err))) goto done;
    if (audio_only) { /* mp3: no frame is composited or encoded */
        if ((rc = encode_audio_only(&r, enc, au, err)) || (rc = sr_encoder_finish(enc, err))) goto done;
        goto publish;
    }

    /* the pipeline */
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv_free, NULL);
    pthread_cond_init(&r.cv_full, NULL);
    sync_init = 1;
    if (pthread_create(&th, NULL, compositor, &r) != 0) {
        rc = sr_err_set(err, SR_EINTERNAL, "", "The compositor thread cannot start.");
        goto done;
    }
    thread_started = 1;
    rc = encode_loop(&r, enc, au, &jpg, &jpg_len, err);
    pthread_mutex_lock(&r.mu);
    r.stop = 1;
    pthread_cond_signal(&r.cv_free);
    pthread_mutex_unlock(&r.mu);
    pthread_join(th, NULL);
    thread_started = 0;
    if (rc) goto done;
    if (cancelled(&r)) {
        rc = sr_err_set(err, SR_ECANCELLED, "", "The render was cancelled.");
        goto done;
    }
    if ((rc = sr_encoder_finish(enc, err))) goto done;

publish:; /* text files, thumbnail, then the MP3 and the main file (";": C11 labels a statement) */
    static const char *const text_ext[] = {".srt", ".vtt", ".txt"};
    for (int i = 0; i < 3; i++) {
        done_files[ndone] = malloc(n + 8);
        if (done_files[ndone]) snprintf(done_files[ndone++], n + 8, "%s%s", base, text_ext[i]);
    }
    if ((rc = sr_write_subtitle_files(rp, base, err))) goto done;
    if (jpg) {
        if ((rc = sr_write_file_atomic(jpg_path, jpg, (size_t)jpg_len, err))) goto done;
        done_files[ndone++] = jpg_path;
        jpg_path = NULL;
    }
    if (mp3_tmp && rename(mp3_tmp, mp3_path) != 0) {
        rc = sr_err_set(err, SR_EIO, mp3_path, "The file %s cannot be written: %s.", mp3_path, strerror(errno));
        goto done;
    }
    if (mp3_tmp) {
        free(mp3_tmp);
        mp3_tmp = NULL;
        done_files[ndone++] = mp3_path;
        mp3_path = NULL;
    }
    if (rename(mp4_tmp, main_path) != 0) {
        rc = sr_err_set(err, SR_EIO, main_path, "The file %s cannot be written: %s.", main_path, strerror(errno));
        goto done;
    }
    free(mp4_tmp);
    mp4_tmp = NULL;
    if (opts->out_written && opts->out_written_size)
        snprintf(opts->out_written, opts->out_written_size, "%s", main_path);
    report(opts, tl->frames, tl->frames, r.t_start);

done:
    if (thread_started) {
        pthread_mutex_lock(&r.mu);
        r.stop = 1;
        pthread_cond_signal(&r.cv_free);
        pthread_mutex_unlock(&r.mu);
        pthread_join(th, NULL);
    }
    if (sync_init) {
        pthread_mutex_destroy(&r.mu);
        pthread_cond_destroy(&r.cv_free);
        pthread_cond_destroy(&r.cv_full);
    }
    sr_encoder_destroy(enc);
    unlink_free(&mp4_tmp);
    unlink_free(&mp3_tmp);
    for (int i = 0; i < ndone; i++) {
        if (rc) unlink(done_files[i]);
        free(done_files[i]);
    }
    av_free(jpg);
    sr_audio_destroy(au);
    sr_limiter_destroy(r.lim);
    sr_text_destroy(r.tx);
    if (r.tl && r.layers) {
        for (int s = 0; r.sm && s < r.tl->nscenes; s++) scene_unload(&r, s);
        for (int i = 0; r.layers && i < r.tl->nvis; i++) sr_layer_destroy(r.layers[i]);
        for (int i = 0; r.vl && i < r.tl->nvis; i++) sr_vlayer_close(r.vl[i]);
    }
    for (int i = 0; i < QUEUE_FRAMES; i++) av_frame_free(&r.slot[i]);
    free(r.sm);
    free(r.layers);
    free(r.lx);
    free(r.ly);
    free(r.vl);
    sr_fitter_destroy(r.fitter);
    sr_sampler_destroy(r.sampler);
    sr_still_destroy(r.still);
    if (opts->profile) { /* the encoder's threads are the CPU no other stage took */
        r.prof.wall_s = sr_now() - r.t_start;
        r.prof.cpu_s = sr_cpu_process() - cpu0;
        r.prof.encode_s = r.prof.cpu_s - r.prof.compose_s - r.prof.text_s - r.prof.audio_s;
        r.prof.simd = sr_px()->name;
        *opts->profile = r.prof;
    }
    sr_frame_free(r.sa);
    sr_frame_free(r.sb);
    sr_timeline_free(r.tl);
    free(base);
    free(main_path);
    free(mp3_path);
    free(jpg_path);
    return rc;
}
