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
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/frame.h>

#include "common/util.h"
#include "render/afeed.h"
#include "render/assemble.h"
#include "render/audio/audio.h"
#include "render/audio/loudness.h"
#include "render/compose.h"
#include "render/encode.h"
#include "render/layers.h"
#include "render/media.h"
#include "render/pixels.h"
#include "render/profile.h"
#include "render/still.h"
#include "render/segcache.h"
#include "render/segkey.h"
#include "render/segment.h"
#include "render/text/text.h"
#include "render/timeline.h"
#include "render/video.h"

#define QUEUE_FRAMES 2
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
    /* what this pipeline renders: frames [f0, f1) of the timeline, encoded
     * as 0.. (a segment) or as themselves (the whole video) */
    int64_t f0, f1;
    int64_t thumb;    /* the thumbnail's frame, -1: none */
    sr_frame *thumb_pic; /* its picture, kept until the encoder is closed */
    uint8_t *jpg;     /* the thumbnail once made (av_free) */
    int jpg_len;
    struct prog *pg;  /* progress, shared by every pipeline of a render */
    /* the queue */
    pthread_mutex_t mu;
    pthread_cond_t cv_free, cv_full;
    AVFrame *slot[QUEUE_FRAMES];
    int head, count, stop;
    int comp_rc;
    sr_err comp_err;
    double t_start; /* when sr_render began: progress fps and ETA count from here */
} render;

