/* libs: sr_storage sr_common */
/* The storage module's file backend and the key checks every backend shares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "fixtures.h"
#include "storage/storage.h"

static void write_text(const char *path, const char *text)
{
    sr_err e = {0};
    assert_int_equal(sr_write_file_atomic(path, text, strlen(text), &e), 0);
}

static void assert_file_is(const char *path, const char *text)
{
    char *got = sr_test_read(path);
    assert_non_null(got);
    assert_string_equal(got, text);
    free(got);
}

/* Counts the entries of dir whose names contain needle (temporaries left behind). */
static int count_named(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += strstr(e->d_name, needle) != NULL;
    closedir(d);
    return n;
}

static void test_file_round_trip(void **state)
{
    (void)state;
    char *tmp = sr_test_tmpdir();
    char uri[600];
    snprintf(uri, sizeof uri, "file:%s/data/", tmp); /* made on open; the trailing '/' is dropped */
    sr_storage *s = NULL;
    sr_err e = {0};
    assert_int_equal(sr_storage_open(uri, &s, &e), 0);
    assert_string_equal(sr_storage_kind(s), "file");

    write_text(sr_test_path(tmp, "in.txt"), "first version");
    assert_int_equal(sr_storage_put(s, "files/ab12/video.mp4", sr_test_path(tmp, "in.txt"), "video/mp4", &e), 0);
    int64_t size = -1;
    assert_int_equal(sr_storage_stat(s, "files/ab12/video.mp4", &size, &e), 0);
    assert_int_equal(size, 13);

    /* local_path names the file in place */
    char local[1024], want[1024];
    assert_int_equal(sr_storage_local_path(s, "files/ab12/video.mp4", local, sizeof local), 0);
    snprintf(want, sizeof want, "%s/data/files/ab12/video.mp4", tmp);
    assert_string_equal(local, want);
    assert_file_is(local, "first version");
    assert_int_equal(sr_storage_local_path(s, "files/ab12/video.mp4", local, 8), -1); /* too small */

    /* get makes the folders above its target */
    const char *out = sr_test_path(tmp, "out/deep/copy.mp4");
    assert_int_equal(sr_storage_get(s, "files/ab12/video.mp4", out, &e), 0);
    assert_file_is(out, "first version");

    /* put replaces, and leaves no temporaries beside the object or the copy */
    write_text(sr_test_path(tmp, "in.txt"), "the second, longer version");
    assert_int_equal(sr_storage_put(s, "files/ab12/video.mp4", sr_test_path(tmp, "in.txt"), NULL, &e), 0);
    assert_int_equal(sr_storage_get(s, "files/ab12/video.mp4", out, &e), 0);
    assert_file_is(out, "the second, longer version");
    snprintf(want, sizeof want, "%s/data/files/ab12", tmp);
    assert_int_equal(count_named(want, ".tmp-"), 0);
    assert_int_equal(count_named(sr_test_path(tmp, "out/deep"), ".tmp-"), 0);

    /* file storage has no presigned URLs: the caller serves the file */
    char url[256];
    assert_int_equal(sr_storage_presign(s, "files/ab12/video.mp4", 60, url, sizeof url, &e), -1);

    /* delete, then the key is gone; deleting again is not an error */
    assert_int_equal(sr_storage_delete(s, "files/ab12/video.mp4", &e), 0);
    assert_int_equal(sr_storage_stat(s, "files/ab12/video.mp4", NULL, &e), SR_ENOT_FOUND);
    assert_string_equal(e.field, "files/ab12/video.mp4");
    sr_err_clear(&e);
    assert_int_equal(sr_storage_delete(s, "files/ab12/video.mp4", &e), 0);
    assert_int_equal(e.code, 0);

    /* missing keys: a missing file, a folder, a path through a file */
    assert_int_equal(sr_storage_get(s, "files/none.mp4", out, &e), SR_ENOT_FOUND);
    assert_non_null(strstr(e.msg, "files/none.mp4"));
    sr_err_clear(&e);
    assert_int_equal(sr_storage_stat(s, "files", NULL, NULL), SR_ENOT_FOUND);
    write_text(sr_test_path(tmp, "in.txt"), "x");
    assert_int_equal(sr_storage_put(s, "plain", sr_test_path(tmp, "in.txt"), NULL, &e), 0);
    assert_int_equal(sr_storage_stat(s, "plain/below", NULL, NULL), SR_ENOT_FOUND);
    assert_int_equal(sr_storage_delete(s, "plain/below", NULL), 0);
    /* the earlier good copy survives a failed get */
    assert_file_is(out, "the second, longer version");

    /* a source file that cannot be read names itself */
    assert_int_equal(sr_storage_put(s, "k", sr_test_path(tmp, "absent.txt"), NULL, &e), SR_EIO);
    assert_non_null(strstr(e.field, "absent.txt"));
    sr_storage_close(s);
    sr_storage_close(NULL);
    sr_test_rmdir(tmp);
    free(tmp);
}

