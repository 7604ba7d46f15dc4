/* ssml.h - the SSML subset of isSSMLStory stories, spoken through any
 * sr_tts_backend. Private to the compiler.
 *
 * Accepted: <speak> (optional root), <break time="500ms|1.5s" strength=..>,
 * <prosody rate pitch volume>, <emphasis level>, <say-as interpret-as=
 * "characters|spell-out|cardinal|number|date">, <p>, <s>, comments and the
 * five predefined entities (&amp; &lt; &gt; &quot; &apos;) plus &#N; / &#xN;.
 * Refused: DOCTYPE / ENTITY declarations (no external entities), processing
 * instructions, any other element, mismatched tags, nesting deeper than 32,
 * a break longer than 10 s. The document is split into segments of text with
 * one style each; the displayed text (subtitles) is the text without markup,
 * whitespace collapsed. */
#ifndef SR_SSML_H
#define SR_SSML_H

#include "common/err.h"
#include "tts/tts.h"

typedef struct sr_ssml sr_ssml;

/* Parses src; field names the story in errors (SR_EINVALID_FIELD). */
int sr_ssml_parse(const char *src, const char *field, sr_ssml **out, sr_err *err);

/* The text without markup (owned by the document). */
const char *sr_ssml_text(const sr_ssml *d);

/* Speaks d with be's voice at speed/amp: each segment with its prosody
 * (rate multiplies speed, clamped to 50..200; volume adds to amp, clamped to
 * -1..1; emphasis: rate x0.85 and +0.3 amp), breaks as inserted silence.
 * pitch is accepted and ignored (the backend table has no pitch). Word spans
 * refer to sr_ssml_text. Fills clip (sr_tts_clip_free). */
int sr_ssml_synth(const sr_ssml *d, const sr_tts_backend *be, const char *voice_id, int speed, double amp,
                  sr_tts_clip *clip, sr_err *err);

void sr_ssml_free(sr_ssml *d); /* accepts NULL */

#endif
