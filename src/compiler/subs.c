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

/* ---- cues and lines (timed-text conventions) ------------------------------- */

/* Line-break preferences: a break after a clause (comma, colon...) is best,
 * one before a conjunction or preposition good, one after an article,
 * preposition or possessive poor (Netflix Timed Text Style Guide, BBC
 * subtitle guidelines). English word lists; other languages still get the
 * punctuation rule and balanced lines. */
static const char *const phrase_starts[] = {
    "and", "but", "or", "nor", "so", "yet", "because", "which", "that", "who", "when", "where", "while", "if",
    "to", "of", "in", "on", "at", "for", "with", "from", "by", "as", "than", "after", "before", "into", "about",
    NULL,
};
static const char *const weak_ends[] = {
    "a", "an", "the", "to", "of", "in", "on", "at", "for", "with", "and", "or", "my", "your", "our", "his", "her",
    "their", "its", "this", "that", "is", "are", "was", NULL,
};
#define BONUS_CLAUSE 60.0 /* in squared characters of imbalance */
#define BONUS_PHRASE 20.0
#define PENALTY_WEAK 40.0

static int in_list(const char *w, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0) return 1;
    return 0;
}

/* 1 when word i ends with clause punctuation (, ; : - ) or a sentence end. */
static int ends_clause(const char *text, const sr_dword *w, int i)
{
    if (w[i].sentence_end) return 1;
    const char *e = text + w[i].off + w[i].len;
    int k = 1;
    while (k < w[i].len && ((unsigned char)e[-k] & 0xC0) == 0x80) k++;
    uint32_t c;
    sr_utf8_next(e - k, &c);
    return c == ',' || c == ';' || c == ':' || c == ')' || c == 0x2013 || c == 0x2014 || c == 0x060C /* ، */ ||
           c == 0x3001 || c == 0xFF0C;
}

static int word_is(const char *text, const sr_dword *w, int i, const char *const *list)
{
    char core[64];
    word_core(text + w[i].off, w[i].len, core, sizeof core);
    return core[0] && in_list(core, list);
}

/* Word i's width in ems and characters, and the gap before it (0 when glued
 * to the previous word, as in scripts written without spaces). */
static double word_em(const char *text, const sr_dword *w, int i, int *chars, int *gap)
{
    *gap = i > 0 && w[i].off > w[i - 1].off + w[i - 1].len;
    *chars = sr_utf8_count(text + w[i].off, (size_t)w[i].len);
    return sr_text_width_em(text + w[i].off, (size_t)w[i].len);
}

/* Does words [a, b) fit one line? */
static int line_fits(const char *text, const sr_dword *w, int a, int b, const sr_cue_fit *fit)
{
    double x = 0;
    int chars = 0;
    for (int i = a; i < b; i++) {
        int c, gap;
        double ww = word_em(text, w, i, &c, &gap);
        if (i > a && gap) {
            x += SPACE_EM;
            chars++;
        }
        x += ww;
        chars += c;
    }
    if (b - a <= 1) return 1; /* an overlong word stands alone */
    return x <= fit->line_em && (fit->max_chars <= 0 || chars <= fit->max_chars);
}

typedef int (*fits_fn)(const char *text, const sr_dword *w, int a, int b, const sr_cue_fit *fit);

/* The least number of pieces words [0, n) make when filled greedily while fits. */
static int greedy_count(const char *text, const sr_dword *w, int n, const sr_cue_fit *fit, fits_fn fits,
                        unsigned char *brk)
{
    int pieces = 0;
    for (int a = 0; a < n; pieces++) {
        int b = a + 1;
        while (b < n && fits(text, w, a, b + 1, fit)) b++;
        if (brk && b < n) brk[b] = 1;
        a = b;
    }
    return pieces;
}

int sr_subs_lines(const char *text, const sr_dword *w, int n, const sr_cue_fit *fit)
{
    return greedy_count(text, w, n, fit, line_fits, NULL);
}

/* Does words [a, b) make one cue? */
static int cue_fits(const char *text, const sr_dword *w, int a, int b, const sr_cue_fit *fit)
{
    if (b - a <= 1) return 1;
    if (fit->max_words > 0 && b - a > fit->max_words) return 0;
    return sr_subs_lines(text, w + a, b - a, fit) <= fit->max_lines;
}

/* The characters of words [a, b) with their spaces. */
static int line_chars(const char *text, const sr_dword *w, int a, int b)
{
    int chars = 0;
    for (int i = a; i < b; i++) {
        int c, gap;
        word_em(text, w, i, &c, &gap);
        chars += c + (i > a && gap);
    }
    return chars;
}

/* The cost of a line break before word k (0 < k): negative is good. */
static double break_cost(const char *text, const sr_dword *w, int k)
{
    double c = 0;
    if (ends_clause(text, w, k - 1)) c -= BONUS_CLAUSE;
    else if (word_is(text, w, k, phrase_starts)) c -= BONUS_PHRASE;
    if (word_is(text, w, k - 1, weak_ends)) c += PENALTY_WEAK;
    return c;
}