static void test_open_uris(void **state)
{
    (void)state;
    char *tmp = sr_test_tmpdir();
    sr_storage *s = NULL;
    sr_err e = {0};
    /* a bare path and file:// are folders too */
    assert_int_equal(sr_storage_open(sr_test_path(tmp, "bare"), &s, &e), 0);
    assert_string_equal(sr_storage_kind(s), "file");
    write_text(sr_test_path(tmp, "in.txt"), "bare");
    assert_int_equal(sr_storage_put(s, "a/b", sr_test_path(tmp, "in.txt"), NULL, &e), 0);
    sr_storage_close(s);
    assert_file_is(sr_test_path(tmp, "bare/a/b"), "bare");
    char uri[600];
    snprintf(uri, sizeof uri, "file://%s/bare", tmp);
    assert_int_equal(sr_storage_open(uri, &s, &e), 0);
    assert_int_equal(sr_storage_stat(s, "a/b", NULL, &e), 0);
    sr_storage_close(s);

    static const char *bad[] = {"", "file:", "ftp://host/x", "s3://"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sr_err_clear(&e);
        s = (sr_storage *)1;
        assert_true(sr_storage_open(bad[i], &s, &e) < 0);
        assert_null(s);
        assert_string_equal(e.field, "storage");
    }
    sr_err_clear(&e);
    assert_int_equal(sr_storage_open("ftp://host/x", &s, &e), SR_EINVALID_FIELD);
    assert_non_null(strstr(e.msg, "ftp://host/x"));
    /* a folder that is a file */
    sr_err_clear(&e);
    assert_int_equal(sr_storage_open(sr_test_path(tmp, "in.txt"), &s, &e), SR_EIO);
    assert_non_null(strstr(e.msg, "in.txt"));
    sr_test_rmdir(tmp);
    free(tmp);
}

