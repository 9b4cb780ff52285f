/* Update: a running container's resources changed in place (Docker's
 * update, the CRI's UpdateContainerResources), by the runtime's own
 * `corral update`, in a process of its own: lowering memory.max may make
 * the kernel reclaim for a while, which corrald's loop must not wait on. */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_reply.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPDATE_MAX_OUTPUT 4096

typedef struct update_call {
	vl_call *call;
} update_call;

static void on_update_cancel(vl_call *call, void *data)
{
	(void)call;
	((update_call *)data)->call = NULL; /* the client left: the update goes on */
}

static void on_updated(const el_child_result *r, void *data)
{
	_cleanup_free_ update_call *u = data;
	if (!u->call)
		return;
	vl_call_set_cancel(u->call, NULL, NULL);
	if (r->code == 0) {
		vl_call_reply(u->call, NULL);
		return;
	}
	const strbuf *e = &r->out[1];
	size_t n = e->len;
	while (n && e->buf[n - 1] == '\n')
		n--;
	char why[512];
	snprintf(why, sizeof(why), "%.*s", (int)n, e->buf ? e->buf : "");
	sv_invalid(u->call, "resources", why[0] ? why : "the runtime could not apply them");
}

/* linux.resources of the call's Resources (the ones given) */
static char *oci_resources(yajl_val res, json_fault *f)
{
	long long mem = 0, pids = 0, shares = 0;
	bool has_mem, has_pids, has_shares;
	const char *cpus_set = NULL, *mems_set = NULL;
	if (json_get_int_in(res, "resources", "memory", 0, 4 << 20, (long long)1 << 50, &mem, &has_mem, f) < 0 ||
	    json_get_int_in(res, "resources", "pids", 0, 1, 4194304, &pids, &has_pids, f) < 0 ||
	    json_get_int_in(res, "resources", "cpuShares", 0, 2, 262144, &shares, &has_shares, f) < 0 ||
	    json_get_str(res, "resources", "cpusetCpus", 0, &cpus_set, f) < 0 ||
	    json_get_str(res, "resources", "cpusetMems", 0, &mems_set, f) < 0)
		return NULL;
	yajl_val cpus = json_get(res, "cpus");
	if (cpus && (!YAJL_IS_NUMBER(cpus) || YAJL_GET_DOUBLE(cpus) < 0.01 || YAJL_GET_DOUBLE(cpus) > 1024)) {
		json_fault_set(f, EINVAL, "resources.cpus", "must be a number of CPUs from 0.01 to 1024");
		return NULL;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g))
		return NULL;
	if (has_mem && (jg_key(g, "memory") || yajl_gen_map_open(g) || jg_key_int(g, "limit", mem) || yajl_gen_map_close(g)))
		return NULL;
	if (has_pids && (jg_key(g, "pids") || yajl_gen_map_open(g) || jg_key_int(g, "limit", pids) || yajl_gen_map_close(g)))
		return NULL;
	if ((cpus || has_shares || cpus_set || mems_set) && (jg_key(g, "cpu") || yajl_gen_map_open(g)))
		return NULL;
	if (cpus && (jg_key_int(g, "period", 100000) ||
		     jg_key_int(g, "quota", (long long)(YAJL_GET_DOUBLE(cpus) * 100000 + 0.5))))
		return NULL;
	if ((has_shares && jg_key_int(g, "shares", shares)) || (cpus_set && jg_key_str(g, "cpus", cpus_set)) ||
	    (mems_set && jg_key_str(g, "mems", mems_set)))
		return NULL;
	if ((cpus || has_shares || cpus_set || mems_set) && yajl_gen_map_close(g))
		return NULL;
	return yajl_gen_map_close(g) ? NULL : jg_finish(g, NULL);
}

int sv_update(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, "id", "resources");
	/* a member's limits are the policy's, checked at Create */
	if (vl_call_peer(call)->uid != 0)
		return sv_permission_denied(call, "Update: only root may change a running container's resources");
	yajl_val res = json_get(params, "resources");
	if (!YAJL_IS_OBJECT(res))
		return sv_invalid(call, "resources", "an object of Resources");
	_cleanup_free_ char *json = oci_resources(res, &f);
	if (!json)
		return f.field[0] ? sv_invalid_fault(call, &f) : sv_internal(call, "out of memory");
	if (!ctr_alive(c))
		return sv_invalid_state(call, c->name, ctr_status_str[c->status], "it is not running");
	char *argv[] = { "corral", "--root", d->runtime_root, "update", "-r", "-", c->id, NULL };
	update_call *u = calloc(1, sizeof(*u));
	if (!u)
		return sv_internal(call, "out of memory");
	u->call = call;
	el_child_opts o = { .path = d->runtime_bin, .argv = argv, .fd3 = SPAWN_NULL, .max_output = UPDATE_MAX_OUTPUT,
			    .input = json, .input_len = strlen(json) };
	el_child *ch;
	_cleanup_cerr_ cerr err = { 0 };
	if (el_child_run(d->loop, &o, on_updated, u, &ch, &err) < 0) {
		free(u);
		return sv_internal_err(call, &err);
	}
	vl_call_set_cancel(call, on_update_cancel, u);
	return 0; /* answered once the runtime has applied them */
}