/* Progress of a render, shared by its pipelines (reported at most ~4 times a second). */
typedef struct prog {
    pthread_mutex_t mu;
    int64_t done, total;
    double t0, last;
    int hls_segments;
    sr_render_profile prof; /* what the pipelines did, added up as each ends */
} prog;

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
    double c0 = sr_cpu_thread(), text0 = r->prof.text_s;
    sr_px_counters pc0 = *sr_px_counters_get();
    for (int64_t i = r->f0; i < r->f1; i++) {
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
    r->prof.compose_s += sr_cpu_thread() - c0 - (r->prof.text_s - text0);
    r->prof.stills_drawn += pc->stills_drawn - pc0.stills_drawn;
    r->prof.stills_reused += pc->stills_reused - pc0.stills_reused;
    r->prof.sampled_px += pc->sampled - pc0.sampled;
    r->prof.mixed_px += pc->mixed - pc0.mixed;
    r->prof.copied_px += pc->copied - pc0.copied;
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
    return sr_tmp_file(t);
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

int sr_render_check(const json_t *rp, const sr_render_opts *opts, sr_err *err)
{
    sr_timeline *tl = NULL;
    int rc = sr_timeline_parse(rp, opts->base_dir, &tl, err);
    if (!rc) rc = probe_all(tl, &opts->limits, err);
    sr_timeline_free(tl);
    return rc;
}

int sr_render_validate(const json_t *rp, const char *base_dir, sr_err *err)
{
    return sr_render_check(rp, &(sr_render_opts){.base_dir = base_dir}, err);
}

/* ------------------------------------------------------------------ render */

static void report_hls(const sr_render_opts *o, int64_t done, int64_t total, double t0, int hls)
{
    if (!o->progress) return;
    double el = sr_now() - t0;
    sr_progress p = {.frame = done, .total_frames = total, .hls_segments = hls};
    p.percent = total ? 100.0 * done / total : 100;
    p.fps = el > 0 ? done / el : 0;
    p.eta_s = p.fps > 0 ? (total - done) / p.fps : 0;
    o->progress(o->progress_ud, &p);
}

static void report(const sr_render_opts *o, int64_t done, int64_t total, double t0)
{
    report_hls(o, done, total, t0, 0);
}

/* n more frames done (or, with hls, one more HLS segment written). */
static void prog_add(prog *pg, const sr_render_opts *o, int64_t n, int hls)
{
    pthread_mutex_lock(&pg->mu);
    pg->done += n;
    pg->hls_segments += hls;
    double now = sr_now();
    if (now - pg->last >= 0.25 || pg->done == pg->total || hls) {
        report_hls(o, pg->done, pg->total, pg->t0, pg->hls_segments);
        pg->last = now;
    }
    pthread_mutex_unlock(&pg->mu);
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
static int encode_loop(render *r, sr_encoder *enc, sr_audio *au, sr_err *err)
{
    const sr_timeline *tl = r->tl;
    float abuf[AUDIO_BLOCK * SR_AUDIO_CHANNELS];
    int audio_done = au == NULL, rc = 0, head = 0;
    for (int64_t i = r->f0; i < r->f1; i++) {
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
        if (i == r->thumb && !r->jpg && !r->thumb_pic) {
            /* kept, and made a JPEG once the video encoder is gone (thumb_finish):
             * the JPEG encoder's ~20 MB at 1080p stays out of the x264 peak */
            sr_frame f;
            view_of(slot, &f);
            if (!(r->thumb_pic = sr_frame_alloc(f.w, f.h)))
                return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
            sr_frame_copy(r->thumb_pic, &f);
        }
        if ((rc = sr_encoder_video(enc, slot, i - r->f0, err))) return rc;
        head = (head + 1) % QUEUE_FRAMES;
        pthread_mutex_lock(&r->mu);
        r->count--;
        pthread_cond_signal(&r->cv_free);
        pthread_mutex_unlock(&r->mu);
        prog_add(r->pg, r->opts, 1, 0);
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

/* ---------------------------------------------------------------- pipeline */

/* Frees what ctx_init made (r->tl and r->opts are not r's). */
static void ctx_free(render *r)
{
    if (r->pg) { /* this pipeline's profile into the render's */
        sr_render_profile *t = &r->pg->prof;
        pthread_mutex_lock(&r->pg->mu);
        t->compose_s += r->prof.compose_s, t->text_s += r->prof.text_s, t->audio_s += r->prof.audio_s;
        t->frames += r->prof.frames, t->stills_drawn += r->prof.stills_drawn;
        t->stills_reused += r->prof.stills_reused, t->sampled_px += r->prof.sampled_px;
        t->mixed_px += r->prof.mixed_px, t->copied_px += r->prof.copied_px;
        pthread_mutex_unlock(&r->pg->mu);
        memset(&r->prof, 0, sizeof r->prof);
    }
    sr_still_destroy(r->still);
    r->still = NULL;
    sr_text_destroy(r->tx);
    if (r->tl && r->layers) {
        for (int s = 0; r->sm && s < r->tl->nscenes; s++) scene_unload(r, s);
        for (int i = 0; i < r->tl->nvis; i++) sr_layer_destroy(r->layers[i]);
        for (int i = 0; r->vl && i < r->tl->nvis; i++) sr_vlayer_close(r->vl[i]);
    }
    for (int i = 0; i < QUEUE_FRAMES; i++) av_frame_free(&r->slot[i]);
    sr_frame_free(r->thumb_pic);
    r->thumb_pic = NULL;
    free(r->sm);
    free(r->layers);
    free(r->lx);
    free(r->ly);
    free(r->vl);
    sr_fitter_destroy(r->fitter);
    sr_sampler_destroy(r->sampler);
    sr_frame_free(r->sa);
    sr_frame_free(r->sb);
    av_free(r->jpg);
    r->tx = NULL;
    r->sm = NULL;
    r->layers = NULL;
    r->vl = NULL;
    r->jpg = NULL;
}

/* The compositor's parts for timeline tl (rp parsed): every scene's media
 * slots, the queue's frames, the global layers, the text. */
static int ctx_init(render *r, const json_t *rp, sr_timeline *tl, const sr_render_opts *opts, prog *pg, sr_err *err)
{
    int rc = 0;
    r->opts = opts;
    r->tl = tl;
    r->pg = pg;
    r->thumb = -1;
    r->t_start = pg->t0;
    r->sm = calloc((size_t)tl->nscenes, sizeof *r->sm);
    r->layers = calloc((size_t)tl->nvis + 1, sizeof *r->layers);
    r->lx = calloc((size_t)tl->nvis + 1, sizeof *r->lx);
    r->ly = calloc((size_t)tl->nvis + 1, sizeof *r->ly);
    r->vl = calloc((size_t)tl->nvis + 1, sizeof *r->vl);
    r->fitter = sr_fitter_create(tl->w, tl->h);
    r->sampler = sr_sampler_create(tl->w);
    r->still = sr_still_create(tl->w, tl->h);
    r->sa = sr_frame_alloc(tl->w, tl->h);
    r->sb = sr_frame_alloc(tl->w, tl->h);
    if (!r->sm || !r->layers || !r->lx || !r->ly || !r->vl || !r->fitter || !r->sampler || !r->still || !r->sa ||
        !r->sb)
        return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    for (int i = 0; i < QUEUE_FRAMES; i++) {
        AVFrame *f = r->slot[i] = av_frame_alloc();
        if (!f) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
        f->format = AV_PIX_FMT_YUV420P;
        f->width = tl->w;
        f->height = tl->h;
        f->color_primaries = AVCOL_PRI_BT709;
        f->color_trc = AVCOL_TRC_BT709;
        f->colorspace = AVCOL_SPC_BT709;
        f->color_range = AVCOL_RANGE_MPEG;
        if (av_frame_get_buffer(f, 64) < 0) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    }
    for (int i = 0; i < tl->nvis; i++) /* global layers live for the whole render */
        if (tl->vis[i].scene < 0 && ((tl->vis[i].kind == SR_VIS_LAYER && (rc = layer_load(r, i, err))) ||
                                     (tl->vis[i].kind == SR_VIS_VLAYER &&
                                      (rc = sr_vlayer_open(&r->vl[i], &tl->vis[i], tl->w, tl->h, err)))))
            return rc;
    return sr_text_create(&r->tx, rp, tl->w, tl->h, NULL, err);
}

/* Composites frames [f0, f1) (compositor thread) and encodes them (this
 * thread) into enc, with the mix au alongside when non-NULL. */
static int run_range(render *r, int64_t f0, int64_t f1, sr_encoder *enc, sr_audio *au, sr_err *err)
{
    pthread_t th;
    r->f0 = f0;
    r->f1 = f1;
    r->head = r->count = r->stop = r->comp_rc = 0;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv_free, NULL);
    pthread_cond_init(&r->cv_full, NULL);
    int rc = 0;
    if (pthread_create(&th, NULL, compositor, r) != 0)
        rc = sr_err_set(err, SR_EINTERNAL, "", "The compositor thread cannot start.");
    else {
        rc = encode_loop(r, enc, au, err);
        pthread_mutex_lock(&r->mu);
        r->stop = 1;
        pthread_cond_signal(&r->cv_free);
        pthread_mutex_unlock(&r->mu);
        pthread_join(th, NULL);
    }
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv_free);
    pthread_cond_destroy(&r->cv_full);
    if (!rc && cancelled(r)) rc = sr_err_set(err, SR_ECANCELLED, "", "The render was cancelled.");
    return rc;
}

/* The thumbnail kept by encode_loop made a JPEG (after its encoder is closed). */
static int thumb_finish(render *r, sr_err *err)
{
    if (!r->thumb_pic) return 0; /* kept only while r->jpg is not made */
    int rc = sr_encode_jpeg(r->thumb_pic, &r->jpg, &r->jpg_len, err);
    sr_frame_free(r->thumb_pic);
    r->thumb_pic = NULL;
    return rc;
}

/* The thumbnail: frame i composited alone (when no pipeline made it). */
static int thumb_alone(render *r, int64_t i, sr_err *err)
{
    sr_frame *f = sr_frame_alloc(r->tl->w, r->tl->h);
    if (!f) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    int rc = compose(r, i, f, err);
    if (!rc) rc = sr_encode_jpeg(f, &r->jpg, &r->jpg_len, err);
    sr_frame_free(f);
    return rc;
}

static int64_t thumb_frame(const sr_timeline *tl)
{
    const sr_scene *s0 = &tl->scenes[0];
    int64_t thumb = llround((s0->start + s0->dur / 2) * tl->fps);
    return thumb >= tl->frames ? tl->frames - 1 : thumb;
}

static int enc_threads(int jobs)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1) ncpu = 1;
    if (jobs <= 1) return 0; /* the encoder's default */
    long t = 2 * ncpu / jobs; /* two threads a core: H.264's slices (encode.c) */
    return t < 2 ? 2 : t > 8 ? 8 : (int)t;
}

