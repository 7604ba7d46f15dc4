/* pick.h - (private to the compiler) choosing visuals and music from the
 * media and music libraries (src/library), the query a story's own words
 * make, and the generated gradient that stands in when nothing matches. */
#ifndef SR_PICK_H
#define SR_PICK_H

#include <jansson.h>

#include "common/err.h"
#include "library/library.h"

typedef struct sr_picker sr_picker;

/* A picker over the media library media_dir and the music library music_dir
 * (either NULL: none). The libraries are opened and refreshed on first use.
 * Returns 0 and *out (sr_picker_destroy) or SR_ENOMEM. */
int sr_picker_create(const char *media_dir, const char *music_dir, sr_picker **out, sr_err *err);
void sr_picker_destroy(sr_picker *p); /* accepts NULL */

/* The best visual of the kinds in mask (enum sr_lib_kind) for query, skipping
 * the file avoid (the previous scene's; NULL: none). When only avoid matches,
 * it is taken if allow_avoid, else nothing is. Returns 1 with *path (malloc'd,
 * absolute) and *kind, 0 when there is no library or no match, or a negative
 * error (the library cannot be opened: field names it). */
int sr_pick_visual(sr_picker *p, const char *query, int mask, const char *avoid, int allow_avoid,
                   const char *field, char **path, int *kind, sr_err *err);

/* The best music track for query and mood (either may be NULL or empty).
 * Returns 1 with *path (malloc'd), 0 when none, or a negative error. */
int sr_pick_music(sr_picker *p, const char *query, const char *mood, const char *field, char **path,
                  sr_err *err);

/* Reads a searchFilter object sf at field ("scenes[0].background.searchFilter"):
 * query (string, <= 500 bytes), keywords (1-10 strings), category (string);
 * at least one must be given. *query (malloc'd) joins them with spaces.
 * Returns 0 or SR_EINVALID_FIELD / SR_ELIMIT naming the field, SR_ENOMEM. */
int sr_pick_filter_query(const json_t *sf, const char *field, char **query, sr_err *err);

/* Reads an aiVisual object av at field (Pictory's AI-generated visual:
 * prompt <= 500 bytes, model, mediaStyle, ...). Nothing is generated here:
 * the prompt (with the mediaStyle) becomes a library query, *query
 * (malloc'd), or NULL when av has no prompt. The messages the job's warning
 * carries are SR_PICK_AI_PICKED and SR_PICK_AI_NONE. Returns 0 or
 * SR_EINVALID_FIELD naming the field, SR_ENOMEM. */
#define SR_PICK_AI_PICKED "AI visuals are not generated here; the library visual that best matches the prompt stands in"
#define SR_PICK_AI_NONE "AI visuals are not generated here, and no library visual matches the prompt"
int sr_pick_ai_query(const json_t *av, const char *field, char **query, sr_err *err);

/* The music query of autoMusic (true, or {keywords: string or strings,
 * mood: string}) at field: *query and *mood malloc'd (NULL when absent);
 * *on is 0 for autoMusic false. Returns 0 or SR_EINVALID_FIELD. */
int sr_pick_auto_music(const json_t *am, const char *field, int *on, char **query, char **mood,
                       sr_err *err);

/* The library query of a story: its content words (at least 3 letters, not
 * English stopwords), lowered, each once, in order, at most 24 of them;
 * malloc'd ("" when none), NULL on OOM. The library ranks files by bm25, so
 * rarer words and words in file keywords weigh more. */
char *sr_pick_story_query(const char *text);

/* Sets the palette of p's generated gradients from the storyboard's
 * brandColors at field ("brandColors"; NULL, JSON null or []: the default):
 * an array of 1-3 colours (sr_parse_color). Missing colours up to three are
 * derived by darkening: slot k >= n is colour k % n scaled by 0.5^(k / n)
 * (two colours: the third is the first at half brightness). Returns 0 or
 * SR_EINVALID_FIELD naming field or field[i]. */
int sr_picker_set_palette(sr_picker *p, const json_t *colors, const char *field, sr_err *err);

/* A gradient background element body {"type":"gradient","colors":[...],
 * "angle","motion"} for timeline scene i: p's palette (sr_picker_set_palette)
 * or, without one (or p NULL), the default palette (dark blue, violet, teal),
 * rotated by scene so that neighbours differ. New reference or NULL on OOM. */
json_t *sr_pick_gradient(const sr_picker *p, int i);

#endif
