/* io.corral.Broker, as its parties call it: the socket the call came in on
 * names the party (vl_call_listener_tag), then the call's parameters. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/broker/broker_message_methods.h"
#include "supervisor/daemon/broker/broker_methods.h"
#include "supervisor/daemon/broker/broker_state_methods.h"
#include "supervisor/daemon/broker/broker_stream_methods.h"
#include "supervisor/daemon/broker/request.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/api/interface.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bparty *party_of(vl_call *call) { return vl_call_listener_tag(call); }

static int m_whoami(vl_call *call, yajl_val params, void *ud)
{
	bparty *m = party_of(call);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "session", m->bs->s->name) || jg_key_str(g, "member", m->name) ||
	    jg_key(g, "labels") || yajl_gen_map_open(g))
		return vl_call_disconnect(call, "out of memory"), 0;
	for (size_t i = 0; m->labels && m->labels[i] && m->labels[i + 1]; i += 2)
		if (jg_key_str(g, m->labels[i], m->labels[i + 1]))
			return vl_call_disconnect(call, "out of memory"), 0;
	if (yajl_gen_map_close(g) || yajl_gen_map_close(g))
		return vl_call_disconnect(call, "out of memory"), 0;
	return vl_call_reply_gen(call, g);
}

static int m_publish(vl_call *call, yajl_val p, void *ud)
{
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, p, BA_TOPIC | BA_DATA, &a);
	return broker_publish_call(party_of(call), call, &a);
}

/* Publish from its text, with no tree: every message's path. What
 * broker_args_scan_publish does not take is m_publish's to answer. */
int broker_publish_text(vl_call *call, const char *params, size_t len, void *ud)
{
	char topic[TOPIC_MAX + 1];
	broker_args a;
	if (!broker_args_scan_publish(params, len, topic, &a))
		return VL_RAW_DECLINED;
	return broker_publish_call(party_of(call), call, &a);
}

static int m_subscribe(vl_call *call, yajl_val p, void *ud)
{
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, p, BA_PATTERNS, &a);
	return broker_subscribe_call(party_of(call), call, &a, BSTREAM_SUBSCRIBE);
}

static int m_serve(vl_call *call, yajl_val p, void *ud)
{
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, p, BA_PATTERNS, &a);
	return broker_subscribe_call(party_of(call), call, &a, BSTREAM_SERVE);
}

static int m_request(vl_call *call, yajl_val p, void *ud)
{
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, p, BA_TO | BA_TOPIC | BA_DATA | BA_TIMEOUT, &a);
	return broker_request_call(party_of(call), call, &a);
}

static int m_reply(vl_call *call, yajl_val p, void *ud)
{
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, p, BA_ID | BA_DATA, &a);
	_cleanup_broker_fault_ broker_fault f = { 0 };
	if (breq_answer(party_of(call), a.id, a.data, &f) < 0)
		return broker_reply_fault(call, &f);
	return vl_call_reply(call, NULL);
}

static int m_state(vl_call *call, yajl_val p, void *ud)
{
	const char *dot = strrchr(vl_call_method(call), '.'), *method = dot ? dot + 1 : "";
	_cleanup_(broker_args_release) broker_args a;
	BROKER_PARSE(call, p, broker_state_wants(method), &a);
	return broker_state_call(party_of(call), call, method, &a);
}

static const vl_method methods[] = {
	{ "Whoami", m_whoami },	  { "Publish", m_publish },	  { "Subscribe", m_subscribe },
	{ "Request", m_request }, { "Serve", m_serve },		  { "Reply", m_reply },
	{ "StateGet", m_state },  { "StateSet", m_state },	  { "StateRemove", m_state },
	{ "StateList", m_state }, { "StateWatch", m_state },
};

const vl_interface broker_iface = {
	CORRAL_BROKER_INTERFACE, corral_broker_interface, methods, ARRAY_SIZE(methods),
};
