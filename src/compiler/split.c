/* split.c - sentence, line and word segmentation of narration text. */
#include "compiler/split.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

/* Words that take a period but never end a sentence when more text follows. */
static const char *const abbreviations[] = {
    "mr",  "mrs", "ms",  "dr",   "prof", "sr",    "jr",  "st",   "mt",  "rev", "gen", "col", "lt",
    "sgt", "capt", "hon", "vs",  "no",   "nos",   "fig", "figs", "vol", "p",   "pp",  "ch",  "sec",
    "approx", "ca", "dept", "est", "inc", "ltd",  "corp", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec",  "cf",   "al",  "resp",
};

/* Reads the code point at s[i] (i < n); returns its byte length, clamped to n - i. */
static int next_cp(const char *s, size_t n, size_t i, uint32_t *cp)
{
    int k = sr_utf8_next(s + i, cp);
    if ((size_t)k > n - i) {
        *cp = 0xFFFD;
        k = (int)(n - i);
    }
    return k < 1 ? 1 : k;
}

/* The code point that ends just before byte i (0 at the start), its start in *at. */
static uint32_t prev_cp(const char *s, size_t i, size_t *at)
{
    if (i == 0) {
        *at = 0;
        return 0;
    }
    size_t j = i - 1;
    while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80) j--;
    uint32_t cp;
    sr_utf8_next(s + j, &cp);
    *at = j;
    return cp;
}

static int is_space_cp(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 ||
           c == 0x3000 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F;
}

/* Closing quotes and brackets that stay with the sentence they close. */
static int is_closer(uint32_t c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == 0x2019 || c == 0x201D ||
           c == 0xBB || c == 0x300D || c == 0x300F || c == 0xFF09 || c == 0x3011 || c == 0x300B;
}

/* Terminators that end a sentence by themselves (no space needed after). */
static int is_wide_terminator(uint32_t c)
{
    return c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0x0964 || c == 0x0965;
}

