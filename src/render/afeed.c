/* afeed.c - the audio feed (see afeed.h): a mutex, a condition variable and
 * a singly linked list of packets. */
#include "render/afeed.h"

#include <pthread.h>
#include <stdlib.h>

#include <libavcodec/avcodec.h>

#include "common/util.h"

typedef struct node {
    AVPacket *pkt;
    struct node *next;
} node;

struct sr_afeed {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    AVCodecParameters *par; /* set by sr_afeed_start */
    int tb_num, tb_den;
    node *head, *tail;
    int64_t queued; /* duration of the queued packets, in the time base */
    int64_t lead;   /* the most the producer may hold, in the time base */
    double lead_s;
    int ended, rc, closed;
    double waited;
};

int sr_afeed_create(sr_afeed **out, double lead, sr_err *err)
{
    sr_afeed *f = calloc(1, sizeof *f);
    if (!(*out = f)) return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->lead_s = lead;
    return 0;
}

int sr_afeed_start(sr_afeed *f, const AVCodecParameters *par, int tb_num, int tb_den, sr_err *err)
{
    AVCodecParameters *p = avcodec_parameters_alloc();
    if (!p || avcodec_parameters_copy(p, par) < 0) {
        avcodec_parameters_free(&p);
        return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    }
    pthread_mutex_lock(&f->mu);
    f->par = p;
    f->tb_num = tb_num;
    f->tb_den = tb_den;
    f->lead = (int64_t)(f->lead_s * tb_den / tb_num);
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return 0;
}

int sr_afeed_put(sr_afeed *f, const AVPacket *pkt, sr_err *err)
{
    node *n = malloc(sizeof *n);
    AVPacket *p = n ? av_packet_clone(pkt) : NULL;
    if (!p) {
        free(n);
        return sr_err_set(err, SR_ENOMEM, "", "Out of memory.");
    }
    *n = (node){p, NULL};
    pthread_mutex_lock(&f->mu);
    if (f->queued > f->lead && !f->closed) {
        double t = sr_now();
        while (f->queued > f->lead && !f->closed) pthread_cond_wait(&f->cv, &f->mu);
        f->waited += sr_now() - t;
    }
    int closed = f->closed;
    if (!closed) {
        if (f->tail) f->tail->next = n;
        else f->head = n;
        f->tail = n;
        f->queued += p->duration > 0 ? p->duration : 0;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    if (!closed) return 0;
    av_packet_free(&p);
    free(n);
    return sr_err_set(err, SR_ECANCELLED, "", "The render was cancelled.");
}

void sr_afeed_end(sr_afeed *f, int rc)
{
    pthread_mutex_lock(&f->mu);
    f->ended = 1;
    f->rc = rc;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

double sr_afeed_waited(const sr_afeed *f)
{
    return f->waited; /* read after the producer is done */
}

int sr_afeed_params(sr_afeed *f, const AVCodecParameters **par, int *tb_num, int *tb_den)
{
    pthread_mutex_lock(&f->mu);
    while (!f->par && !f->ended) pthread_cond_wait(&f->cv, &f->mu);
    int rc = f->par ? 0 : f->rc < 0 ? f->rc : SR_EINTERNAL;
    *par = f->par;
    *tb_num = f->tb_num;
    *tb_den = f->tb_den;
    pthread_mutex_unlock(&f->mu);
    return rc;
}

int sr_afeed_next(sr_afeed *f, AVPacket *pkt)
{
    pthread_mutex_lock(&f->mu);
    while (!f->head && !f->ended) pthread_cond_wait(&f->cv, &f->mu);
    node *n = f->head;
    int rc = f->rc < 0 ? f->rc : n ? 0 : 1;
    if (n && !rc) {
        if (!(f->head = n->next)) f->tail = NULL;
        f->queued -= n->pkt->duration > 0 ? n->pkt->duration : 0;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    if (!n || rc) return rc;
    av_packet_move_ref(pkt, n->pkt);
    av_packet_free(&n->pkt);
    free(n);
    return 0;
}

void sr_afeed_close(sr_afeed *f)
{
    pthread_mutex_lock(&f->mu);
    f->closed = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void sr_afeed_destroy(sr_afeed *f)
{
    if (!f) return;
    for (node *n = f->head, *next; n; n = next) {
        next = n->next;
        av_packet_free(&n->pkt);
        free(n);
    }
    avcodec_parameters_free(&f->par);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}
