/* linux.resources → cgroup v2 files. Each write names the JSON path it came
 * from, so a value the kernel refuses is traced back to config.json. */
#include "resources.h"
#include "cgroups/apply.h"
#include "resources_int.h"
#include "devices.h"
#include "cgroups/devices_bpf.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Write val to file; a multi-line val is written one line per write(),
 * since the kernel parses one entry per write on files such as io.max. */
static int put(cg *c, const char *jpath, const char *file, const char *val, cerr *err)
{
	_cleanup_close_ int fd = openat(c->dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cerr_sys(err, errno, "%s: cgroup %s: %s", jpath, c->path, file);
	const char *p = val;
	do {
		size_t n = strcspn(p, "\n");
		if (write(fd, p, n) != (ssize_t)n) {
			int e = errno ? errno : EIO;
			return cerr_sys(err, e, "%s: cgroup %s: write \"%.*s\" to %s", jpath, c->path, (int)n, p,
					file);
		}
		p += n + (p[n] == '\n');
	} while (*p);
	return 0;
}

static int put_i64(cg *c, const char *jpath, const char *file, int64_t v, cerr *err)
{
	char buf[32];
	if (v < 0)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%" PRId64, v);
	return put(c, jpath, file, buf, err);
}

static bool has_file(cg *c, const char *file) { return faccessat(c->dirfd, file, F_OK, 0) == 0; }

#define P "linux.resources"

static int apply_memory(cg *c, const struct cg_resources *r, cerr *err)
{
	int e;
	/* swap first: lowering memory.max with swap allowed never fails */
	if (r->mem_swap.set) {
		if (!has_file(c, "memory.swap.max") && r->mem_swap.v == 0)
			; /* no swap accounting, and none asked for */
		else if ((e = put_i64(c, P ".memory.swap", "memory.swap.max", r->mem_swap.v, err)) < 0)
			return e;
	}
	if (r->mem_limit.set && (e = put_i64(c, P ".memory.limit", "memory.max", r->mem_limit.v, err)) < 0)
		return e;
	if (r->mem_reservation.set &&
	    (e = put_i64(c, P ".memory.reservation", "memory.low", r->mem_reservation.v, err)) < 0)
		return e;
	return 0;
}

static int apply_cpu(cg *c, const struct cg_resources *r, cerr *err)
{
	int e;
	char buf[64];
	if (r->cpu_shares.set && !(r->cpu_shares.v == CG_DEFAULT_SHARES && !has_file(c, "cpu.weight"))) {
		snprintf(buf, sizeof(buf), "%" PRIu64, cg_shares_to_weight((uint64_t)r->cpu_shares.v));
		if ((e = put(c, P ".cpu.shares", "cpu.weight", buf, err)) < 0)
			return e;
	}
	if (r->cpu_quota.set || r->cpu_period.set) {
		/* like runc: quota alone keeps the period; period alone lifts the quota */
		if (r->cpu_quota.set && r->cpu_quota.v > 0)
			snprintf(buf, sizeof(buf), "%" PRId64, r->cpu_quota.v);
		else
			snprintf(buf, sizeof(buf), "max");
		if (r->cpu_period.set) {
			size_t n = strlen(buf);
			snprintf(buf + n, sizeof(buf) - n, " %" PRId64, r->cpu_period.v);
		}
		if ((e = put(c, r->cpu_quota.set ? P ".cpu.quota" : P ".cpu.period", "cpu.max", buf, err)) < 0)
			return e;
	}
	if (r->cpu_burst.set && (e = put_i64(c, P ".cpu.burst", "cpu.max.burst", r->cpu_burst.v, err)) < 0)
		return e;
	if (r->cpu_idle.set && (e = put_i64(c, P ".cpu.idle", "cpu.idle", r->cpu_idle.v, err)) < 0)
		return e;
	if (r->cpus && *r->cpus && (e = put(c, P ".cpu.cpus", "cpuset.cpus", r->cpus, err)) < 0)
		return e;
	if (r->mems && *r->mems && (e = put(c, P ".cpu.mems", "cpuset.mems", r->mems, err)) < 0)
		return e;
	return 0;
}

static int apply_pids(cg *c, const struct cg_resources *r, cerr *err)
{
	/* 0 and negative mean "no limit": lifted where the controller is,
	 * nothing to lift where it is not */
	if (!r->pids_limit.set || (r->pids_limit.v <= 0 && !has_file(c, "pids.max")))
		return 0;
	return put_i64(c, P ".pids.limit", "pids.max", r->pids_limit.v > 0 ? r->pids_limit.v : -1, err);
}

static int apply_io(cg *c, const struct cg_resources *r, cerr *err)
{
	int e;
	/* BFQ takes blkio's 10..1000 scale as is; io.weight needs 1..10000 */
	bool bfq = has_file(c, "io.bfq.weight");
	const char *wfile = bfq ? "io.bfq.weight" : "io.weight";
	/* the default weight, then one line per device, on one open file */
	_cleanup_strbuf_ strbuf w = STRBUF_INIT;
	if (r->blkio_weight.set) {
		uint64_t v = (uint64_t)r->blkio_weight.v;
		if (sb_addf(&w, "%" PRIu64, bfq ? v : cg_blkio_to_io_weight(v)) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->n_weight_devs; i++) {
		const struct cg_weight_dev *d = &r->weight_devs[i];
		if (!d->weight.set)
			continue;
		uint64_t v = (uint64_t)d->weight.v;
		if (sb_addf(&w, "%s%" PRId64 ":%" PRId64 " %" PRIu64, w.len ? "\n" : "", d->major, d->minor,
			    bfq ? v : cg_blkio_to_io_weight(v)) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	if (w.len && (e = put(c, P ".blockIO.weight", wfile, w.buf, err)) < 0)
		return e;
	if (!r->n_throttle)
		return 0;
	/* one io.max line per device, holding every limit set for it */
	static const char *const kw[CG_THROTTLE_N] = { "rbps", "wbps", "riops", "wiops" };
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < r->n_throttle; i++) {
		const struct cg_throttle_dev *t = &r->throttle[i];
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= r->throttle[j].major == t->major && r->throttle[j].minor == t->minor;
		if (seen)
			continue;
		uint64_t v[CG_THROTTLE_N] = { 0 };
		bool set[CG_THROTTLE_N] = { false };
		for (size_t j = i; j < r->n_throttle; j++) {
			const struct cg_throttle_dev *u = &r->throttle[j];
			if (u->major == t->major && u->minor == t->minor) {
				v[u->kind] = u->rate;
				set[u->kind] = true;
			}
		}
		if (sb_addf(&sb, "%s%" PRId64 ":%" PRId64, sb.len ? "\n" : "", t->major, t->minor) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		for (int k = 0; k < CG_THROTTLE_N; k++) {
			if (!set[k])
				continue;
			/* rate 0 means "no limit", as with v1's blkio files */
			int q = v[k] ? sb_addf(&sb, " %s=%" PRIu64, kw[k], v[k]) : sb_addf(&sb, " %s=max", kw[k]);
			if (q < 0)
				return cerr_set(err, ENOMEM, "out of memory");
		}
	}
	return put(c, P ".blockIO", "io.max", sb.buf, err);
}

static int apply_hugetlb(cg *c, const struct cg_resources *r, cerr *err)
{
	for (size_t i = 0; i < r->n_hugepages; i++) {
		char file[64], jp[64], val[32];
		snprintf(file, sizeof(file), "hugetlb.%s.max", r->hugepages[i].size);
		snprintf(jp, sizeof(jp), P ".hugepageLimits[%zu]", i);
		snprintf(val, sizeof(val), "%" PRIu64, r->hugepages[i].limit);
		int e = put(c, jp, file, val, err);
		if (e < 0)
			return e;
	}
	return 0;
}

static int apply_rdma(cg *c, const struct cg_resources *r, cerr *err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		char jp[96], val[160];
		snprintf(jp, sizeof(jp), P ".rdma.%s", r->rdma[i].key);
		snprintf(val, sizeof(val), "%s %s", r->rdma[i].key, r->rdma[i].val);
		int e = put(c, jp, "rdma.max", val, err);
		if (e < 0)
			return e;
	}
	return 0;
}

/* Last, so that unified wins over the typed fields, as in runc. */
static int apply_unified(cg *c, const struct cg_resources *r, cerr *err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		char jp[160];
		snprintf(jp, sizeof(jp), P ".unified.%s", r->unified[i].key);
		if (!has_file(c, r->unified[i].key))
			return cerr_set(err, ENOENT, "%s: cgroup %s has no such file (is its controller enabled?)",
					jp, c->path);
		int e = put(c, jp, r->unified[i].key, r->unified[i].val, err);
		if (e < 0)
			return e;
	}
	return 0;
}

int cg_resources_apply(cg *c, const struct cg_resources *r, cerr *err)
{
	if (!c || !r)
		return 0;
	int e;
	if ((e = apply_pids(c, r, err)) < 0 || (e = apply_memory(c, r, err)) < 0 ||
	    (e = apply_io(c, r, err)) < 0 || (e = apply_cpu(c, r, err)) < 0 ||
	    (e = apply_hugetlb(c, r, err)) < 0 || (e = apply_rdma(c, r, err)) < 0 ||
	    (e = apply_unified(c, r, err)) < 0)
		return e;
	if (r->has_devices)
		return cg_devices_apply(c, r->devices, r->n_devices, err);
	return 0;
}
