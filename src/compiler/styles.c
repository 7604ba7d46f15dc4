/* styles.c - the built-in named subtitle styles (styles.h). */
#include <string.h>
#include <strings.h>

#include "compiler/styles.h"

/* id, name, fontStyle (JSON text). Sizes are points on the 720-px canvas. */
static const struct {
    const char *id, *name, *style;
} builtin[] = {
    {"classic", "Classic",
     "{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":32,\"color\":\"#FFFFFF\",\"shadowColor\":\"#000000\","
     "\"shadowWidth\":\"1%\",\"keywordColor\":\"#FFD700\",\"position\":\"bottom-center\"}"},
    {"boxed", "Boxed",
     "{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":30,\"color\":\"#FFFFFF\",\"backgroundColor\":\"#000000B0\","
     "\"showBoxBackground\":true,\"keywordColor\":\"#4FC3F7\",\"position\":\"bottom-center\"}"},
    {"bold-yellow", "Bold Yellow",
     "{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":40,\"color\":\"#FFE000\",\"shadowColor\":\"#000000\","
     "\"shadowWidth\":\"2%\",\"decorations\":[\"bold\"],\"case\":\"uppercase\",\"keywordColor\":\"#FFFFFF\","
     "\"position\":\"bottom-center\"}"},
    {"minimal", "Minimal",
     "{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":24,\"color\":\"#F0F0F0\",\"keywordColor\":\"#F0F0F0\","
     "\"position\":\"bottom-center\",\"paragraphWidth\":\"70%\"}"},
    {"headline", "Headline",
     "{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":44,\"color\":\"#FFFFFF\",\"backgroundColor\":\"#D32F2FE0\","
     "\"showBoxBackground\":true,\"decorations\":[\"bold\"],\"keywordColor\":\"#FFEB3B\",\"position\":\"center\"}"},
    /* short-form video: one to three words at a time, the spoken word popping in yellow */
    {"word-by-word", "Word by Word",
     "{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":44,\"color\":\"#FFFFFF\",\"shadowColor\":\"#000000\","
     "\"shadowWidth\":\"0.8%\",\"decorations\":[\"bold\"],\"case\":\"uppercase\",\"keywordColor\":\"#FFFFFF\","
     "\"position\":\"center\",\"wordsPerCue\":3,\"activeWordColor\":\"#FFE600\",\"activeWordScale\":1.2}"},
};
#define N_BUILTIN (sizeof builtin / sizeof builtin[0])

json_t *sr_styles_builtin(void)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < N_BUILTIN; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "id", builtin[i].id, "name", builtin[i].name,
                                             "style", json_loads(builtin[i].style, 0, NULL)));
    return arr;
}

json_t *sr_style_builtin_find(const char *key)
{
    for (size_t i = 0; key && i < N_BUILTIN; i++)
        if (!strcasecmp(key, builtin[i].id) || !strcasecmp(key, builtin[i].name))
            return json_loads(builtin[i].style, 0, NULL);
    return NULL;
}

int sr_style_merge_under(json_t *sb, const json_t *style, sr_err *err)
{
    if (!json_is_object(style)) return 0;
    json_t *own = json_object_get(sb, "subtitleStyle");
    if (own && !json_is_null(own) && !json_is_object(own))
        return sr_err_set(err, SR_EINVALID_FIELD, "subtitleStyle", "subtitleStyle must be an object");
    json_t *merged = json_deep_copy(style);
    if (!merged) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    if (json_is_object(own)) {
        const char *k;
        json_t *v;
        json_object_foreach(own, k, v) if (!json_is_null(v)) json_object_set(merged, k, v);
    }
    if (json_object_set_new(sb, "subtitleStyle", merged)) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    return 0;
}
