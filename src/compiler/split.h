/* split.h - cutting narration text: into scenes (lines, sentences), into
 * display words (subtitles), and measuring words for line fitting.
 * Private to the compiler. All offsets are bytes into UTF-8 text. */
#ifndef SR_SPLIT_H
#define SR_SPLIT_H

#include <stddef.h>

typedef struct sr_span {
    int off, len; /* bytes */
} sr_span;

/* Finds the sentence ends of s[0..n): for each, the byte offset just past
 * the terminator and any closing quotes/brackets. Terminators: . ! ? (followed
 * by a space or the end), 。！？ and Devanagari । ॥. Abbreviations ("e.g.",
 * "Dr.", "U.S.", single initials), decimals ("3.5") and an ellipsis followed
 * by a lowercase word do not end a sentence. The end of the text is not
 * reported unless a terminator stands there. Writes at most max offsets into
 * ends and returns how many there are (which may exceed max). */
int sr_sentence_ends(const char *s, size_t n, int *ends, int max);

/* Cuts a story into scene texts: at line breaks when on_newline, at sentence
 * ends when on_sentence (both: lines, then sentences within each line).
 * Pieces are trimmed of white space; empty ones are dropped. Neither flag:
 * the whole trimmed story (none when it is blank). Writes at most max spans
 * into out and returns the number of pieces (which may exceed max). */
int sr_split_story(const char *s, size_t n, int on_newline, int on_sentence, sr_span *out, int max);

/* Cuts text into display words: runs between white space, and, in scripts
 * written without spaces (Han, kana), one word per character with following
 * punctuation attached. Writes at most max spans; returns the count (which
 * may exceed max). */
int sr_split_words(const char *s, size_t n, sr_span *out, int max);

/* Estimated width of s[0..n) in ems: 0.55 per Latin/Greek/Cyrillic
 * character, 1.0 per East Asian wide character or emoji (joiners, variation
 * selectors and skin tones add nothing), 0.6 per other character. */
double sr_text_width_em(const char *s, size_t n);

/* The number of code points of s[0..n). */
int sr_utf8_count(const char *s, size_t n);

#endif
