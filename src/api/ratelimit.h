/* ratelimit.h - per-key token buckets, exact per key: a hash table keyed by
 * the whole key id (chained, sharded by lock), bounded in entries. An entry
 * whose bucket has refilled (idle for burst / rate seconds) is the same as no
 * entry, so it is dropped whenever its chain is walked or room is needed. */
#ifndef SR_RATELIMIT_H
#define SR_RATELIMIT_H

typedef struct sr_ratelimit sr_ratelimit;

/* A limiter of rate tokens per second per key, bursts of burst, holding at
 * most max_keys keys at once. NULL on OOM. */
sr_ratelimit *sr_ratelimit_create(double rate, double burst, int max_keys);
void sr_ratelimit_destroy(sr_ratelimit *rl); /* accepts NULL */
/* Takes one token of key at time now (seconds): 0, or the seconds to wait
 * (also when the table is full of keys that are all busy). Thread-safe. */
int sr_ratelimit_take(sr_ratelimit *rl, const char *key, double now);
/* Keys held now (for tests and /metrics). */
int sr_ratelimit_size(sr_ratelimit *rl);

#endif
