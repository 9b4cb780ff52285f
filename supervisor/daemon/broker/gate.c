/* What every message passes: the session's policy (each refusal audited
 * and counted) and the member's token buckets. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/service.h"
#include "supervisor/daemon/sessions/session.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>

int broker_error_invalid(vl_call *call, const char *reason)
{
	_cleanup_free_ char *p = vl_json_obj1("reason", reason);
	return vl_call_error(call, BROKER_ERR("InvalidMessage"), p);
}

static int denied(bmember *m, vl_call *call, enum broker_action a, const char *topic)
{
	broker_session *bs = m->bs;
	bs->denied++;
	char target[512], detail[512];
	snprintf(target, sizeof(target), "%s/%s", bs->s->name, m->name);
	snprintf(detail, sizeof(detail), "%s %s", broker_action_name(a), topic);
	cerr err = { 0 };
	if (audit_write(&bs->b->d->audit, vl_call_peer(call), "io.corral.Broker.Denied", target, "Denied", detail,
			&err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "broker: audit");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *p = NULL;
	if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "action", broker_action_name(a)) &&
	    !jg_key_str(g, "topic", topic) && !yajl_gen_map_close(g))
		p = jg_finish(g, NULL);
	return vl_call_error(call, BROKER_ERR("Denied"), p);
}

int broker_gate(bmember *m, vl_call *call, enum broker_action a, const char *topic, size_t bytes)
{
	broker_session *bs = m->bs;
	if (m != &bs->host && !broker_policy_allows(bs->s->policy, m->name, m->labels, a, topic)) {
		denied(m, call, a, topic);
		return 1;
	}
	return a == BROKER_PUBLISH ? broker_rate(m, call, bytes) : 0;
}

int broker_rate(bmember *m, vl_call *call, size_t bytes)
{
	broker_session *bs = m->bs;
	if (m->msgs.rate <= 0 && m->bytes.rate <= 0)
		return 0; /* no limit: no clock to read */
	uint64_t now = el_now_usec();
	double wait = bucket_take(&m->msgs, 1, now);
	if (wait == 0 && (wait = bucket_take(&m->bytes, (double)bytes, now)) > 0)
		m->msgs.tokens += 1; /* the message was not sent: its token back */
	if (wait == 0)
		return 0;
	bs->rate_limited++;
	char p[64];
	snprintf(p, sizeof(p), "{\"retryAfter\":%.6f}", wait);
	vl_call_error(call, BROKER_ERR("RateLimited"), p);
	return 1;
}
