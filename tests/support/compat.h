/* compat.h - what a Pictory client does in the compat tests (tests/compat/):
 * submit a body, poll the job to its end, download what the job links to,
 * and read the job's fields. Over real HTTP against the test world's server. */
#ifndef SR_TEST_COMPAT_H
#define SR_TEST_COMPAT_H

#include <jansson.h>

#include "http_client.h"
#include "render/frame.h"

/* METHOD path (under /pictoryapis) with body, then polls the job it names
 * (data.jobId) to its end; returns the final job JSON (caller decrefs) or NULL. */
json_t *sr_compat_run(const sr_test_world *w, const char *method, const char *path,
                      const char *body, double timeout_s);
/* data.K of a job answer, a string (NULL when absent). */
const char *sr_compat_str(const json_t *job, const char *k);
/* data.status of a job ("" when absent). */
const char *sr_compat_status(const json_t *job);
/* Pictory's example loops: GET /v1/jobs/{id} until data.status is not
 * "in-progress" (Node), asserting that the answer's text then no longer
 * contains "in-progress" anywhere (Python): both end together. Returns data
 * (caller decrefs). *polls counts the polls when not NULL. Fails the test
 * after 1800 polls. */
json_t *sr_compat_poll(const sr_test_world *w, const char *key, const char *id, int *polls);
/* GET /v1/jobs/{id} once (asserting 200): the whole answer (caller decrefs). */
json_t *sr_compat_job(const sr_test_world *w, const char *key, const char *id);
/* Keeps the (only) worker busy: a render of a long one-colour timeline that
 * is running when this returns. Returns its job id (malloc'd); cancel it
 * with sr_compat_cancel, which frees it. */
char *sr_compat_busy_worker(const sr_test_world *w, const char *key);
void sr_compat_cancel(const sr_test_world *w, const char *key, char *id);
/* Whether one of data.warnings[] contains needle. */
int sr_compat_warned(const json_t *job, const char *needle);
/* Downloads url into the world's folder as name; returns the path (static slot) or NULL. */
const char *sr_compat_fetch(const sr_test_world *w, const char *url, const char *name);

/* cmocka group fixtures: a world started with "--workers 1" (sr_compat_setup),
 * or with a media library and a music library (--library DIR/lib
 * --music-library DIR/music) of a fresh folder DIR that fill(DIR) populated
 * first (sr_compat_setup_lib). sr_compat_teardown stops the world and removes
 * the folder. 0 or -1. */
int sr_compat_setup(void **state);
int sr_compat_setup_lib(void **state, int (*fill)(const char *dir));
int sr_compat_teardown(void **state);

/* Renders body (POST /v2/video/storyboard/render), downloads the video as
 * file and decodes its frame at t; the job goes to *job (caller decrefs).
 * NULL (with the job printed) when the render did not complete. */
sr_frame *sr_compat_render_frame(const sr_test_world *w, const char *body, const char *file,
                                 double t, json_t **job);

#endif
