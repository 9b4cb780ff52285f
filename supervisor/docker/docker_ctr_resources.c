/* Docker's resources and restart policy in corral's words: HostConfig's
 * at create, UpdateConfig's at update (where a zero is "unchanged"). */
#include "supervisor/docker/docker_ctr_resources.h"
#include "supervisor/shape/words.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

const char *dk_restart_text(yajl_val policy, char *buf, size_t n)
{
	const char *name = dk_str(policy, "Name");
	long long max = dk_int(policy, "MaximumRetryCount", 0);
	if (streq(name, "on-failure") && max > 0)
		snprintf(buf, n, "on-failure:%lld", max);
	else
		snprintf(buf, n, "%s", name);
	return buf;
}

bool dk_gen_resources(yajl_gen g, yajl_val obj)
{
	long long mem = dk_int(obj, "Memory", 0), nano = dk_int(obj, "NanoCpus", 0);
	long long quota = dk_int(obj, "CpuQuota", 0), period = dk_int(obj, "CpuPeriod", 0);
	long long pids = dk_int(obj, "PidsLimit", 0), shares = dk_int(obj, "CpuShares", 0);
	long long oom = dk_int(obj, "OomScoreAdj", 0);
	long long swap = dk_int(obj, "MemorySwap", 0), reserve = dk_int(obj, "MemoryReservation", 0);
	const char *cpuset = dk_str(obj, "CpusetCpus"), *mems = dk_str(obj, "CpusetMems");
	double cpus = nano > 0 ? nano / 1e9 : quota > 0 ? (double)quota / (period > 0 ? period : 100000) : 0;
	if (mem <= 0 && cpus <= 0 && pids <= 0 && shares <= 0 && !oom && !*cpuset && !*mems && !swap && reserve <= 0)
		return false;
	jg_key(g, "resources");
	yajl_gen_map_open(g);
	if (mem > 0)
		jg_key_int(g, "memory", mem);
	if (swap > 0 || swap == -1) /* 0: none, or unchanged */
		jg_key_int(g, "memorySwap", swap);
	if (reserve > 0)
		jg_key_int(g, "memoryReservation", reserve);
	if (cpus > 0) {
		jg_key(g, "cpus");
		yajl_gen_double(g, cpus);
	}
	if (pids > 0)
		jg_key_int(g, "pids", pids);
	if (shares > 0)
		jg_key_int(g, "cpuShares", shares);
	if (oom)
		jg_key_int(g, "oomScoreAdj", oom);
	if (*cpuset)
		jg_key_str(g, "cpusetCpus", cpuset);
	if (*mems)
		jg_key_str(g, "cpusetMems", mems);
	yajl_gen_map_close(g);
	return true;
}
