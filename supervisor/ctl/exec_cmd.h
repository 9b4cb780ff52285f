/* exec_cmd.c: corralctl exec: the command's stdio through Streams (corrald's
 * Exec with "upgrade"): its output as it comes, byte for byte (the "more"
 * replies carry text, which binary output would not survive), our stdin with
 * -i, a terminal with -t. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* exec without -d (exec_cmd.c): Exec with params (an open map, taken)
 * through Streams: its output as it comes, our stdin with -i, a terminal
 * with -t. The command's exit code. */
int ctl_exec_stream(yajl_gen params, bool interactive, bool tty);