/* The encoder threads of each segment: opts.threads when given (a fleet fixes
 * it, so that every node's segment is what its key says), else the cores
 * shared among the jobs. */
static int seg_threads(const sr_render_opts *o)
{
    if (o->threads > 0) return o->threads < 64 ? o->threads : 64;
    return enc_threads(sr_render_jobs(o->jobs));
}

int sr_render_jobs(int jobs)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs > 0) return jobs > SR_RENDER_MAX_JOBS ? SR_RENDER_MAX_JOBS : jobs;
    jobs = (int)(ncpu / 2);
    return jobs < 1 ? 1 : jobs > SR_RENDER_MAX_JOBS ? SR_RENDER_MAX_JOBS : jobs;
}

/* ------------------------------------------------------------------- audio */

/* The loudness gain and limiter of tl's mix, or NULL when not normalised. */
static int make_limiter(const json_t *rp, const sr_timeline *tl, const char *base_dir, sr_limiter **lim,
                        double *cpu_s, sr_err *err)
{
    *lim = NULL;
    if (isnan(tl->fmt.loudness)) return 0;
    double lufs, c0 = sr_cpu_thread(); /* first pass: the mix's integrated loudness */
    int rc = sr_loudness_measure(rp, base_dir, &lufs, err);
    *cpu_s += sr_cpu_thread() - c0;
    if (rc) return rc;
    if (!(*lim = sr_limiter_create(sr_loudness_gain(lufs, tl->fmt.loudness))))
        return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    return 0;
}

/* The whole mix as AAC packets into feed (taken by the assembler as they
 * come) and the side MP3 at mp3_path: encoded once for the whole video,
 * never per segment. Ends the feed, with the error when it fails. */
static int mix_whole(render *r, const json_t *rp, sr_afeed *feed, const char *mp3_path, sr_err *err)
{
    const sr_timeline *tl = r->tl;
    sr_audio *au = NULL;
    sr_encoder *enc = NULL;
    int rc = make_limiter(rp, tl, r->opts->base_dir, &r->lim, &r->prof.audio_s, err);
    if (!rc) rc = sr_audio_create(&au, rp, r->opts->base_dir, err);
    sr_enc_cfg cfg = {.format = SR_FMT_MP4, .vcodec = SR_VC_NONE, .mp3_path = mp3_path,
                      .audio_bitrate = tl->audio_bitrate, .mp3_bitrate = MP3_BITRATE, .audio_feed = feed};
    if (!rc) rc = sr_encoder_open(&enc, &cfg, err);
    float abuf[AUDIO_BLOCK * SR_AUDIO_CHANNELS];
    while (!rc) {
        if (cancelled(r)) rc = sr_err_set(err, SR_ECANCELLED, "", "The render was cancelled.");
        int n = rc ? 0 : pull_audio(r, au, abuf, AUDIO_BLOCK, enc, err);
        if (n < 0) rc = n;
        if (n <= 0) break;
    }
    if (!rc) rc = sr_encoder_finish(enc, err);
    sr_encoder_destroy(enc);
    sr_audio_destroy(au);
    sr_limiter_destroy(r->lim);
    r->lim = NULL;
    sr_afeed_end(feed, rc);
    return rc;
}

/* ---------------------------------------------------------------- segments */

/* Whether tl renders in segments: MP4 (H.264, H.265). WebM, GIF and MP3 render as one stream. */
static int segmentable(const sr_timeline *tl)
{
    return tl->fmt.format == SR_FMT_MP4 && (tl->fmt.vcodec == SR_VC_H264 || tl->fmt.vcodec == SR_VC_H265);
}

