/* Port: the ports a container publishes. Containers have no network to
 * publish on until the network issue lands (a namespace with lo only), so
 * the list is empty: an answer that is true, not a missing method. */
#include "supervisor/daemon/ctr_top.h"
#include "supervisor/daemon/ctr_methods.h"
#include "supervisor/varlink/params.h"

int sv_port(vl_call *call, yajl_val params, void *ud)
{
	const char *id;
	json_fault f = { 0 };
	ctr *c = ctr_of_params(ud, vl_call_peer(call), params, KNOWN("id"), &id, &f);
	if (!c)
		return reply_not_found(call, id, &f);
	/* nothing is published until containers have networks of their own */
	return vl_call_reply(call, "{\"ports\":[]}");
}
