/* compiler.h - storyboard (Pictory v2 storyboard body) -> timeline
 * (renderParams). Validates every field, splits stories into scenes,
 * synthesises and measures speech, builds subtitle cues from the speech
 * engine's word timings, and places every element on one absolute timeline.
 * See docs/storyboard.md (input) and docs/renderParams.md (output). */
#ifndef SR_COMPILER_H
#define SR_COMPILER_H

#include <jansson.h>

#include "common/err.h"
#include "render/media.h"

typedef struct sr_compile_opts {
    /* Folder that relative media paths resolve against (the storyboard's folder). */
    const char *base_dir;
    /* Folder for synthesised speech (content-addressed, reusable across runs).
     * NULL: $STORYREEL_CACHE, else $XDG_CACHE_HOME/storyreel, else ~/.cache/storyreel. */
    const char *cache_dir;
    /* Skip probing media files (used by tests of pure layout). */
    int no_media_probe;
    /* Media library folder (src/library: searchFilter, auto-picked scene
     * visuals) and music library folder (autoMusic); NULL: none. Each is
     * indexed in DIR/.storyreel-index.sqlite, refreshed on every compile. */
    const char *library_dir;
    const char *music_library_dir;
    /* Limits on the pictures probed (render/media.h; zeros: the defaults): each
     * media file's picture is checked from its header and charged once. */
    sr_media_limits media_limits;
} sr_compile_opts;

/* Compiles storyboard sb into a new timeline *out (caller json_decref's it).
 * Returns 0 or an error whose field names the storyboard field at fault
 * ("scenes[3].voiceOver.aiVoices[0].speed") or the media file. */
int sr_compile(const json_t *sb, const sr_compile_opts *opts, json_t **out, sr_err *err);

/* 1 when doc looks like a timeline (has "output" and "elements"), else 0. */
int sr_is_render_params(const json_t *doc);

/* Loads a JSON file (storyboard or timeline) with a size cap; a syntax error
 * names the line and column. */
int sr_load_json_file(const char *path, json_t **out, sr_err *err);

#endif