static int plan(const sr_timeline *tl, sr_seg **segs)
{
    sr_seg_scene *sc = malloc(sizeof *sc * (size_t)(tl->nscenes + 1));
    if (!sc) return -1;
    for (int s = 0; s < tl->nscenes; s++) sc[s] = (sr_seg_scene){tl->scenes[s].start, tl->scenes[s].dur, tl->scenes[s].tdur};
    int n = sr_seg_plan(sc, tl->nscenes, tl->frames, tl->fmt.fps_num, tl->fmt.fps_den, tl->seg_seconds, segs);
    free(sc);
    return n;
}

/* Encodes segment sg with pipeline r into path (an MP4 of its video only). */
static int encode_segment(render *r, const sr_seg *sg, const char *path, int threads, sr_err *err)
{
    const sr_timeline *tl = r->tl;
    sr_encoder *enc = NULL;
    sr_enc_cfg cfg = {.path = path, .format = SR_FMT_MP4, .vcodec = tl->fmt.vcodec, .w = tl->w, .h = tl->h,
                      .fps_num = tl->fmt.fps_num, .fps_den = tl->fmt.fps_den, .crf = tl->crf,
                      .preset = tl->preset, .segment = 1, .threads = threads};
    int rc = sr_encoder_open(&enc, &cfg, err);
    if (!rc) rc = run_range(r, sg->start, sg->start + sg->frames, enc, NULL, err);
    if (!rc) rc = sr_encoder_finish(enc, err);
    sr_encoder_destroy(enc);
    malloc_trim(0); /* the encoder's frames back to the system before the next one is made */
    int trc = thumb_finish(r, err);
    return rc ? rc : trc;
}

/* A segmented render: the work of its jobs and what they share. */
typedef struct segrun {
    const json_t *rp;
    sr_timeline *tl;
    const sr_render_opts *opts;
    prog *pg;
    sr_seg *seg;
    int nseg;
    char **path;   /* per segment: its file once done (or given) */
    char **tmp;    /* per segment being encoded into the cache: its temporary file */
    char (*key)[SR_SEGKEY_LEN + 1];
    int *state;    /* 0 to do, 1 taken, 2 done */
    int next;      /* the next segment to hand out */
    int threads;   /* encoder threads per job */
    sr_segcache *cache;
    char *dir;     /* the private folder of segments when there is no cache */
    int encoded;
    /* the thumbnail, from whichever job made it */
    int64_t thumb;
    uint8_t *jpg;
    int jpg_len;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int rc; /* the first error */
    sr_err err;
} segrun;

static void *job_main(void *arg)
{
    segrun *g = arg;
    render r = {0};
    sr_err err = {0};
    int rc = ctx_init(&r, g->rp, g->tl, g->opts, g->pg, &err);
    r.thumb = g->thumb;
    for (;;) {
        int k = -1;
        pthread_mutex_lock(&g->mu);
        while (!rc && !g->rc && g->next < g->nseg && g->state[g->next] != 0) g->next++;
        if (!rc && !g->rc && g->next < g->nseg) {
            k = g->next++;
            g->state[k] = 1;
        }
        pthread_mutex_unlock(&g->mu);
        if (k < 0) break;
        const char *out = g->cache ? g->tmp[k] : g->path[k];
        rc = encode_segment(&r, &g->seg[k], out, g->threads, &err);
        if (!rc && g->cache) {
            rc = sr_segcache_put(g->cache, g->key[k], g->tmp[k], &err);
            char p[4096];
            if (!rc && sr_segcache_get(g->cache, g->key[k], p, sizeof p) && !(g->path[k] = strdup(p)))
                rc = sr_err_set(&err, SR_ENOMEM, "", "Out of memory.");
        }
        pthread_mutex_lock(&g->mu);
        if (!rc) {
            g->state[k] = 2;
            g->encoded++;
        }
        if (r.jpg && !g->jpg) {
            g->jpg = r.jpg;
            g->jpg_len = r.jpg_len;
            r.jpg = NULL;
        }
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
        if (rc) break;
    }
    pthread_mutex_lock(&g->mu);
    if (rc && !g->rc) {
        g->rc = rc;
        g->err = err;
    }
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    ctx_free(&r);
    return NULL;
}

static void segrun_free(segrun *g)
{
    for (int k = 0; k < g->nseg; k++) {
        if (g->dir && g->path && g->path[k]) unlink(g->path[k]);
        if (g->tmp && g->tmp[k]) unlink(g->tmp[k]);
        if (g->path) free(g->path[k]);
        if (g->tmp) free(g->tmp[k]);
    }
    if (g->dir) rmdir(g->dir);
    free(g->dir);
    free(g->path);
    free(g->tmp);
    free(g->key);
    free(g->state);
    free(g->seg);
    av_free(g->jpg);
    sr_segcache_close(g->cache);
}

/* Where each segment comes from: given, from the cache (keys), or encoded:
 * into the cache, else into a private folder beside base. */
