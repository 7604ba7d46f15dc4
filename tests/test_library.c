/* libs: sr_compiler sr_library sr_render sr_common */
/* test_library.c - the media and music libraries (src/library) and what the
 * compiler and engine make of them: a temp folder of generated images and
 * tones with names, folders and sidecars is indexed; searches rank the right
 * file first; the index follows added and removed files; a searchFilter
 * compiles to that file; auto-picked backgrounds never repeat in a row; no
 * match gives a gradient that the engine draws varying across the frame and
 * over time; autoMusic picks the track of the mood. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "compiler/compiler.h"
#include "library/library.h"
#include "render/engine.h"
#include "support/fixtures.h"

typedef struct fx {
    char *dir;
    char lib[1024], music[1024], cache[1024];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = sr_test_tmpdir();
    snprintf(f->lib, sizeof f->lib, "%s/lib", f->dir);
    snprintf(f->music, sizeof f->music, "%s/music", f->dir);
    snprintf(f->cache, sizeof f->cache, "%s/cache", f->dir);
    if (sr_test_sh("mkdir -p '%s/nature' '%s/city' '%s/calm' '%s'", f->lib, f->lib, f->music,
                   f->cache))
        return -1;
    static const struct {
        const char *name;
        uint8_t r, g, b;
    } imgs[] = {
        {"nature/mountain-lake.jpg", 30, 60, 200},
        {"city/night_street.png", 200, 30, 30},
        {"beach-sunset.jpg", 240, 140, 20},
        {"beach-umbrella.jpg", 240, 220, 40},
        {"IMG_0042.jpg", 20, 200, 20},
    };
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++)
        if (sr_test_write_image(sr_test_path(f->lib, imgs[i].name), 160, 90, imgs[i].r, imgs[i].g,
                                imgs[i].b, 255))
            return -1;
    /* a sidecar gives the camera file its meaning */
    if (sr_test_sh("printf '%%s' '{\"keywords\":[\"forest\",\"hiking\"],\"description\":\"a trail "
                   "through tall "
                   "pine trees\"}' > '%s/IMG_0042.json'",
                   f->lib))
        return -1;
    if (sr_test_sh(
            "printf '%%s' '{\"keywords\":\"alps, snow\"}' > '%s/nature/mountain-lake.jpg.json'",
            f->lib))
        return -1;
    if (sr_test_write_wav(sr_test_path(f->music, "happy-ukulele.wav"), 22050, 1, 1.0, 440, 0.3) ||
        sr_test_write_wav(sr_test_path(f->music, "calm/soft-piano.wav"), 22050, 1, 1.0, 330, 0.3) ||
        sr_test_write_wav(sr_test_path(f->music, "drums.wav"), 22050, 1, 1.0, 220, 0.3))
        return -1;
    if (sr_test_sh("printf '%%s' '{\"moods\":[\"dramatic\"],\"genres\":[\"cinematic\"]}' > "
                   "'%s/drums.json'",
                   f->music))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    sr_test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The name of the best match for q (static buffer; "" when none). */
static const char *best(sr_library *lib, const char *q, int mask)
{
    static char out[256];
    sr_lib_item *it = NULL;
    sr_err e = {0};
    int n = sr_library_search(lib, q, mask, NULL, NULL, 5, &it, &e);
    assert_true(n >= 0);
    snprintf(out, sizeof out, "%s", n ? it[0].name : "");
    sr_library_items_free(it, n);
    return out;
}

