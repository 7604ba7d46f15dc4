/* libs: sr_service sr_compiler sr_render sr_common */
/* docs/openapi.yaml (embedded as openapi.json, what GET /openapi.json serves) and the HTTP route
 * table agree both ways: every route is documented with its method, and every documented operation
 * is a route. A path's x-storyreel-route names the pattern when it is not the path with each
 * {param} as "*" (the "**" patterns). Also: every operation has an operationId and a 2XX answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api/api.h"
#include "api/console_routes.h"

static const char *const methods[] = {"get", "put", "post", "delete", "head", "patch"};

/* The route pattern a documented path stands for, into out. */
static void pattern_of(const char *path, const json_t *item, char *out, size_t n)
{
    const char *xr = json_string_value(json_object_get(item, "x-storyreel-route"));
    if (xr) {
        snprintf(out, n, "%s", xr);
        return;
    }
    size_t o = 0;
    for (const char *p = path; *p && o + 2 < n; p++) {
        if (*p == '{') {
            out[o++] = '*';
            while (*p && *p != '}') p++;
            if (!*p) break;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = 0;
}

static json_t *load_doc(void)
{
    const sr_asset *a = sr_asset_find("openapi.json");
    assert_non_null(a); /* embedded at build time from docs/openapi.yaml */
    json_error_t je;
    json_t *doc = json_loadb((const char *)a->data, a->size, 0, &je);
    if (!doc) fail_msg("openapi.json: %s", je.text);
    return doc;
}

/* 1 when the document has method (any case) at a path standing for pattern. */
static int documented(const json_t *paths, const char *method, const char *pattern)
{
    const char *path;
    json_t *item;
    json_object_foreach((json_t *)paths, path, item) {
        char pat[512];
        pattern_of(path, item, pat, sizeof pat);
        if (strcasecmp(pat, pattern)) continue;
        char m[16];
        size_t i = 0;
        for (; method[i] && i + 1 < sizeof m; i++) m[i] = (char)tolower((unsigned char)method[i]);
        m[i] = 0;
        if (json_object_get(item, m)) return 1;
    }
    return 0;
}

static void test_every_route_is_documented(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    const json_t *paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths));
    const char *m, *p;
    int missing = 0;
    for (size_t i = 0; sr_api_route(i, &m, &p); i++)
        if (!documented(paths, m, p)) {
            fprintf(stderr, "route %s %s is not in docs/openapi.yaml\n", m, p);
            missing++;
        }
    json_decref(doc);
    assert_int_equal(missing, 0);
}

static void test_every_operation_is_a_route(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    const json_t *paths = json_object_get(doc, "paths");
    const char *path;
    json_t *item;
    int invented = 0, ops = 0;
    json_object_foreach((json_t *)paths, path, item) {
        char pat[512];
        pattern_of(path, item, pat, sizeof pat);
        for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
            const json_t *op = json_object_get(item, methods[k]);
            if (!op) continue;
            ops++;
            int found = 0;
            const char *m, *p;
            for (size_t i = 0; !found && sr_api_route(i, &m, &p); i++)
                found = !strcasecmp(m, methods[k]) && !strcasecmp(p, pat);
            if (!found) {
                fprintf(stderr, "docs/openapi.yaml: %s %s is not served (no route %s)\n", methods[k], path, pat);
                invented++;
            }
            if (!json_is_string(json_object_get(op, "operationId"))) {
                fprintf(stderr, "docs/openapi.yaml: %s %s has no operationId\n", methods[k], path);
                invented++;
            }
            int ok2xx = 0;
            const char *code;
            json_t *r;
            json_object_foreach(json_object_get(op, "responses"), code, r) ok2xx |= code[0] == '2';
            if (!ok2xx) {
                fprintf(stderr, "docs/openapi.yaml: %s %s documents no 2XX answer\n", methods[k], path);
                invented++;
            }
        }
    }
    json_decref(doc);
    assert_true(ops > 10);
    assert_int_equal(invented, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_is_documented),
        cmocka_unit_test(test_every_operation_is_a_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
