/* subs.h - subtitle words and cues of one scene's narration: display words
 * timed from the speech engine's word events (or estimated from text
 * length), keywords, and cues that fit a number of lines. Private to the
 * compiler. Times are seconds from the start of the narration clip. */
#ifndef SR_SUBS_H
#define SR_SUBS_H

#include "tts/tts.h"

typedef struct sr_dword {
    int off, len;        /* bytes into the scene text */
    double start, end;   /* seconds from the clip start */
    int keyword;
    int sentence_end;    /* a sentence ends with this word */
} sr_dword;

/* Reading speed used when there is no narration: characters per second. */
#define SR_EST_CPS 15.0

/* Cuts text into display words (*out malloc'd, *n words) timed by the TTS
 * words tw[0..ntw) (byte spans into the same text) within a clip of clip_dur
 * seconds; with tw == NULL the times are estimated at SR_EST_CPS. Returns 0 or
 * SR_ENOMEM. */
int sr_subs_words(const char *text, const sr_tts_word *tw, int ntw, double clip_dur, sr_dword **out, int *n);

/* The estimated reading time (s) of text at SR_EST_CPS. */
double sr_subs_estimate(const char *text);

/* Marks the scene's keywords: the 1-2 longest words (2 when the scene has 6
 * words or more) of at least 4 letters that are not English stopwords; ties
 * go to the first occurrence; every occurrence of a chosen word is marked. */
void sr_subs_keywords(const char *text, sr_dword *w, int n);

/* 1 when lower_word (lower case, no punctuation) is an English stopword. */
int sr_subs_is_stopword(const char *lower_word);

/* What a cue may hold: lines of at most line_em ems (estimated widths) and
 * max_chars characters (0: no limit; 42 by the timed-text conventions),
 * max_lines lines, and max_words words (0: no limit; word-by-word captions). */
typedef struct sr_cue_fit {
    double line_em;
    int max_chars, max_lines, max_words;
} sr_cue_fit;

/* Groups words into cues that fit: a cue takes words while they fit (greedy
 * fill), then ends at the last clause boundary (, ; : ...) in its second half
 * when there is one, and always after a sentence end. Writes the index of
 * each cue's first word into first[] (malloc'd) and returns the cue count, or
 * SR_ENOMEM. */
int sr_subs_cues(const char *text, const sr_dword *w, int n, const sr_cue_fit *fit, int **first);

/* The number of lines the words w[0..n) take when filled greedily (the least
 * possible); a word too long for a line takes one by itself. */
int sr_subs_lines(const char *text, const sr_dword *w, int n, const sr_cue_fit *fit);

/* Breaks the cue w[0..n) into that many lines at phrase boundaries: balanced
 * lengths, a break after a clause preferred, before a conjunction or
 * preposition next, after an article or preposition avoided. Sets brk[k] = 1
 * (brk holds n bytes) when word k starts a line; returns the line count, or
 * -1 when out of memory. */
int sr_subs_breaks(const char *text, const sr_dword *w, int n, const sr_cue_fit *fit, unsigned char *brk);

#endif
