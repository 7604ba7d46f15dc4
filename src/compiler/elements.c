/* elements.c - shape and video elements, background fit and videoKenBurns
 * (see elements.h). */
#include "compiler/elements.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compiler/fields.h"
#include "render/text/text_shape.h"

#define FIT_ASPECT_TOLERANCE 1.3 /* beyond this aspect ratio difference: blur */

static const char *const fit_names[] = {"cover", "contain", "blur", NULL};

int sr_el_shape(const json_t *el, const char *ep, json_t *o, sr_err *err)
{
    char f[SR_FIELD_MAX];
    const char *name, *fill, *stroke;
    double sw, op;
    int rc;
    if ((rc = sr_fstr(el, "name", ep, 40, &name, err))) return rc;
    if (!name) name = "rectangle";
    if (!sr_shape_known(name))
        return sr_err_set(err, SR_EINVALID_FIELD, sr_fpath(f, ep, "name"),
                          "%s: \"%s\" is not a known shape (rectangle, circle, line, pill, star-5, arrow-1, "
                          "checkmark-1, badge-1, ...)",
                          f, name);
    if ((rc = sr_fcolor(el, "fill", ep, &fill, err)) || (rc = sr_fcolor(el, "stroke", ep, &stroke, err)) ||
        (rc = sr_fnum(el, "strokeWidth", ep, 0, 100, stroke ? 2 : 0, &sw, err)) ||
        (rc = sr_fnum(el, "opacity", ep, 0, 1, 1, &op, err)))
        return rc;
    json_object_set_new(o, "elementType", json_string("SceneShape"));
    json_object_set_new(o, "type", json_string("shape"));
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "fill", json_string(fill ? fill : "#FFFFFF"));
    if (stroke) json_object_set_new(o, "stroke", json_string(stroke));
    json_object_set_new(o, "strokeWidth", json_real(sw));
    json_object_set_new(o, "opacity", json_real(op));
    const json_t *br = json_object_get(el, "borderRadius");
    if (br && !json_is_null(br)) {
        double r;
        if (json_is_string(br)) { /* a percentage of the shape's short side */
            if ((rc = sr_fpct(el, "borderRadius", ep, 0, 0.5, 0, &r, err))) return rc;
            char s[32];
            snprintf(s, sizeof s, "%g%%", r * 100);
            json_object_set_new(o, "borderRadius", json_string(s));
        } else {
            if ((rc = sr_fnum(el, "borderRadius", ep, 0, 1000, 0, &r, err))) return rc;
            json_object_set_new(o, "borderRadius", json_real(r));
        }
    }
    /* animations[]: on the element, or in its style as Pictory's fontStyle has them */
    const json_t *st, *an = json_object_get(el, "animations");
    if ((rc = sr_fobj(el, "style", ep, &st, err))) return rc;
    const json_t *san = st ? json_object_get(st, "animations") : NULL;
    if (an && !json_is_null(an) && san && !json_is_null(san))
        return sr_err_set(err, SR_EINVALID_FIELD, sr_fpath(f, ep, "style.animations"),
                          "%s: give a shape's animations once, on the element or in its style", f);
    const json_t *src = an && !json_is_null(an) ? el : san && !json_is_null(san) ? st : NULL;
    if (src) {
        char sp[SR_FIELD_MAX];
        if ((rc = sr_shape_check_animations(src, src == el ? ep : sr_fpath(sp, ep, "style"), err))) return rc;
        json_object_set_new(o, "animations", json_deep_copy(json_object_get(src, "animations")));
    }
    return 0;
}

int sr_el_video(const json_t *el, const char *ep, json_t *o, sr_err *err)
{
    char sp[SR_FIELD_MAX], f[SR_FIELD_MAX];
    const json_t *settings, *ov;
    int loop, mute, rc;
    if ((rc = sr_fobj(el, "settings", ep, &settings, err))) return rc;
    sr_fpath(sp, ep, "settings");
    if ((rc = sr_fbool(settings, "loop", sp, 1, &loop, err)) || (rc = sr_fbool(settings, "mute", sp, 1, &mute, err)))
        return rc;
    json_object_set_new(o, "loop", json_boolean(loop));
    json_object_set_new(o, "mute", json_boolean(mute));
    if ((rc = sr_fobj(el, "colorOverlay", ep, &ov, err))) return rc;
    if (ov) {
        const char *color;
        double op;
        sr_fpath(f, ep, "colorOverlay");
        if ((rc = sr_fcolor(ov, "color", f, &color, err)) || (rc = sr_fnum(ov, "opacity", f, 0, 1, 0.4, &op, err)))
            return rc;
        json_object_set_new(o, "colorOverlay", json_pack("{s:s,s:f}", "color", color ? color : "#000000", "opacity", op));
    }
    return 0;
}

/* A centre coordinate: a fraction 0..1, or a "50%" string. */
static int center(const json_t *o, const char *key, const char *pfx, double *out, sr_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_string(v)) return sr_fpct(o, key, pfx, 0, 1, 0.5, out, err);
    return sr_fnum(o, key, pfx, 0, 1, 0.5, out, err);
}

static int zoom_point(const json_t *vkb, const char *key, const char *pfx, double *z, double *x, double *y,
                      sr_err *err)
{
    char p[SR_FIELD_MAX];
    const json_t *pt;
    int rc;
    if ((rc = sr_fobj(vkb, key, pfx, &pt, err))) return rc;
    sr_fpath(p, pfx, key);
    if ((rc = sr_fnum(pt, "zoom", p, 1, 4, 1, z, err)) || (rc = center(pt, "centerX", p, x, err)) ||
        (rc = center(pt, "centerY", p, y, err)))
        return rc;
    return 0;
}

int sr_el_background(const json_t *bg, const char *pfx, int mw, int mh, int W, int H, const char **fit,
                     json_t **motion, sr_err *err)
{
    char sp[SR_FIELD_MAX];
    const json_t *settings, *vkb;
    int k, rc;
    *motion = NULL;
    *fit = fit_names[0];
    if (mw > 0 && mh > 0 && W > 0 && H > 0) {
        double ratio = ((double)mw / mh) / ((double)W / H);
        if (ratio > FIT_ASPECT_TOLERANCE || ratio < 1 / FIT_ASPECT_TOLERANCE) *fit = fit_names[2];
    }
    if ((rc = sr_fenum(bg, "fit", pfx, fit_names, -1, &k, err))) return rc;
    if (k >= 0) *fit = fit_names[k];
    if ((rc = sr_fobj(bg, "settings", pfx, &settings, err))) return rc;
    sr_fpath(sp, pfx, "settings");
    if ((rc = sr_fobj(settings, "videoKenBurns", sp, &vkb, err)) || !vkb) return rc;
    char p[SR_FIELD_MAX];
    sr_fpath(p, sp, "videoKenBurns");
    double z0, x0, y0, z1, x1, y1;
    if ((rc = zoom_point(vkb, "start", p, &z0, &x0, &y0, err)) || (rc = zoom_point(vkb, "end", p, &z1, &x1, &y1, err)))
        return rc;
    if (!sr_fhas(vkb, "end")) z1 = z0, x1 = x0, y1 = y0;
    *motion = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}", "startZoom", z0, "endZoom", z1, "startX", x0, "startY", y0,
                        "endX", x1, "endY", y1);
    return *motion ? 0 : sr_err_set(err, SR_ENOMEM, p, "out of memory");
}
