/* ctr_top.c: Top: the processes of a container's cgroup (and of its execs'
 * child cgroups), read from /proc as ps reads them: PID as the container sees
 * it (the last NSpid), USER by the container's own /etc/passwd, TIME the CPU
 * time used, COMMAND its command line; or, as Docker's top runs ps -ef on the
 * host, UID PID PPID C STIME TTY TIME CMD with the host's pids. */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

vl_method_fn sv_top, sv_port;
