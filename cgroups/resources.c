/* linux.resources: parse and validate fully, before anything is created, so
 * that a bad value fails `create` with the JSON path that holds it. */
#include "resources.h"
#include "resources_int.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P "linux.resources"

/* An integer member within [min, max] into o, which it sets when given. */
static int opt_int(yajl_val obj, const char *path, const char *key, unsigned flags, int64_t min, int64_t max,
		   struct cg_opt64 *o, json_fault *jf)
{
	long long x;
	bool given;
	int r = json_get_int_in(obj, path, key, flags, min, max, &x, &given, jf);
	if (r == 0 && given)
		*o = (struct cg_opt64){ true, x };
	return r;
}

/* The same for a non-negative one (max at most INT64_MAX). */
static int opt_uint(yajl_val obj, const char *path, const char *key, unsigned flags, uint64_t min, uint64_t max,
		    struct cg_opt64 *o, json_fault *jf)
{
	uint64_t x;
	bool given;
	int r = json_get_uint_in(obj, path, key, flags, min, max, &x, &given, jf);
	if (r == 0 && given)
		*o = (struct cg_opt64){ true, (int64_t)x };
	return r;
}

/* "0-3,5" as cpuset.cpus accepts it: numbers and ranges, comma-separated. */
static bool cpulist_ok(const char *s)
{
	const char *p = s;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return false;
		char *end;
		unsigned long a = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return false;
			unsigned long b = strtoul(p, &end, 10);
			if (b < a)
				return false;
			p = end;
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return false;
	}
	return true;
}

/* memory.swap is memory+swap (v1 semantics); v2 wants swap alone. This is
 * runc's ConvertMemorySwapToCgroupV2Value. 0 leaves it unset. */
static int convert_swap(struct cg_resources *r, cerr *err)
{
	if (!r->mem_swap.set)
		return 0;
	int64_t swap = r->mem_swap.v, mem = r->mem_limit.set ? r->mem_limit.v : 0;
	if (mem == -1 && swap == 0) {
		r->mem_swap.v = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		r->mem_swap.set = swap != 0;
		return 0;
	}
	if (mem == 0 || mem == -1)
		return cerr_set(err, EINVAL, P ".memory.swap: cannot limit swap without memory.limit");
	if (swap < mem)
		return cerr_set(err, EINVAL,
				P ".memory.swap: %" PRId64 " must be >= memory.limit %" PRId64 " (it counts memory+swap)",
				swap, mem);
	r->mem_swap.v = swap - mem;
	return 0;
}

static int parse_memory(yajl_val res, struct cg_resources *r, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val m;
	const char *p = P ".memory";
	int e = json_get_object(res, P, "memory", 0, &m, &jf);
	if (e < 0 || !m)
		return e;
	struct cg_opt64 ignored = { 0 };
	if ((e = opt_int(m, p, "limit", 0, -1, INT64_MAX, &r->mem_limit, &jf)) < 0 ||
	    (e = opt_int(m, p, "reservation", 0, -1, INT64_MAX, &r->mem_reservation, &jf)) < 0 ||
	    (e = opt_int(m, p, "swap", 0, -1, INT64_MAX, &r->mem_swap, &jf)) < 0 ||
	    /* v1-only knobs: type-checked, then ignored as runc does on v2 */
	    (e = opt_int(m, p, "kernel", 0, -1, INT64_MAX, &ignored, &jf)) < 0 ||
	    (e = opt_int(m, p, "kernelTCP", 0, -1, INT64_MAX, &ignored, &jf)) < 0 ||
	    (e = opt_uint(m, p, "swappiness", 0, 0, UINT64_MAX >> 1, &ignored, &jf)) < 0)
		return e;
	bool b;
	if ((e = json_get_bool(m, p, "disableOOMKiller", 0, &b, NULL, &jf)) < 0 ||
	    (e = json_get_bool(m, p, "useHierarchy", 0, &b, NULL, &jf)) < 0 ||
	    (e = json_get_bool(m, p, "checkBeforeUpdate", 0, &b, NULL, &jf)) < 0)
		return e;
	/* 0 means "not set" for these, as in runc */
	r->mem_limit.set &= r->mem_limit.v != 0;
	r->mem_reservation.set &= r->mem_reservation.v != 0;
	return convert_swap(r, err);
}

