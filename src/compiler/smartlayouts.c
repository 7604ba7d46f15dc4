/* smartlayouts.c - the smart layout table (smartlayouts.h). Names and ids
 * are Pictory's (GET /v1/smartlayouts on Pictory), so a client that
 * hard-codes one finds it; the looks are storyreel's own, in their spirit.
 * Sizes are points on the 720-px canvas (docs/storyboard.md *Sizes*). */
#include <string.h>
#include <strings.h>

#include "compiler/smartlayouts.h"
#include "compiler/styles.h"

static const struct {
    const char *pictory_id, *id, *name, *description;
    const char *font;       /* text elements' fontFamily */
    const char *transition; /* sceneTransition of scenes that give none */
    const char *style;      /* the caption fontStyle (JSON) */
} layouts[] = {
    {"202507141030549677ylq8k8gu44vy1y", "modern-minimalist", "Modern minimalist",
     "clean left-aligned white captions without a box, soft fades", "DM Sans", "fade",
     "{\"fontFamily\":\"DM "
     "Sans\",\"fontSize\":30,\"color\":\"#FFFFFF\",\"keywordColor\":\"#9AD0FF\","
     "\"position\":\"bottom-left\",\"alignment\":\"left\",\"paragraphWidth\":\"70%\","
     "\"shadowColor\":\"#00000080\","
     "\"shadowWidth\":\"1%\",\"animations\":[{\"name\":\"fade\",\"type\":\"entry\",\"speed\":"
     "\"medium\"},"
     "{\"name\":\"fade\",\"type\":\"exit\",\"speed\":\"fast\"}]}"},
    {"20250813042630669e658e159aa60455692c1dad5473adhg7", "kinetic", "Kinetic",
     "big bold uppercase words in the middle that bounce in, cyan keywords", "Bebas Neue",
     "smoothleft",
     "{\"fontFamily\":\"Bebas "
     "Neue\",\"fontSize\":54,\"color\":\"#FFFFFF\",\"keywordColor\":\"#00E5FF\","
     "\"case\":\"uppercase\",\"position\":\"center-center\",\"shadowColor\":\"#000000\","
     "\"shadowWidth\":\"2%\","
     "\"animations\":[{\"name\":\"elastic\",\"type\":\"entry\",\"speed\":\"fast\"}]}"},
    {"20250813042630669e658e159aa60455692c1dad5473adaa3", "chic", "Chic",
     "italic serif captions on a plum box, blush keywords, slow reveals", "Playfair Display",
     "fade",
     "{\"fontFamily\":\"Playfair "
     "Display\",\"fontSize\":34,\"color\":\"#F8E9E1\",\"keywordColor\":\"#E8A0BF\","
     "\"decorations\":[\"italics\"],\"backgroundColor\":\"#2B1B2ECC\",\"showBoxBackground\":true,"
     "\"position\":\"bottom-center\",\"animations\":[{\"name\":\"text "
     "reveal\",\"type\":\"entry\",\"speed\":\"slow\"}]}"},
    {"20250813042630669e658e159aa60455692c1dad5473adcf7", "wanderlust", "Wanderlust",
     "handwritten warm captions at the top that drift up, amber keywords", "Caveat", "smoothright",
     "{\"fontFamily\":\"Caveat\",\"fontSize\":46,\"color\":\"#FFF4D6\",\"keywordColor\":\"#"
     "FFB347\","
     "\"position\":\"top-center\",\"shadowColor\":\"#3A2A1A\",\"shadowWidth\":\"2%\","
     "\"animations\":[{\"name\":\"drift\",\"type\":\"entry\",\"speed\":\"medium\",\"direction\":"
     "\"up\"}]}"},
    {"20250813042630669e658e159aa60455692c1dad5473adtd3", "bulletin", "Bulletin",
     "news-style uppercase captions on a red bar at the bottom left, yellow keywords", "Oswald",
     "wipeleft",
     "{\"fontFamily\":\"Oswald\",\"fontSize\":34,\"color\":\"#FFFFFF\",\"keywordColor\":\"#"
     "FFEB3B\","
     "\"case\":\"uppercase\",\"backgroundColor\":\"#D32F2FF0\",\"showBoxBackground\":true,"
     "\"position\":\"bottom-left\",\"alignment\":\"left\","
     "\"animations\":[{\"name\":\"bulletin\",\"type\":\"entry\",\"speed\":\"medium\"}]}"},
};
#define N_LAYOUTS (sizeof layouts / sizeof layouts[0])

