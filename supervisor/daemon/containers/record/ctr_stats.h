/* Stats: a running container's figures, read from the files of its cgroup
 * (cpu.stat, memory.current, pids.current, io.stat, ...). */
#pragma once
#include <sys/types.h>
#include <yajl/yajl_gen.h>

/* The Stats object of the container id whose cgroup is dir; a
 * figure its cgroup does not keep is 0, or null for a limit. Its network
 * figures are those of net_pid's namespace, lo left out; 0 when net_pid
 * is 0 (a container with no network of its own). */
void ctr_stats_gen(yajl_gen g, const char *dir, const char *id, pid_t net_pid);
