/* backend.h - what the store's backends share, so that they read the same
 * rows and refuse the same input (callers use store.h). */
#ifndef SR_STORE_BACKEND_H
#define SR_STORE_BACKEND_H

#include "store/store.h"

/* Column lists in the order each backend's row readers take them. */
#define SR_JOB_COLS                                                                                  \
    "id,account_id,kind,state,created_ms,updated_ms,started_ms,finished_ms,run_after_ms,lease_owner,"  \
    "lease_expires_ms,attempts,max_attempts,progress,progress_msg,error_code,error_msg,result,webhook," \
    "webhook_input"
#define SR_KEY_COLS "k.id,k.account_id,k.name,k.prefix,k.created_ms,k.revoked_ms"
#define SR_UP_COLS "id,account_id,key,content_type,max_size,size,created_ms,expires_ms,done_ms"
#define SR_TASK_COLS                                                                                 \
    "t.id,t.job_id,t.account_id,t.idx,t.state,t.attempts,t.max_attempts,t.created_ms,t.updated_ms,"     \
    "t.lease_expires_ms,t.lease_owner,t.node,t.error_code,t.error_msg,t.result"

/* Tables every storyreel database has: a database holding some but not all is not one of ours. */
extern const char *const sr_store_core_tables[];
#define SR_STORE_N_CORE 6
/* 1 when table is one of them. */
int sr_store_is_core(const char *table);

/* The checks of task_create (count, one job), task_finish (the end state) and nodes_alive (the age):
 * 0, or the error naming the field. */
int sr_store_check_tasks(const sr_task *tasks, int n, sr_err *err);
int sr_store_check_task_end(int state, sr_err *err);
int sr_store_check_age(int64_t max_age_ms, sr_err *err);

#endif
