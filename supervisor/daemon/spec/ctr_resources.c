/* A ContainerSpec's resources, as Create and Update take them: memory,
 * cpus, pids, kubelet's cpu shares, cpusets and OOM score, hugepage limits,
 * and cgroup v2 files by name (unified, root's alone: ctr_create.c). Each
 * not given stays unset (memory and pids -1, the rest 0 or NULL). */
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/spec/ctr_resources.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HUGEPAGES_MAX 8
#define UNIFIED_MAX 64

/* "2MB", "1GB", "64KB": the kernel's hugetlb.<size>.max names */
static bool page_size_ok(const char *v)
{
	size_t n = strlen(v), d = strspn(v, "0123456789");
	return d > 0 && d < 8 && n == d + 2 && strchr("KMG", v[d]) && v[d + 1] == 'B';
}

static int read_hugepage(yajl_val e, const char *q, void *slot, void *ud, json_fault *f)
{
	struct ctr_hugepages *h = slot;
	const char *size;
	char k[JSON_PATH_MAX];
	int r;
	if ((r = json_want(e, yajl_t_object, q, f)) < 0 || (r = json_get_str(e, q, "pageSize", JSON_REQUIRED, &size, f)) < 0 ||
	    (r = json_get_int_in(e, q, "limit", JSON_REQUIRED, 0, (long long)1 << 60, &h->limit, NULL, f)) < 0)
		return r;
	if (!page_size_ok(size))
		return json_fault_set(f, EINVAL, json_path(k, q, "pageSize"), "\"%.32s\": a size as 2MB or 1GB", size);
	snprintf(h->page_size, sizeof(h->page_size), "%s", size);
	((ctr_spec *)ud)->n_hugepages++;
	return 0;
}

static int get_hugepages(yajl_val res, const char *path, ctr_spec *s, json_fault *f)
{
	char p[JSON_PATH_MAX];
	const ctr_spec_array a = { json_path(p, path, "hugepageLimits"), "an array of {pageSize, limit}", HUGEPAGES_MAX,
				   sizeof(*s->hugepages), read_hugepage };
	return CTR_SPEC_EACH(json_get(res, "hugepageLimits"), &a, s->hugepages, s, f);
}

/* a file of the container's own cgroup: "controller.name", no path */
static bool unified_key_ok(const char *k)
{
	size_t n = strlen(k);
	const char *dot = strchr(k, '.');
	return n < 128 && dot && dot != k && dot[1] && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_.") == n;
}

static int get_unified(yajl_val res, const char *path, ctr_spec *s, json_fault *f)
{
	char p[JSON_PATH_MAX], q[JSON_PATH_MAX];
	yajl_val u = json_get(res, "unified");
	json_path(p, path, "unified");
	int r = ctr_spec_list(u, yajl_t_object, p, "an object of strings", UNIFIED_MAX, f);
	if (r <= 0)
		return r;
	if (!(s->unified = calloc(2 * u->u.object.len + 1, sizeof(char *))))
		return json_fault_oom(f);
	for (size_t i = 0; i < u->u.object.len; i++) {
		const char *k = u->u.object.keys[i];
		yajl_val v = u->u.object.values[i];
		json_path(q, p, k);
		if (!unified_key_ok(k))
			return json_fault_set(f, EINVAL, q, "not a cgroup file's name (memory.high)");
		if (!YAJL_IS_STRING(v) || strlen(v->u.string) > 4096 || strchr(v->u.string, '\n'))
			return json_fault_set(f, EINVAL, q, "a string of at most 4096 bytes, one line");
		if (!(s->unified[2 * i] = strdup(k)) || !(s->unified[2 * i + 1] = strdup(v->u.string)))
			return json_fault_oom(f);
	}
	return 0;
}

