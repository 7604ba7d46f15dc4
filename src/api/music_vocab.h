/* music_vocab.h - Pictory's music vocabularies (purposes, instruments, genre
 * groups) and how a term of theirs, or of a client's filter, matches a track
 * of the local music library: a term matches when one of its words ("Happy /
 * Bright": happy, bright; "Guitar - Acoustic": guitar, acoustic) is one of the
 * track's words (keywords, moods, genres, category; a plural "s" ignored).
 * Used by library_routes.c for POST /v1/music/search and the term lists. */
#ifndef SR_MUSIC_VOCAB_H
#define SR_MUSIC_VOCAB_H

enum sr_music_vocab { SR_VOCAB_PURPOSES, SR_VOCAB_INSTRUMENTS, SR_VOCAB_GENRE_GROUPS, SR_VOCAB_N };

/* The terms of vocabulary v (NULL-terminated). */
const char *const *sr_music_vocab(enum sr_music_vocab v);

/* Whether term matches a track whose words are the space-separated lists
 * words[0..nwords) (any may be NULL). */
int sr_music_term_matches(const char *term, const char *const *words, int nwords);

#endif