static int parse_cpu(yajl_val res, struct cg_resources *r, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val c;
	const char *p = P ".cpu";
	int e = json_get_object(res, P, "cpu", 0, &c, &jf);
	if (e < 0 || !c)
		return e;
	struct cg_opt64 rt_rt = { 0 }, rt_p = { 0 };
	if ((e = opt_uint(c, p, "shares", 0, 0, 262144, &r->cpu_shares, &jf)) < 0 ||
	    (e = opt_int(c, p, "quota", 0, -1, INT64_MAX, &r->cpu_quota, &jf)) < 0 ||
	    (e = opt_uint(c, p, "period", 0, 0, 1000000, &r->cpu_period, &jf)) < 0 ||
	    (e = opt_uint(c, p, "burst", 0, 0, UINT64_MAX >> 1, &r->cpu_burst, &jf)) < 0 ||
	    (e = opt_int(c, p, "idle", 0, 0, 1, &r->cpu_idle, &jf)) < 0 ||
	    (e = opt_int(c, p, "realtimeRuntime", 0, INT64_MIN, INT64_MAX, &rt_rt, &jf)) < 0 ||
	    (e = opt_uint(c, p, "realtimePeriod", 0, 0, UINT64_MAX >> 1, &rt_p, &jf)) < 0)
		return e;
	if (rt_rt.v || rt_p.v)
		return cerr_set(err, ENOTSUP, "%s.%s: real-time scheduling is not supported by cgroup v2", p,
				rt_rt.v ? "realtimeRuntime" : "realtimePeriod");
	r->cpu_shares.set &= r->cpu_shares.v != 0;
	if (r->cpu_shares.set && r->cpu_shares.v < 2)
		return cerr_set(err, ERANGE, "%s.shares: %" PRId64 " is out of range [2, 262144]", p,
				r->cpu_shares.v);
	r->cpu_quota.set &= r->cpu_quota.v != 0;
	if (r->cpu_quota.set && r->cpu_quota.v > 0 && r->cpu_quota.v < 1000)
		return cerr_set(err, ERANGE, "%s.quota: %" PRId64 " is below the kernel's minimum of 1000 (us)",
				p, r->cpu_quota.v);
	r->cpu_period.set &= r->cpu_period.v != 0;
	if (r->cpu_period.set && r->cpu_period.v < 1000)
		return cerr_set(err, ERANGE, "%s.period: %" PRId64 " is out of range [1000, 1000000] (us)", p,
				r->cpu_period.v);
	if ((e = json_dup_str(c, p, "cpus", JSON_BOUNDED, &r->cpus, &jf)) < 0 ||
	    (e = json_dup_str(c, p, "mems", JSON_BOUNDED, &r->mems, &jf)) < 0)
		return e;
	if (r->cpus && !cpulist_ok(r->cpus))
		return cerr_set(err, EINVAL, "%s.cpus: \"%s\" is not a CPU list such as \"0-2,4\"", p, r->cpus);
	if (r->mems && !cpulist_ok(r->mems))
		return cerr_set(err, EINVAL, "%s.mems: \"%s\" is not a node list such as \"0-1\"", p, r->mems);
	return 0;
}

static int parse_pids(yajl_val res, struct cg_resources *r, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int e = json_get_object(res, P, "pids", 0, &o, &jf);
	if (e < 0 || !o)
		return e;
	return opt_int(o, P ".pids", "limit", JSON_REQUIRED, INT64_MIN, INT64_MAX, &r->pids_limit, &jf);
}

static int parse_major_minor(yajl_val d, const char *path, int64_t *maj, int64_t *min, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	struct cg_opt64 a = { 0 }, b = { 0 };
	int e;
	if ((e = opt_int(d, path, "major", JSON_REQUIRED, 0, UINT32_MAX, &a, &jf)) < 0 ||
	    (e = opt_int(d, path, "minor", JSON_REQUIRED, 0, UINT32_MAX, &b, &jf)) < 0)
		return e;
	*maj = a.v;
	*min = b.v;
	return 0;
}

