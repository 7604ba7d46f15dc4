/* resolve_local.c - templates, named styles and brand kits for the CLI
 * (resolve_local.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "compiler/brand.h"
#include "compiler/resolve_local.h"
#include "compiler/smartlayouts.h"
#include "compiler/styles.h"
#include "compiler/template.h"

/* Makes the string at o[key] absolute against dir (when relative). */
static int rebase(json_t *o, const char *key, const char *dir)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v || !dir || strstr(v, "://") || v[0] == '/') return 0;
    char *p = sr_path_resolve(dir, v);
    int rc = p ? json_object_set_new(o, key, json_string(p)) : -1;
    free(p);
    return rc;
}

/* Kit paths become absolute (the storyboard's own relative paths resolve
 * against another folder, so a kit-relative path must not stay relative). */
static int rebase_kit(json_t *kit, const char *kit_dir)
{
    char *dir = realpath(kit_dir ? kit_dir : ".", NULL);
    if (!dir) return -1;
    int rc = rebase(json_object_get(kit, "logo"), "url", dir);
    static const char *const clips[] = {"intro", "outro"};
    for (int i = 0; i < 2; i++) {
        json_t *c = json_object_get(kit, clips[i]);
        if (json_is_string(c)) rc |= rebase(kit, clips[i], dir);
        else rc |= rebase(c, "visualUrl", dir);
    }
    free(dir);
    return rc;
}

static int style_step(json_t *sb, sr_err *err)
{
    static const char *const keys[] = {"subtitleStyleId", "subtitleStyleName"};
    for (int i = 0; i < 2; i++) {
        const char *name = json_string_value(json_object_get(sb, keys[i]));
        if (!name) continue;
        json_t *st = sr_style_builtin_find(name);
        if (!st)
            return sr_err_set(err, SR_EINVALID_FIELD, keys[i], "%s: no built-in style is named %s", keys[i], name);
        int rc = sr_style_merge_under(sb, st, err);
        json_decref(st);
        if (rc) return rc;
        json_object_del(sb, keys[i]);
    }
    return 0;
}

int sr_resolve_local(json_t **sbp, const json_t *vars, const json_t *kit, const char *kit_dir, const char *base_dir,
                     sr_err *err)
{
    json_t *sb = NULL, *k = NULL;
    int rc;
    if (vars) {
        if ((rc = sr_template_expand(*sbp, vars, 0, &sb, err))) return rc;
    } else if (!(sb = json_deep_copy(*sbp))) {
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    if ((rc = style_step(sb, err))) goto done;
    if (kit) {
        sr_err e = {0};
        if ((rc = sr_brand_validate(kit, &e))) {
            char f[sizeof e.field + 8];
            snprintf(f, sizeof f, "brand.%s", e.field);
            sr_err_set(err, rc, f, "brand kit: %s", e.msg);
            goto done;
        }
        if (!(k = json_deep_copy(kit)) || rebase_kit(k, kit_dir)) {
            rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
            goto done;
        }
        if ((rc = sr_brand_apply(sb, k, err))) goto done;
    }
    if ((rc = sr_smartlayout_apply(sb, err))) goto done;
    if ((rc = sr_brand_clip_durations(sb, base_dir, err))) goto done;
    json_decref(*sbp);
    *sbp = sb;
    sb = NULL;
done:
    json_decref(k);
    json_decref(sb);
    return rc;
}
