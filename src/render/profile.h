/* profile.h - (private to the engine) CPU clocks for the render's profile
 * (sr_render_profile in engine.h). */
#ifndef SR_PROFILE_H
#define SR_PROFILE_H

/* CPU seconds the calling thread has used. */
double sr_cpu_thread(void);
/* CPU seconds the whole process has used. */
double sr_cpu_process(void);

#endif
