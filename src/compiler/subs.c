/* subs.c - timed subtitle words, keywords and cue grouping. */
#include "compiler/subs.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/util.h"
#include "compiler/split.h"

#define SPACE_EM 0.55 /* an inter-word space, estimated like a character */

static const char *const stopwords[] = {
    "about", "above", "after", "again", "against", "also", "although", "always", "among", "another", "anything",
    "because", "been", "before", "being", "below", "between", "both", "cannot", "could", "does", "doing", "down",
    "during", "each", "either", "even", "ever", "every", "everything", "from", "further", "have", "having", "here",
    "hers", "herself", "himself", "into", "itself", "just", "know", "less", "like", "made", "make", "many", "might",
    "more", "most", "much", "must", "myself", "need", "never", "next", "nothing", "once", "only", "other", "others",
    "ours", "ourselves", "over", "really", "same", "shall", "should", "since", "some", "something", "still", "such",
    "than", "that", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "thing", "things",
    "this", "those", "though", "through", "today", "together", "under", "until", "upon", "very", "want", "were",
    "what", "when", "where", "whether", "which", "while", "whom", "whose", "will", "with", "within", "without",
    "would", "your", "yours", "yourself", "yourselves", "first", "last", "well", "take", "takes", "come", "comes",
    "going", "gets", "give", "gives", "seem", "seems", "used", "uses", "using", "yet", "okay", "yeah",
};

/* Is the code point a letter (roughly: alphabetic ASCII or non-ASCII that is not punctuation or space)? */
static int is_letter(uint32_t c)
{
    if (c < 0x80) return isalpha((int)c) != 0;
    if (c <= 0xBF || (c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F))
        return 0;
    return 1;
}

/* The word's core (without surrounding punctuation), lowercased ASCII, into
 * buf; returns its letter count (0 when it holds a digit). */
static int word_core(const char *s, int len, char *buf, size_t n)
{
    int a = 0, b = len;
    while (a < b) {
        uint32_t c;
        int k = sr_utf8_next(s + a, &c);
        if (is_letter(c) || (c < 0x80 && isdigit((int)c))) break;
        a += k;
    }
    while (b > a) {
        int j = b - 1;
        while (j > a && ((unsigned char)s[j] & 0xC0) == 0x80) j--;
        uint32_t c;
        sr_utf8_next(s + j, &c);
        if (is_letter(c) || (c < 0x80 && isdigit((int)c))) break;
        b = j;
    }
    size_t m = (size_t)(b - a) < n - 1 ? (size_t)(b - a) : n - 1;
    for (size_t i = 0; i < m; i++) buf[i] = (char)tolower((unsigned char)s[a + (int)i]);
    buf[m] = 0;
    int letters = 0;
    for (int i = a; i < b;) {
        uint32_t c;
        i += sr_utf8_next(s + i, &c);
        if (c < 0x80 && isdigit((int)c)) return 0;
        letters += is_letter(c);
    }
    return letters;
}

static int is_stopword(const char *w)
{
    for (size_t i = 0; i < sizeof stopwords / sizeof stopwords[0]; i++)
        if (strcmp(w, stopwords[i]) == 0) return 1;
    return 0;
}

int sr_subs_is_stopword(const char *lower_word) { return is_stopword(lower_word); }

double sr_subs_estimate(const char *text)
{
    return (sr_utf8_count(text, strlen(text)) + 1) / SR_EST_CPS;
}

