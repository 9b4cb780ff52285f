/* job_store.c: <state-dir>/jobs/<id>.json: one file a job, written atomically
 * on every change; read back at startup. */
#pragma once
#include "supervisor/daemon/jobs/job_run.h"

int job_save(job_table *t, const job *j, cerr *err);
void job_forget_file(job_table *t, const job *j);
int jobs_load(job_table *t, cerr *err);
