/* The State methods: a party's view of its session's key/value state
 * (sessions/session_kv.h), with compare-and-set on versions and a watch. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/broker/broker_state.h"
#include "supervisor/daemon/broker/gate.h"
#include "supervisor/daemon/broker/broker_message_methods.h"
#include "supervisor/daemon/broker/broker_stream_methods.h"
#include "supervisor/daemon/broker/route.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/sessions/session_kv.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int no_such_key(vl_call *call, const char *key)
{
	_cleanup_free_ char *p = vl_json_obj1("key", key);
	return vl_call_error(call, BROKER_ERR("NoSuchKey"), p);
}

/* A key/value store failure as the interface says it. */
static int state_error(vl_call *call, session_kv *st, const char *key, int r, cerr *err)
{
	if (r == -ENOENT) {
		cerr_clear(err);
		return no_such_key(call, key);
	}
	if (r == -ESTALE) {
		const char *v;
		uint64_t version = 0;
		kv_get(st, key, &v, &version);
		cerr_clear(err);
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		_cleanup_free_ char *p = NULL;
		if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "key", key) &&
		    !jg_key_int(g, "version", (long long)version) && !yajl_gen_map_close(g))
			p = jg_finish(g, NULL);
		return vl_call_error(call, BROKER_ERR("Conflict"), p);
	}
	r = broker_error_invalid(call, cerr_msg(err));
	cerr_clear(err);
	return r;
}

struct list_ctx {
	yajl_gen g;
	const char *prefix;
	bstream *watch; /* StateWatch: each key is queued */
};

static int queue_change(bstream *st, const char *key, const char *value, uint64_t version)
{
	/* keys are plain [A-Za-z0-9_.:/-] (session_kv.h): nothing to escape */
	_cleanup_strbuf_ strbuf sb = { 0 };
	if (sb_addf(&sb, "{\"key\":\"%s\",\"value\":%s,\"version\":%llu}", key, value ? value : "null",
		    (unsigned long long)version) < 0)
		return -ENOMEM;
	bmsg *m = bmsg_new(sb.buf, sb.len);
	if (!m)
		return -ENOMEM;
	bstream_push(st, m);
	bmsg_unref(m);
	return 0;
}

static int each_key(const char *key, const char *value, uint64_t version, void *data)
{
	struct list_ctx *c = data;
	if (strncmp(key, c->prefix, strlen(c->prefix)) != 0)
		return 0;
	if (c->watch)
		return queue_change(c->watch, key, value, version);
	return jg_str(c->g, key) ? -ENOMEM : 0;
}

static void on_change(const char *key, const char *value, uint64_t version, void *data)
{
	queue_change(data, key, value, version);
}

static int state_list(bparty *m, vl_call *call, session_kv *st, const char *prefix)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	struct list_ctx c = { .g = g, .prefix = prefix };
	if (!g || yajl_gen_map_open(g) || jg_key(g, "keys") || yajl_gen_array_open(g) || kv_each(st, each_key, &c) < 0 ||
	    yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return vl_call_disconnect(call, "out of memory"), 0;
	return vl_call_reply_gen(call, g);
}

static int state_watch(bparty *m, vl_call *call, session_kv *st, const char *prefix)
{
	bstream *w;
	int r = broker_stream_call(m, call, BSTREAM_WATCH, NULL, &w);
	if (r < 0 || !w)
		return r;
	struct list_ctx c = { .prefix = prefix, .watch = w };
	kv_each(st, each_key, &c);
	if (!(w->watch = kv_watch_add(st, prefix, on_change, w)))
		bstream_close(w);
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
	broker_session *bs = m->bs;
	session_kv *st = bs->s->state;
	if (!st)
		return broker_error_invalid(call, "the session has no state");
	const char *key = a->key;
	/* the session's policy, as for every message: keys by pattern, a list
	 * or watch by "prefix*" */
	bool writes = strcmp(method, "StateSet") == 0 || strcmp(method, "StateRemove") == 0;
	char pattern[SESSION_KV_KEY_MAX + 2];
	if (!key)
		snprintf(pattern, sizeof(pattern), "%s*", a->prefix ? a->prefix : "");
	broker_fault no = { 0 };
	if (broker_gate(m, vl_call_peer(call), writes ? BROKER_STATE_WRITE : BROKER_STATE_READ, key ? key : pattern, 0,
			&no) < 0)
		return broker_reply_fault(call, &no);
	session_touch(bs->b->d, bs->s);
	cerr err = { 0 };
	if (strcmp(method, "StateGet") == 0) {
		const char *value;
		uint64_t version;
		if (kv_get(st, key, &value, &version) < 0)
			return no_such_key(call, key);
		_cleanup_strbuf_ strbuf sb = { 0 };
		if (sb_addf(&sb, "{\"value\":%s,\"version\":%llu}", value, (unsigned long long)version) < 0)
			return vl_call_disconnect(call, "out of memory"), 0;
		return vl_call_reply(call, sb.buf);
	}
	if (strcmp(method, "StateSet") == 0) {
		if (broker_rate(m, a->data_len, &no) < 0)
			return broker_reply_fault(call, &no);
		uint64_t version;
		int r = kv_set(st, key, a->data, a->expect, &version, &err);
		if (r < 0)
			return state_error(call, st, key, r, &err);
		char p[48];
		snprintf(p, sizeof(p), "{\"version\":%llu}", (unsigned long long)version);
		return vl_call_reply(call, p);
	}
	if (strcmp(method, "StateRemove") == 0) {
		int r = kv_remove(st, key, a->expect, &err);
		return r < 0 ? state_error(call, st, key, r, &err) : vl_call_reply(call, NULL);
	}
	if (strcmp(method, "StateList") == 0)
		return state_list(m, call, st, a->prefix);
	return state_watch(m, call, st, a->prefix);
}
