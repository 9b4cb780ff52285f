/* The operator's side of a session's key/value state (session_kv.h):
 * SessionStateGet, Set, Remove and List. Members reach the same store
 * through the broker. */
#include "supervisor/daemon/sessions/session_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/sessions/session_state_methods.h"
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_kv.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

/* A store error: InvalidState for a stale version, InvalidParameter for
 * a bad key or value or a bound, else InternalError. */
static int reply_store_error(vl_call *call, const session *s, int r, const char *key, cerr *err)
{
	char what[SESSION_NAME_MAX + SESSION_KV_KEY_MAX + 16];
	snprintf(what, sizeof(what), "%s/%s", s->name, key);
	if (r == -ESTALE) {
		char why[512];
		snprintf(why, sizeof(why), "%s", cerr_msg(err));
		return sv_invalid_state(call, what, "stale", why);
	}
	if (r == -ENOENT)
		return sv_invalid_state(call, what, "absent", "no such key");
	if (r == -EINVAL || r == -E2BIG)
		return sv_invalid_err(call, r == -E2BIG ? "value" : "key", err);
	return sv_internal_err(call, err);
}

int sv_session_state_get(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *key, *value;
	SESSION_METHOD_TARGET(s, d, call, params, f, SP_NAME("key", true, &key));
	uint64_t version;
	if (kv_get(s->state, key, &value, &version) < 0) {
		_cleanup_cerr_ cerr err = { 0 };
		return reply_store_error(call, s, -ENOENT, key, &err);
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "key", key) || jg_key_str(g, "value", value) ||
	    jg_key_int(g, "version", (long long)version) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

/* The version a change expects: -1, none. */
#define SP_EXPECT(o) SP_INT("expectVersion", 0, INT64_MAX, -1, (o))

int sv_session_state_set(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *key, *value;
	long long expect;
	SESSION_METHOD_TARGET(s, d, call, params, f, SP_NAME("key", true, &key), SP_STR("value", true, &value),
			      SP_EXPECT(&expect));
	uint64_t version;
	_cleanup_cerr_ cerr err = { 0 };
	int r = kv_set(s->state, key, value, expect, &version, &err);
	if (r < 0)
		return reply_store_error(call, s, r, key, &err);
	session_touch(d, s);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || jg_object(g, JG_STR("key", key), JG_INT("version", (long long)version), JG_END))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

int sv_session_state_remove(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *key;
	long long expect;
	SESSION_METHOD_TARGET(s, d, call, params, f, SP_NAME("key", true, &key), SP_EXPECT(&expect));
	_cleanup_cerr_ cerr err = { 0 };
	int r = kv_remove(s->state, key, expect, &err);
	if (r < 0)
		return reply_store_error(call, s, r, key, &err);
	session_touch(d, s);
	return vl_call_reply(call, NULL);
}

static int gen_entry(const char *key, const char *value, uint64_t version, void *data)
{
	yajl_gen g = data;
	return yajl_gen_map_open(g) || jg_key_str(g, "key", key) || jg_key_str(g, "value", value) ||
			       jg_key_int(g, "version", (long long)version) || yajl_gen_map_close(g)
		       ? -ENOMEM
		       : 0;
}

int sv_session_state_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	SESSION_METHOD_TARGET(s, d, call, params, f);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "entries") || yajl_gen_array_open(g) ||
	    kv_each(s->state, gen_entry, g) < 0 || yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}
