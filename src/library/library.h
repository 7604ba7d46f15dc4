/* library.h - a local media library: the images, videos and music tracks
 * under one folder, indexed with their keywords in SQLite FTS5 so that a
 * storyboard can ask for "a beach at sunset" instead of a URL.
 *
 * Keywords of a file come from its name ("red-beach_sunset.jpg": red, beach,
 * sunset), the names of the folders between the library root and the file
 * (the first one is also its category), and an optional sidecar NAME.json
 * (the file's stem or full name + ".json"): {"keywords": [..] or "a, b",
 * "description": "...", "category": "...", "moods": [..], "genres": [..]}.
 * Music moods and genres also come from mood/genre words of the name and
 * folders (a fixed list, sr_library_mood_words). The index lives in
 * DIR/.storyreel-index.sqlite (a read-only DIR: the user's cache folder,
 * sr_library_open; or a path given to it) and is
 * brought up to date by sr_library_refresh from file and sidecar mtimes.
 *
 * One sr_library is used by one thread at a time; several processes may
 * share one index file (WAL, busy timeout). */
#ifndef SR_LIBRARY_H
#define SR_LIBRARY_H

#include "common/err.h"

typedef struct sr_library sr_library;

/* Kinds of library files (a mask in searches). */
enum sr_lib_kind {
    SR_LIB_IMAGE = 1,
    SR_LIB_VIDEO = 2,
    SR_LIB_AUDIO = 4,
    SR_LIB_VISUAL = 3,
    SR_LIB_ANY = 7
};

/* Limits on untrusted folders and queries. */
#define SR_LIB_MAX_FILES 20000 /* files indexed per library */
#define SR_LIB_MAX_DEPTH 8     /* folder levels below the root */
#define SR_LIB_MAX_QUERY 500   /* bytes of a query */
#define SR_LIB_MAX_RESULTS 100 /* results of one search */
#define SR_LIB_SIDECAR_MAX 65536

/* One search result. Strings are owned by the result array. */
typedef struct sr_lib_item {
    char *path;        /* absolute path of the file */
    char *name;        /* path relative to the library root */
    int kind;          /* one sr_lib_kind bit */
    char *keywords;    /* space-separated */
    char *description; /* "" when none */
    char *category;    /* "" when none */
    char *moods;       /* space-separated, "" when none */
    char *genres;      /* space-separated, "" when none */
    int width, height; /* 0 for audio */
    double duration;   /* seconds; 0 for a still */
    double score;      /* higher is better (negated bm25); 0 for an empty query */
} sr_lib_item;

/* Opens (creating if needed) the index of folder dir. index_path NULL:
 * DIR/.storyreel-index.sqlite, or when DIR is not writable
 * CACHE/library-HASH.sqlite (CACHE: $STORYREEL_CACHE, else
 * $XDG_CACHE_HOME/storyreel, else ~/.cache/storyreel; HASH: of DIR's real
 * path). Does not scan: call sr_library_refresh.
 * Returns 0 and *out (sr_library_close), or SR_EMEDIA_NOT_FOUND (dir is not
 * a folder) / SR_EDB (the index cannot be opened), the error naming field. */
int sr_library_open(const char *dir, const char *index_path, const char *field, sr_library **out,
                    sr_err *err);
void sr_library_close(sr_library *lib); /* accepts NULL */

/* The library's root folder (absolute, no trailing slash). */
const char *sr_library_dir(const sr_library *lib);

/* Brings the index up to date: new and changed files (mtime or size of the
 * file or its sidecar) are probed and indexed, vanished ones removed. A file
 * that cannot be probed is skipped. Returns the number of indexed files, or
 * SR_EDB / SR_ELIMIT (more than SR_LIB_MAX_FILES files). */
int sr_library_refresh(sr_library *lib, sr_err *err);

/* Searches the files of the kinds in mask for query (free text: each word is
 * a term, any may match; English stems match, "mountains" finds "mountain").
 * Ranking is FTS5 bm25 with keywords weighted highest, then category, moods
 * and genres, then description; ties go to the path order. An empty query
 * lists files in path order. mood / genre (NULL: any) restrict to files with
 * that word. Returns the number of results (0..limit, limit capped at
 * SR_LIB_MAX_RESULTS) with *out malloc'd (sr_library_items_free), or SR_EDB. */
int sr_library_search(sr_library *lib, const char *query, int mask, const char *mood,
                      const char *genre, int limit, sr_lib_item **out, sr_err *err);
void sr_library_items_free(sr_lib_item *items, int n); /* accepts NULL */

/* The distinct moods ("moods") or genres ("genres") of the audio files, sorted;
 * *out is a malloc'd array of malloc'd strings (sr_library_terms_free).
 * Returns the count or SR_EDB / SR_EINVALID_FIELD. */
int sr_library_terms(sr_library *lib, const char *which, char ***out, sr_err *err);
void sr_library_terms_free(char **terms, int n);

/* The mood words recognised in music file and folder names (NULL-terminated). */
extern const char *const sr_library_mood_words[];

#endif
