/* fuzz_color.c - sr_parse_color (the bytes as a string) and sr_parse_percent
 * (the bytes as a JSON string, and as a JSON document). */
#include "fuzz_common.h"

#include "common/util.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size);
int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    if (!s) return 0;
    uint8_t rgba[4];
    double frac;
    sr_parse_color(s, rgba);
    json_t *str = json_string(s); /* NULL when s is not UTF-8 */
    if (str) sr_parse_percent(str, &frac);
    json_decref(str);
    json_t *doc = fuzz_json(data, size);
    if (doc) sr_parse_percent(doc, &frac);
    json_decref(doc);
    free(s);
    return 0;
}
