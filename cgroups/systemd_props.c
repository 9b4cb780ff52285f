/* linux.resources as systemd unit properties, with runc's conversions:
 * systemd rounds CPUQuotaPerSecUSec to 10 ms and takes v2 weights. */
#include "systemd.h"
#include "cgroups/systemd_props.h"
#include "resources_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INFINITY_U64 UINT64_MAX

static void num(struct cg_unit_props *p, const char *name, int64_t v)
{
	p->num[p->n_num].name = name;
	p->num[p->n_num].v = v < 0 ? INFINITY_U64 : (uint64_t)v;
	p->n_num++;
}

/* "0-2,4" as systemd's mask: bit i of byte i/8, as cpu_set_to_dbus has it */
static int mask(const char *list, const char *what, uint8_t *out, size_t *len, cerr *err)
{
	memset(out, 0, CG_UNIT_MASK_MAX);
	*len = 0;
	for (const char *s = list; *s;) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (hi < lo || hi >= CG_UNIT_MASK_MAX * 8)
			return cerr_set(err, ERANGE, "linux.resources.cpu.%s: \"%s\" names more than %d", what, list,
					CG_UNIT_MASK_MAX * 8);
		for (unsigned long i = lo; i <= hi; i++)
			out[i / 8] |= (uint8_t)(1u << (i % 8));
		if (hi / 8 + 1 > *len)
			*len = hi / 8 + 1;
		s = *end == ',' ? end + 1 : end;
	}
	return 0;
}

int cg_unit_props(const struct cg_resources *r, struct cg_unit_props *p, cerr *err)
{
	memset(p, 0, sizeof(*p));
	if (r->mem_limit.set)
		num(p, "MemoryMax", r->mem_limit.v);
	if (r->mem_reservation.set)
		num(p, "MemoryLow", r->mem_reservation.v);
	if (r->mem_swap.set) /* swap alone already: parse converted it for v2 */
		num(p, "MemorySwapMax", r->mem_swap.v);
	if (r->cpu_shares.set)
		num(p, "CPUWeight", (int64_t)cg_shares_to_weight((uint64_t)r->cpu_shares.v));
	if (r->cpu_quota.set) {
		int64_t period = r->cpu_period.set ? r->cpu_period.v : 100000, q = -1;
		if (r->cpu_quota.v > 0) {
			/* per second, rounded up to systemd's 1% (10 ms) */
			q = r->cpu_quota.v * 1000000 / period;
			q = (q + 9999) / 10000 * 10000;
		}
		num(p, "CPUQuotaPerSecUSec", q);
	}
	if (r->cpu_period.set)
		num(p, "CPUQuotaPeriodUSec", r->cpu_period.v);
	if (r->pids_limit.set)
		num(p, "TasksMax", r->pids_limit.v > 0 ? r->pids_limit.v : -1);
	if (r->blkio_weight.set)
		num(p, "IOWeight", (int64_t)cg_blkio_to_io_weight((uint64_t)r->blkio_weight.v));
	int e;
	if (r->cpus && (e = mask(r->cpus, "cpus", p->cpus, &p->n_cpus, err)) < 0)
		return e;
	if (r->mems && (e = mask(r->mems, "mems", p->mems, &p->n_mems, err)) < 0)
		return e;
	return 0;
}

int cg_scope_names(const char *cgroups_path, char *slice, char *unit, cerr *err)
{
	char s[NAME_MAX + 1], prefix[NAME_MAX + 1], name[NAME_MAX + 1];
	const char *path = cgroups_path ? cgroups_path : "";
	int n = sscanf(path, "%255[^:]:%255[^:]:%255s", s, prefix, name);
	if (n != 3 && !(n == 0 && sscanf(path, ":%255[^:]:%255s", prefix, name) == 2))
		return cerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" is not slice:prefix:name (--systemd-cgroup)",
				path);
	if (n == 0)
		s[0] = '\0';
	if (strstr(name, ".slice"))
		return cerr_set(err, ENOTSUP, "linux.cgroupsPath: \"%s\": a slice as the name is not supported", path);
	snprintf(slice, NAME_MAX + 1, "%s", s[0] ? s : "system.slice");
	if (snprintf(unit, NAME_MAX + 1, "%s-%s.scope", prefix, name) > NAME_MAX)
		return cerr_set(err, ENAMETOOLONG, "linux.cgroupsPath: \"%s\": the unit name is too long", path);
	return 0;
}
