/* The session's key/value state (sessions/session_kv.h) as a party sees
 * it: past the session's policy, with compare-and-set on versions, and
 * watched through a stream. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/broker_state.h"
#include "supervisor/daemon/broker/gate.h"
#include "supervisor/daemon/broker/route.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/sessions/session_kv.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A key/value store failure as the interface says it. */
static int state_fault(session_kv *st, const char *key, int r, cerr *err, broker_fault *f)
{
	if (r == -ENOENT) {
		cerr_clear(err);
		return broker_fault_named(f, BROKER_ERR("NoSuchKey"), "key", key);
	}
	if (r == -ESTALE) {
		const char *v;
		uint64_t version = 0;
		kv_get(st, key, &v, &version);
		cerr_clear(err);
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		char *p = NULL;
		if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "key", key) &&
		    !jg_key_int(g, "version", (long long)version) && !yajl_gen_map_close(g))
			p = jg_finish(g, NULL);
		return broker_fault_set(f, BROKER_ERR("Conflict"), p);
	}
	broker_fault_invalid(f, cerr_msg(err));
	cerr_clear(err);
	return -1;
}

session_kv *broker_state_open(bparty *m, const peer_cred *peer, bool writes, const char *key, const char *prefix,
			      broker_fault *f)
{
	broker_session *bs = m->bs;
	session_kv *st = bs->s->state;
	if (!st) {
		broker_fault_invalid(f, "the session has no state");
		return NULL;
	}
	/* the session's policy, as for every message: keys by pattern, a list
	 * or watch by "prefix*" */
	char pattern[SESSION_KV_KEY_MAX + 2];
	if (!key)
		snprintf(pattern, sizeof(pattern), "%s*", prefix ? prefix : "");
	if (broker_gate(m, peer, writes ? BROKER_STATE_WRITE : BROKER_STATE_READ, key ? key : pattern, 0, f) < 0)
		return NULL;
	session_touch(bs->b->d, bs->s);
	return st;
}

int broker_state_get(session_kv *st, const char *key, const char **value, uint64_t *version, broker_fault *f)
{
	if (kv_get(st, key, value, version) < 0)
		return broker_fault_named(f, BROKER_ERR("NoSuchKey"), "key", key);
	return 0;
}

int broker_state_set(bparty *m, session_kv *st, const broker_args *a, uint64_t *version, broker_fault *f)
{
	if (broker_rate(m, a->data_len, f) < 0)
		return -1;
	cerr err = { 0 };
	int r = kv_set(st, a->key, a->data, a->expect, version, &err);
	return r < 0 ? state_fault(st, a->key, r, &err, f) : 0;
}

int broker_state_remove(session_kv *st, const broker_args *a, broker_fault *f)
{
	cerr err = { 0 };
	int r = kv_remove(st, a->key, a->expect, &err);
	return r < 0 ? state_fault(st, a->key, r, &err, f) : 0;
}

struct each_ctx {
	const char *prefix;
	int (*fn)(const char *key, void *data); /* StateList: each key is listed */
	void *data;
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
	struct each_ctx *c = data;
	if (strncmp(key, c->prefix, strlen(c->prefix)) != 0)
		return 0;
	if (c->watch)
		return queue_change(c->watch, key, value, version);
	return c->fn(key, c->data);
}

int broker_state_keys(session_kv *st, const char *prefix, int (*fn)(const char *key, void *data), void *data)
{
	struct each_ctx c = { .prefix = prefix, .fn = fn, .data = data };
	return kv_each(st, each_key, &c);
}

static void on_change(const char *key, const char *value, uint64_t version, void *data)
{
	queue_change(data, key, value, version);
}

void broker_state_watch(bstream *w, session_kv *st, const char *prefix)
{
	struct each_ctx c = { .prefix = prefix, .watch = w };
	kv_each(st, each_key, &c);
	if (!(w->watch = kv_watch_add(st, prefix, on_change, w)))
		bstream_close(w);
}
