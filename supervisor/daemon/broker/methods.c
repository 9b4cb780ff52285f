/* io.corral.Broker, as members call it: the socket the call came in on
 * names the member (vl_call_listener_tag), then the call's parameters. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/varlink/interface.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int broker_param_topic(vl_call *call, yajl_val params, const char **topic)
{
	json_fault f = { 0 };
	if (json_get_str(params, "", "topic", JSON_REQUIRED, topic, &f) < 0) {
		vl_call_invalid_parameter(call, "topic");
		return 1;
	}
	if (!topic_valid(*topic)) {
		broker_error_invalid(call, "a topic is 1 to 255 bytes of [A-Za-z0-9_.:/-]");
		return 1;
	}
	return 0;
}

int broker_param_patterns(vl_call *call, yajl_val params, char ***out)
{
	json_fault f = { 0 };
	yajl_val arr;
	if (json_get_array(params, "", "topics", JSON_REQUIRED | JSON_NONEMPTY, BROKER_MAX_PATTERNS, &arr, &f) < 0 ||
	    json_get_strv(params, "", "topics", 0, out, NULL, &f) < 0) {
		if (f.code == EINVAL && strstr(f.reason, "more than")) {
			broker_error_invalid(call, "at most 64 topic patterns");
			return 1;
		}
		vl_call_invalid_parameter(call, "topics");
		return 1;
	}
	for (size_t i = 0; (*out)[i]; i++)
		if (!topic_pattern_valid((*out)[i])) {
			strv_free(*out);
			*out = NULL;
			broker_error_invalid(call, "a topic pattern is 1 to 255 bytes of [A-Za-z0-9_.:/-], "
						   "\"*\" at the end");
			return 1;
		}
	return 0;
}

int broker_do_publish(bmember *m, vl_call *call, yajl_val params)
{
	const char *topic;
	yajl_val data = json_get(params, "data");
	if (broker_param_topic(call, params, &topic))
		return 0;
	if (!data)
		return vl_call_invalid_parameter(call, "data");
	return broker_publish(m, call, topic, data);
}

int broker_do_subscribe(bmember *m, vl_call *call, yajl_val params, enum bstream_kind kind)
{
	char **pats = NULL;
	if (broker_param_patterns(call, params, &pats))
		return 0;
	enum broker_action a = kind == BSTREAM_SERVE ? BROKER_SERVE : BROKER_SUBSCRIBE;
	for (size_t i = 0; pats[i]; i++)
		if (broker_gate(m, call, a, pats[i], 0)) {
			strv_free(pats);
			return 0;
		}
	return broker_stream(m, call, kind, pats);
}

int broker_do_request(bmember *m, vl_call *call, yajl_val params)
{
	const char *topic, *to = NULL;
	json_fault f = { 0 };
	yajl_val data = json_get(params, "data"), tv = json_member(params, "timeout");
	if (broker_param_topic(call, params, &topic))
		return 0;
	if (!data)
		return vl_call_invalid_parameter(call, "data");
	if (json_get_str(params, "", "to", 0, &to, &f) < 0)
		return vl_call_invalid_parameter(call, "to");
	double timeout = 30;
	if (tv) {
		if (!YAJL_IS_NUMBER(tv) || YAJL_GET_DOUBLE(tv) <= 0 || YAJL_GET_DOUBLE(tv) > 300)
			return broker_error_invalid(call, "timeout is seconds, more than 0 and at most 300");
		timeout = YAJL_GET_DOUBLE(tv);
	}
	return broker_request(m, call, to, topic, data, timeout);
}

static bmember *member_of(vl_call *call) { return vl_call_listener_tag(call); }

static int m_whoami(vl_call *call, yajl_val params, void *ud)
{
	bmember *m = member_of(call);
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

static int m_publish(vl_call *call, yajl_val p, void *ud) { return broker_do_publish(member_of(call), call, p); }
static int m_subscribe(vl_call *call, yajl_val p, void *ud)
{
	return broker_do_subscribe(member_of(call), call, p, BSTREAM_SUBSCRIBE);
}
static int m_serve(vl_call *call, yajl_val p, void *ud)
{
	return broker_do_subscribe(member_of(call), call, p, BSTREAM_SERVE);
}
static int m_request(vl_call *call, yajl_val p, void *ud) { return broker_do_request(member_of(call), call, p); }

static int m_reply(vl_call *call, yajl_val params, void *ud)
{
	const char *id;
	json_fault f = { 0 };
	yajl_val data = json_get(params, "data");
	if (json_get_str(params, "", "id", JSON_REQUIRED | JSON_BOUNDED, &id, &f) < 0)
		return vl_call_invalid_parameter(call, "id");
	if (!data)
		return vl_call_invalid_parameter(call, "data");
	return broker_reply(member_of(call), call, id, data);
}

static int m_state(vl_call *call, yajl_val p, void *ud)
{
	const char *method = strrchr(vl_call_method(call), '.');
	return broker_state_call(member_of(call), call, method ? method + 1 : "", p);
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
