/* job_adopt.c: Jobs that were running when corrald went: each finds its
 * container again and goes on from where it was. */
#pragma once
#include "supervisor/daemon/jobs/job_run.h"

/* job_adopt.c: a job that was running when corrald went goes on.
 * job_run.c and job_adopt.c call each other: jobs_init resumes each such
 * job, and it goes on through the steps above. */
void job_resume(job *j);
