/* fuzz_template.c - template expansion (src/compiler/template.c). The input is
 * a JSON document: its "t" member (or the whole document) is the template, its
 * "v" member the variables; the document is also applied as a request. The
 * variables found in the template's compact text must be those of the
 * parsed template. */
#include "fuzz_common.h"

#include "compiler/template.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size);
int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    json_t *doc = fuzz_json(data, size);
    if (!doc) return 0;
    const json_t *tpl = json_is_object(doc) && json_object_get(doc, "t") ? json_object_get(doc, "t") : doc;
    const json_t *vars = json_is_object(doc) ? json_object_get(doc, "v") : NULL;
    json_t *out = NULL, *names;
    sr_err err = {0};
    if (sr_template_expand(tpl, vars, 1u << 16, &out, &err) == 0 && !out) abort();
    json_decref(out);
    out = NULL;
    names = sr_template_variables(tpl);
    char *txt = json_dumps(tpl, JSON_COMPACT | JSON_ENCODE_ANY); /* as a template is stored */
    json_t *from_text = txt ? sr_template_variables_text(txt) : NULL;
    if (names && from_text && !json_equal(names, from_text)) abort();
    json_decref(from_text);
    free(txt);
    json_decref(names);
    if (sr_template_apply(tpl, doc, 1u << 16, &out, &err) == 0 && !out) abort();
    json_decref(out);
    json_decref(doc);
    return 0;
}
