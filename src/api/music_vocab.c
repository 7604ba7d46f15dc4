/* music_vocab.c - see music_vocab.h. The purposes are Pictory's published
 * list (GET /v1/music/purposes on Pictory); instruments and genre groups are
 * Pictory-style names for what a library's file names and sidecars say. */
#include "api/music_vocab.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

static const char *const purposes[] = {"TV Theme",
                                       "Heroic",
                                       "Nature / Beauty",
                                       "Action",
                                       "Adventure",
                                       "Comedy",
                                       "Drama",
                                       "Fantasy",
                                       "Horror",
                                       "Shopping",
                                       "Sports",
                                       "Thriller",
                                       "Wedding",
                                       "80s",
                                       "Educational",
                                       "News / Current Affairs",
                                       "On-Hold",
                                       "Road Trip",
                                       "Sci-Fi",
                                       "Time Lapse",
                                       "Aerobics / Fitness",
                                       "Atmospheric",
                                       "Branding / Identity",
                                       "Corporate / Business",
                                       "Children / Preschool",
                                       "Crime",
                                       "Landscape / Panorama",
                                       "Mystery / Tension",
                                       "Nightclub",
                                       "Technology",
                                       "Slow-Mo",
                                       "War / Military",
                                       "Western / Cowboy",
                                       "Bollywood",
                                       "Historical / Period",
                                       "Real Estate",
                                       "Christmas",
                                       "Surfing",
                                       "Detective / Spy",
                                       "Dramedy",
                                       "Game Show",
                                       "50s",
                                       "60s",
                                       "70s",
                                       "Chase Sequence",
                                       "Elevator Music",
                                       "Exotic",
                                       "Failure / Defeat",
                                       "Fairytale",
                                       "Fanfare",
                                       "Frantic / Busy",
                                       "Futuristic",
                                       "Lullaby",
                                       "Luxury",
                                       "Retro",
                                       "Romantic Comedy",
                                       "Lazy / Plodding",
                                       "Space / Cosmos",
                                       "Success / Victory",
                                       "Superhero",
                                       "Swampy / Outback",
                                       "Tribal",
                                       "Magical / Supernatural",
                                       "Simple / Minimal",
                                       "Adrenaline",
                                       "Evil / Villainous",
                                       "Religious / Church",
                                       "Theatre / Showtunes",
                                       "Regal / Royal",
                                       "Circus / Carnival",
                                       "Tropical",
                                       "Fashion / Beauty",
                                       "Animation / Explainer",
                                       "Trailer / Promo",
                                       "Yoga / Relaxation",
                                       "Meditation",
                                       NULL};

static const char *const instruments[] = {"Accordion",
                                          "Bagpipes",
                                          "Banjo",
                                          "Bass - Electric",
                                          "Bass - Synth",
                                          "Bass - Upright",
                                          "Bells",
                                          "Brass",
                                          "Cello",
                                          "Choir",
                                          "Clarinet",
                                          "Drum Kit",
                                          "Drum Machine",
                                          "Flute",
                                          "Glockenspiel",
                                          "Guitar - Acoustic",
                                          "Guitar - Electric",
                                          "Harmonica",
                                          "Harp",
                                          "Harpsichord",
                                          "Horn",
                                          "Keyboard",
                                          "Mandolin",
                                          "Marimba",
                                          "Orchestra",
                                          "Organ",
                                          "Percussion",
                                          "Piano",
                                          "Saxophone",
                                          "Shaker",
                                          "Sitar",
                                          "Strings",
                                          "Synth",
                                          "Trombone",
                                          "Trumpet",
                                          "Ukulele",
                                          "Viola",
                                          "Violin",
                                          "Vocals",
                                          "Whistle",
                                          "Woodwinds",
                                          "Xylophone",
                                          NULL};

static const char *const genre_groups[] = {
    "Acoustic",   "Ambient", "Blues",  "Children", "Cinematic",  "Classical", "Country",
    "Electronic", "Folk",    "Funk",   "Hip Hop",  "Holiday",    "Jazz",      "Latin",
    "Lounge",     "Pop",     "Reggae", "Rock",     "Soul / R&B", "World",     NULL};

const char *const *sr_music_vocab(enum sr_music_vocab v)
{
    static const char *const *const all[SR_VOCAB_N] = {purposes, instruments, genre_groups};
    return v >= 0 && v < SR_VOCAB_N ? all[v] : NULL;
}

/* The next word of *s (letters and digits, lowercased) into w; 0 at the end. */
static int next_word(const char **s, char w[48])
{
    const char *p = *s;
    while (*p && !isalnum((unsigned char)*p))
        p++;
    size_t n = 0;
    while (*p && isalnum((unsigned char)*p)) {
        if (n + 1 < 48) w[n++] = (char)tolower((unsigned char)*p);
        p++;
    }
    w[n] = 0;
    *s = p;
    return n > 0;
}

/* a equals b, or one is the other plus a trailing "s". */
static int same_word(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la == lb) return strcmp(a, b) == 0;
    if (la + 1 == lb) return b[la] == 's' && strncmp(a, b, la) == 0;
    if (lb + 1 == la) return a[lb] == 's' && strncmp(a, b, lb) == 0;
    return 0;
}

int sr_music_term_matches(const char *term, const char *const *words, int nwords)
{
    char tw[48], w[48];
    const char *t = term;
    while (t && next_word(&t, tw)) {
        if (!strcmp(tw, "and") || !strcmp(tw, "the")) continue;
        for (int i = 0; i < nwords; i++) {
            const char *s = words[i];
            while (s && next_word(&s, w))
                if (same_word(tw, w)) return 1;
        }
    }
    return 0;
}
