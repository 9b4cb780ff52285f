/* Stats: a running container's figures, read from the files of its cgroup
 * (cpu.stat, memory.current, pids.current, io.stat, ...). */
#pragma once
#include <yajl/yajl_gen.h>

/* The Stats object of the container id whose cgroup is dir; a
 * figure its cgroup does not keep is 0, or null for a limit. */
void ctr_stats_gen(yajl_gen g, const char *dir, const char *id);
