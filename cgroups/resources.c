/* linux.resources: parse and validate fully, before anything is created, so
 * that a bad value fails `create` with the JSON path that holds it. */
#include "resources.h"
#include "resources_int.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P "linux.resources"

static bool absent(yajl_val v) { return !v || YAJL_IS_NULL(v); }

/* An optional object member; NULL when absent. */
static int get_obj(yajl_val parent, const char *key, const char *path, yajl_val *out, cerr *err)
{
	yajl_val v = json_get(parent, key);
	*out = NULL;
	if (absent(v))
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return cerr_set(err, EINVAL, "%s.%s: must be an object, not %s", path, key, json_type_name(v));
	*out = v;
	return 0;
}

static int get_arr(yajl_val parent, const char *key, const char *path, yajl_val *out, cerr *err)
{
	yajl_val v = json_get(parent, key);
	*out = NULL;
	if (absent(v))
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return cerr_set(err, EINVAL, "%s.%s: must be an array, not %s", path, key, json_type_name(v));
	if (v->u.array.len > CG_MAX_ENTRIES)
		return cerr_set(err, E2BIG, "%s.%s: more than %d entries", path, key, CG_MAX_ENTRIES);
	*out = v;
	return 0;
}

/* A signed integer member in [min,max]. */
static int get_i64(yajl_val obj, const char *key, const char *path, int64_t min, int64_t max,
		   struct cg_opt64 *o, cerr *err)
{
	yajl_val v = json_get(obj, key);
	if (absent(v))
		return 0;
	if (!YAJL_IS_NUMBER(v) || !YAJL_IS_INTEGER(v))
		return cerr_set(err, EINVAL, "%s.%s: must be an integer", path, key);
	long long x;
	if (!json_int_in(v, min, max, &x))
		return cerr_set(err, ERANGE, "%s.%s: %s is out of range [%" PRId64 ", %" PRId64 "]", path,
				key, v->u.number.r, min, max);
	o->set = true;
	o->v = x;
	return 0;
}

/* An unsigned integer member in [min,max] (max at most INT64_MAX). */
static int get_u64(yajl_val obj, const char *key, const char *path, uint64_t min, uint64_t max,
		   struct cg_opt64 *o, cerr *err)
{
	yajl_val v = json_get(obj, key);
	if (absent(v))
		return 0;
	uint64_t x;
	if (!json_uint64(v, &x))
		return cerr_set(err, EINVAL, "%s.%s: must be a non-negative integer", path, key);
	if (x < min || x > max)
		return cerr_set(err, ERANGE, "%s.%s: %" PRIu64 " is out of range [%" PRIu64 ", %" PRIu64 "]",
				path, key, x, min, max);
	o->set = true;
	o->v = (int64_t)x;
	return 0;
}

