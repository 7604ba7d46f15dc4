/* text_fixture.h - building the text module from a timeline in tests
 * (header only: the support library does not link the text module). Include
 * after <cmocka.h>. */
#ifndef SR_TEST_TEXT_FIXTURE_H
#define SR_TEST_TEXT_FIXTURE_H

#include <jansson.h>

#include "render/text/text.h"

/* The text layers of timeline doc (JSON text) for a w x h frame; fails the
 * test on bad JSON or a refused timeline. */
static inline sr_text *sr_test_text_make(const char *doc, int w, int h)
{
    json_error_t je;
    json_t *rp = json_loads(doc, 0, &je);
    if (!rp) fail_msg("bad test JSON: %s", je.text);
    sr_text *tx = NULL;
    sr_err e = {0};
    int rc = sr_text_create(&tx, rp, w, h, NULL, &e);
    if (rc) fail_msg("sr_text_create: %s (%s)", e.msg, e.field);
    json_decref(rp);
    return tx;
}

#endif