static int segrun_prepare(segrun *g, const char *base, const char *const *given, int ngiven, sr_render_stats *st,
                          sr_err *err)
{
    const sr_render_opts *o = g->opts;
    int n = g->nseg, rc = 0;
    g->path = calloc((size_t)n, sizeof *g->path);
    g->tmp = calloc((size_t)n, sizeof *g->tmp);
    g->key = calloc((size_t)n, sizeof *g->key);
    g->state = calloc((size_t)n, sizeof *g->state);
    if (!g->path || !g->tmp || !g->key || !g->state) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    if (given) {
        if (ngiven != n)
            return sr_err_set(err, SR_EINVALID_FIELD, "segments", "The timeline has %d segments, not %d.", n, ngiven);
        for (int k = 0; k < n; k++) {
            if (!(g->path[k] = strdup(given[k]))) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
            g->state[k] = 2;
        }
        st->segments_reused = n;
        return 0;
    }
    if (o->cache_dir && !o->no_cache) {
        int64_t max = (o->cache_max_mb > 0 ? o->cache_max_mb : SR_RENDER_CACHE_MB) * (int64_t)1 << 20;
        sr_segkeys *keys = NULL;
        size_t ml = strlen(o->cache_dir) + 16;
        char *memo = malloc(ml);
        if (!memo) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
        snprintf(memo, ml, "%s/hashes", o->cache_dir);
        if (!(rc = sr_segcache_open(&g->cache, o->cache_dir, max, err))) rc = sr_segkeys_create(&keys, memo, err);
        free(memo);
        for (int k = 0; !rc && k < n; k++) {
            if ((rc = sr_segkey(keys, g->rp, g->tl, o->base_dir, &g->seg[k], g->threads, g->key[k], err))) break;
            char p[4096];
            if (sr_segcache_get(g->cache, g->key[k], p, sizeof p)) {
                if (!(g->path[k] = strdup(p))) rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
                g->state[k] = 2;
                st->segments_reused++;
            } else if (!(g->tmp[k] = sr_segcache_tmp(g->cache, g->key[k])))
                rc = sr_err_set(err, SR_EIO, "cache", "The cache folder %s cannot be written.", o->cache_dir);
        }
        sr_segkeys_destroy(keys);
        return rc;
    }
    size_t dl = strlen(base) + 32;
    if (!(g->dir = malloc(dl))) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    snprintf(g->dir, dl, "%s.segments-XXXXXX", base);
    if (!mkdtemp(g->dir)) {
        free(g->dir);
        g->dir = NULL;
        return sr_err_set(err, SR_EIO, base, "The folder beside %s cannot be created: %s.", base, strerror(errno));
    }
    for (int k = 0; k < n; k++) {
        size_t pl = dl + 32;
        if (!(g->path[k] = malloc(pl))) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
        snprintf(g->path[k], pl, "%s/seg-%05d.mp4", g->dir, k);
    }
    return 0;
}

/* The audio pass on its own thread, beside the video jobs. */
typedef struct audio_job {
    render r;
    const json_t *rp;
    sr_afeed *feed;
    const char *mp3;
    int rc;
    sr_err err;
    double seconds;
} audio_job;

static void *audio_main(void *arg)
{
    audio_job *a = arg;
    double t = sr_now();
    a->rc = mix_whole(&a->r, a->rp, a->feed, a->mp3, &a->err);
    a->seconds = sr_now() - t - sr_afeed_waited(a->feed); /* working, not waiting for the video */
    return NULL;
}

/* Renders rp's video in segments (jobs at once, reusing cached ones, or
 * the given ones) and lays them with the whole mix into mp4 (and HLS). */