json_t *sr_smartlayouts_list(void)
{
    json_t *items = json_array();
    for (size_t i = 0; items && i < N_LAYOUTS; i++)
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s}", "templateId",
                                        layouts[i].pictory_id, "templateName", layouts[i].name,
                                        "schemaVersion", "v3", "id", layouts[i].id, "name",
                                        layouts[i].name, "description", layouts[i].description,
                                        "subtitleStyle", json_loads(layouts[i].style, 0, NULL),
                                        "sceneTransition", layouts[i].transition));
    return items ? json_pack("{s:o}", "items", items) : NULL;
}

static int find(const char *key)
{
    for (size_t i = 0; i < N_LAYOUTS; i++)
        if (!strcasecmp(key, layouts[i].pictory_id) || !strcasecmp(key, layouts[i].id) ||
            !strcasecmp(key, layouts[i].name))
            return (int)i;
    return -1;
}

/* Sets o[k] = v (a string) when o lacks k. */
static int set_missing(json_t *o, const char *k, const char *v)
{
    return json_object_get(o, k) ? 0 : json_object_set_new(o, k, json_string(v));
}

int sr_smartlayout_apply(json_t *sb, sr_err *err)
{
    static const char *const keys[] = {"smartLayoutName", "smartLayoutId"};
    const json_t *vn = json_object_get(sb, keys[0]), *vi = json_object_get(sb, keys[1]);
    if (vn && json_is_null(vn)) vn = NULL;
    if (vi && json_is_null(vi)) vi = NULL;
    if (!vn && !vi) return 0;
    if (vn && vi)
        return sr_err_set(err, SR_EINVALID_FIELD, keys[1],
                          "smartLayoutName and smartLayoutId cannot both be given");
    const char *field = vn ? keys[0] : keys[1], *key = json_string_value(vn ? vn : vi);
    int li = key ? find(key) : -1;
    if (li < 0)
        return sr_err_set(
            err, SR_EINVALID_FIELD, field,
            "%s: no smart layout is %s (Modern minimalist, Kinetic, Chic, Wanderlust, Bulletin; "
            "GET /v1/smartlayouts)",
            field, key ? key : "given");
    json_t *style = json_loads(layouts[li].style, 0, NULL);
    if (!style) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    int rc = sr_style_merge_under(sb, style, err);
    json_decref(style);
    if (rc) return rc;
    const json_t *scenes = json_object_get(sb, "scenes");
    size_t i, k;
    json_t *sc, *el;
    json_array_foreach(scenes, i, sc)
    {
        if (!json_is_object(sc)) continue;
        if (set_missing(sc, "sceneTransition", layouts[li].transition)) rc = -1;
        json_array_foreach(json_object_get(sc, "elements"), k, el)
        {
            const char *type = json_string_value(json_object_get(el, "type"));
            if (!json_is_object(el) || !type || strcmp(type, "text")) continue;
            json_t *st = json_object_get(el, "style");
            if (!st) json_object_set_new(el, "style", st = json_object());
            if (json_is_object(st) && set_missing(st, "fontFamily", layouts[li].font)) rc = -1;
        }
    }
    json_object_del(sb, field);
    return rc ? sr_err_set(err, SR_ENOMEM, NULL, "out of memory") : 0;
}