static void test_key_checks(void **state)
{
    (void)state;
    char *tmp = sr_test_tmpdir();
    sr_storage *s = NULL;
    sr_err e = {0};
    assert_int_equal(sr_storage_open(tmp, &s, &e), 0);
    write_text(sr_test_path(tmp, "in.txt"), "k");
    char longest[901], too_long[902];
    /* 900 bytes in parts of 100 (a file name is at most 255) */
    for (int i = 0; i < 900; i++) longest[i] = i % 100 == 99 ? '/' : 'k';
    longest[899] = 'k';
    longest[900] = 0;
    snprintf(too_long, sizeof too_long, "%sk", longest);
    const char *bad[] = {"", "/etc/passwd", "..", "../up", "a/../../b", "a/..", "./a", "a/./b", "a//b", "a/",
                         "a\nb", "a\tb", "a\x01", "a\x7f", "\x1b[31m", too_long};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[256];
        sr_err_clear(&e);
        assert_int_equal(sr_storage_put(s, bad[i], sr_test_path(tmp, "in.txt"), NULL, &e), SR_EINVALID_FIELD);
        assert_non_null(strstr(e.msg, "key"));
        assert_int_equal(sr_storage_get(s, bad[i], sr_test_path(tmp, "x"), NULL), SR_EINVALID_FIELD);
        assert_int_equal(sr_storage_stat(s, bad[i], NULL, NULL), SR_EINVALID_FIELD);
        assert_int_equal(sr_storage_delete(s, bad[i], NULL), SR_EINVALID_FIELD);
        assert_int_equal(sr_storage_local_path(s, bad[i], out, sizeof out), -1);
    }
    assert_int_equal(sr_storage_put(s, NULL, sr_test_path(tmp, "in.txt"), NULL, NULL), SR_EINVALID_FIELD);
    /* a content type is one short header line */
    assert_int_equal(sr_storage_put(s, "ct", sr_test_path(tmp, "in.txt"), "text/plain\r\nX-Evil: 1", NULL),
                     SR_EINVALID_FIELD);
    char long_type[300];
    memset(long_type, 'a', sizeof long_type - 1);
    long_type[sizeof long_type - 1] = 0;
    assert_int_equal(sr_storage_put(s, "ct", sr_test_path(tmp, "in.txt"), long_type, NULL), SR_EINVALID_FIELD);
    assert_int_equal(sr_storage_put(s, "ct", sr_test_path(tmp, "in.txt"), "video/mp4", NULL), 0);
    /* what is allowed: dots inside names, spaces, UTF-8, the longest key */
    const char *good[] = {"a..b/c.", ".hidden/x", "with space/é ü.mp4", longest};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        sr_err_clear(&e);
        assert_int_equal(sr_storage_put(s, good[i], sr_test_path(tmp, "in.txt"), NULL, &e), 0);
        assert_int_equal(sr_storage_stat(s, good[i], NULL, &e), 0);
    }
    /* nothing escaped the root */
    assert_int_equal(count_named(tmp, "passwd"), 0);
    sr_storage_close(s);
    sr_test_rmdir(tmp);
    free(tmp);
}

/* Readers never see a half-written object: one thread replaces a key with
 * 1 MiB of 'a' or 'b' in turn while another reads it in place and gets. */
typedef struct race {
    sr_storage *s;
    const char *dir;
    int stop;
} race;

static void *writer(void *arg)
{
    race *r = arg;
    for (int i = 0; i < 20; i++) {
        sr_err e = {0};
        if (sr_storage_put(r->s, "race/obj", sr_test_path(r->dir, i % 2 ? "a.bin" : "b.bin"), NULL, &e) != 0)
            return (void *)1;
    }
    __atomic_store_n(&r->stop, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_put_is_atomic(void **state)
{
    (void)state;
    char *tmp = sr_test_tmpdir();
    enum { N = 1 << 20 };
    char *buf = malloc(N);
    assert_non_null(buf);
    sr_err e = {0};
    for (int k = 0; k < 2; k++) {
        memset(buf, k ? 'b' : 'a', N);
        assert_int_equal(sr_write_file_atomic(sr_test_path(tmp, k ? "b.bin" : "a.bin"), buf, N, &e), 0);
    }
    race r = {.dir = tmp};
    assert_int_equal(sr_storage_open(sr_test_path(tmp, "store"), &r.s, &e), 0);
    assert_int_equal(sr_storage_put(r.s, "race/obj", sr_test_path(tmp, "a.bin"), NULL, &e), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer, &r), 0);
    int reads = 0;
    while (!__atomic_load_n(&r.stop, __ATOMIC_SEQ_CST) || reads < 3) {
        char local[1024];
        assert_int_equal(sr_storage_local_path(r.s, "race/obj", local, sizeof local), 0);
        const char *copy = sr_test_path(tmp, "copy.bin");
        assert_int_equal(sr_storage_get(r.s, "race/obj", copy, &e), 0);
        for (int w = 0; w < 2; w++) {
            FILE *f = fopen(w ? copy : local, "rb");
            assert_non_null(f);
            size_t got = fread(buf, 1, N, f);
            fclose(f);
            assert_int_equal(got, N);
            for (size_t i = 1; i < N; i++)
                if (buf[i] != buf[0]) fail_msg("a reader saw a mixed object at byte %zu", i);
        }
        reads++;
    }
    void *res;
    pthread_join(t, &res);
    assert_null(res);
    sr_storage_close(r.s);
    free(buf);
    sr_test_rmdir(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_open_uris),
        cmocka_unit_test(test_key_checks),
        cmocka_unit_test(test_put_is_atomic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
