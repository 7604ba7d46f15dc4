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

/* Groups words into cues: a cue takes words while they fit max_lines lines
 * of line_em ems (greedy fill, estimated widths) and ends after a sentence
 * end. Writes the index of each cue's first word into first[] (malloc'd) and
 * returns the cue count, or SR_ENOMEM. */
int sr_subs_cues(const char *text, const sr_dword *w, int n, double line_em, int max_lines, int **first);

/* The number of lines the words w[0..n) take when filled greedily into
 * lines of line_em ems (the estimate sr_subs_cues uses). */
int sr_subs_lines(const char *text, const sr_dword *w, int n, double line_em);

#endif
