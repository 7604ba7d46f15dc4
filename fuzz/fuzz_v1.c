/* fuzz_v1.c - Pictory's v1 shapes (src/compiler/v1.c). The input is a JSON
 * document read as a v1 storyboard body, as a v1 renderParams, and as a
 * timeline (with itself as its storyboard) turned into a v1 renderParams. */
#include "fuzz_common.h"

#include "compiler/v1.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size);
int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    json_t *doc = fuzz_json(data, size);
    if (!doc) return 0;
    json_t *w = json_array(), *out = NULL;
    sr_err err = {0};
    if (sr_v1_storyboard(doc, &out, w, &err) == 0 && !out) abort();
    json_decref(out);
    out = NULL;
    sr_err_clear(&err);
    if (sr_v1_from_render_params(doc, &out, w, &err) == 0 && !out) abort();
    json_decref(out);
    out = NULL;
    sr_err_clear(&err);
    if (sr_v1_render_params(doc, doc, &out, &err) == 0 && !out) abort();
    json_decref(out);
    json_decref(w);
    json_decref(doc);
    return 0;
}