static int render_segments(const json_t *rp, sr_timeline *tl, const sr_render_opts *o, const char *base,
                           const char *mp4, const char *mp3, const char *const *given, int ngiven, uint8_t **jpg,
                           int *jpg_len, sr_render_stats *st, sr_err *err)
{
    prog pg = {.total = tl->frames, .t0 = sr_now()};
    pthread_mutex_init(&pg.mu, NULL);
    segrun g = {.rp = rp, .tl = tl, .opts = o, .pg = &pg, .thumb = thumb_frame(tl)};
    int jobs = sr_render_jobs(o->jobs), started = 0, rc = 0;
    g.threads = seg_threads(o);
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    pthread_t th[SR_RENDER_MAX_JOBS];
    sr_assembler *as = NULL;
    sr_afeed *audio = NULL;
    render r = {.opts = o, .tl = tl};
    audio_job aj = {.r = {.opts = o, .tl = tl}, .rp = rp, .mp3 = mp3};
    pthread_t ath;
    int audio_started = 0;
    double t = sr_now();
    if ((g.nseg = plan(tl, &g.seg)) < 0) rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    double seg_max = tl->seg_seconds;
    for (int k = 0; k < g.nseg; k++)
        if (g.seg[k].frames * tl->fmt.fps_den / (double)tl->fmt.fps_num > seg_max)
            seg_max = g.seg[k].frames * tl->fmt.fps_den / (double)tl->fmt.fps_num;
    /* the audio thread keeps two segments' worth ahead of the assembler: enough that it never waits
     * for audio, little enough that the audio work does not take the cores from the first segments */
    if (!rc) rc = sr_afeed_create(&audio, 2 * seg_max, err);
    aj.feed = audio;
    if (!rc && pthread_create(&ath, NULL, audio_main, &aj) != 0)
        rc = sr_err_set(err, SR_EINTERNAL, "", "The audio thread cannot start.");
    audio_started = !rc;
    if (!rc) rc = segrun_prepare(&g, base, given, ngiven, st, err);
    st->segments_total = g.nseg;
    sr_asm_cfg ac = {.path = mp4, .audio = audio, .hls_dir = o->hls_dir, .fps_num = tl->fmt.fps_num,
                     .fps_den = tl->fmt.fps_den, .max_seg_seconds = seg_max};
    for (int k = 0; !rc && k < g.nseg; k++) /* reused ones count as done */
        if (g.state[k] == 2) prog_add(&pg, o, g.seg[k].frames, 0);
    int todo = 0;
    for (int k = 0; k < g.nseg; k++) todo += g.state[k] == 0;
    for (int j = 0; !rc && j < jobs && j < todo; j++) {
        if (pthread_create(&th[j], NULL, job_main, &g) != 0) {
            rc = sr_err_set(err, SR_EINTERNAL, "", "A render job cannot start.");
            break;
        }
        started++;
    }
    /* segments laid in order as they are done, each with its audio as soon as the audio thread has it */
    if (!rc) rc = sr_assembler_open(&as, &ac, err);
    double mux = 0;
    for (int k = 0; !rc && k < g.nseg; k++) {
        pthread_mutex_lock(&g.mu);
        while (g.state[k] != 2 && !g.rc) pthread_cond_wait(&g.cv, &g.mu);
        int grc = g.rc;
        pthread_mutex_unlock(&g.mu);
        if (grc) break;
        double m0 = sr_now();
        rc = sr_assembler_add(as, g.path[k], g.seg[k].start, g.seg[k].frames, k + 1 == g.nseg, err);
        mux += sr_now() - m0;
        if (!rc && o->hls_dir) prog_add(&pg, o, 0, 1);
    }
    if (rc) { /* stop the jobs */
        pthread_mutex_lock(&g.mu);
        if (!g.rc) g.rc = rc;
        pthread_mutex_unlock(&g.mu);
    }
    for (int j = 0; j < started; j++) pthread_join(th[j], NULL);
    if (!rc && g.rc) rc = sr_err_set(err, g.rc, g.err.field, "%s", g.err.msg);
    st->video_s = sr_now() - t;
    st->segments_encoded = g.encoded;
    t = sr_now();
    if (!rc) rc = sr_assembler_finish(as, err);
    st->mux_s = mux + sr_now() - t;
    if (!rc) st->av_end_diff_ms = 1000 * sr_assembler_av_end_diff(as);
    sr_assembler_destroy(as);
    if (audio_started) { /* done, or stopped by the closed feed */
        if (audio) sr_afeed_close(audio);
        pthread_join(ath, NULL);
        st->audio_s = aj.seconds;
        pg.prof.audio_s += aj.r.prof.audio_s;
        /* the audio's own failure is the cause; its SR_ECANCELLED follows ours */
        if (aj.rc && (!rc || aj.rc != SR_ECANCELLED)) rc = sr_err_set(err, aj.rc, aj.err.field, "%s", aj.err.msg);
    }
    sr_afeed_destroy(audio);
    if (!rc && !g.jpg) { /* every segment reused: the thumbnail composited alone */
        if (!(rc = ctx_init(&r, rp, tl, o, &pg, err)) && !(rc = thumb_alone(&r, g.thumb, err))) {
            g.jpg = r.jpg;
            g.jpg_len = r.jpg_len;
            r.jpg = NULL;
        }
        ctx_free(&r);
    }
    if (!rc) {
        *jpg = g.jpg;
        *jpg_len = g.jpg_len;
        g.jpg = NULL;
    }
    if (g.cache) sr_segcache_unpin(g.cache);
    segrun_free(&g);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cv);
    if (o->profile) *o->profile = pg.prof;
    pthread_mutex_destroy(&pg.mu);
    return rc;
}

/* ------------------------------------------------------------------ stream */

/* The whole video as one stream (WebM, GIF, MP3; MP4 with opts->no_segments). */
static int render_stream(const json_t *rp, sr_timeline *tl, const sr_render_opts *opts, const char *mp4,
                         const char *mp3, uint8_t **jpg, int *jpg_len, sr_render_stats *st, sr_err *err)
{
    prog pg = {.total = tl->frames, .t0 = sr_now()};
    pthread_mutex_init(&pg.mu, NULL);
    render r = {0};
    sr_audio *au = NULL;
    sr_encoder *enc = NULL;
    const int audio_only = tl->fmt.format == SR_FMT_MP3;
    double t = sr_now();
    int rc = ctx_init(&r, rp, tl, opts, &pg, err);
    r.thumb = thumb_frame(tl);
    if (!rc) rc = make_limiter(rp, tl, opts->base_dir, &r.lim, &r.prof.audio_s, err);
    if (!rc) rc = sr_audio_create(&au, rp, opts->base_dir, err);
    sr_enc_cfg cfg = {.path = mp4, .format = tl->fmt.format, .vcodec = tl->fmt.vcodec, .mp3_path = mp3,
                      .w = tl->w, .h = tl->h, .fps_num = tl->fmt.fps_num, .fps_den = tl->fmt.fps_den,
                      .crf = tl->crf, .preset = tl->preset, .audio_bitrate = tl->audio_bitrate,
                      .mp3_bitrate = MP3_BITRATE};
    if (!rc) rc = sr_encoder_open(&enc, &cfg, err);
    if (!rc && audio_only) rc = encode_audio_only(&r, enc, au, err); /* mp3: no frame composited or encoded */
    else if (!rc) rc = run_range(&r, 0, tl->frames, enc, au, err);
    st->video_s = sr_now() - t;
    t = sr_now();
    if (!rc) rc = sr_encoder_finish(enc, err);
    st->mux_s = sr_now() - t;
    if (!rc && !audio_only)
        st->av_end_diff_ms = 1000 * ((double)sr_encoder_audio_pos(enc) / SR_AUDIO_RATE - tl->frames / tl->fps);
    st->segments_total = st->segments_encoded = audio_only ? 0 : 1;
    sr_encoder_destroy(enc); /* before the thumbnail's JPEG encoder opens */
    if (!rc) rc = thumb_finish(&r, err);
    if (!rc) {
        *jpg = r.jpg;
        *jpg_len = r.jpg_len;
        r.jpg = NULL;
    }
    sr_audio_destroy(au);
    sr_limiter_destroy(r.lim);
    ctx_free(&r);
    if (opts->profile) *opts->profile = pg.prof;
    pthread_mutex_destroy(&pg.mu);
    return rc;
}