static void test_index_and_search(void **state)
{
    fx *f = *state;
    sr_library *lib = NULL;
    sr_err e = {0};
    assert_int_equal(sr_library_open(f->lib, NULL, "library", &lib, &e), 0);
    assert_int_equal(sr_library_refresh(lib, &e), 5);
    assert_string_equal(best(lib, "alps", SR_LIB_ANY),
                        "nature/mountain-lake.jpg"); /* sidecar keyword */
    assert_string_equal(best(lib, "mountains", SR_LIB_ANY),
                        "nature/mountain-lake.jpg"); /* stem of the name */
    assert_string_equal(best(lib, "nature", SR_LIB_ANY), "nature/mountain-lake.jpg"); /* folder */
    assert_string_equal(best(lib, "street at night", SR_LIB_ANY), "city/night_street.png");
    assert_string_equal(best(lib, "pine trees", SR_LIB_ANY),
                        "IMG_0042.jpg"); /* sidecar description */
    assert_string_equal(best(lib, "beach sunset", SR_LIB_ANY), "beach-sunset.jpg");
    assert_string_equal(best(lib, "umbrella on the beach", SR_LIB_ANY), "beach-umbrella.jpg");
    assert_string_equal(best(lib, "submarine", SR_LIB_ANY), "");
    assert_string_equal(best(lib, "alps", SR_LIB_VIDEO), ""); /* kind filter */
    /* probed sizes come back */
    sr_lib_item *it = NULL;
    assert_int_equal(sr_library_search(lib, "lake", SR_LIB_ANY, NULL, NULL, 1, &it, &e), 1);
    assert_int_equal(it[0].width, 160);
    assert_int_equal(it[0].height, 90);
    assert_int_equal(it[0].kind, SR_LIB_IMAGE);
    assert_true(it[0].path[0] == '/');
    assert_string_equal(it[0].category, "nature");
    sr_library_items_free(it, 1);
    /* an index refresh follows new, changed and removed files */
    assert_int_equal(
        sr_test_write_image(sr_test_path(f->lib, "city/submarine-dock.jpg"), 64, 36, 1, 2, 3, 255),
        0);
    assert_int_equal(unlink(sr_test_path(f->lib, "beach-umbrella.jpg")), 0);
    assert_int_equal(sr_library_refresh(lib, &e), 5);
    assert_string_equal(best(lib, "submarine", SR_LIB_ANY), "city/submarine-dock.jpg");
    assert_string_equal(best(lib, "umbrella", SR_LIB_ANY), "");
    sr_test_sh("printf '%%s' '{\"keywords\":[\"harbour\"]}' > '%s/city/submarine-dock.json'",
               f->lib);
    assert_int_equal(sr_library_refresh(lib, &e), 5);
    assert_string_equal(best(lib, "harbour", SR_LIB_ANY), "city/submarine-dock.jpg");
    sr_library_close(lib);
    /* the index persists: a second open finds it without a refresh */
    assert_int_equal(sr_library_open(f->lib, NULL, "library", &lib, &e), 0);
    assert_string_equal(best(lib, "harbour", SR_LIB_ANY), "city/submarine-dock.jpg");
    sr_library_close(lib);
    /* back as the other tests expect it */
    unlink(sr_test_path(f->lib, "city/submarine-dock.jpg"));
    unlink(sr_test_path(f->lib, "city/submarine-dock.json"));
    assert_int_equal(
        sr_test_write_image(sr_test_path(f->lib, "beach-umbrella.jpg"), 160, 90, 240, 220, 40, 255),
        0);
    /* a read-only library keeps its index in the cache folder (root can write anywhere: not
     * checked) */
    if (geteuid() != 0) {
        char ro[1100], cache[1100];
        snprintf(ro, sizeof ro, "%s/ro", f->dir);
        snprintf(cache, sizeof cache, "%s/rocache", f->dir);
        assert_int_equal(
            sr_test_sh("mkdir -p '%s' '%s' && cp '%s/beach-sunset.jpg' '%s/' && chmod 555 '%s'", ro,
                       cache, f->lib, ro, ro),
            0);
        setenv("STORYREEL_CACHE", cache, 1);
        assert_int_equal(sr_library_open(ro, NULL, "library", &lib, &e), 0);
        assert_int_equal(sr_library_refresh(lib, &e), 1);
        assert_string_equal(best(lib, "sunset", SR_LIB_ANY), "beach-sunset.jpg");
        sr_library_close(lib);
        unsetenv("STORYREEL_CACHE");
        assert_int_equal(
            sr_test_sh("ls '%s'/library-*.sqlite >/dev/null && chmod 755 '%s'", cache, ro), 0);
    }
    /* not a folder */
    assert_int_equal(sr_library_open(sr_test_path(f->dir, "nope"), NULL, "library", &lib, &e),
                     SR_EMEDIA_NOT_FOUND);
    assert_null(lib);
}

