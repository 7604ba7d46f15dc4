/* fuzz_storyboard_tts.c - fuzz_storyboard.c with speech: voiceOver kept, on
 * inputs of at most 512 bytes (each input synthesises its stories). */
#define FUZZ_SB_TTS 1
#include "fuzz_storyboard.c"