int sr_subs_words(const char *text, const sr_tts_word *tw, int ntw, double clip_dur, sr_dword **out, int *n)
{
    size_t tl = strlen(text);
    *out = NULL;
    *n = 0;
    int cnt = sr_split_words(text, tl, NULL, 0);
    sr_span *sp = malloc((cnt ? (size_t)cnt : 1) * sizeof *sp);
    sr_dword *w = calloc(cnt ? (size_t)cnt : 1, sizeof *w);
    int ne = sr_sentence_ends(text, tl, NULL, 0);
    int *ends = malloc((ne ? (size_t)ne : 1) * sizeof *ends);
    if (!sp || !w || !ends) {
        free(sp);
        free(w);
        free(ends);
        return SR_ENOMEM;
    }
    sr_split_words(text, tl, sp, cnt);
    sr_sentence_ends(text, tl, ends, ne);
    for (int i = 0, e = 0; i < cnt; i++) {
        w[i].off = sp[i].off;
        w[i].len = sp[i].len;
        w[i].start = w[i].end = -1;
        while (e < ne && ends[e] <= w[i].off) e++;
        w[i].sentence_end = (e < ne && ends[e] <= w[i].off + w[i].len) || i == cnt - 1;
    }
    free(sp);
    free(ends);

    if (!tw) { /* estimated: each word takes its share of the reading time */
        double t = 0;
        for (int i = 0; i < cnt; i++) {
            double d = (sr_utf8_count(text + w[i].off, (size_t)w[i].len) + 1) / SR_EST_CPS;
            w[i].start = t;
            w[i].end = t + d;
            t += d;
        }
    } else {
        /* a display word takes the times of the engine words that start in it */
        for (int k = 0, i = 0; k < ntw; k++) {
            int o = tw[k].text_off;
            while (i < cnt && w[i].off + w[i].len <= o) i++;
            if (i >= cnt) break;
            if (o < w[i].off) continue; /* in the space between words */
            if (w[i].start < 0 || tw[k].start < w[i].start) w[i].start = tw[k].start;
            if (tw[k].end > w[i].end) w[i].end = tw[k].end;
        }
        /* words the engine did not report share the gap around them */
        for (int i = 0; i < cnt;) {
            if (w[i].start >= 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < cnt && w[j].start < 0) j++;
            double a = i > 0 ? w[i - 1].end : 0, b = j < cnt ? w[j].start : clip_dur;
            if (b < a) b = a;
            for (int k = i; k < j; k++) {
                w[k].start = a + (b - a) * (k - i) / (j - i);
                w[k].end = a + (b - a) * (k - i + 1) / (j - i);
            }
            i = j;
        }
        for (int i = 0; i < cnt; i++) { /* monotone, inside the clip */
            if (i > 0 && w[i].start < w[i - 1].start) w[i].start = w[i - 1].start;
            if (w[i].start > clip_dur) w[i].start = clip_dur;
            if (w[i].end > clip_dur) w[i].end = clip_dur;
            if (w[i].end < w[i].start) w[i].end = w[i].start;
        }
    }
    *out = w;
    *n = cnt;
    return 0;
}

void sr_subs_keywords(const char *text, sr_dword *w, int n)
{
    char best[2][64] = {"", ""};
    int bl[2] = {0, 0};
    int want = n >= 6 ? 2 : 1;
    for (int i = 0; i < n; i++) {
        char core[64];
        int letters = word_core(text + w[i].off, w[i].len, core, sizeof core);
        if (letters < 4 || is_stopword(core)) continue;
        if (strcmp(core, best[0]) == 0 || strcmp(core, best[1]) == 0) continue;
        if (letters > bl[0]) {
            memcpy(best[1], best[0], sizeof best[0]);
            bl[1] = bl[0];
            snprintf(best[0], sizeof best[0], "%s", core);
            bl[0] = letters;
        } else if (letters > bl[1]) {
            snprintf(best[1], sizeof best[1], "%s", core);
            bl[1] = letters;
        }
    }
    for (int i = 0; i < n; i++) {
        char core[64];
        w[i].keyword = 0;
        if (!word_core(text + w[i].off, w[i].len, core, sizeof core)) continue;
        for (int k = 0; k < want; k++)
            if (bl[k] && strcmp(core, best[k]) == 0) w[i].keyword = 1;
    }
}

/* Width of word i in ems, and the gap before it (0 when glued to the previous word). */
static double word_em(const char *text, const sr_dword *w, int i, double *gap)
{
    *gap = (i > 0 && w[i].off > w[i - 1].off + w[i - 1].len) ? SPACE_EM : 0;
    return sr_text_width_em(text + w[i].off, (size_t)w[i].len);
}

int sr_subs_lines(const char *text, const sr_dword *w, int n, double line_em)
{
    int lines = 0;
    double x = 0;
    for (int i = 0; i < n; i++) {
        double gap, ww = word_em(text, w, i, &gap);
        if (i == 0) gap = 0;
        if (lines == 0 || x + gap + ww > line_em) {
            lines += 1;
            x = ww;
            while (x > line_em && line_em > 0) { /* an overlong word wraps by itself */
                lines++;
                x -= line_em;
            }
        } else {
            x += gap + ww;
        }
    }
    return lines;
}

int sr_subs_cues(const char *text, const sr_dword *w, int n, double line_em, int max_lines, int **first)
{
    int *f = malloc((n ? (size_t)n : 1) * sizeof *f);
    if (!f) return SR_ENOMEM;
    int nc = 0, start = 0;
    for (int i = 0; i < n; i++) {
        if (i > start && sr_subs_lines(text, w + start, i - start + 1, line_em) > max_lines) {
            f[nc++] = start;
            start = i;
        }
        if (w[i].sentence_end && i + 1 < n) {
            f[nc++] = start;
            start = i + 1;
        }
    }
    if (start < n) f[nc++] = start;
    *first = f;
    return nc;
}