#define MAX_BREAK_WORDS 200

#define MAX_BREAK_WORDS 200

/* Cuts words [0, n) into the least number of pieces that fit (lines of a
 * cue, or cues of a sentence), balanced in characters and cut at phrase
 * boundaries (break_cost): brk[k] = 1 where a piece starts (k > 0); returns
 * the piece count, or -1 when out of memory. *penalty gets the sum of the
 * chosen cuts' costs (> 0: a cut in the middle of a phrase was the best). */
static int partition(const char *text, const sr_dword *w, int n, const sr_cue_fit *fit, fits_fn fits,
                     unsigned char *brk, double *penalty)
{
    *penalty = 0;
    memset(brk, 0, (size_t)(n > 0 ? n : 1));
    int lines = greedy_count(text, w, n, fit, fits, NULL);
    if (lines <= 1 || n > MAX_BREAK_WORDS) /* greedy for the rare huge piece */
        return greedy_count(text, w, n, fit, fits, brk);
    /* best[l][k]: least cost of words [0, k) in l lines; from[l][k] its last line's start */
    static const double inf = 1e300;
    double target = (double)line_chars(text, w, 0, n) / lines;
    double(*best)[MAX_BREAK_WORDS + 1] = malloc(sizeof(double[MAX_BREAK_WORDS + 1]) * (size_t)(lines + 1));
    int(*from)[MAX_BREAK_WORDS + 1] = malloc(sizeof(int[MAX_BREAK_WORDS + 1]) * (size_t)(lines + 1));
    if (!best || !from) {
        free(best);
        free(from);
        return -1;
    }
    for (int l = 0; l <= lines; l++)
        for (int k = 0; k <= n; k++) best[l][k] = inf, from[l][k] = -1;
    best[0][0] = 0;
    for (int l = 1; l <= lines; l++)
        for (int k = 1; k <= n; k++)
            for (int j = k - 1; j >= 0 && fits(text, w, j, k, fit); j--) {
                if (best[l - 1][j] >= inf) continue;
                double d = line_chars(text, w, j, k) - target;
                double c = best[l - 1][j] + d * d + (j > 0 ? break_cost(text, w, j) : 0);
                if (c < best[l][k]) best[l][k] = c, from[l][k] = j;
            }
    for (int l = lines, k = n; l > 0 && k > 0; l--) {
        int j = from[l][k];
        if (j < 0) break;
        if (j > 0) {
            brk[j] = 1;
            *penalty += break_cost(text, w, j);
        }
        k = j;
    }
    free(best);
    free(from);
    return lines;
}

int sr_subs_breaks(const char *text, const sr_dword *w, int n, const sr_cue_fit *fit, unsigned char *brk)
{
    double penalty;
    return partition(text, w, n, fit, line_fits, brk, &penalty);
}

/* Appends cue [a, b) to f; when its lines can only break inside a phrase and
 * it holds a clause boundary, it becomes two cues there instead. */
static int push_cue(const char *text, const sr_dword *w, int a, int b, const sr_cue_fit *fit, int *f, int *nc)
{
    unsigned char brk[MAX_BREAK_WORDS + 1];
    double penalty = 0;
    if (b - a <= MAX_BREAK_WORDS) {
        if (partition(text, w + a, b - a, fit, line_fits, brk, &penalty) < 0) return SR_ENOMEM;
        if (penalty > 0)
            for (int j = b - 1; j > a; j--) /* the last clause boundary */
                if (ends_clause(text, w, j - 1)) {
                    f[(*nc)++] = a;
                    f[(*nc)++] = j;
                    return 0;
                }
    }
    f[(*nc)++] = a;
    return 0;
}

int sr_subs_cues(const char *text, const sr_dword *w, int n, const sr_cue_fit *fit, int **first)
{
    /* a cue may become two (push_cue): room for 2 per word */
    int *f = malloc((n ? (size_t)n : 1) * 2 * sizeof *f);
    unsigned char *brk = malloc(n ? (size_t)n : 1);
    int nc = 0, rc = 0;
    if (!f || !brk) rc = SR_ENOMEM;
    /* each sentence: the least number of cues, balanced, cut at clauses */
    for (int s = 0, e; !rc && s < n; s = e) {
        e = s;
        while (e < n && !w[e].sentence_end) e++;
        e = e < n ? e + 1 : n;
        double penalty;
        if (partition(text, w + s, e - s, fit, cue_fits, brk, &penalty) < 0) {
            rc = SR_ENOMEM;
            break;
        }
        for (int a = s; !rc && a < e;) {
            int b = a + 1;
            while (b < e && !brk[b - s]) b++;
            rc = push_cue(text, w, a, b, fit, f, &nc);
            a = b;
        }
    }
    free(brk);
    if (rc) {
        free(f);
        return rc;
    }
    *first = f;
    return nc;
}
