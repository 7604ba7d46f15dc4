/* ratelimit.c - per-key token buckets (ratelimit.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "api/ratelimit.h"

#define N_SHARDS 64    /* locks */
#define N_CHAINS 256   /* chains per shard */
#define KEY_MAX 64     /* bytes of a key kept (ids are 36) */

typedef struct entry {
    struct entry *next;
    double tokens, last;
    char key[KEY_MAX];
} entry;

typedef struct shard {
    pthread_mutex_t mu;
    entry *chain[N_CHAINS];
    int n;
} shard;

struct sr_ratelimit {
    double rate, burst;
    int max_per_shard;
    shard shards[N_SHARDS];
};

sr_ratelimit *sr_ratelimit_create(double rate, double burst, int max_keys)
{
    sr_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl) return NULL;
    rl->rate = rate > 0 ? rate : 1;
    rl->burst = burst >= 1 ? burst : 1;
    rl->max_per_shard = max_keys / N_SHARDS > 0 ? max_keys / N_SHARDS : 1;
    for (int i = 0; i < N_SHARDS; i++) pthread_mutex_init(&rl->shards[i].mu, NULL);
    return rl;
}

void sr_ratelimit_destroy(sr_ratelimit *rl)
{
    if (!rl) return;
    for (int i = 0; i < N_SHARDS; i++) {
        for (int c = 0; c < N_CHAINS; c++)
            for (entry *e = rl->shards[i].chain[c], *next; e; e = next) next = e->next, free(e);
        pthread_mutex_destroy(&rl->shards[i].mu);
    }
    free(rl);
}

/* An entry that has refilled to the burst holds nothing worth keeping. */
static int idle(const sr_ratelimit *rl, const entry *e, double now)
{
    return e->tokens + (now - e->last) * rl->rate >= rl->burst;
}

/* Drops the idle entries of chain *pp. */
static void prune(sr_ratelimit *rl, shard *s, entry **pp, double now)
{
    while (*pp) {
        entry *e = *pp;
        if (idle(rl, e, now)) {
            *pp = e->next;
            free(e);
            s->n--;
        } else {
            pp = &e->next;
        }
    }
}

int sr_ratelimit_take(sr_ratelimit *rl, const char *key, double now)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
    for (const char *p = key; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    shard *s = &rl->shards[h % N_SHARDS];
    entry **chain = &s->chain[(h / N_SHARDS) % N_CHAINS];
    int wait = 0;
    pthread_mutex_lock(&s->mu);
    entry *e = *chain;
    while (e && strncmp(e->key, key, KEY_MAX - 1)) e = e->next;
    if (!e) {
        prune(rl, s, chain, now);
        for (int c = 0; s->n >= rl->max_per_shard && c < N_CHAINS; c++) prune(rl, s, &s->chain[c], now);
        if (s->n >= rl->max_per_shard || !(e = calloc(1, sizeof *e))) {
            pthread_mutex_unlock(&s->mu);
            return 1;
        }
        snprintf(e->key, sizeof e->key, "%s", key);
        e->tokens = rl->burst;
        e->last = now;
        e->next = *chain;
        *chain = e;
        s->n++;
    }
    e->tokens += (now - e->last) * rl->rate;
    if (e->tokens > rl->burst) e->tokens = rl->burst;
    e->last = now;
    if (e->tokens >= 1.0) e->tokens -= 1.0;
    else wait = (int)((1.0 - e->tokens) / rl->rate) + 1;
    pthread_mutex_unlock(&s->mu);
    return wait;
}

int sr_ratelimit_size(sr_ratelimit *rl)
{
    int n = 0;
    for (int i = 0; i < N_SHARDS; i++) {
        pthread_mutex_lock(&rl->shards[i].mu);
        n += rl->shards[i].n;
        pthread_mutex_unlock(&rl->shards[i].mu);
    }
    return n;
}
