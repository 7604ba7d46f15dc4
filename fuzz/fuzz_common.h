/* fuzz_common.h - helpers shared by the libFuzzer targets (fuzz/README.md).
 * Each target defines FUZZ_ENTRY, LLVMFuzzerTestOneInput unless the includer
 * renames it (tests/test_fuzz_replay.c compiles every target into one binary). */
#ifndef SR_FUZZ_COMMON_H
#define SR_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

#define FUZZ_MAX_INPUT (64u << 10) /* bytes looked at: the targets stay fast */

/* The input as a NUL-terminated string (malloc'd), or NULL when too big. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return NULL;
    char *s = malloc(size + 1);
    if (!s) return NULL;
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* The input as JSON, by the CLI's rules (sr_load_json_file: duplicate keys
 * refused; jansson caps nesting at 2048), or NULL. */
static inline json_t *fuzz_json(const uint8_t *data, size_t size)
{
    json_error_t je;
    if (size > FUZZ_MAX_INPUT) return NULL;
    return json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
}

#endif