/* ------------------------------------------------------------------ render */

/* Large blocks (an encoder's 1080p frames, ~3 MB each) always mmap'd, so
 * freeing them gives them back. glibc's default threshold rises to the size
 * of any mmap'd block freed, so after the first segment's encoder is closed
 * the next ones' frames came from the heap, fragmented it and stayed
 * resident: measured 14 MB of story60's peak (282 -> 268 MB). */
static void malloc_setup(void)
{
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

/* sr_render, or, with given (ngiven segment files of the plan),
 * sr_render_assemble. */
static int render_main(const json_t *rp, const sr_render_opts *opts, const char *const *given, int ngiven,
                       sr_err *err)
{
    int rc = 0;
    sr_timeline *tl = NULL;
    char *base = NULL, *main_path = NULL, *mp4_tmp = NULL, *mp3_tmp = NULL, *mp3_path = NULL, *jpg_path = NULL;
    uint8_t *jpg = NULL;
    int jpg_len = 0;
    char *done_files[6] = {NULL};
    int ndone = 0;
    double t_start = sr_now(), cpu0 = sr_cpu_process();
    sr_render_stats st = {0};
    static pthread_once_t malloc_once = PTHREAD_ONCE_INIT;
    pthread_once(&malloc_once, malloc_setup);

    if (!opts || !opts->out_path || !*opts->out_path)
        return sr_err_set(err, SR_EINVALID_FIELD, "out_path", "An output path is required.");
    if ((rc = sr_timeline_parse(rp, opts->base_dir, &tl, err))) goto done;
    if ((rc = probe_all(tl, &opts->limits, err))) goto done;
    st.compile_s = sr_now() - t_start;
    const int segmented = segmentable(tl) && (!opts->no_segments || given);
    if (given && !segmentable(tl)) {
        rc = sr_err_set(err, SR_EINVALID_FIELD, "output.format", "Only MP4 (H.264, H.265) renders in segments.");
        goto done;
    }

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
    rc = segmented ? render_segments(rp, tl, opts, base, mp4_tmp, mp3_tmp, given, ngiven, &jpg, &jpg_len, &st, err)
                   : render_stream(rp, tl, opts, mp4_tmp, mp3_tmp, &jpg, &jpg_len, &st, err);
    if (rc) goto done;

    /* text files, thumbnail, then the MP3 and the main file */
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
    report(opts, tl->frames, tl->frames, t_start);
    st.max_chars_per_second = sr_subtitles_max_cps(rp);
    st.total_s = sr_now() - t_start;
    if (opts->stats) *opts->stats = st;

done:
    unlink_free(&mp4_tmp);
    unlink_free(&mp3_tmp);
    for (int i = 0; i < ndone; i++) {
        if (rc) unlink(done_files[i]);
        free(done_files[i]);
    }
    av_free(jpg);
    sr_timeline_free(tl);
    if (opts && opts->profile) { /* the encoder's threads are the CPU no other stage took */
        sr_render_profile *p = opts->profile;
        p->wall_s = sr_now() - t_start;
        p->cpu_s = sr_cpu_process() - cpu0;
        p->encode_s = p->cpu_s - p->compose_s - p->text_s - p->audio_s;
        p->simd = sr_px()->name;
    }
    free(base);
    free(main_path);
    free(mp3_path);
    free(jpg_path);
    return rc;
}

int sr_render(const json_t *rp, const sr_render_opts *opts, sr_err *err)
{
    return render_main(rp, opts, NULL, 0, err);
}

int sr_render_assemble(const json_t *rp, const sr_render_opts *opts, const char *const *segments, int n,
                       sr_err *err)
{
    if (!segments || n < 1) return sr_err_set(err, SR_EINVALID_FIELD, "segments", "No segment given.");
    return render_main(rp, opts, segments, n, err);
}

int sr_render_plan(const json_t *rp, const char *base_dir, sr_segment **out, sr_err *err)
{
    sr_timeline *tl = NULL;
    sr_seg *seg = NULL;
    *out = NULL;
    int rc = sr_timeline_parse(rp, base_dir, &tl, err);
    if (rc) return rc;
    int n = plan(tl, &seg);
    if (n < 0) rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    else if (!(*out = malloc(sizeof **out * (size_t)(n ? n : 1)))) rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    for (int k = 0; !rc && k < n; k++) (*out)[k] = (sr_segment){seg[k].start, seg[k].frames};
    free(seg);
    sr_timeline_free(tl);
    return rc ? rc : n;
}

/* rp parsed (base_dir) into *tl and planned into *seg, *n segments; an
 * error for a timeline that does not render in segments. */
static int parse_segments(const json_t *rp, const char *base_dir, sr_timeline **tl, sr_seg **seg, int *n, sr_err *err)
{
    int rc = sr_timeline_parse(rp, base_dir, tl, err);
    if (!rc && !segmentable(*tl))
        rc = sr_err_set(err, SR_EINVALID_FIELD, "output.format", "Only MP4 (H.264, H.265) renders in segments.");
    if (!rc && (*n = plan(*tl, seg)) < 0) rc = sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    return rc;
}

/* A timeline's segments rendered one after another with one compositor
 * context: its scenes' pictures, text and buffers made once. */
struct sr_segrender {
    sr_render_opts opts; /* a copy: cancel is set per segment */
    sr_timeline *tl;
    sr_seg *seg;
    int n;
    prog pg;
    render r;
};

void sr_segrender_close(sr_segrender *s)
{
    if (!s) return;
    ctx_free(&s->r);
    free(s->seg);
    sr_timeline_free(s->tl);
    pthread_mutex_destroy(&s->pg.mu);
    free(s);
}

int sr_segrender_open(sr_segrender **out, const json_t *rp, const sr_render_opts *opts, sr_err *err)
{
    sr_segrender *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    s->opts = *opts;
    s->opts.progress = NULL; /* a segment reports nothing: its caller does */
    s->pg.t0 = sr_now();
    pthread_mutex_init(&s->pg.mu, NULL);
    int rc = parse_segments(rp, opts->base_dir, &s->tl, &s->seg, &s->n, err);
    /* no probe: the caller checked the whole timeline once (sr_render_check);
     * each file is still opened under its picture ceilings when loaded */
    if (!rc) rc = ctx_init(&s->r, rp, s->tl, &s->opts, &s->pg, err);
    if (rc) {
        sr_segrender_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int sr_segrender_run(sr_segrender *s, int index, const char *path, volatile int *cancel, sr_err *err)
{
    if (index < 0 || index >= s->n)
        return sr_err_set(err, SR_EINVALID_FIELD, "segment", "The timeline has no segment %d (it has %d).", index, s->n);
    s->opts.cancel = cancel;
    s->pg.total = s->seg[index].frames;
    s->pg.done = 0;
    char *tmp = tmp_name(path);
    int rc = tmp ? 0 : sr_err_set(err, SR_EIO, path, "The file %s cannot be created: %s.", path, strerror(errno));
    if (!rc) rc = encode_segment(&s->r, &s->seg[index], tmp, seg_threads(&s->opts), err);
    if (!rc && rename(tmp, path) != 0)
        rc = sr_err_set(err, SR_EIO, path, "The file %s cannot be written: %s.", path, strerror(errno));
    if (rc && tmp) unlink(tmp);
    free(tmp);
    return rc;
}

int sr_render_segment(const json_t *rp, const sr_render_opts *opts, int index, const char *path, sr_err *err)
{
    sr_segrender *s = NULL;
    int rc = sr_segrender_open(&s, rp, opts, err);
    if (!rc) rc = sr_segrender_run(s, index, path, opts->cancel, err);
    sr_segrender_close(s);
    return rc;
}

int sr_render_segment_keys(const json_t *rp, const sr_render_opts *opts, char (*keys)[65], int n, sr_err *err)
{
    sr_timeline *tl = NULL;
    sr_seg *seg = NULL;
    sr_segkeys *memo = NULL;
    char dir[4096];
    int ns = 0, rc = parse_segments(rp, opts->base_dir, &tl, &seg, &ns, err);
    if (!rc && n != ns)
        rc = sr_err_set(err, SR_EINVALID_FIELD, "segments", "The timeline has %d segments, not %d.", ns, n);
    if (opts->cache_dir) snprintf(dir, sizeof dir, "%s/hashes", opts->cache_dir); /* file hashes remembered */
    if (!rc) rc = sr_segkeys_create(&memo, opts->cache_dir ? dir : NULL, err);
    /* the encoder threads of sr_render_segment with the same opts: they are part of the key */
    for (int k = 0; !rc && k < n; k++) rc = sr_segkey(memo, rp, tl, opts->base_dir, &seg[k], seg_threads(opts), keys[k], err);
    sr_segkeys_destroy(memo);
    free(seg);
    sr_timeline_free(tl);
    return rc;
}

json_t *sr_render_stats_json(const sr_render_stats *s)
{
    return json_pack("{s:{s:i,s:i,s:i},s:{s:f,s:f,s:f,s:f,s:f},s:f,s:f}", "segments", "total", s->segments_total,
                     "reused", s->segments_reused, "encoded", s->segments_encoded, "seconds", "compile",
                     s->compile_s, "audio", s->audio_s, "video", s->video_s, "mux", s->mux_s, "total", s->total_s,
                     "avEndDiffMs", s->av_end_diff_ms, "maxCharsPerSecond", s->max_chars_per_second);
}
