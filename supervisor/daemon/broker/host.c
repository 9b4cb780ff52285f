/* The operator's side of the broker, on the control socket: BrokerPublish,
 * BrokerSubscribe and BrokerRequest as the session's member "host". The
 * control socket's own checks (root or the access group) have run. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/service.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/varlink/sv_errors.h"
#include "common/cleanup.h"
#include "common/json_get.h"

#include <stdio.h>

static bmember *host_of(vl_call *call, yajl_val params, corrald *d)
{
	const char *name;
	json_fault f = { 0 };
	if (json_get_str(params, "", "session", JSON_REQUIRED | JSON_BOUNDED, &name, &f) < 0) {
		sv_invalid_fault(call, &f);
		return NULL;
	}
	session *s = session_find(d, name);
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
	bmember *m = host_of(call, params, ud);
	return m ? broker_do_publish(m, call, params) : 0;
}

int sv_broker_subscribe(vl_call *call, yajl_val params, void *ud)
{
	bmember *m = host_of(call, params, ud);
	return m ? broker_do_subscribe(m, call, params, BSTREAM_SUBSCRIBE) : 0;
}

int sv_broker_request(vl_call *call, yajl_val params, void *ud)
{
	bmember *m = host_of(call, params, ud);
	return m ? broker_do_request(m, call, params) : 0;
}