int ctr_spec_parse_resources(yajl_val v, const char *p, ctr_spec *s, json_fault *f)
{
	char q[JSON_PATH_MAX];
	long long x;
	bool given;
	s->memory = -1;
	s->pids = -1;
	if (json_get_int_in(v, p, "memory", 0, 4 << 20, (long long)1 << 50, &x, &given, f) < 0)
		return json_fault_reword(f, "must be an integer number of bytes, at least 4 MiB");
	if (given)
		s->memory = x;
	if (json_get_int_in(v, p, "pids", 0, 1, 4194304, &x, &given, f) < 0)
		return json_fault_reword(f, "must be an integer from 1 to 4194304");
	if (given)
		s->pids = x;
	if (json_get_int_in(v, p, "memorySwap", 0, -1, (long long)1 << 50, &s->memory_swap, NULL, f) < 0 ||
	    (s->memory_swap >= 0 && s->memory_swap < 4 << 20 && json_key(v, "memorySwap")))
		return json_fault_set(f, EINVAL, json_path(q, p, "memorySwap"),
				      "must be -1 (no limit on swap) or an integer number of bytes, at least 4 MiB");
	if (json_get_int_in(v, p, "memoryReservation", 0, 4 << 20, (long long)1 << 50, &s->memory_reservation, NULL, f) < 0)
		return json_fault_reword(f, "must be an integer number of bytes, at least 4 MiB");
	yajl_val c = json_key(v, "cpus");
	if (c && (!YAJL_IS_NUMBER(c) || YAJL_GET_DOUBLE(c) < 0.01 || YAJL_GET_DOUBLE(c) > 1024))
		return json_fault_set(f, EINVAL, json_path(q, p, "cpus"), "must be a number of CPUs from 0.01 to 1024");
	if (c)
		s->cpus = YAJL_GET_DOUBLE(c);
	/* kubelet's: shares as cgroup v1 counts them (the runtime turns them
	 * into cpu.weight), the cpusets, the OOM score */
	long long oom = 0;
	if (json_get_int_in(v, p, "cpuShares", 0, 2, 262144, &s->cpu_shares, NULL, f) < 0)
		return json_fault_reword(f, "must be an integer from 2 to 262144");
	if (json_get_int_in(v, p, "oomScoreAdj", 0, -1000, 1000, &oom, NULL, f) < 0)
		return json_fault_reword(f, "must be an integer from -1000 to 1000");
	s->oom_score_adj = (int)oom;
	int r;
	if ((r = json_dup_str(v, p, "cpusetCpus", 0, &s->cpuset_cpus, f)) < 0 ||
	    (r = json_dup_str(v, p, "cpusetMems", 0, &s->cpuset_mems, f)) < 0)
		return r;
	const char *sets[] = { s->cpuset_cpus, s->cpuset_mems };
	for (size_t i = 0; i < 2; i++)
		if (sets[i] && (!*sets[i] || strlen(sets[i]) > 256 || strspn(sets[i], "0123456789,-") != strlen(sets[i])))
			return json_fault_set(f, EINVAL, json_path(q, p, i ? "cpusetMems" : "cpusetCpus"),
					      "a list of numbers and ranges (0-3,8)");
	return (r = get_hugepages(v, p, s, f)) < 0 ? r : get_unified(v, p, s, f);
}

int ctr_spec_check_memory(const ctr_spec *s, const char *p, json_fault *f)
{
	char q[JSON_PATH_MAX];
	if (s->memory_swap > 0 && s->memory < 0)
		return json_fault_set(f, EINVAL, json_path(q, p, "memorySwap"), "needs memory: it counts memory plus swap");
	if (s->memory_swap > 0 && s->memory_swap < s->memory)
		return json_fault_set(f, EINVAL, json_path(q, p, "memorySwap"),
				      "%lld is below memory %lld: it counts memory plus swap", (long long)s->memory_swap,
				      (long long)s->memory);
	if (s->memory_reservation > 0 && s->memory >= 0 && s->memory_reservation > s->memory)
		return json_fault_set(f, EINVAL, json_path(q, p, "memoryReservation"), "%lld is above memory %lld",
				      (long long)s->memory_reservation, (long long)s->memory);
	return 0;
}

void ctr_spec_release_resources(ctr_spec *s)
{
	free(s->cpuset_cpus);
	free(s->cpuset_mems);
	free(s->hugepages);
	strv_free(s->unified);
}
