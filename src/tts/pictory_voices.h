/* pictory_voices.h - Pictory's AI voice names (its catalogue of AWS Polly and
 * Google voices, as clients send them in `speaker`) mapped to an installed
 * espeak-ng voice of the same language and gender, so a storyboard written
 * for Pictory renders here. One table (pictory_voices.c); the compiler warns
 * on the job naming each substitution, and GET /v1/voiceovers/tracks lists
 * the names with the voice each uses (docs/storyboard.md *Voice-over*). */
#ifndef SR_PICTORY_VOICES_H
#define SR_PICTORY_VOICES_H

typedef struct sr_pictory_voice {
    const char *name;     /* Pictory's name: "Brian" */
    const char *language; /* "en-GB" */
    const char *gender;   /* "male" | "female" */
    const char *accent;   /* "British accent" */
    const char *voice;    /* the espeak-ng voice and variant used here: "en-gb+m3" */
} sr_pictory_voice;

/* The entry named name (case-insensitive), or NULL. */
const sr_pictory_voice *sr_pictory_voice_find(const char *name);
/* Entry i (0-based) of the table, or NULL past its end. */
const sr_pictory_voice *sr_pictory_voice_at(int i);

#endif
