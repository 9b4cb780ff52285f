/* Port: the ports a container publishes (spec.ports), as its network's
 * portmap plugin was given them. */
#include "supervisor/daemon/containers/ctr_top.h"
#include "supervisor/daemon/containers/ctr_methods.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"

int sv_port(vl_call *call, yajl_val params, void *ud)
{
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f, "id");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_map_open(g) || jg_key(g, "ports") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < c->spec.n_ports; i++) {
		const cni_port *p = &c->spec.ports[i];
		r = yajl_gen_map_open(g) || jg_key_str(g, "hostIP", p->host_ip) || jg_key_int(g, "hostPort", p->host_port) ||
		    jg_key_int(g, "containerPort", p->container_port) || jg_key_str(g, "protocol", p->protocol) ||
		    yajl_gen_map_close(g);
	}
	if (r || yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, NULL);
	return vl_call_reply_gen(call, g);
}