static int parse_blockio(yajl_val res, struct cg_resources *r, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val b, a;
	const char *p = P ".blockIO";
	int e = json_get_object(res, P, "blockIO", 0, &b, &jf);
	if (e < 0 || !b)
		return e;
	struct cg_opt64 leaf = { 0 };
	if ((e = opt_uint(b, p, "weight", 0, 0, 1000, &r->blkio_weight, &jf)) < 0 ||
	    (e = opt_uint(b, p, "leafWeight", 0, 0, 1000, &leaf, &jf)) < 0)
		return e;
	r->blkio_weight.set &= r->blkio_weight.v != 0;
	if (r->blkio_weight.set && r->blkio_weight.v < 10)
		return cerr_set(err, ERANGE, "%s.weight: %" PRId64 " is out of range [10, 1000]", p,
				r->blkio_weight.v);
	if ((e = json_get_array(b, p, "weightDevice", 0, CG_MAX_ENTRIES, &a, &jf)) < 0)
		return e;
	if (a && a->u.array.len) {
		r->weight_devs = calloc(a->u.array.len, sizeof(*r->weight_devs));
		if (!r->weight_devs)
			return cerr_set(err, ENOMEM, "out of memory");
		for (size_t i = 0; i < a->u.array.len; i++) {
			char ip[96];
			snprintf(ip, sizeof(ip), "%s.weightDevice[%zu]", p, i);
			yajl_val d = a->u.array.values[i];
			if (!YAJL_IS_OBJECT(d))
				return json_want(d, yajl_t_object, ip, &jf);
			struct cg_weight_dev *w = &r->weight_devs[r->n_weight_devs++];
			if ((e = parse_major_minor(d, ip, &w->major, &w->minor, err)) < 0 ||
			    (e = opt_uint(d, ip, "weight", 0, 10, 1000, &w->weight, &jf)) < 0 ||
			    (e = opt_uint(d, ip, "leafWeight", 0, 0, 1000, &leaf, &jf)) < 0)
				return e;
		}
	}
	static const char *const keys[CG_THROTTLE_N] = {
		[CG_RBPS] = "throttleReadBpsDevice", [CG_WBPS] = "throttleWriteBpsDevice",
		[CG_RIOPS] = "throttleReadIOPSDevice", [CG_WIOPS] = "throttleWriteIOPSDevice",
	};
	for (int k = 0; k < CG_THROTTLE_N; k++) {
		if ((e = json_get_array(b, p, keys[k], 0, CG_MAX_ENTRIES, &a, &jf)) < 0)
			return e;
		if (!a || !a->u.array.len)
			continue;
		struct cg_throttle_dev *t = realloc(r->throttle, (r->n_throttle + a->u.array.len) * sizeof(*t));
		if (!t)
			return cerr_set(err, ENOMEM, "out of memory");
		r->throttle = t;
		for (size_t i = 0; i < a->u.array.len; i++) {
			char ip[96];
			snprintf(ip, sizeof(ip), "%s.%s[%zu]", p, keys[k], i);
			yajl_val d = a->u.array.values[i];
			if (!YAJL_IS_OBJECT(d))
				return json_want(d, yajl_t_object, ip, &jf);
			struct cg_throttle_dev *x = &r->throttle[r->n_throttle];
			struct cg_opt64 rate = { 0 };
			if ((e = parse_major_minor(d, ip, &x->major, &x->minor, err)) < 0 ||
			    (e = opt_uint(d, ip, "rate", JSON_REQUIRED, 0, UINT64_MAX >> 1, &rate, &jf)) < 0)
				return e;
			x->kind = (enum cg_throttle)k;
			x->rate = (uint64_t)rate.v;
			r->n_throttle++;
		}
	}
	return 0;
}

static bool pagesize_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");
	return n > 0 && s[0] != '0' && (streq(s + n, "KB") || streq(s + n, "MB") || streq(s + n, "GB"));
}

