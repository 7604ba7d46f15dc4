/* libs: sr_compiler sr_common */
/* Templates ({{name}} expansion), named styles and brand kits as pure JSON:
 * typed whole-value placeholders, nesting, missing variables, the size bound,
 * request overrides, style merging and brand application. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "compiler/brand.h"
#include "compiler/compiler.h"
#include "compiler/styles.h"
#include "compiler/template.h"

static json_t *J(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j) fail_msg("bad test JSON: %s", e.text);
    return j;
}

static void test_strings_and_types(void **state)
{
    (void)state;
    json_t *tpl = J("{\"videoName\":\"{{product}} launch\",\"scenes\":[{\"story\":\"Meet {{ product }}, only "
                    "{{price}} dollars. {{unknown thing}} stays.\",\"minimumDuration\":\"{{dur}}\","
                    "\"hideSubtitles\":\"{{hide}}\",\"background\":\"{{bg}}\"}]}");
    json_t *vars = J("{\"product\":\"Zap\",\"price\":9.5,\"dur\":4,\"hide\":true,"
                     "\"bg\":{\"color\":\"#FF0000\"}}");
    json_t *out = NULL;
    sr_err e = {0};
    assert_int_equal(sr_template_expand(tpl, vars, 0, &out, &e), 0);
    assert_string_equal(json_string_value(json_object_get(out, "videoName")), "Zap launch");
    json_t *sc = json_array_get(json_object_get(out, "scenes"), 0);
    assert_string_equal(json_string_value(json_object_get(sc, "story")),
                        "Meet Zap, only 9.5 dollars. {{unknown thing}} stays.");
    /* whole-string placeholders keep the variable's JSON type */
    assert_true(json_is_integer(json_object_get(sc, "minimumDuration")));
    assert_int_equal(json_integer_value(json_object_get(sc, "minimumDuration")), 4);
    assert_true(json_is_true(json_object_get(sc, "hideSubtitles")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(sc, "background"), "color")), "#FF0000");
    /* the template itself is untouched */
    assert_string_equal(json_string_value(json_object_get(tpl, "videoName")), "{{product}} launch");
    json_t *names = sr_template_variables(tpl);
    assert_int_equal(json_array_size(names), 5);
    assert_string_equal(json_string_value(json_array_get(names, 0)), "product");
    json_decref(names);
    json_decref(out);
    json_decref(tpl);
    json_decref(vars);
}

static void test_nested_and_arrays(void **state)
{
    (void)state;
    json_t *tpl = J("{\"a\":{\"b\":[{\"c\":[\"x{{n}}y\",\"{{n}}\",7,null]}]},\"{{n}}\":\"key kept\"}");
    json_t *vars = J("{\"n\":12}");
    json_t *out = NULL;
    assert_int_equal(sr_template_expand(tpl, vars, 0, &out, NULL), 0);
    json_t *c = json_object_get(json_array_get(json_object_get(json_object_get(out, "a"), "b"), 0), "c");
    assert_string_equal(json_string_value(json_array_get(c, 0)), "x12y");
    assert_int_equal(json_integer_value(json_array_get(c, 1)), 12);
    assert_int_equal(json_integer_value(json_array_get(c, 2)), 7);
    assert_true(json_is_null(json_array_get(c, 3)));
    assert_non_null(json_object_get(out, "{{n}}")); /* keys are not expanded */
    json_decref(out);
    json_decref(tpl);
    json_decref(vars);
}

static void test_missing_variable(void **state)
{
    (void)state;
    json_t *tpl = J("{\"scenes\":[{\"story\":\"Hello {{who}}\"}]}");
    json_t *out = (json_t *)1;
    sr_err e = {0};
    assert_int_equal(sr_template_expand(tpl, NULL, 0, &out, &e), SR_EINVALID_FIELD);
    assert_null(out);
    assert_string_equal(e.field, "variables.who");
    assert_non_null(strstr(e.msg, "scenes[0].story"));
    json_t *bad = J("[1]");
    sr_err_clear(&e);
    assert_int_equal(sr_template_expand(tpl, bad, 0, &out, &e), SR_EINVALID_FIELD);
    assert_string_equal(e.field, "variables");
    json_decref(bad);
    json_decref(tpl);
}

