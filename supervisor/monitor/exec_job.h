/* The steady monitor's Exec: it runs `corral-monitor --exec` (the runtime's
 * exec) with the init's pidfd, in a child cgroup of the container's, keeps
 * its output up to a bound, and answers with the exit code. At the timeout,
 * or when the caller hangs up, everything in that child cgroup is killed. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "supervisor/loop/eventloop.h"
#include "supervisor/monitor/steady.h"
#include "supervisor/varlink/server.h"
#include "common/json_get.h"

#define EXEC_MAX_OUTPUT (1u << 20) /* per stream */

typedef struct exec_job exec_job;

/* An Exec call's parameters, checked; it borrows from them. */
typedef struct exec_request {
	yajl_val command, env; /* arrays of strings; env NULL when absent */
	const char *cwd, *user;
	long long timeout; /* seconds; 0: none */
} exec_request;

/* Check io.corral.Monitor.Exec's parameters into *req; *f says what is wrong. */
int exec_request_parse(yajl_val params, exec_request *req, json_fault *f);
/* Run it for call, which the job keeps and answers once the command ended;
 * -errno, the call left to the caller, when it cannot run it. */
int exec_job_start(exec_job **list, el_loop *loop, const monitor_steady_opts *o, vl_call *call,
		   const exec_request *req);
/* The monitor reaped pid: true if it was one of the list's runners. */
bool exec_job_reaped(exec_job **list, pid_t pid, int status);
/* The container has ended: kill whatever the execs still run. */
void exec_job_kill_all(exec_job *list);
