/* The State methods: a party's view of its session's key/value state
 * (broker_state.c), with compare-and-set on versions and a watch. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/broker/broker_message_methods.h"
#include "supervisor/daemon/broker/broker_state.h"
#include "supervisor/daemon/broker/broker_state_methods.h"
#include "supervisor/daemon/broker/broker_stream_methods.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int list_key(const char *key, void *data) { return jg_str(data, key) ? -ENOMEM : 0; }

static int state_list(vl_call *call, session_kv *st, const char *prefix)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "keys") || yajl_gen_array_open(g) ||
	    broker_state_keys(st, prefix, list_key, g) < 0 || yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return vl_call_disconnect(call, "out of memory"), 0;
	return vl_call_reply_gen(call, g);
}

static int state_watch(bparty *m, vl_call *call, session_kv *st, const char *prefix)
{
	bstream *w;
	int r = broker_stream_call(m, call, BSTREAM_WATCH, NULL, &w);
	if (r < 0 || !w)
		return r;
	broker_state_watch(w, st, prefix);
	return 0;
}

unsigned broker_state_wants(const char *method)
{
	if (strcmp(method, "StateGet") == 0)
		return BA_KEY;
	if (strcmp(method, "StateSet") == 0)
		return BA_KEY | BA_VALUE | BA_EXPECT;
	if (strcmp(method, "StateRemove") == 0)
		return BA_KEY | BA_EXPECT;
	return BA_PREFIX; /* StateList, StateWatch */
}

int broker_state_call(bparty *m, vl_call *call, const char *method, const broker_args *a)
{
	_cleanup_broker_fault_ broker_fault f = { 0 };
	bool writes = strcmp(method, "StateSet") == 0 || strcmp(method, "StateRemove") == 0;
	session_kv *st = broker_state_open(m, vl_call_peer(call), writes, a->key, a->prefix, &f);
	if (!st)
		return broker_reply_fault(call, &f);
	if (strcmp(method, "StateGet") == 0) {
		const char *value;
		uint64_t version;
		if (broker_state_get(st, a->key, &value, &version, &f) < 0)
			return broker_reply_fault(call, &f);
		_cleanup_strbuf_ strbuf sb = { 0 };
		if (sb_addf(&sb, "{\"value\":%s,\"version\":%llu}", value, (unsigned long long)version) < 0)
			return vl_call_disconnect(call, "out of memory"), 0;
		return vl_call_reply(call, sb.buf);
	}
	if (strcmp(method, "StateSet") == 0) {
		uint64_t version;
		if (broker_state_set(m, st, a, &version, &f) < 0)
			return broker_reply_fault(call, &f);
		char p[48];
		snprintf(p, sizeof(p), "{\"version\":%llu}", (unsigned long long)version);
		return vl_call_reply(call, p);
	}
	if (strcmp(method, "StateRemove") == 0)
		return broker_state_remove(st, a, &f) < 0 ? broker_reply_fault(call, &f) : vl_call_reply(call, NULL);
	if (strcmp(method, "StateList") == 0)
		return state_list(call, st, a->prefix);
	return state_watch(m, call, st, a->prefix);
}