static int parse_hugepages(yajl_val res, struct cg_resources *r, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val a;
	int e = json_get_array(res, P, "hugepageLimits", 0, CG_MAX_ENTRIES, &a, &jf);
	if (e < 0 || !a || !a->u.array.len)
		return e;
	r->hugepages = calloc(a->u.array.len, sizeof(*r->hugepages));
	if (!r->hugepages)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < a->u.array.len; i++) {
		char ip[64];
		snprintf(ip, sizeof(ip), P ".hugepageLimits[%zu]", i);
		yajl_val d = a->u.array.values[i];
		if (!YAJL_IS_OBJECT(d))
			return json_want(d, yajl_t_object, ip, &jf);
		struct cg_hugepage *h = &r->hugepages[r->n_hugepages++];
		struct cg_opt64 lim = { 0 };
		if ((e = json_dup_str(d, ip, "pageSize", JSON_BOUNDED, &h->size, &jf)) < 0 ||
		    (e = opt_uint(d, ip, "limit", 0, 0, UINT64_MAX >> 1, &lim, &jf)) < 0)
			return e;
		if (!h->size || !pagesize_ok(h->size))
			return cerr_set(err, EINVAL, "%s.pageSize: must be a size such as \"2MB\" or \"1GB\"", ip);
		if (!lim.set)
			return cerr_set(err, EINVAL, "%s.limit: is required", ip);
		h->limit = (uint64_t)lim.v;
	}
	return 0;
}

