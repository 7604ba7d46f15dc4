/* profile.c - the render profile's clocks and its one-line report. */
#include "render/profile.h"

#include <stdio.h>
#include <time.h>

#include "render/engine.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return 0;
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

double sr_cpu_thread(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

double sr_cpu_process(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

void sr_render_profile_print(const sr_render_profile *p, FILE *fp)
{
    fprintf(fp,
            "profile: {\"wall_s\": %.3f, \"cpu_s\": %.3f, \"compose_s\": %.3f, \"text_s\": %.3f, \"audio_s\": %.3f, "
            "\"encode_s\": %.3f, \"frames\": %lld, \"stills_drawn\": %lld, \"stills_reused\": %lld, "
            "\"sampled_px\": %lld, \"mixed_px\": %lld, \"copied_px\": %lld, \"simd\": \"%s\"}\n",
            p->wall_s, p->cpu_s, p->compose_s, p->text_s, p->audio_s, p->encode_s, (long long)p->frames,
            (long long)p->stills_drawn, (long long)p->stills_reused, (long long)p->sampled_px,
            (long long)p->mixed_px, (long long)p->copied_px, p->simd ? p->simd : "");
}
