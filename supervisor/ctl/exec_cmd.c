/* corralctl exec: the command's stdio through Streams (corrald's Exec
 * with "upgrade"): its output as it comes, byte for byte (the "more"
 * replies carry text, which binary output would not survive), our stdin
 * with -i, a terminal with -t. The exit code is the command's. */
#include "supervisor/ctl/ctl_attach.h"
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/exec_cmd.h"

int ctl_exec_stream(yajl_gen params, bool interactive, bool tty)
{
	/* no detach keys, and no sig-proxy: an exec ends with its client,
	 * which kills it and all it started */
	ctl_stream_opts o = { .method = M("Exec"), .params = params, .stdin = interactive, .stdin_once = true,
			      .tty = tty };
	return ctl_stream(&o);
}
