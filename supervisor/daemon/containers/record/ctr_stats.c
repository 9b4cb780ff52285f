/* A running container's figures, read from its cgroup's files. */
#include "supervisor/daemon/containers/record/ctr_stats.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/containers/record/net_stats.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long cg_value(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char line[512];
	long long sum = key ? 0 : -1; /* a key not there (io.stat before any I/O): none yet */
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			if (!strncmp(line, "max", 3))
				return -1;
			return strtoll(line, NULL, 10);
		}
		/* "usage_usec N" lines, or io.stat's "maj:min rbytes=N wbytes=N ..." */
		size_t k = strlen(key);
		for (char *p = strstr(line, key); p; p = strstr(p + 1, key))
			if ((p == line || p[-1] == ' ') && (p[k] == ' ' || p[k] == '=')) {
				sum += strtoll(p + k + 1, NULL, 10);
				break;
			}
	}
	return sum;
}

static long long count_lines(const char *dir, const char *file)
{
	char path[PATH_MAX], line[64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	long long n = 0;
	while (f && fgets(line, sizeof(line), f))
		n++;
	return f ? n : -1;
}

/* Its CNI interfaces' counters (podman's netInput, netOutput); 0 without. */
static void net_gen(yajl_gen g, pid_t net_pid)
{
	net_if_stats ifs[NET_STATS_MAX_IFACES], t = { 0 };
	size_t n = 0;
	_cleanup_cerr_ cerr err = { 0 };
	if (net_pid > 0 && net_stats_read(net_pid, ifs, NET_STATS_MAX_IFACES, &n, &err) == 0)
		t = net_stats_total(ifs, n);
	jg_key_int(g, "netInput", (long long)t.rx_bytes);
	jg_key_int(g, "netOutput", (long long)t.tx_bytes);
	jg_key_int(g, "netInputPackets", (long long)t.rx_packets);
	jg_key_int(g, "netOutputPackets", (long long)t.tx_packets);
}

void ctr_stats_gen(yajl_gen g, const char *dir, const char *id, pid_t net_pid)
{
	long long v;
#define KV(k, x) (v = (x), jg_key_int(g, k, v < 0 ? 0 : v))
#define KVN(k, x) (v = (x), jg_key(g, k), v < 0 ? yajl_gen_null(g) : yajl_gen_integer(g, v))
	yajl_gen_map_open(g);
	jg_key_str(g, "id", id);
	KV("cpuUsageUsec", cg_value(dir, "cpu.stat", "usage_usec"));
	long long mem = cg_value(dir, "memory.current", NULL), inactive = cg_value(dir, "memory.stat", "inactive_file");
	KVN("memoryBytes", mem);
	/* what kubelet evicts by: the reclaimable page cache left out */
	KVN("memoryWorkingSet", mem < 0 || inactive < 0 ? -1 : mem > inactive ? mem - inactive : 0);
	KVN("memoryLimit", cg_value(dir, "memory.max", NULL));
	long long np = cg_value(dir, "pids.current", NULL);
	if (np < 0)
		np = count_lines(dir, "cgroup.procs");
	KV("pids", np);
	KVN("pidsLimit", cg_value(dir, "pids.max", NULL));
	KVN("ioReadBytes", cg_value(dir, "io.stat", "rbytes"));
	KVN("ioWriteBytes", cg_value(dir, "io.stat", "wbytes"));
	KV("oomKills", cg_value(dir, "memory.events", "oom_kill"));
	net_gen(g, net_pid);
	yajl_gen_map_close(g);
#undef KV
#undef KVN
}
