/* The job methods of io.corral.Supervisor (job_methods.c). */
#pragma once
#include "supervisor/daemon/jobs/job_run.h"
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

vl_method_fn sv_job_submit, sv_job_batch, sv_job_list, sv_job_inspect, sv_job_wait, sv_job_cancel, sv_job_logs;

/* The call is answered with the job once it has finished. */
int job_add_waiter(job *j, vl_call *call);
