/* libs: sr_common */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "fixtures.h"

static void test_error_names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(sr_err_name(SR_EOK), "OK");
    assert_string_equal(sr_err_name(SR_EINVALID_FIELD), "INVALID_REQUEST_BODY");
    assert_string_equal(sr_err_name(SR_EMEDIA_NOT_FOUND), "MEDIA_NOT_FOUND");
    assert_string_equal(sr_err_name(SR_ECANCELLED), "CANCELLED");
    assert_int_equal(sr_err_from_name("LIMIT_EXCEEDED"), SR_ELIMIT);
    assert_int_equal(sr_err_from_name("no such"), SR_EINTERNAL);
    assert_string_equal(sr_err_name(12345), "INTERNAL_ERROR");
    for (int c = 0; c > -SR_E__COUNT; c--) assert_int_equal(sr_err_from_name(sr_err_name(c)), c);
}

static void test_error_keeps_first(void **state)
{
    (void)state;
    sr_err e = {0};
    assert_int_equal(sr_err_set(&e, SR_ELIMIT, "scenes", "too many scenes: %d", 501), SR_ELIMIT);
    assert_int_equal(sr_err_set(&e, SR_EIO, "x", "later"), SR_EIO);
    assert_int_equal(e.code, SR_ELIMIT);
    assert_string_equal(e.field, "scenes");
    char line[800];
    assert_string_equal(sr_err_line(&e, line, sizeof line), "LIMIT_EXCEEDED: too many scenes: 501");
    assert_int_equal(sr_err_set(NULL, SR_EIO, NULL, NULL), SR_EIO);
}

static void test_colors(void **state)
{
    (void)state;
    uint8_t c[4];
    assert_int_equal(sr_parse_color("rgb(255, 128, 0)", c), 0);
    assert_int_equal(c[0], 255); assert_int_equal(c[1], 128); assert_int_equal(c[2], 0); assert_int_equal(c[3], 255);
    assert_int_equal(sr_parse_color("rgba(0,0,0,0.5)", c), 0);
    assert_int_equal(c[3], 128);
    assert_int_equal(sr_parse_color("#fff", c), 0);
    assert_int_equal(c[0], 255);
    assert_int_equal(sr_parse_color("#11223344", c), 0);
    assert_int_equal(c[0], 0x11); assert_int_equal(c[3], 0x44);
    assert_int_equal(sr_parse_color("#1122", c), 0);
    assert_int_equal(sr_parse_color("White", c), 0);
    assert_int_equal(sr_parse_color("rgb(256,0,0)", c), -1);
    assert_int_equal(sr_parse_color("rgba(1,2,3,2)", c), -1);
    assert_int_equal(sr_parse_color("#12345", c), -1);
    assert_int_equal(sr_parse_color("#gggggg", c), -1);
    assert_int_equal(sr_parse_color("rgb(1,2)", c), -1);
    assert_int_equal(sr_parse_color("", c), -1);
    assert_int_equal(sr_parse_color(NULL, c), -1);
}

static void test_percent(void **state)
{
    (void)state;
    double f;
    json_t *v = json_string("10%");
    assert_int_equal(sr_parse_percent(v, &f), 0);
    assert_true(f > 0.0999 && f < 0.1001);
    json_decref(v);
    v = json_integer(25);
    assert_int_equal(sr_parse_percent(v, &f), 0);
    assert_true(f > 0.2499 && f < 0.2501);
    json_decref(v);
    v = json_string("ten");
    assert_int_equal(sr_parse_percent(v, &f), -1);
    json_decref(v);
    v = json_string("10%x");
    assert_int_equal(sr_parse_percent(v, &f), -1);
    json_decref(v);
}

static void test_paths_and_files(void **state)
{
    (void)state;
    char *p = sr_path_resolve("/a/b", "c.jpg");
    assert_string_equal(p, "/a/b/c.jpg");
    free(p);
    p = sr_path_resolve("/a/b", "/x.jpg");
    assert_string_equal(p, "/x.jpg");
    free(p);
    p = sr_path_resolve("/a", "https://h/x.jpg");
    assert_string_equal(p, "https://h/x.jpg");
    free(p);
    p = sr_dirname_dup("dir/sub/f.json");
    assert_string_equal(p, "dir/sub");
    free(p);
    p = sr_dirname_dup("f.json");
    assert_string_equal(p, ".");
    free(p);

    char *dir = sr_test_tmpdir();
    const char *f = sr_test_path(dir, "out.txt");
    sr_err e = {0};
    assert_int_equal(sr_write_file_atomic(f, "hello", 5, &e), 0);
    char *data = NULL;
    size_t n = 0;
    assert_int_equal(sr_read_file(f, 100, &data, &n, &e), 0);
    assert_int_equal(n, 5);
    assert_string_equal(data, "hello");
    free(data);
    assert_int_equal(sr_read_file(f, 3, &data, &n, &e), SR_ELIMIT);
    sr_err_clear(&e);
    assert_int_equal(sr_read_file(sr_test_path(dir, "nope"), 100, &data, &n, &e), SR_EMEDIA_NOT_FOUND);
    assert_non_null(strstr(e.msg, "nope"));
    sr_err_clear(&e);
    assert_int_equal(sr_write_file_atomic(sr_test_path(dir, "no/such/dir/x"), "a", 1, &e), SR_EIO);
    sr_test_rmdir(dir);
    free(dir);
}

static void test_buf_cap(void **state)
{
    (void)state;
    sr_buf b;
    sr_buf_init(&b, 10);
    sr_buf_printf(&b, "%s", "12345");
    assert_false(b.failed);
    sr_buf_append(&b, "678901", 6);
    assert_true(b.failed);
    assert_int_equal(b.len, 5);
    sr_buf_free(&b);
    uint32_t cp;
    assert_int_equal(sr_utf8_next("\xe4\xb8\xad", &cp), 3);
    assert_int_equal(cp, 0x4E2D);
    assert_int_equal(sr_utf8_next("\xff", &cp), 1);
    assert_int_equal(cp, 0xFFFD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_names_are_stable), cmocka_unit_test(test_error_keeps_first),
        cmocka_unit_test(test_colors),                 cmocka_unit_test(test_percent),
        cmocka_unit_test(test_paths_and_files),        cmocka_unit_test(test_buf_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