static void test_music(void **state)
{
    fx *f = *state;
    sr_library *lib = NULL;
    sr_err e = {0};
    assert_int_equal(sr_library_open(f->music, NULL, "music", &lib, &e), 0);
    assert_int_equal(sr_library_refresh(lib, &e), 3);
    sr_lib_item *it = NULL;
    assert_int_equal(sr_library_search(lib, "", SR_LIB_AUDIO, "happy", NULL, 5, &it, &e), 1);
    assert_string_equal(it[0].name, "happy-ukulele.wav"); /* mood word in the name */
    assert_true(fabs(it[0].duration - 1.0) < 0.1);
    sr_library_items_free(it, 1);
    assert_int_equal(sr_library_search(lib, "", SR_LIB_AUDIO, "calm", NULL, 5, &it, &e), 1);
    assert_string_equal(it[0].name, "calm/soft-piano.wav"); /* mood folder */
    sr_library_items_free(it, 1);
    assert_int_equal(sr_library_search(lib, "", SR_LIB_AUDIO, NULL, "cinematic", 5, &it, &e), 1);
    assert_string_equal(it[0].name, "drums.wav"); /* sidecar genre */
    sr_library_items_free(it, 1);
    char **t = NULL;
    int n = sr_library_terms(lib, "moods", &t, &e);
    assert_int_equal(n, 3);
    assert_string_equal(t[0], "calm");
    assert_string_equal(t[1], "dramatic");
    assert_string_equal(t[2], "happy");
    sr_library_terms_free(t, n);
    sr_library_close(lib);
}

static json_t *compile(fx *f, const char *json, int with_lib)
{
    json_error_t je;
    json_t *sb = json_loads(json, 0, &je);
    assert_non_null(sb);
    sr_compile_opts o = {.base_dir = f->dir, .cache_dir = f->cache};
    if (with_lib) {
        o.library_dir = f->lib;
        o.music_library_dir = f->music;
    }
    json_t *rp = NULL;
    sr_err e = {0};
    int rc = sr_compile(sb, &o, &rp, &e);
    if (rc) fprintf(stderr, "compile: %s: %s\n", e.field, e.msg);
    assert_int_equal(rc, 0);
    json_decref(sb);
    return rp;
}

/* Backgrounds of rp in scene order (up to n). */
static int backgrounds(const json_t *rp, const json_t **bg, int n)
{
    int k = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(rp, "elements"), i, e)
    {
        if (k < n &&
            !strcmp(json_string_value(json_object_get(e, "elementType")), "backgroundElement"))
            bg[k++] = e;
    }
    return k;
}

static const char *url_of(const json_t *e)
{
    const char *u = json_string_value(json_object_get(e, "url"));
    return u ? base_of(u) : "";
}

