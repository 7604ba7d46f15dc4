/* library_routes.h - the API of the media and music libraries (src/library):
 * GET /v1/media/search?keyword=, POST /v1/music/search, GET /v1/music/moods,
 * genres, purposes, instruments, genres/groups, in Pictory's shapes, and the
 * service options --library / --music-library.
 * http.c routes to these; they know nothing of libmicrohttpd. Each request
 * opens the library index and refreshes it (by mtime: cheap when nothing
 * changed), so files added to the folder show up at once. */
#ifndef SR_LIBRARY_ROUTES_H
#define SR_LIBRARY_ROUTES_H

#include <jansson.h>

#include "common/err.h"
#include "jobs/jobs.h"

/* Resolves cfg->library and cfg->music_library (when set) to absolute
 * folders and adds each as a media root, so that search results are usable
 * as visualUrl / musicUrl. Returns 0 or SR_EINVALID_FIELD naming the option. */
int sr_api_library_configure(sr_svc_cfg *cfg, sr_err *err);

/* A media search's query parameters (NULL when absent). */
typedef struct sr_media_query {
    const char *keyword;  /* keyword (or query): free text */
    const char *type;     /* mediaType (or type): "image" | "video" */
    const char *category; /* the file's category, or Pictory's "Parent/Child" (its parent) */
    const char *page;     /* 1.. */
    const char *limit;    /* pageSize (or limit): 1..100, default 20 */
} sr_media_query;

/* Pictory's shape: {"success":true,"data":{"page","searchResults":[{assetId,
 * id, keyword, mediaDescription, mediaType, duration, preview{url,jpg},
 * thumbnail{url,jpg}, searchLibrary:"library", url, name, keywords[],
 * category, width, height, score}]}}: the library's images and videos for
 * keyword, best first; url (and preview.url) is the file's path, usable as a
 * visualUrl. No library configured: an empty list. */
int sr_api_media_search(const sr_svc_cfg *cfg, const sr_media_query *q, json_t **out, sr_err *err);

/* Pictory's body {query, page, pageSize, sort, genreGroup, genre, mood,
 * instrument, purpose (a string or a list; not* forms exclude), minDuration,
 * maxDuration} (also the older keyword, keywords[], limit) answered as
 * {"success":true,"items":[{id, title, audioUrl, duration, moods[], genres[],
 * purposes[], instruments[], url, name, keywords[]}],"page","pageSize",
 * "total","data":{the same}}. Filter terms match as music_vocab.h says. */
int sr_api_music_search(const sr_svc_cfg *cfg, const json_t *body, json_t **out, sr_err *err);

/* which "moods" | "genres" (the library's words) | "purposes" | "instruments"
 * | "genres/groups" (Pictory's terms that some track matches): a bare list of
 * names, as Pictory answers. SR_ENOT_FOUND for another list. */
int sr_api_music_terms(const sr_svc_cfg *cfg, const char *which, json_t **out, sr_err *err);

#endif