static int kv_push(struct cg_kv **v, size_t *n, const char *k, char *val, cerr *err)
{
	struct cg_kv *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		free(val);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*v = nv;
	nv[*n].key = strdup(k);
	nv[*n].val = val;
	(*n)++;
	return nv[*n - 1].key ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

static int parse_rdma(yajl_val res, struct cg_resources *r, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int e = json_get_object(res, P, "rdma", 0, &o, &jf);
	if (e < 0 || !o)
		return e;
	if (o->u.object.len > CG_MAX_ENTRIES)
		return cerr_set(err, E2BIG, P ".rdma: more than %d devices", CG_MAX_ENTRIES);
	for (size_t i = 0; i < o->u.object.len; i++) {
		const char *dev = o->u.object.keys[i];
		char ip[128];
		snprintf(ip, sizeof(ip), P ".rdma.%.64s", dev);
		if (!*dev || strlen(dev) > 64 || strpbrk(dev, " \t\n=/"))
			return cerr_set(err, EINVAL, "%s: not a valid RDMA device name", ip);
		yajl_val d = o->u.object.values[i];
		if (!YAJL_IS_OBJECT(d))
			return json_want(d, yajl_t_object, ip, &jf);
		struct cg_opt64 h = { 0 }, ob = { 0 };
		if ((e = opt_uint(d, ip, "hcaHandles", 0, 0, UINT32_MAX, &h, &jf)) < 0 ||
		    (e = opt_uint(d, ip, "hcaObjects", 0, 0, UINT32_MAX, &ob, &jf)) < 0)
			return e;
		if (!h.set && !ob.set)
			continue;
		char *val = NULL;
		char hs[32] = "", os[32] = "";
		if (h.set)
			snprintf(hs, sizeof(hs), "hca_handle=%" PRId64, h.v);
		if (ob.set)
			snprintf(os, sizeof(os), "hca_object=%" PRId64, ob.v);
		if (asprintf(&val, "%s%s%s", hs, h.set && ob.set ? " " : "", os) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		if ((e = kv_push(&r->rdma, &r->n_rdma, dev, val, err)) < 0)
			return e;
	}
	return 0;
}

/* Files that belong to the supervisor, not the container's configuration. */
static const char *const unified_denied[] = {
	"cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.kill",
	"cgroup.type", "cgroup.events", "cgroup.controllers", "cgroup.stat",
};

/* "controller.knob": lowercase, digits, '_' and '.', one dot at least. */
static bool unified_key_ok(const char *k)
{
	const char *dot = strchr(k, '.');
	if (!dot || dot == k || !dot[1] || strlen(k) > 128)
		return false;
	for (const char *p = k; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' && *p != '.')
			return false;
	return !strstr(k, "..");
}

static int parse_unified(yajl_val res, struct cg_resources *r, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int e = json_get_object(res, P, "unified", 0, &o, &jf);
	if (e < 0 || !o)
		return e;
	if (o->u.object.len > CG_MAX_ENTRIES)
		return cerr_set(err, E2BIG, P ".unified: more than %d keys", CG_MAX_ENTRIES);
	for (size_t i = 0; i < o->u.object.len; i++) {
		const char *k = o->u.object.keys[i];
		if (!unified_key_ok(k))
			return cerr_set(err, EINVAL, P ".unified: \"%.128s\" is not a cgroup file name such as \"memory.high\"", k);
		for (size_t j = 0; j < ARRAY_SIZE(unified_denied); j++)
			if (streq(k, unified_denied[j]))
				return cerr_set(err, EPERM, P ".unified.%s: this file is managed by corral", k);
		yajl_val v = o->u.object.values[i];
		char path[JSON_PATH_MAX];
		if (json_want(v, yajl_t_string, json_path(path, P ".unified", k), &jf) < 0)
			return -EINVAL;
		if (strlen(v->u.string) > JSON_STR_MAX)
			return json_fault_set(&jf, E2BIG, path, "longer than %d bytes", JSON_STR_MAX);
		char *val = strdup(v->u.string);
		if (!val)
			return cerr_set(err, ENOMEM, "out of memory");
		if ((e = kv_push(&r->unified, &r->n_unified, k, val, err)) < 0)
			return e;
	}
	return 0;
}

static int parse_access(const char *s, unsigned *out)
{
	unsigned a = 0;
	for (const char *p = s; *p; p++) {
		unsigned bit = *p == 'r' ? CG_DEV_READ : *p == 'w' ? CG_DEV_WRITE : *p == 'm' ? CG_DEV_MKNOD : 0;
		if (!bit || (a & bit))
			return -EINVAL;
		a |= bit;
	}
	*out = a;
	return 0;
}

static int parse_devices(yajl_val res, struct cg_resources *r, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val a;
	int e = json_get_array(res, P, "devices", 0, CG_MAX_ENTRIES, &a, &jf);
	if (e < 0 || !a)
		return e;
	r->has_devices = true;
	if (!a->u.array.len)
		return 0;
	r->devices = calloc(a->u.array.len, sizeof(*r->devices));
	if (!r->devices)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < a->u.array.len; i++) {
		char ip[64];
		snprintf(ip, sizeof(ip), P ".devices[%zu]", i);
		yajl_val d = a->u.array.values[i];
		if (!YAJL_IS_OBJECT(d))
			return json_want(d, yajl_t_object, ip, &jf);
		struct cg_dev_rule *x = &r->devices[r->n_devices++];
		if ((e = json_get_bool(d, ip, "allow", JSON_REQUIRED, &x->allow, NULL, &jf)) < 0)
			return e;
		_cleanup_free_ char *type = NULL, *access = NULL;
		if ((e = json_dup_str(d, ip, "type", JSON_BOUNDED, &type, &jf)) < 0 || (e = json_dup_str(d, ip, "access", JSON_BOUNDED, &access, &jf)) < 0)
			return e;
		x->type = type ? type[0] : 'a';
		if (type && (strlen(type) != 1 || !strchr("abc", x->type)))
			return cerr_set(err, EINVAL, "%s.type: must be \"a\", \"b\" or \"c\"", ip);
		if (parse_access(access ? access : "rwm", &x->access) < 0)
			return cerr_set(err, EINVAL, "%s.access: must be made of \"r\", \"w\" and \"m\"", ip);
		struct cg_opt64 maj = { true, -1 }, min = { true, -1 };
		if ((e = opt_int(d, ip, "major", 0, -1, UINT32_MAX, &maj, &jf)) < 0 ||
		    (e = opt_int(d, ip, "minor", 0, -1, UINT32_MAX, &min, &jf)) < 0)
			return e;
		x->major = maj.v;
		x->minor = min.v;
	}
	return 0;
}

int cg_resources_parse(yajl_val v, struct cg_resources **out, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	*out = NULL;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (json_want(v, yajl_t_object, P, &jf) < 0)
		return -EINVAL;
	struct cg_resources *r = calloc(1, sizeof(*r));
	if (!r)
		return cerr_set(err, ENOMEM, "out of memory");
	yajl_val net;
	int e;
	if ((e = parse_memory(v, r, err)) < 0 || (e = parse_cpu(v, r, err)) < 0 ||
	    (e = parse_pids(v, r, err)) < 0 || (e = parse_blockio(v, r, err)) < 0 ||
	    (e = parse_hugepages(v, r, err)) < 0 || (e = parse_rdma(v, r, err)) < 0 ||
	    (e = parse_unified(v, r, err)) < 0 || (e = parse_devices(v, r, err)) < 0 ||
	    /* classID and priorities are v1 net_cls/net_prio: ignored, as by runc */
	    (e = json_get_object(v, P, "network", 0, &net, &jf)) < 0) {
		cg_resources_free(r);
		return e;
	}
	*out = r;
	return 0;
}

void cg_resources_free(struct cg_resources *r)
{
	if (!r)
		return;
	free(r->cpus);
	free(r->mems);
	free(r->weight_devs);
	free(r->throttle);
	for (size_t i = 0; i < r->n_hugepages; i++)
		free(r->hugepages[i].size);
	free(r->hugepages);
	for (size_t i = 0; i < r->n_rdma; i++) {
		free(r->rdma[i].key);
		free(r->rdma[i].val);
	}
	free(r->rdma);
	for (size_t i = 0; i < r->n_unified; i++) {
		free(r->unified[i].key);
		free(r->unified[i].val);
	}
	free(r->unified);
	free(r->devices);
	free(r);
}

static void add_ctl(char *buf, size_t len, const char *c)
{
	/* keep the list unique */
	size_t cl = strlen(c);
	for (const char *p = buf; (p = strstr(p, c)); p += cl)
		if ((p == buf || p[-1] == ' ') && (p[cl] == ' ' || !p[cl]))
			return;
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s%s", n ? " " : "", c);
}

const char *cg_resources_controllers(const struct cg_resources *r, char *buf, size_t len)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	if (!r)
		return buf;
	bool shares = r->cpu_shares.set && r->cpu_shares.v != CG_DEFAULT_SHARES;
	if (shares || r->cpu_quota.set || r->cpu_period.set || r->cpu_burst.set || r->cpu_idle.set)
		add_ctl(buf, len, "cpu");
	if ((r->cpus && *r->cpus) || (r->mems && *r->mems))
		add_ctl(buf, len, "cpuset");
	if (r->blkio_weight.set || r->n_weight_devs || r->n_throttle)
		add_ctl(buf, len, "io");
	if (r->mem_limit.set || r->mem_reservation.set || r->mem_swap.set)
		add_ctl(buf, len, "memory");
	/* 0 or less is no limit, a new cgroup's own: it needs no controller */
	if (r->pids_limit.set && r->pids_limit.v > 0)
		add_ctl(buf, len, "pids");
	if (r->n_hugepages)
		add_ctl(buf, len, "hugetlb");
	if (r->n_rdma)
		add_ctl(buf, len, "rdma");
	for (size_t i = 0; i < r->n_unified; i++) {
		char ctl[130];
		snprintf(ctl, sizeof(ctl), "%s", r->unified[i].key);
		ctl[strcspn(ctl, ".")] = '\0';
		if (!streq(ctl, "cgroup"))
			add_ctl(buf, len, ctl);
	}
	return buf;
}

bool cg_resources_empty(const struct cg_resources *r)
{
	char buf[8];
	return !r || !cg_resources_controllers(r, buf, sizeof(buf))[0];
}

int cg_resources_devices(const struct cg_resources *r, const struct cg_dev_rule **rules, size_t *n)
{
	*rules = NULL;
	*n = 0;
	if (!r || !r->has_devices)
		return 0;
	*rules = r->devices;
	*n = r->n_devices;
	return 1;
}
