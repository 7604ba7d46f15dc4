/* library_routes.h - the API of the media and music libraries (src/library):
 * GET /v1/media/search?keyword=, POST /v1/music/search, GET /v1/music/moods,
 * GET /v1/music/genres, and the service options --library / --music-library.
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

/* {"success":true,"data":[{url, thumbnail, type, name, keywords[], description,
 * category, width, height, duration, score}]}: the library's images and videos
 * for keyword (best first); type "image"|"video" restricts, limit 1..100
 * (default 20). No library configured: an empty list. */
int sr_api_media_search(const sr_svc_cfg *cfg, const char *keyword, const char *type,
                        const char *limit, json_t **out, sr_err *err);

/* body {keyword | keywords[], mood, genre, limit}: {"success":true,"data":
 * [{url, name, title, keywords[], moods[], genres[], duration}]}. */
int sr_api_music_search(const sr_svc_cfg *cfg, const json_t *body, json_t **out, sr_err *err);

/* which "moods" | "genres": {"success":true,"data":[{"name":..}, ...]} sorted. */
int sr_api_music_terms(const sr_svc_cfg *cfg, const char *which, json_t **out, sr_err *err);

#endif
