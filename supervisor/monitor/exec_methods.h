/* The monitor's answer to a client's io.corral.Supervisor.Exec, on the
 * client's own connection: the output kept for one reply or streamed as
 * "more" replies, then the exit code; the id of a detached exec; or why it
 * could not run. The exec (exec_session.h, exec_client.h) reports here,
 * and never holds the call. */
#pragma once
#include <stdbool.h>
#include "supervisor/loop/eventloop.h"
#include "supervisor/logs/crilog_mask.h"
#include "supervisor/monitor/exec_session.h"
#include "supervisor/monitor/steady.h"
#include "supervisor/varlink/server.h"

/* Run req for the client on fd (taken): answer its call, which srv adopts
 * from the connection, unless it speaks Streams; or tell it why the
 * command cannot run (exited: the container has). -errno when even that
 * could not be done. */
int exec_serve(exec_session **list, el_loop *loop, vl_server *srv, const monitor_steady_opts *o, bool exited, int fd,
	       const exec_request *req, const crilog_mask *mask);