static void test_search_filter_compiles(void **state)
{
    fx *f = *state;
    json_t *rp = compile(
        f,
        "{\"voiceOver\":{\"enabled\":false},\"scenes\":["
        "{\"background\":{\"searchFilter\":{\"query\":\"snowy alps\"}},\"minimumDuration\":1},"
        "{\"background\":{\"searchFilter\":{\"keywords\":[\"forest\"],\"category\":\"x\"}},"
        "\"minimumDuration\":1,\"elements\":[{\"type\":\"image\",\"searchFilter\":{\"query\":"
        "\"night street\"}}]}]}",
        1);
    const json_t *bg[4];
    assert_int_equal(backgrounds(rp, bg, 4), 2);
    assert_string_equal(json_string_value(json_object_get(bg[0], "type")), "image");
    assert_string_equal(url_of(bg[0]), "mountain-lake.jpg");
    assert_string_equal(url_of(bg[1]), "IMG_0042.jpg");
    /* the element's searchFilter became a layerItem of that file */
    int found = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(rp, "elements"), i, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "elementType")), "layerItem"))
            found += !strcmp(url_of(e), "night_street.png");
    }
    assert_int_equal(found, 1);
    json_decref(rp);
    /* a bad searchFilter names its field */
    json_t *sb =
        json_loads("{\"scenes\":[{\"background\":{\"searchFilter\":{\"keywords\":[]}}}]}", 0, NULL);
    sr_compile_opts o = {.base_dir = f->dir, .cache_dir = f->cache, .library_dir = f->lib};
    sr_err err = {0};
    json_t *out = NULL;
    assert_int_equal(sr_compile(sb, &o, &out, &err), SR_EINVALID_FIELD);
    assert_string_equal(err.field, "scenes[0].background.searchFilter.keywords");
    json_decref(sb);
}

static void test_auto_pick_never_repeats(void **state)
{
    fx *f = *state;
    /* four scenes about the beach: two beach files, alternating */
    json_t *rp =
        compile(f,
                "{\"voiceOver\":{\"enabled\":false},\"scenes\":[{\"story\":\"Sunset at the beach. "
                "A beach umbrella. The beach again. More beach.\","
                "\"createSceneOnEndOfSentence\":true}]}",
                1);
    const json_t *bg[8];
    int n = backgrounds(rp, bg, 8);
    assert_int_equal(n, 4);
    for (int i = 0; i < n; i++) {
        assert_string_equal(json_string_value(json_object_get(bg[i], "type")), "image");
        assert_non_null(strstr(url_of(bg[i]), "beach-"));
        if (i) assert_string_not_equal(url_of(bg[i]), url_of(bg[i - 1]));
    }
    assert_string_equal(url_of(bg[0]), "beach-sunset.jpg");
    assert_string_equal(url_of(bg[1]), "beach-umbrella.jpg");
    json_decref(rp);
    /* one matching file, two scenes: the second does not repeat it */
    rp = compile(
        f,
        "{\"voiceOver\":{\"enabled\":false},\"scenes\":[{\"story\":\"Hiking in the forest.\"},"
        "{\"story\":\"More forest hiking.\"},{\"story\":\"Nothing here matches.\"}]}",
        1);
    assert_int_equal(backgrounds(rp, bg, 8), 3);
    assert_string_equal(url_of(bg[0]), "IMG_0042.jpg");
    assert_string_equal(json_string_value(json_object_get(bg[1], "type")), "gradient");
    assert_string_equal(json_string_value(json_object_get(bg[2], "type")), "gradient");
    json_decref(rp);
}

