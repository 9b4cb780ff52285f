/* The job methods of io.corral.Supervisor (job_methods.c). */
#pragma once
#include "supervisor/daemon/jobs/job_run.h"
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

int sv_job_submit(vl_call *call, yajl_val params, void *ud);
int sv_job_batch(vl_call *call, yajl_val params, void *ud);
int sv_job_list(vl_call *call, yajl_val params, void *ud);
int sv_job_inspect(vl_call *call, yajl_val params, void *ud);
int sv_job_wait(vl_call *call, yajl_val params, void *ud);
int sv_job_cancel(vl_call *call, yajl_val params, void *ud);
int sv_job_logs(vl_call *call, yajl_val params, void *ud);

/* The call is answered with the job once it has finished. */
int job_add_waiter(job *j, vl_call *call);