/* Scripts written without spaces: each character is a display word. */
static int is_cjk_break(uint32_t c)
{
    return (c >= 0x2E80 && c <= 0x2FFF) || (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3100 && c <= 0x31FF) ||
           (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

/* East Asian wide characters (1 em). */
static int is_wide(uint32_t c)
{
    return is_cjk_break(c) || (c >= 0x1100 && c <= 0x115F) || (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6);
}

/* Punctuation (not a letter or digit) among non-ASCII code points we meet. */
static int is_punct_cp(uint32_t c)
{
    if (c < 0x80) return ispunct((int)c);
    return (c >= 0xA1 && c <= 0xBF) || (c >= 0x2010 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
           (c >= 0xFF5B && c <= 0xFF65) || c == 0x0964 || c == 0x0965 || (c >= 0xFE30 && c <= 0xFE4F);
}

static int is_lower_start(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) || (c >= 0x430 && c <= 0x45F) ||
           (c >= 0x3B1 && c <= 0x3C9);
}

/* The word that ends at byte i (exclusive) of s: from the previous space,
 * without opening quotes/brackets. Decides if "word." is an abbreviation. */
static int is_abbreviation(const char *s, size_t i)
{
    size_t b = i;
    while (b > 0 && !isspace((unsigned char)s[b - 1])) b--;
    while (b < i && strchr("\"'([{", s[b])) b++;
    size_t len = i - b;
    if (len == 0 || len > 12) return 0;
    char w[16];
    memcpy(w, s + b, len);
    w[len] = 0;
    /* initials and dotted letters: "J", "U.S", "e.g", "i.e", "a.m" */
    int dotted = 1;
    for (size_t k = 0; k < len; k++) {
        int letter = isalpha((unsigned char)w[k]) != 0;
        if ((k % 2 == 0 && !letter) || (k % 2 == 1 && w[k] != '.')) dotted = 0;
    }
    if (dotted && len % 2 == 1) return 1;
    for (size_t k = 0; k < sizeof abbreviations / sizeof abbreviations[0]; k++)
        if (strcasecmp(w, abbreviations[k]) == 0) return 1;
    return 0;
}

int sr_sentence_ends(const char *s, size_t n, int *ends, int max)
{
    int count = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t c;
        int k = next_cp(s, n, i, &c);
        int ascii_term = (c == '.' || c == '!' || c == '?' || c == 0x2026);
        if (!ascii_term && !is_wide_terminator(c)) {
            i += (size_t)k;
            continue;
        }
        size_t start = i, j = i;
        int only_dots = 1, ndots = 0;
        /* the run of terminators: "?!", "...", "！？" */
        while (j < n) {
            uint32_t d;
            int m = next_cp(s, n, j, &d);
            if (d == '.' || d == 0x2026) ndots += d == '.' ? 1 : 3;
            else if (d == '!' || d == '?' || is_wide_terminator(d)) only_dots = 0;
            else break;
            j += (size_t)m;
        }
        while (j < n) { /* closing quotes and brackets */
            uint32_t d;
            int m = next_cp(s, n, j, &d);
            if (!is_closer(d)) break;
            j += (size_t)m;
        }
        size_t end = j;
        int is_end = 1;
        if (ascii_term && end < n) {
            uint32_t d;
            next_cp(s, n, end, &d);
            if (!is_space_cp(d)) is_end = 0; /* "3.5", "example.com", "e.g.x" */
            else if (only_dots) {
                /* what follows the space */
                size_t q = end;
                uint32_t f = ' ';
                while (q < n) {
                    int m = next_cp(s, n, q, &f);
                    if (!is_space_cp(f)) break;
                    q += (size_t)m;
                }
                if (q >= n) is_end = 1;
                else if (is_lower_start(f)) is_end = 0; /* "e.g. this", "... and then" */
                else if (ndots == 1 && is_abbreviation(s, start)) is_end = 0;
            }
        }
        if (is_end) {
            if (count < max) ends[count] = (int)end;
            count++;
        }
        i = end > i ? end : i + (size_t)k;
    }
    return count;
}

/* Appends the trimmed span s[a..b) to out when not blank. */
static void push_piece(const char *s, size_t a, size_t b, sr_span *out, int max, int *count)
{
    while (a < b) {
        uint32_t c;
        int k = next_cp(s, b, a, &c);
        if (!is_space_cp(c)) break;
        a += (size_t)k;
    }
    while (b > a) {
        size_t at;
        uint32_t c = prev_cp(s, b, &at);
        if (!is_space_cp(c) || at < a) break;
        b = at;
    }
    if (b <= a) return;
    if (*count < max) out[*count] = (sr_span){(int)a, (int)(b - a)};
    (*count)++;
}

/* Splits the line s[a..b) at sentence ends when on_sentence. */
static void split_line(const char *s, size_t a, size_t b, int on_sentence, sr_span *out, int max, int *count)
{
    if (on_sentence) {
        int ends[64];
        size_t from = a;
        for (;;) {
            int ne = sr_sentence_ends(s + from, b - from, ends, 64);
            int use = ne < 64 ? ne : 64;
            for (int k = 0; k < use; k++) {
                size_t e = from + (size_t)ends[k];
                push_piece(s, k ? from + (size_t)ends[k - 1] : from, e, out, max, count);
            }
            if (use == 0) break;
            from += (size_t)ends[use - 1];
            if (ne <= 64) break;
        }
        push_piece(s, from, b, out, max, count);
    } else {
        push_piece(s, a, b, out, max, count);
    }
}

int sr_split_story(const char *s, size_t n, int on_newline, int on_sentence, sr_span *out, int max)
{
    int count = 0;
    if (!on_newline) {
        split_line(s, 0, n, on_sentence, out, max, &count);
        return count;
    }
    size_t a = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '\n') {
            split_line(s, a, i, on_sentence, out, max, &count);
            a = i + 1;
        }
    }
    return count;
}

int sr_split_words(const char *s, size_t n, sr_span *out, int max)
{
    int count = 0;
    size_t i = 0, tok = 0;
    int in_tok = 0, tok_cjk = 0;
    while (i < n) {
        uint32_t c;
        int k = next_cp(s, n, i, &c);
        int brk = 0, start = 0;
        if (is_space_cp(c)) brk = 1;
        else if (!in_tok) start = 1;
        else if (is_cjk_break(c)) brk = start = 1;
        else if (tok_cjk && !is_punct_cp(c)) brk = start = 1;
        if (brk && in_tok) {
            if (count < max) out[count] = (sr_span){(int)tok, (int)(i - tok)};
            count++;
            in_tok = 0;
        }
        if (start) {
            tok = i;
            in_tok = 1;
            tok_cjk = is_cjk_break(c);
        }
        i += (size_t)k;
    }
    if (in_tok) {
        if (count < max) out[count] = (sr_span){(int)tok, (int)(n - tok)};
        count++;
    }
    return count;
}

double sr_text_width_em(const char *s, size_t n)
{
    double w = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += (size_t)next_cp(s, n, i, &c);
        if (c == 0x200D || c == 0xFE0F || (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F))
            continue; /* joiners, variation selectors, skin tones, tags: inside an emoji */
        if (is_wide(c) || (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x1F1E6 && c <= 0x1F1FF)) w += 1.0;
        else if (c < 0x250 || (c >= 0x370 && c < 0x530) || (c >= 0x1E00 && c < 0x2000)) w += 0.55;
        else w += 0.6;
    }
    return w;
}

int sr_utf8_count(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; c++) {
        uint32_t cp;
        i += (size_t)next_cp(s, n, i, &cp);
    }
    return c;
}