static void test_gradient_rendered(void **state)
{
    fx *f = *state;
    /* no library at all: a gradient stands in, never an error */
    json_t *rp =
        compile(f,
                "{\"videoWidth\":320,\"videoHeight\":180,\"voiceOver\":{\"enabled\":false},"
                "\"scenes\":[{\"story\":\"Hi.\",\"hideSubtitles\":true,"
                "\"minimumDuration\":2}]}",
                0);
    const json_t *bg[2];
    assert_int_equal(backgrounds(rp, bg, 2), 1);
    assert_string_equal(json_string_value(json_object_get(bg[0], "type")), "gradient");
    assert_int_equal(json_array_size(json_object_get(bg[0], "colors")), 3);
    /* left to right, and a faster motion so that 1.5 s shows the turn clearly */
    json_object_set_new((json_t *)bg[0], "angle", json_real(0));
    json_object_set_new((json_t *)bg[0], "motion", json_real(40));
    char out[1100];
    snprintf(out, sizeof out, "%s/grad.mp4", f->dir);
    sr_render_opts ro = {.out_path = out, .base_dir = f->dir};
    sr_err e = {0};
    int rc = sr_render(rp, &ro, &e);
    if (rc) fprintf(stderr, "render: %s: %s\n", e.field, e.msg);
    assert_int_equal(rc, 0);
    json_decref(rp);
    sr_frame *a = sr_test_decode_frame(out, 0.1), *b = sr_test_decode_frame(out, 1.6);
    assert_non_null(a);
    assert_non_null(b);
    double tl[3], br[3], mid[3], tl2[3];
    sr_frame_mean_rgb(a, 4, 82, 16, 16,
                      tl); /* left, middle, right at 0.1 s; bottom-left at both times */
    sr_frame_mean_rgb(a, 300, 82, 16, 16, br);
    sr_frame_mean_rgb(a, 152, 82, 16, 16, mid);
    double bl[3];
    sr_frame_mean_rgb(a, 4, 160, 16, 16, bl);
    sr_frame_mean_rgb(b, 4, 160, 16, 16, tl2);
    double d_space = fabs(tl[0] - br[0]) + fabs(tl[1] - br[1]) + fabs(tl[2] - br[2]);
    double d_mid = fabs(tl[0] - mid[0]) + fabs(tl[1] - mid[1]) + fabs(tl[2] - mid[2]);
    double d_time = fabs(bl[0] - tl2[0]) + fabs(bl[1] - tl2[1]) + fabs(bl[2] - tl2[2]);
    fprintf(stderr, "gradient: across %.1f, to the middle %.1f, over time %.1f\n", d_space, d_mid,
            d_time);
    assert_true(d_space > 60); /* not a flat colour */
    assert_true(d_mid > 20);   /* a smooth ramp, not two halves */
    assert_true(d_time > 20);  /* it moves */
    /* not black anywhere it was measured */
    assert_true(tl[0] + tl[1] + tl[2] > 60 && br[0] + br[1] + br[2] > 60);
    sr_frame_free(a);
    sr_frame_free(b);
}

static void test_auto_music(void **state)
{
    fx *f = *state;
    static const struct {
        const char *music, *want;
    } cases[] = {
        {"{\"autoMusic\":{\"mood\":\"happy\"}}", "happy-ukulele.wav"},
        {"{\"autoMusic\":{\"mood\":\"dramatic\"}}", "drums.wav"},
        {"{\"autoMusic\":{\"keywords\":[\"piano\"]}}", "soft-piano.wav"},
        {"{\"autoMusic\":true}", "soft-piano.wav"}, /* no preference: the first in path order */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char sb[512];
        snprintf(
            sb, sizeof sb,
            "{\"voiceOver\":{\"enabled\":false},\"backgroundMusic\":%s,\"scenes\":[{\"background\":"
            "{\"color\":\"#000000\"},\"minimumDuration\":1}]}",
            cases[i].music);
        json_t *rp = compile(f, sb, 1);
        const char *got = "";
        size_t k;
        const json_t *e;
        json_array_foreach(json_object_get(rp, "elements"), k, e)
        {
            const char *ty = json_string_value(json_object_get(e, "type"));
            if (ty && !strcmp(ty, "music")) got = url_of(e);
        }
        assert_string_equal(got, cases[i].want);
        json_decref(rp);
    }
    /* no music library: no music and a warning, not an error */
    json_t *rp =
        compile(f,
                "{\"voiceOver\":{\"enabled\":false},\"backgroundMusic\":{\"autoMusic\":true},"
                "\"scenes\":[{\"background\":{\"color\":\"#000000\"},\"minimumDuration\":1}]}",
                0);
    assert_true(json_array_size(json_object_get(rp, "warnings")) >= 1);
    size_t k;
    const json_t *e;
    json_array_foreach(json_object_get(rp, "elements"), k, e)
    {
        assert_string_not_equal(json_string_value(json_object_get(e, "elementType")),
                                "audioElement");
    }
    json_decref(rp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_and_search),
        cmocka_unit_test(test_music),
        cmocka_unit_test(test_search_filter_compiles),
        cmocka_unit_test(test_auto_pick_never_repeats),
        cmocka_unit_test(test_gradient_rendered),
        cmocka_unit_test(test_auto_music),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
