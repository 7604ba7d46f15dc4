/* libs: sr_compiler sr_common */
/* test_split.c - cutting stories into scenes and subtitle words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "compiler/split.h"

/* Splits s and checks the pieces against want (NULL-terminated). */
static void check_split(const char *s, int nl, int sent, const char *const *want)
{
    sr_span sp[32];
    int n = sr_split_story(s, strlen(s), nl, sent, sp, 32);
    int nw = 0;
    while (want[nw]) nw++;
    if (n != nw) {
        for (int i = 0; i < n && i < 32; i++) fprintf(stderr, "piece %d: [%.*s]\n", i, sp[i].len, s + sp[i].off);
    }
    assert_int_equal(n, nw);
    for (int i = 0; i < n; i++) {
        assert_int_equal(sp[i].len, (int)strlen(want[i]));
        assert_memory_equal(s + sp[i].off, want[i], strlen(want[i]));
    }
}

static void test_sentences(void **state)
{
    (void)state;
    check_split("One fish. Two fish! Red fish? Blue fish.", 0, 1,
                (const char *[]){"One fish.", "Two fish!", "Red fish?", "Blue fish.", NULL});
    check_split("  No terminator at the end  ", 0, 1, (const char *[]){"No terminator at the end", NULL});
    check_split("He said \"stop.\" Then he left.", 0, 1,
                (const char *[]){"He said \"stop.\"", "Then he left.", NULL});
    check_split("Really?! Yes... Wait... and then it ended.", 0, 1,
                (const char *[]){"Really?!", "Yes...", "Wait... and then it ended.", NULL});
    check_split("", 0, 1, (const char *[]){NULL});
    check_split("   \n  ", 1, 1, (const char *[]){NULL});
}

static void test_abbreviations_and_decimals(void **state)
{
    (void)state;
    check_split("Dr. Smith lives in the U.S. Today he paid 3.5 dollars, e.g. for tea. Done.", 0, 1,
                (const char *[]){"Dr. Smith lives in the U.S. Today he paid 3.5 dollars, e.g. for tea.", "Done.",
                                 NULL});
    check_split("Visit example.com today. Mr. J. R. Tolkien wrote it, i.e. the book. Fig. 3 shows it.", 0, 1,
                (const char *[]){"Visit example.com today.", "Mr. J. R. Tolkien wrote it, i.e. the book.",
                                 "Fig. 3 shows it.", NULL});
    check_split("Version 2. Then version 3.", 0, 1, (const char *[]){"Version 2.", "Then version 3.", NULL});
}

static void test_cjk_devanagari(void **state)
{
    (void)state;
    check_split("你好世界。我们走吧！真的吗？好。", 0, 1,
                (const char *[]){"你好世界。", "我们走吧！", "真的吗？", "好。", NULL});
    check_split("「走吧。」他说。", 0, 1, (const char *[]){"「走吧。」", "他说。", NULL});
    check_split("यह एक वाक्य है। यह दूसरा है॥ तीसरा", 0, 1,
                (const char *[]){"यह एक वाक्य है।", "यह दूसरा है॥", "तीसरा", NULL});
}

static void test_lines(void **state)
{
    (void)state;
    const char *s = "First line. Still first.\r\n\n  Second line\nThird. Part two.";
    check_split(s, 1, 0, (const char *[]){"First line. Still first.", "Second line", "Third. Part two.", NULL});
    check_split(s, 1, 1,
                (const char *[]){"First line.", "Still first.", "Second line", "Third.", "Part two.", NULL});
    check_split(s, 0, 0, (const char *[]){"First line. Still first.\r\n\n  Second line\nThird. Part two.", NULL});
    /* more pieces than room: the count is still right */
    sr_span sp[2];
    assert_int_equal(sr_split_story("Go. Run. Sit. Eat.", 18, 0, 1, sp, 2), 4);
    /* many sentences in one line (beyond the internal batch) */
    char big[4096] = "";
    for (int i = 0; i < 150; i++) strcat(big, "Go now. ");
    sr_span many[200];
    assert_int_equal(sr_split_story(big, strlen(big), 0, 1, many, 200), 150);
    assert_int_equal(many[149].len, 7);
}

static void test_words(void **state)
{
    (void)state;
    const char *s = "  Hello,  world! 3.5 apples";
    sr_span w[16];
    int n = sr_split_words(s, strlen(s), w, 16);
    assert_int_equal(n, 4);
    assert_memory_equal(s + w[0].off, "Hello,", 6);
    assert_int_equal(w[1].len, 6);
    assert_memory_equal(s + w[3].off, "apples", 6);
    const char *c = "我用iPhone拍照。好的";
    n = sr_split_words(c, strlen(c), w, 16);
    /* 我 | 用 | iPhone | 拍 | 照。 | 好 | 的 */
    assert_int_equal(n, 7);
    assert_int_equal(w[2].len, 6);
    assert_memory_equal(c + w[4].off, "照。", strlen("照。"));
    /* widths: latin 0.55, CJK 1.0 */
    assert_true(sr_text_width_em("abcd", 4) > 2.19 && sr_text_width_em("abcd", 4) < 2.21);
    assert_true(sr_text_width_em("你好", strlen("你好")) > 1.99 && sr_text_width_em("你好", strlen("你好")) < 2.01);
    assert_int_equal(sr_utf8_count("héllo", strlen("héllo")), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_abbreviations_and_decimals),
        cmocka_unit_test(test_cjk_devanagari),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
