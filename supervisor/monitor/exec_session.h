/* The steady monitor's Exec: it runs `corral-monitor --exec` (the runtime's
 * exec) with the init's pidfd, in a child cgroup of the container's, for a
 * client whose socket corrald passed along with the call; exec_client.h
 * serves that client, and exec_methods.h answers its call. At the timeout,
 * or when the client hangs up, everything in that child cgroup is killed. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "supervisor/loop/eventloop.h"
#include "supervisor/monitor/steady.h"
#include "supervisor/monitor/exec_client.h"
#include "common/json_get.h"

/* io.corral.Monitor's Exec, as its interface describes it. */
#define EXEC_JOB_METHOD                                                                                     \
	"# the runtime's exec, confined as the container's process is, for the\n"                         \
	"# client whose socket comes along (SCM_RIGHTS): the monitor answers the\n"                        \
	"# client's io.corral.Supervisor.Exec on it (mode reply, more or detach),\n"                      \
	"# or speaks Streams on it after corrald's upgrade reply (streams); the\n"                        \
	"# command and all it started are killed at the timeout or when the\n"                            \
	"# client hangs up; with execId (ExecCreate's, hex) the monitor writes\n"                          \
	"# DIR/execs/EXECID: \"PID\\n\" once it runs, \"PID CODE\\n\" once it has ended\n"                    \
	"method Exec(command: []string, env: ?[]string, workdir: ?string, user: ?string, timeout: ?int,\n" \
	"  tty: ?bool, interactive: ?bool, mode: (reply, more, streams, detach), execId: ?string) -> ()\n" \
	"# the terminal of the running instance execId (NotRunning: none runs;\n"                         \
	"# NoTerminal: it has none)\n"                                                                      \
	"method ExecResize(execId: string, rows: int, cols: int) -> ()\n"

typedef struct exec_session exec_session;

/* An Exec call's parameters, checked; it borrows from them. */
typedef struct exec_request {
	yajl_val command, env; /* arrays of strings; env NULL when absent */
	const char *cwd, *user;
	const char *exec_id; /* ExecCreate's instance: its status goes to DIR/execs/ID; NULL: none */
	long long timeout; /* seconds; 0: none */
	long long output_max; /* EXEC_REPLY: bytes kept of each stream (at most EXEC_MAX_OUTPUT) */
	bool tty, interactive;
	exec_mode mode;
} exec_request;

/* Check io.corral.Monitor.Exec's parameters into *req; *f says what is wrong. */
int exec_request_parse(yajl_val params, exec_request *req, json_fault *f);
/* Run it for the client to (its fd taken; its call the caller's still on
 * failure), or tell the client why it cannot run (exited: the container
 * has). -errno when it could not even do that. */
int exec_session_start(exec_session **list, el_loop *loop, const monitor_steady_opts *o, bool exited,
		       const exec_request *req, const crilog_mask *mask, const exec_channel *to, cerr *err);
/* The monitor reaped pid: true if it was one of the list's runners. */
bool exec_session_reaped(exec_session **list, pid_t pid, int status);
/* ExecResize: the terminal of the running instance exec_id. -ENOENT: no
 * such instance runs; -ENOTTY: it has no terminal. */
int exec_session_resize(exec_session *list, const char *exec_id, unsigned rows, unsigned cols);
/* The container has ended: kill whatever the execs still run. */
void exec_session_kill_all(exec_session *list);