static int get_str(yajl_val obj, const char *key, const char *path, char **out, cerr *err)
{
	yajl_val v = json_get(obj, key);
	if (absent(v))
		return 0;
	if (!YAJL_IS_STRING(v))
		return cerr_set(err, EINVAL, "%s.%s: must be a string", path, key);
	if (strlen(v->u.string) > 4096)
		return cerr_set(err, E2BIG, "%s.%s: longer than 4096 bytes", path, key);
	*out = strdup(v->u.string);
	return *out ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

static int get_bool(yajl_val obj, const char *key, const char *path, bool *out, bool *set, cerr *err)
{
	yajl_val v = json_get(obj, key);
	if (absent(v))
		return 0;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return cerr_set(err, EINVAL, "%s.%s: must be a boolean", path, key);
	*out = YAJL_IS_TRUE(v);
	if (set)
		*set = true;
	return 0;
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
	yajl_val m;
	const char *p = P ".memory";
	int e = get_obj(res, "memory", P, &m, err);
	if (e < 0 || !m)
		return e;
	struct cg_opt64 ignored = { 0 };
	if ((e = get_i64(m, "limit", p, -1, INT64_MAX, &r->mem_limit, err)) < 0 ||
	    (e = get_i64(m, "reservation", p, -1, INT64_MAX, &r->mem_reservation, err)) < 0 ||
	    (e = get_i64(m, "swap", p, -1, INT64_MAX, &r->mem_swap, err)) < 0 ||
	    /* v1-only knobs: type-checked, then ignored as runc does on v2 */
	    (e = get_i64(m, "kernel", p, -1, INT64_MAX, &ignored, err)) < 0 ||
	    (e = get_i64(m, "kernelTCP", p, -1, INT64_MAX, &ignored, err)) < 0 ||
	    (e = get_u64(m, "swappiness", p, 0, UINT64_MAX >> 1, &ignored, err)) < 0)
		return e;
	bool b;
	if ((e = get_bool(m, "disableOOMKiller", p, &b, NULL, err)) < 0 ||
	    (e = get_bool(m, "useHierarchy", p, &b, NULL, err)) < 0 ||
	    (e = get_bool(m, "checkBeforeUpdate", p, &b, NULL, err)) < 0)
		return e;
	/* 0 means "not set" for these, as in runc */
	r->mem_limit.set &= r->mem_limit.v != 0;
	r->mem_reservation.set &= r->mem_reservation.v != 0;
	return convert_swap(r, err);
}

static int parse_cpu(yajl_val res, struct cg_resources *r, cerr *err)
{
	yajl_val c;
	const char *p = P ".cpu";
	int e = get_obj(res, "cpu", P, &c, err);
	if (e < 0 || !c)
		return e;
	struct cg_opt64 rt_rt = { 0 }, rt_p = { 0 };
	if ((e = get_u64(c, "shares", p, 0, 262144, &r->cpu_shares, err)) < 0 ||
	    (e = get_i64(c, "quota", p, -1, INT64_MAX, &r->cpu_quota, err)) < 0 ||
	    (e = get_u64(c, "period", p, 0, 1000000, &r->cpu_period, err)) < 0 ||
	    (e = get_u64(c, "burst", p, 0, UINT64_MAX >> 1, &r->cpu_burst, err)) < 0 ||
	    (e = get_i64(c, "idle", p, 0, 1, &r->cpu_idle, err)) < 0 ||
	    (e = get_i64(c, "realtimeRuntime", p, INT64_MIN, INT64_MAX, &rt_rt, err)) < 0 ||
	    (e = get_u64(c, "realtimePeriod", p, 0, UINT64_MAX >> 1, &rt_p, err)) < 0)
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
	if ((e = get_str(c, "cpus", p, &r->cpus, err)) < 0 || (e = get_str(c, "mems", p, &r->mems, err)) < 0)
		return e;
	if (r->cpus && !cpulist_ok(r->cpus))
		return cerr_set(err, EINVAL, "%s.cpus: \"%s\" is not a CPU list such as \"0-2,4\"", p, r->cpus);
	if (r->mems && !cpulist_ok(r->mems))
		return cerr_set(err, EINVAL, "%s.mems: \"%s\" is not a node list such as \"0-1\"", p, r->mems);
	return 0;
}

static int parse_pids(yajl_val res, struct cg_resources *r, cerr *err)
{
	yajl_val o;
	int e = get_obj(res, "pids", P, &o, err);
	if (e < 0 || !o)
		return e;
	if (absent(json_get(o, "limit")))
		return cerr_set(err, EINVAL, P ".pids.limit: is required");
	return get_i64(o, "limit", P ".pids", INT64_MIN, INT64_MAX, &r->pids_limit, err);
}

static int parse_major_minor(yajl_val d, const char *path, int64_t *maj, int64_t *min, cerr *err)
{
	struct cg_opt64 a = { 0 }, b = { 0 };
	int e;
	if ((e = get_i64(d, "major", path, 0, UINT32_MAX, &a, err)) < 0 ||
	    (e = get_i64(d, "minor", path, 0, UINT32_MAX, &b, err)) < 0)
		return e;
	if (!a.set || !b.set)
		return cerr_set(err, EINVAL, "%s.%s: is required", path, a.set ? "minor" : "major");
	*maj = a.v;
	*min = b.v;
	return 0;
}

static int parse_blockio(yajl_val res, struct cg_resources *r, cerr *err)
{
	yajl_val b, a;
	const char *p = P ".blockIO";
	int e = get_obj(res, "blockIO", P, &b, err);
	if (e < 0 || !b)
		return e;
	struct cg_opt64 leaf = { 0 };
	if ((e = get_u64(b, "weight", p, 0, 1000, &r->blkio_weight, err)) < 0 ||
	    (e = get_u64(b, "leafWeight", p, 0, 1000, &leaf, err)) < 0)
		return e;
	r->blkio_weight.set &= r->blkio_weight.v != 0;
	if (r->blkio_weight.set && r->blkio_weight.v < 10)
		return cerr_set(err, ERANGE, "%s.weight: %" PRId64 " is out of range [10, 1000]", p,
				r->blkio_weight.v);
	if ((e = get_arr(b, "weightDevice", p, &a, err)) < 0)
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
				return cerr_set(err, EINVAL, "%s: must be an object", ip);
			struct cg_weight_dev *w = &r->weight_devs[r->n_weight_devs++];
			if ((e = parse_major_minor(d, ip, &w->major, &w->minor, err)) < 0 ||
			    (e = get_u64(d, "weight", ip, 10, 1000, &w->weight, err)) < 0 ||
			    (e = get_u64(d, "leafWeight", ip, 0, 1000, &leaf, err)) < 0)
				return e;
		}
	}
	static const char *const keys[CG_THROTTLE_N] = {
		[CG_RBPS] = "throttleReadBpsDevice", [CG_WBPS] = "throttleWriteBpsDevice",
		[CG_RIOPS] = "throttleReadIOPSDevice", [CG_WIOPS] = "throttleWriteIOPSDevice",
	};
	for (int k = 0; k < CG_THROTTLE_N; k++) {
		if ((e = get_arr(b, keys[k], p, &a, err)) < 0)
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
				return cerr_set(err, EINVAL, "%s: must be an object", ip);
			struct cg_throttle_dev *x = &r->throttle[r->n_throttle];
			struct cg_opt64 rate = { 0 };
			if ((e = parse_major_minor(d, ip, &x->major, &x->minor, err)) < 0 ||
			    (e = get_u64(d, "rate", ip, 0, UINT64_MAX >> 1, &rate, err)) < 0)
				return e;
			if (!rate.set)
				return cerr_set(err, EINVAL, "%s.rate: is required", ip);
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
	yajl_val a;
	int e = get_arr(res, "hugepageLimits", P, &a, err);
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
			return cerr_set(err, EINVAL, "%s: must be an object", ip);
		struct cg_hugepage *h = &r->hugepages[r->n_hugepages++];
		struct cg_opt64 lim = { 0 };
		if ((e = get_str(d, "pageSize", ip, &h->size, err)) < 0 ||
		    (e = get_u64(d, "limit", ip, 0, UINT64_MAX >> 1, &lim, err)) < 0)
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
	yajl_val o;
	int e = get_obj(res, "rdma", P, &o, err);
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
			return cerr_set(err, EINVAL, "%s: must be an object", ip);
		struct cg_opt64 h = { 0 }, ob = { 0 };
		if ((e = get_u64(d, "hcaHandles", ip, 0, UINT32_MAX, &h, err)) < 0 ||
		    (e = get_u64(d, "hcaObjects", ip, 0, UINT32_MAX, &ob, err)) < 0)
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
	yajl_val o;
	int e = get_obj(res, "unified", P, &o, err);
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
		if (!YAJL_IS_STRING(v))
			return cerr_set(err, EINVAL, P ".unified.%s: must be a string", k);
		if (strlen(v->u.string) > 4096)
			return cerr_set(err, E2BIG, P ".unified.%s: longer than 4096 bytes", k);
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
	yajl_val a;
	int e = get_arr(res, "devices", P, &a, err);
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
			return cerr_set(err, EINVAL, "%s: must be an object", ip);
		struct cg_dev_rule *x = &r->devices[r->n_devices++];
		bool has_allow = false;
		if ((e = get_bool(d, "allow", ip, &x->allow, &has_allow, err)) < 0)
			return e;
		if (!has_allow)
			return cerr_set(err, EINVAL, "%s.allow: is required", ip);
		_cleanup_free_ char *type = NULL, *access = NULL;
		if ((e = get_str(d, "type", ip, &type, err)) < 0 || (e = get_str(d, "access", ip, &access, err)) < 0)
			return e;
		x->type = type ? type[0] : 'a';
		if (type && (strlen(type) != 1 || !strchr("abc", x->type)))
			return cerr_set(err, EINVAL, "%s.type: must be \"a\", \"b\" or \"c\"", ip);
		if (parse_access(access ? access : "rwm", &x->access) < 0)
			return cerr_set(err, EINVAL, "%s.access: must be made of \"r\", \"w\" and \"m\"", ip);
		struct cg_opt64 maj = { true, -1 }, min = { true, -1 };
		if ((e = get_i64(d, "major", ip, -1, UINT32_MAX, &maj, err)) < 0 ||
		    (e = get_i64(d, "minor", ip, -1, UINT32_MAX, &min, err)) < 0)
			return e;
		x->major = maj.v;
		x->minor = min.v;
	}
	return 0;
}

int cg_resources_parse(yajl_val v, struct cg_resources **out, cerr *err)
{
	*out = NULL;
	if (absent(v))
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return cerr_set(err, EINVAL, P ": must be an object, not %s", json_type_name(v));
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
	    (e = get_obj(v, "network", P, &net, err)) < 0) {
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
	if (r->pids_limit.set)
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
