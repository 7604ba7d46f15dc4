/* fuzz_storyboard.c - the storyboard compiler (src/compiler): bytes -> JSON
 * (the CLI's rules) -> sr_compile with no media probing and a private cache
 * folder. Speech is too slow for fuzzing, so every voiceOver (the storyboard's
 * and each scene's) is removed first; fuzz_storyboard_tts.c keeps them, for
 * inputs of at most FUZZ_SB_TTS_MAX bytes, and empties the cache after each. */
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz_common.h"

#include "compiler/compiler.h"

#ifndef FUZZ_SB_TTS
#define FUZZ_SB_TTS 0
#endif
#define FUZZ_SB_TTS_MAX 512

static int fuzz_sb_rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    if (ftw->level > 0) remove(p);
    return 0;
}

static char fuzz_sb_tmp[64];

static void fuzz_sb_cleanup(void)
{
    nftw(fuzz_sb_tmp, fuzz_sb_rm, 8, FTW_DEPTH | FTW_PHYS);
    rmdir(fuzz_sb_tmp);
}

/* A temporary folder made once per process (the cache and the base folder),
 * removed at exit. */
static const char *fuzz_sb_dir(void)
{
    if (!fuzz_sb_tmp[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_sb_tmp, sizeof fuzz_sb_tmp, "%s/sr-fuzz-XXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
        if (!mkdtemp(fuzz_sb_tmp)) abort();
        atexit(fuzz_sb_cleanup);
    }
    return fuzz_sb_tmp;
}

static int fuzz_sb_run(const uint8_t *data, size_t size, int tts)
{
    if (tts && size > FUZZ_SB_TTS_MAX) return 0;
    json_t *sb = fuzz_json(data, size), *tl = NULL;
    if (!sb) return 0;
    const json_t *scenes = json_object_get(sb, "scenes");
    if (!tts && json_is_object(sb)) {
        json_object_del(sb, "voiceOver");
        for (size_t i = 0; i < json_array_size(scenes); i++)
            if (json_is_object(json_array_get(scenes, i))) json_object_del(json_array_get(scenes, i), "voiceOver");
    }
    sr_compile_opts o = {.base_dir = fuzz_sb_dir(), .cache_dir = fuzz_sb_dir(), .no_media_probe = 1};
    sr_err err = {0};
    int rc = sr_compile(sb, &o, &tl, &err);
    if (rc == 0 && !tl) abort();
    if (rc != 0 && (rc > 0 || !err.msg[0])) abort(); /* an error always says what is wrong */
    json_decref(tl);
    json_decref(sb);
    if (tts) nftw(fuzz_sb_dir(), fuzz_sb_rm, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int FUZZ_ENTRY(const uint8_t *data, size_t size);
int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    return fuzz_sb_run(data, size, FUZZ_SB_TTS);
}
