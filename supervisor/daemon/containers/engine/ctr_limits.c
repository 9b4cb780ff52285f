/* A spec's limits as the OCI's linux.resources: the bundle's, and what
 * Update hands `corral update` (the ones given alone). */
#include "supervisor/daemon/containers/engine/ctr_limits.h"
#include "common/json.h"
#include "common/json_build.h"

void ctr_limits_gen(yajl_gen g, const ctr_spec *s)
{
	if (s->memory >= 0 || s->memory_swap || s->memory_reservation) {
		jg_key(g, "memory");
		yajl_gen_map_open(g);
		if (s->memory >= 0)
			jg_key_int(g, "limit", s->memory);
		if (s->memory_swap) /* memory plus swap, as the OCI counts it too */
			jg_key_int(g, "swap", s->memory_swap);
		if (s->memory_reservation)
			jg_key_int(g, "reservation", s->memory_reservation);
		yajl_gen_map_close(g);
	}
	if (s->cpus > 0 || s->cpu_shares || s->cpuset_cpus || s->cpuset_mems) {
		jg_key(g, "cpu");
		yajl_gen_map_open(g);
		if (s->cpus > 0) {
			jg_key_int(g, "period", 100000);
			jg_key_int(g, "quota", (long long)(s->cpus * 100000 + 0.5));
		}
		if (s->cpu_shares)
			jg_key_int(g, "shares", s->cpu_shares);
		if (s->cpuset_cpus)
			jg_key_str(g, "cpus", s->cpuset_cpus);
		if (s->cpuset_mems)
			jg_key_str(g, "mems", s->cpuset_mems);
		yajl_gen_map_close(g);
	}
	if (s->pids >= 0) {
		jg_key(g, "pids");
		jg_object(g, JG_INT("limit", s->pids), JG_END);
	}
	if (s->n_hugepages) {
		jg_key(g, "hugepageLimits");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < s->n_hugepages; i++) {
			jg_object(g, JG_STR("pageSize", s->hugepages[i].page_size),
				     JG_INT("limit", s->hugepages[i].limit), JG_END);
		}
		yajl_gen_array_close(g);
	}
	if (s->unified) {
		jg_key(g, "unified");
		yajl_gen_map_open(g);
		for (char **k = s->unified; k[0] && k[1]; k += 2)
			jg_key_str(g, k[0], k[1]);
		yajl_gen_map_close(g);
	}
}
