/* brand.c - brand kits: validation, application to a storyboard, intro and
 * outro clip durations (brand.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "compiler/brand.h"
#include "compiler/compiler.h"
#include "compiler/styles.h"
#include "render/media.h"

#define NAME_MAX_CP 100
#define URL_MAX 2048

static const char *const color_keys[] = {"primary", "secondary", "text", "background"};
static const char *const clip_keys[] = {"intro", "outro"};

static int nomem(sr_err *err) { return sr_err_set(err, SR_ENOMEM, NULL, "out of memory"); }

/* The visualUrl of an intro/outro value (a path string or {visualUrl}). */
static const char *clip_url(const json_t *clip)
{
    return json_is_string(clip) ? json_string_value(clip) : json_string_value(json_object_get(clip, "visualUrl"));
}

static int check_clip(const json_t *kit, const char *key, sr_err *err)
{
    const json_t *clip = json_object_get(kit, key);
    char f[64];
    if (!clip || json_is_null(clip)) return 0;
    const char *url = clip_url(clip);
    snprintf(f, sizeof f, "%s%s", key, json_is_string(clip) ? "" : ".visualUrl");
    if (!json_is_string(clip) && !json_is_object(clip))
        return sr_err_set(err, SR_EINVALID_FIELD, key, "%s must be a path or {visualUrl, duration}", key);
    if (!url || !*url || strlen(url) > URL_MAX)
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a media path or URL of 1-%d characters", f, URL_MAX);
    const json_t *d = json_object_get(clip, "duration");
    if (d && !json_is_null(d) &&
        (!json_is_number(d) || json_number_value(d) < 0.5 || json_number_value(d) > SR_BRAND_CLIP_MAX_S)) {
        snprintf(f, sizeof f, "%s.duration", key);
        return sr_err_set(err, SR_EINVALID_FIELD, f, "%s must be a number of seconds in 0.5..%g", f,
                          SR_BRAND_CLIP_MAX_S);
    }
    return 0;
}

/* The subtitle style the kit contributes (its subtitleStyle, fontFamily and
 * text colour), as a new object. */
static json_t *kit_style(const json_t *kit)
{
    const json_t *st = json_object_get(kit, "subtitleStyle");
    json_t *s = json_is_object(st) ? json_deep_copy(st) : json_object();
    const json_t *font = json_object_get(kit, "fontFamily");
    const json_t *text = json_object_get(json_object_get(kit, "colors"), "text");
    if (s && json_is_string(font) && !json_object_get(s, "fontFamily")) json_object_set_new(s, "fontFamily", json_deep_copy(font));
    if (s && json_is_string(text) && !json_object_get(s, "color")) json_object_set_new(s, "color", json_deep_copy(text));
    return s;
}

int sr_brand_validate(const json_t *kit, sr_err *err)
{
    if (!json_is_object(kit)) return sr_err_set(err, SR_EINVALID_FIELD, "body", "a brand kit must be a JSON object");
    const json_t *name = json_object_get(kit, "name");
    if (!json_is_string(name) || !json_string_length(name) || json_string_length(name) > NAME_MAX_CP)
        return sr_err_set(err, SR_EINVALID_FIELD, "name", "name must be a string of 1-%d characters", NAME_MAX_CP);
    const json_t *colors = json_object_get(kit, "colors");
    if (colors && !json_is_null(colors)) {
        if (!json_is_object(colors))
            return sr_err_set(err, SR_EINVALID_FIELD, "colors", "colors must be an object {primary, secondary, text, background}");
        for (size_t i = 0; i < sizeof color_keys / sizeof color_keys[0]; i++) {
            const json_t *c = json_object_get(colors, color_keys[i]);
            uint8_t rgba[4];
            char f[48];
            snprintf(f, sizeof f, "colors.%s", color_keys[i]);
            if (c && !json_is_null(c) && (!json_is_string(c) || sr_parse_color(json_string_value(c), rgba)))
                return sr_err_set(err, SR_EINVALID_FIELD, f, "%s is not a colour", f);
        }
    }
    const json_t *font = json_object_get(kit, "fontFamily");
    if (font && !json_is_null(font) && (!json_is_string(font) || json_string_length(font) > NAME_MAX_CP))
        return sr_err_set(err, SR_EINVALID_FIELD, "fontFamily", "fontFamily must be a string of at most %d characters",
                          NAME_MAX_CP);
    const json_t *st = json_object_get(kit, "subtitleStyle");
    if (st && !json_is_null(st) && !json_is_object(st))
        return sr_err_set(err, SR_EINVALID_FIELD, "subtitleStyle", "subtitleStyle must be a fontStyle object");
    const json_t *logo = json_object_get(kit, "logo");
    if (logo && !json_is_null(logo)) {
        const char *url = json_string_value(json_object_get(logo, "url"));
        if (!json_is_object(logo)) return sr_err_set(err, SR_EINVALID_FIELD, "logo", "logo must be an object {url, position, width}");
        if (!url || !*url || strlen(url) > URL_MAX)
            return sr_err_set(err, SR_EINVALID_FIELD, "logo.url", "logo.url must be a media path or URL");
    }
    for (size_t i = 0; i < sizeof clip_keys / sizeof clip_keys[0]; i++) {
        int rc = check_clip(kit, clip_keys[i], err);
        if (rc) return rc;
    }
    /* The rest as the compiler sees it: a one-scene storyboard with the kit's
     * logo and subtitle style, media not opened, no speech. */
    json_t *style = kit_style(kit);
    json_t *sb = json_pack("{s:s,s:o,s:[{s:s}]}", "videoName", "brand-check", "subtitleStyle", style, "scenes",
                           "story", "Brand check.");
    if (!sb) return nomem(err);
    if (json_is_object(logo)) {
        json_t *l = json_deep_copy(logo);
        json_object_set_new(l, "url", json_string("brand-logo.png"));
        json_object_set_new(sb, "logo", l);
    }
    sr_compile_opts co = {.no_media_probe = 1};
    json_t *rp = NULL;
    int rc = sr_compile(sb, &co, &rp, err);
    json_decref(rp);
    json_decref(sb);
    return rc;
}

