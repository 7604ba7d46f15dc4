/* segcache.h - (private to the engine) the segment cache: encoded segments
 * (segment.h) stored as DIR/KEY.mp4 under their content key (segkey.h).
 *
 * Writes are atomic: a segment is encoded into DIR/KEY.mp4.tmp-PID-XXXXXX and
 * renamed once complete, so a killed render never leaves a partial KEY.mp4;
 * its stale temporary files (their process gone) are removed when a cache is
 * next opened. The folder is bounded: after each store, and on close, the
 * least recently used segments (by mtime, refreshed on every hit) are
 * removed until the folder is under max_bytes, sparing the segments the
 * current render holds (pinned). Other processes may share the folder. */
#ifndef SR_SEGCACHE_H
#define SR_SEGCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct sr_segcache sr_segcache;

/* Opens (creating it and its parents) the cache folder dir bounded to
 * max_bytes. Returns 0 and *out, or SR_EIO / SR_ENOMEM. */
int sr_segcache_open(sr_segcache **out, const char *dir, int64_t max_bytes, sr_err *err);

/* Evicts down to the bound (unpinned) and frees c. Accepts NULL. */
void sr_segcache_close(sr_segcache *c);

/* The path of key's segment into path (size n). Returns 1 when it is in the
 * cache (its mtime refreshed, and pinned), else 0. */
int sr_segcache_get(sr_segcache *c, const char *key, char *path, size_t n);

/* A new, empty temporary file for key's segment (malloc'd name), or NULL. */
char *sr_segcache_tmp(sr_segcache *c, const char *key);

/* Moves the finished temporary file tmp to key's place (pinned), then evicts
 * to the bound. Returns 0 or SR_EIO (tmp removed). */
int sr_segcache_put(sr_segcache *c, const char *key, const char *tmp, sr_err *err);

/* Removes least recently used segments until the folder is under its bound;
 * pinned ones are kept. Returns the bytes left in the folder. */
int64_t sr_segcache_evict(sr_segcache *c);

/* Creates the empty file (mode 0644) named by the template t (malloc'd,
 * ending in XXXXXX, replaced as mkstemp does). Returns t, or NULL (t freed). */
char *sr_tmp_file(char *t);

/* Unpins every segment (the render that used them is done). */
void sr_segcache_unpin(sr_segcache *c);

#endif
