/* segkey.h - (private to the engine) content keys of segments (segment.h).
 *
 * A segment's key is a SHA-256 over everything that decides its pixels and
 * its bytes: the engine version (and libavcodec's), the output settings that
 * reach the picture or the encoder (size, rate, codec, crf, preset,
 * background, encoder threads), the segment's frame count, every scene
 * marker and element that shows in it and every subtitle cue that overlaps
 * it, with their times made relative to the segment's first frame (so a
 * scene that only moved in time keeps its keys), the content of every media
 * file they name, and the content of the project's font folder. Ids and
 * scene indexes are left out; audio elements are left out (the audio is
 * mixed for the whole video, never per segment).
 *
 * File contents are hashed once and remembered by path, size and mtime: in
 * memory for the life of the sr_segkeys, and in memo_dir when given. */
#ifndef SR_SEGKEY_H
#define SR_SEGKEY_H

#include <jansson.h>

#include "common/err.h"
#include "render/segment.h"
#include "render/timeline.h"

#define SR_SEGKEY_LEN 64 /* hex characters */

/* Bumped whenever a change to the engine changes the pixels or bytes of a segment. */
#define SR_ENGINE_VERSION "storyreel-engine/1"

typedef struct sr_segkeys sr_segkeys;

/* memo_dir: a folder to remember file hashes in across processes (created
 * when missing), or NULL. Returns 0 and *out, or SR_ENOMEM. */
int sr_segkeys_create(sr_segkeys **out, const char *memo_dir, sr_err *err);
void sr_segkeys_destroy(sr_segkeys *k); /* accepts NULL */

/* The SHA-256 of the content of path, hex, into hex[65]; a missing or
 * unreadable file hashes as the text "missing:" + path. Returns 0. */
int sr_segkeys_file(sr_segkeys *k, const char *path, char hex[SR_SEGKEY_LEN + 1]);

/* The key of segment sg of timeline rp (parsed as tl; media relative to
 * base_dir) encoded with threads encoder threads, into hex[65]. Returns 0 or
 * SR_ENOMEM. Thread-safe for one k. */
int sr_segkey(sr_segkeys *k, const json_t *rp, const sr_timeline *tl, const char *base_dir, const sr_seg *sg,
              int threads, char hex[SR_SEGKEY_LEN + 1], sr_err *err);

#endif