static void test_size_bound(void **state)
{
    (void)state;
    /* 100 placeholders of a 1000-byte value: 100 kB, over a 50 kB bound */
    json_t *arr = json_array();
    for (int i = 0; i < 100; i++) json_array_append_new(arr, json_string("<{{big}}>"));
    json_t *tpl = json_pack("{s:o}", "scenes", arr);
    char big[1001];
    memset(big, 'x', 1000);
    big[1000] = 0;
    json_t *vars = json_pack("{s:s}", "big", big);
    json_t *out = NULL;
    sr_err e = {0};
    assert_int_equal(sr_template_expand(tpl, vars, 50000, &out, &e), SR_ELIMIT);
    assert_null(out);
    assert_string_equal(e.field, "variables");
    assert_int_equal(sr_template_expand(tpl, vars, 200000, &out, NULL), 0);
    assert_int_equal(json_string_length(json_array_get(json_object_get(out, "scenes"), 99)), 1002);
    json_decref(out);
    json_decref(tpl);
    json_decref(vars);
}

static void test_apply_overrides(void **state)
{
    (void)state;
    json_t *tpl = J("{\"videoName\":\"{{t}}\",\"aspectRatio\":\"16:9\",\"scenes\":[{\"story\":\"{{t}}\"}]}");
    json_t *req = J("{\"templateId\":\"x\",\"variables\":{\"t\":\"Hi\"},\"aspectRatio\":\"1:1\",\"webhook\":null}");
    json_t *out = NULL;
    assert_int_equal(sr_template_apply(tpl, req, 0, &out, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(out, "aspectRatio")), "1:1");
    assert_string_equal(json_string_value(json_object_get(out, "videoName")), "Hi");
    assert_null(json_object_get(out, "templateId"));
    assert_null(json_object_get(out, "variables"));
    json_decref(out);
    json_decref(tpl);
    json_decref(req);
}

static void test_named_style(void **state)
{
    (void)state;
    json_t *st = sr_style_builtin_find("bold yellow");
    assert_non_null(st);
    assert_string_equal(json_string_value(json_object_get(st, "color")), "#FFE000");
    json_t *st2 = sr_style_builtin_find("boxed");
    assert_non_null(st2);
    assert_null(sr_style_builtin_find("no such style"));
    json_t *sb = J("{\"subtitleStyle\":{\"fontSize\":50},\"scenes\":[{\"story\":\"Hello there.\"}]}");
    assert_int_equal(sr_style_merge_under(sb, st, NULL), 0);
    json_t *ss = json_object_get(sb, "subtitleStyle");
    assert_int_equal(json_integer_value(json_object_get(ss, "fontSize")), 50); /* own field wins */
    assert_string_equal(json_string_value(json_object_get(ss, "color")), "#FFE000");
    /* the compiled timeline's cue carries the named style */
    sr_compile_opts co = {.no_media_probe = 1};
    json_t *rp = NULL;
    assert_int_equal(sr_compile(sb, &co, &rp, NULL), 0);
    json_t *cue = json_array_get(json_object_get(rp, "subtitles"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(cue, "style"), "color")), "#FFE000");
    json_t *builtin = sr_styles_builtin();
    assert_true(json_array_size(builtin) >= 4);
    json_decref(builtin);
    json_decref(rp);
    json_decref(sb);
    json_decref(st);
    json_decref(st2);
}

