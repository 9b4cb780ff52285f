/* Publish and Request as any party calls them, through its own socket's
 * table (broker_methods.c) or the host's (host.c), and the reply of what a
 * broker call failed on. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/broker/broker_message_methods.h"
#include "supervisor/daemon/broker/request.h"
#include "supervisor/daemon/broker/route.h"
#include "common/cleanup.h"

#include <stdio.h>

int broker_reply_fault(vl_call *call, broker_fault *f)
{
	if (f->out_of_memory) {
		broker_fault_clear(f);
		return vl_call_disconnect(call, "out of memory"), 0;
	}
	int r = vl_call_error(call, f->error, f->params);
	broker_fault_clear(f);
	return r;
}

int broker_publish_call(bparty *m, vl_call *call, const broker_args *a)
{
	_cleanup_broker_fault_ broker_fault f = { 0 };
	long long delivered;
	if (broker_publish(m, vl_call_peer(call), a, &delivered, &f) < 0)
		return broker_reply_fault(call, &f);
	if (vl_call_is_oneway(call)) /* nobody reads the count */
		return vl_call_reply(call, NULL);
	char p[48];
	snprintf(p, sizeof(p), "{\"delivered\":%lld}", delivered);
	return vl_call_reply(call, p);
}

/* The request's end: its answer, or what failed, is the requester's reply. */
static void request_done(void *end, broker_fault *f, const char *answer)
{
	vl_call *call = end;
	vl_call_set_cancel(call, NULL, NULL);
	if (f)
		broker_reply_fault(call, f);
	else
		vl_call_reply(call, answer);
}

static void on_requester_gone(vl_call *call, void *data) { breq_cancel(data); }

int broker_request_call(bparty *m, vl_call *call, const broker_args *a)
{
	_cleanup_broker_fault_ broker_fault f = { 0 };
	breq *q = breq_open(m, vl_call_peer(call), a, request_done, call, &f);
	if (!q)
		return broker_reply_fault(call, &f);
	vl_call_set_cancel(call, on_requester_gone, q);
	return 0;
}