/* Sets the defaults of a text element's style from the kit. */
static int default_text_style(json_t *el, const json_t *font, const json_t *text)
{
    if (!json_is_object(el) || strcmp(json_string_value(json_object_get(el, "type")) ? json_string_value(json_object_get(el, "type")) : "", "text"))
        return 0;
    json_t *style = json_object_get(el, "style");
    if (!style || json_is_null(style)) {
        style = json_object();
        if (!style || json_object_set_new(el, "style", style)) return -1;
    }
    if (!json_is_object(style)) return 0; /* the compiler names it */
    if (json_is_string(font) && !json_object_get(style, "fontFamily")) json_object_set_new(style, "fontFamily", json_deep_copy(font));
    if (json_is_string(text) && !json_object_get(style, "color")) json_object_set_new(style, "color", json_deep_copy(text));
    return 0;
}

static json_t *clip_scene(const json_t *clip, const char *which)
{
    json_t *sc = json_pack("{s:{s:s},s:s}", "background", "visualUrl", clip_url(clip), "brandClip", which);
    const json_t *d = json_object_get(clip, "duration");
    if (sc && json_is_number(d)) json_object_set_new(sc, "minimumDuration", json_deep_copy(d));
    return sc;
}

int sr_brand_apply(json_t *sb, const json_t *kit, sr_err *err)
{
    if (!json_is_object(sb) || !json_is_object(kit)) return sr_err_set(err, SR_EINVALID_FIELD, "body", "not a storyboard");
    const json_t *logo = json_object_get(kit, "logo");
    const json_t *own_logo = json_object_get(sb, "logo");
    if (json_is_object(logo) && (!own_logo || json_is_null(own_logo)))
        if (json_object_set_new(sb, "logo", json_deep_copy(logo))) return nomem(err);
    json_t *style = kit_style(kit);
    if (!style) return nomem(err);
    int rc = json_object_size(style) ? sr_style_merge_under(sb, style, err) : 0;
    json_decref(style);
    if (rc) return rc;
    const json_t *font = json_object_get(kit, "fontFamily");
    const json_t *colors = json_object_get(kit, "colors");
    const json_t *text = json_object_get(colors, "text");
    json_t *scenes = json_object_get(sb, "scenes");
    size_t i, k;
    json_t *sc, *el;
    json_array_foreach(scenes, i, sc)
    {
        json_array_foreach(json_object_get(sc, "elements"), k, el) if (default_text_style(el, font, text)) return nomem(err);
    }
    if (json_is_object(colors) && !json_object_get(sb, "brandColors")) {
        json_t *pal = json_array();
        for (int c = 0; pal && c < 2; c++) {
            const json_t *v = json_object_get(colors, color_keys[c]);
            if (json_is_string(v)) json_array_append(pal, (json_t *)v);
        }
        if (!pal || json_object_set_new(sb, "brandColors", pal)) return nomem(err);
    }
    for (int c = 0; c < 2; c++) {
        const json_t *clip = json_object_get(kit, clip_keys[c]);
        if (!clip || json_is_null(clip) || !clip_url(clip)) continue;
        if (!json_is_array(scenes)) return sr_err_set(err, SR_EINVALID_FIELD, "scenes", "scenes must be an array");
        json_t *s = clip_scene(clip, clip_keys[c]);
        if (!s || (c == 0 ? json_array_insert_new(scenes, 0, s) : json_array_append_new(scenes, s))) return nomem(err);
    }
    return 0;
}

int sr_brand_clip_durations(json_t *sb, const char *base_dir, sr_err *err)
{
    size_t i;
    json_t *sc;
    json_array_foreach(json_object_get(sb, "scenes"), i, sc)
    {
        const char *which = json_string_value(json_object_get(sc, "brandClip"));
        if (!which || json_object_get(sc, "minimumDuration")) continue;
        const char *url = json_string_value(json_object_get(json_object_get(sc, "background"), "visualUrl"));
        if (!url) continue;
        if (!strncmp(url, "file://", 7)) url += 7;
        char field[64];
        snprintf(field, sizeof field, "scenes[%zu].background.visualUrl", i);
        char *path = sr_path_resolve(base_dir, url);
        if (!path) return nomem(err);
        sr_media_info info;
        int rc = sr_media_probe(path, SR_MEDIA_IMAGE | SR_MEDIA_VIDEO, field, &info, err);
        free(path);
        if (rc) return rc;
        double d = info.is_image || info.duration <= 0 ? SR_BRAND_IMAGE_CLIP_S : info.duration;
        if (d > SR_BRAND_CLIP_MAX_S) d = SR_BRAND_CLIP_MAX_S;
        if (d < 1) d = 1;
        if (json_object_set_new(sc, "minimumDuration", json_real(d))) return nomem(err);
    }
    return 0;
}