static void test_brand_validate(void **state)
{
    (void)state;
    static const struct {
        const char *kit, *field;
    } cases[] = {
        {"{\"colors\":{}}", "name"},
        {"{\"name\":\"A\",\"colors\":{\"primary\":\"nope\"}}", "colors.primary"},
        {"{\"name\":\"A\",\"logo\":{\"position\":\"top-left\"}}", "logo.url"},
        {"{\"name\":\"A\",\"logo\":{\"url\":\"l.png\",\"position\":\"upstairs\"}}", "logo.position"},
        {"{\"name\":\"A\",\"subtitleStyle\":{\"fontSize\":\"huge\"}}", "subtitleStyle.fontSize"},
        {"{\"name\":\"A\",\"intro\":{\"visualUrl\":\"i.mp4\",\"duration\":99}}", "intro.duration"},
        {"{\"name\":\"A\",\"outro\":5}", "outro"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *k = J(cases[i].kit);
        sr_err e = {0};
        assert_int_not_equal(sr_brand_validate(k, &e), 0);
        assert_string_equal(e.field, cases[i].field);
        json_decref(k);
    }
    json_t *ok = J("{\"name\":\"Acme\",\"logo\":{\"url\":\"l.png\",\"position\":\"top-left\",\"width\":\"15%\"},"
                   "\"colors\":{\"primary\":\"#112233\",\"text\":\"#00FF00\"},\"fontFamily\":\"DejaVu Serif\","
                   "\"subtitleStyle\":{\"fontSize\":30},\"intro\":\"intro.png\",\"outro\":{\"visualUrl\":\"o.mp4\","
                   "\"duration\":2}}");
    sr_err e = {0};
    assert_int_equal(sr_brand_validate(ok, &e), 0);
    json_decref(ok);
}

static void test_brand_apply(void **state)
{
    (void)state;
    json_t *kit = J("{\"name\":\"Acme\",\"logo\":{\"url\":\"brand.png\"},\"colors\":{\"primary\":\"#112233\","
                    "\"secondary\":\"#445566\",\"text\":\"#00FF00\"},\"fontFamily\":\"DejaVu Serif\","
                    "\"subtitleStyle\":{\"fontSize\":30,\"keywordColor\":\"#FF00FF\"},\"intro\":\"intro.png\","
                    "\"outro\":{\"visualUrl\":\"o.mp4\",\"duration\":2}}");
    json_t *sb = J("{\"subtitleStyle\":{\"fontSize\":40},\"scenes\":[{\"story\":\"Hi.\",\"elements\":[{\"type\":"
                   "\"text\",\"text\":\"T\"},{\"type\":\"text\",\"text\":\"U\",\"style\":{\"color\":\"#FFFFFF\"}}]}]}");
    assert_int_equal(sr_brand_apply(sb, kit, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(sb, "logo"), "url")), "brand.png");
    json_t *ss = json_object_get(sb, "subtitleStyle");
    assert_int_equal(json_integer_value(json_object_get(ss, "fontSize")), 40);
    assert_string_equal(json_string_value(json_object_get(ss, "keywordColor")), "#FF00FF");
    assert_string_equal(json_string_value(json_object_get(ss, "fontFamily")), "DejaVu Serif");
    assert_string_equal(json_string_value(json_object_get(ss, "color")), "#00FF00");
    json_t *scenes = json_object_get(sb, "scenes");
    assert_int_equal(json_array_size(scenes), 3);
    json_t *intro = json_array_get(scenes, 0), *outro = json_array_get(scenes, 2);
    assert_string_equal(json_string_value(json_object_get(intro, "brandClip")), "intro");
    assert_string_equal(json_string_value(json_object_get(json_object_get(intro, "background"), "visualUrl")),
                        "intro.png");
    assert_null(json_object_get(intro, "story"));
    assert_int_equal(json_integer_value(json_object_get(outro, "minimumDuration")), 2);
    json_t *els = json_object_get(json_array_get(scenes, 1), "elements");
    json_t *s0 = json_object_get(json_array_get(els, 0), "style"), *s1 = json_object_get(json_array_get(els, 1), "style");
    assert_string_equal(json_string_value(json_object_get(s0, "fontFamily")), "DejaVu Serif");
    assert_string_equal(json_string_value(json_object_get(s0, "color")), "#00FF00");
    assert_string_equal(json_string_value(json_object_get(s1, "color")), "#FFFFFF");
    assert_string_equal(json_string_value(json_array_get(json_object_get(sb, "brandColors"), 1)), "#445566");
    /* the storyboard's own logo is kept */
    json_t *sb2 = J("{\"logo\":{\"url\":\"mine.png\"},\"scenes\":[{\"story\":\"Hi.\"}]}");
    assert_int_equal(sr_brand_apply(sb2, kit, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(sb2, "logo"), "url")), "mine.png");
    json_decref(sb2);
    json_decref(sb);
    json_decref(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_and_types), cmocka_unit_test(test_nested_and_arrays),
        cmocka_unit_test(test_missing_variable),  cmocka_unit_test(test_size_bound),
        cmocka_unit_test(test_apply_overrides),   cmocka_unit_test(test_named_style),
        cmocka_unit_test(test_brand_validate),    cmocka_unit_test(test_brand_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
