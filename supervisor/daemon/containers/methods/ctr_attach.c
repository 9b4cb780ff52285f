/* Attach: a client's stdio joins the container's, through its monitor.
 * corrald checks the call (the server has checked the peer: root or the
 * access group), replies to the upgrade, and passes the socket on: to the
 * monitor of a running container; for a created one (or, asked to, an
 * exited one), with the "go" of its Start (run -it and start -a attach
 * first), so that no output is missed. corrald is
 * not in the stream's path. */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/methods/ctr_attach.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/client.h"
#include "supervisor/api/monitor_iface.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <stdio.h>

int sv_attach(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool in, next;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, SP_BOOL("stdin", true, &in), SP_BOOL("nextStart", false, &next));
	if (!vl_call_wants_upgrade(call))
		return sv_invalid(call, "upgrade", "Attach streams: call it with \"upgrade\": true");
	int fd = -1;
	if ((c->status == CS_CREATED || (next && c->status == CS_EXITED)) && !ctr_is_starting(c)) {
		if (c->n_attach == MONITOR_MAX_ATTACH)
			return reply_bad_state(call, c, "as many clients as it takes wait for its start");
		if (vl_call_upgrade(call, NULL, &fd) < 0)
			return 0; /* ended: the client is gone */
		c->attach_fds[c->n_attach] = fd;
		c->attach_stdin[c->n_attach++] = in;
		return 0;
	}
	if (c->status != CS_RUNNING)
		return reply_bad_state(call, c, "it is not running");
	_cleanup_vl_client_ vl_client *mon = NULL;
	cerr err = { 0 };
	if (ctr_monitor_open(d, c, &mon, &err) < 0)
		return sv_internal_err(call, &err);
	if (vl_call_upgrade(call, NULL, &fd) < 0)
		return 0;
	_cleanup_close_ int client = fd;
	/* oneway: should the monitor be gone by now, the client's stream ends */
	if (vl_client_send_fd(mon, MONITOR_IFACE ".Attach", in ? "{\"stdin\":true}" : "{\"stdin\":false}",
			      VL_CALL_ONEWAY, client, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "attach %s", c->name);
	return 0;
}
