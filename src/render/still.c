/* still.c - the still cache (still.h). */
#include "render/still.h"

#include <stdlib.h>
#include <string.h>

#include "render/pixels.h"

#define KEY_MAX 32 /* visible layers a key holds; a scene with more is not cached */

typedef struct still_key {
    int n;           /* ints used in v */
    int v[KEY_MAX + 1]; /* the scene, then its visible layers */
} still_key;

typedef struct still_slot {
    sr_frame *pic;
    still_key key;
    int valid;
    int64_t used; /* last use, for eviction */
} still_slot;

struct sr_still {
    int w, h;
    int64_t clock;
    still_slot slot[2];
};

sr_still *sr_still_create(int w, int h)
{
    sr_still *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->w = w;
    c->h = h;
    return c;
}

void sr_still_destroy(sr_still *c)
{
    if (!c) return;
    for (int i = 0; i < 2; i++) sr_frame_free(c->slot[i].pic);
    free(c);
}

static int camera_still(const sr_visual *v)
{
    const sr_motion *m = &v->motion;
    return !v->has_motion || (m->z0 == m->z1 && m->x0 == m->x1 && m->y0 == m->y1);
}

/* The key of scene s's picture at t; 0 when that picture can change. */
static int key_of(const sr_timeline *tl, int s, double t, still_key *k)
{
    const sr_visual *bg = tl->scenes[s].bg >= 0 ? &tl->vis[tl->scenes[s].bg] : NULL;
    if (bg && !(bg->kind == SR_VIS_COLOR || (bg->kind == SR_VIS_GRADIENT && bg->grad.speed == 0) ||
                (bg->kind == SR_VIS_IMAGE && camera_still(bg))))
        return 0;
    k->n = 0;
    k->v[k->n++] = s;
    for (int i = 0; i < tl->nvis; i++) {
        const sr_visual *v = &tl->vis[i];
        if (v->scene != s || t < v->start || t >= v->start + v->dur) continue;
        if (v->kind == SR_VIS_VLAYER || k->n > KEY_MAX) return 0;
        if (v->kind == SR_VIS_LAYER) k->v[k->n++] = i;
    }
    return 1;
}

static still_slot *find(sr_still *c, const still_key *k)
{
    for (int i = 0; i < 2; i++) {
        still_slot *sl = &c->slot[i];
        if (sl->valid && sl->key.n == k->n && !memcmp(sl->key.v, k->v, sizeof k->v[0] * (size_t)k->n)) return sl;
    }
    return NULL;
}

int sr_still_get(sr_still *c, const sr_timeline *tl, int s, double t, sr_frame *f)
{
    sr_px_counters *pc = sr_px_counters_get();
    still_key k;
    still_slot *sl = c && sr_px_skip() && f->w == c->w && f->h == c->h && key_of(tl, s, t, &k) ? find(c, &k) : NULL;
    if (!sl) {
        pc->stills_drawn++;
        return 0;
    }
    sr_frame_copy(f, sl->pic);
    sl->used = ++c->clock;
    pc->stills_reused++;
    return 1;
}

void sr_still_put(sr_still *c, const sr_timeline *tl, int s, double t, const sr_frame *f)
{
    still_key k;
    if (!c || !sr_px_skip() || f->w != c->w || f->h != c->h || !key_of(tl, s, t, &k) || find(c, &k)) return;
    still_slot *sl = c->slot[0].used <= c->slot[1].used ? &c->slot[0] : &c->slot[1];
    if (!sl->pic && !(sl->pic = sr_frame_alloc(c->w, c->h))) return;
    sr_frame_copy(sl->pic, f);
    sl->key = k;
    sl->valid = 1;
    sl->used = ++c->clock;
}
