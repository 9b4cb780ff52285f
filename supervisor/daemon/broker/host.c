/* The operator's side of the broker, on the control socket: BrokerPublish,
 * BrokerSubscribe and BrokerRequest as the session's container "host". The
 * control socket's own checks (root or the access group) have run. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/broker/broker_message_methods.h"
#include "supervisor/daemon/broker/broker_stream_methods.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json_get.h"

#include <stdio.h>

static bparty *host_of(corrald *d, vl_call *call, const char *name)
{
	/* the operator of a session is its owner, or root (naming a member's
	 * NAME@UID); to anyone else it is not there */
	session *s = session_for(d, vl_call_peer(call)->uid, name);
	cerr err = { 0 };
	if (!s) {
		char why[128];
		snprintf(why, sizeof(why), "no session named %.64s", name);
		sv_invalid(call, "session", why);
		return NULL;
	}
	if (broker_session_open(d, s, &err) < 0) {
		sv_internal_err(call, &err);
		return NULL;
	}
	return &s->broker->host;
}

int sv_broker_publish(vl_call *call, yajl_val params, void *ud)
{
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, params, BA_SESSION | BA_TOPIC | BA_DATA, &a);
	bparty *m = host_of(ud, call, a.session);
	return m ? broker_publish_call(m, call, &a) : 0;
}

int sv_broker_subscribe(vl_call *call, yajl_val params, void *ud)
{
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, params, BA_SESSION | BA_PATTERNS, &a);
	bparty *m = host_of(ud, call, a.session);
	return m ? broker_subscribe_call(m, call, &a, BSTREAM_SUBSCRIBE) : 0;
}

int sv_broker_request(vl_call *call, yajl_val params, void *ud)
{
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, params, BA_SESSION | BA_TO | BA_TOPIC | BA_DATA | BA_TIMEOUT, &a);
	bparty *m = host_of(ud, call, a.session);
	return m ? broker_request_call(m, call, &a) : 0;
}
