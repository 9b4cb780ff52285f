#include "supervisor/varlink/params.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sp_invalid(vl_call *call, const char *parameter, const char *reason)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "parameter", parameter) ||
	    jg_key_str(g, "reason", reason) || yajl_gen_map_close(g)) {
		vl_call_error(call, SV_ERR("InvalidParameter"), NULL);
		return -EINVAL;
	}
	_cleanup_free_ char *p = jg_finish(g, NULL);
	vl_call_error(call, SV_ERR("InvalidParameter"), p);
	return -EINVAL;
}

int sp_known(vl_call *call, yajl_val params, const char *const *known)
{
	for (size_t i = 0; YAJL_IS_OBJECT(params) && i < params->u.object.len; i++) {
		const char *k = params->u.object.keys[i];
		bool ok = false;
		for (const char *const *p = known; *p && !ok; p++)
			ok = streq(*p, k);
		if (!ok)
			return sp_invalid(call, k, "unknown parameter");
	}
	return 0;
}

static bool absent(yajl_val v) { return !v || YAJL_IS_NULL(v); }

int sp_str(vl_call *call, yajl_val params, const char *key, bool required, const char **out)
{
	yajl_val v = json_get(params, key);
	*out = NULL;
	if (absent(v))
		return required ? sp_invalid(call, key, "required") : 0;
	if (!YAJL_IS_STRING(v)) {
		char reason[64];
		snprintf(reason, sizeof(reason), "must be a string, not %s", json_type_name(v));
		return sp_invalid(call, key, reason);
	}
	if (required && !v->u.string[0])
		return sp_invalid(call, key, "must not be empty");
	*out = v->u.string;
	return 0;
}

int sp_bool(vl_call *call, yajl_val params, const char *key, bool dflt, bool *out)
{
	yajl_val v = json_get(params, key);
	*out = dflt;
	if (absent(v))
		return 0;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
		char reason[64];
		snprintf(reason, sizeof(reason), "must be a boolean, not %s", json_type_name(v));
		return sp_invalid(call, key, reason);
	}
	*out = YAJL_IS_TRUE(v);
	return 0;
}

int sp_int(vl_call *call, yajl_val params, const char *key, long long min, long long max,
	   long long dflt, long long *out)
{
	yajl_val v = json_get(params, key);
	*out = dflt;
	if (absent(v))
		return 0;
	if (!json_int_in(v, min, max, out)) {
		char reason[96];
		snprintf(reason, sizeof(reason), "must be an integer from %lld to %lld", min, max);
		return sp_invalid(call, key, reason);
	}
	return 0;
}
