/* fuzz_ssml.c - the SSML parser of isSSMLStory stories (src/compiler/ssml.c):
 * parse, read back the displayed text, free. No speech. */
#include "fuzz_common.h"

#include "compiler/ssml.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size);
int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    if (!s) return 0;
    sr_ssml *d = NULL;
    sr_err err = {0};
    if (sr_ssml_parse(s, "scenes[0].story", &d, &err) == 0) {
        const char *t = sr_ssml_text(d);
        if (!t) abort(); /* a parsed document always has its text */
        (void)strlen(t);
    }
    sr_ssml_free(d);
    free(s);
    return 0;
}
