/* What every message passes: the session's policy (each refusal audited
 * and counted) and the party's token buckets. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/gate.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <stdio.h>
#include <stdlib.h>

static int denied(bparty *m, const peer_cred *peer, enum broker_action a, const char *topic, broker_fault *f)
{
	broker_session *bs = m->bs;
	bs->denied++;
	char target[512], detail[512];
	snprintf(target, sizeof(target), "%s/%s", bs->s->name, m->name);
	snprintf(detail, sizeof(detail), "%s %s", broker_action_name(a), topic);
	cerr err = { 0 };
	if (audit_write(&bs->b->d->audit, peer, "io.corral.Broker.Denied", target, "Denied", detail, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "broker: audit");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	char *params = NULL;
	if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "action", broker_action_name(a)) &&
	    !jg_key_str(g, "topic", topic) && !yajl_gen_map_close(g))
		params = jg_finish(g, NULL);
	return broker_fault_set(f, BROKER_ERR("Denied"), params);
}

int broker_gate(bparty *m, const peer_cred *peer, enum broker_action a, const char *topic, size_t bytes,
		broker_fault *f)
{
	broker_session *bs = m->bs;
	if (m != &bs->host && !broker_policy_allows(bs->s->policy, m->name, m->labels, a, topic))
		return denied(m, peer, a, topic, f);
	return a == BROKER_PUBLISH ? broker_rate(m, bytes, f) : 0;
}

int broker_rate(bparty *m, size_t bytes, broker_fault *f)
{
	broker_session *bs = m->bs;
	if (m->msgs.rate <= 0 && m->bytes.rate <= 0)
		return 0; /* no limit: no clock to read */
	uint64_t now = mono_usec();
	double wait = bucket_take(&m->msgs, 1, now);
	if (wait == 0 && (wait = bucket_take(&m->bytes, (double)bytes, now)) > 0)
		m->msgs.tokens += 1; /* the message was not sent: its token back */
	if (wait == 0)
		return 0;
	bs->rate_limited++;
	char *params;
	if (asprintf(&params, "{\"retryAfter\":%.6f}", wait) < 0)
		params = NULL;
	return broker_fault_set(f, BROKER_ERR("RateLimited"), params);
}
