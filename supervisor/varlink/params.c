#include "supervisor/varlink/params.h"

#include <errno.h>

int sp_known(yajl_val params, const char *const *known, json_fault *f)
{
	return json_check_keys(params, "", known, "unknown parameter", f);
}

int sp_str(yajl_val params, const char *key, bool required, const char **out, json_fault *f)
{
	if (required && !json_key(params, key)) {
		*out = NULL;
		return json_fault_set(f, EINVAL, key, "required");
	}
	return json_get_str(params, "", key, required ? JSON_NONEMPTY : 0, out, f);
}

/* sp_str, then json_name_check's: *out is NULL when it is refused. */
static int sp_checked(yajl_val params, const char *key, bool required, size_t max, unsigned flags, const char **out,
		      json_fault *f)
{
	int r = sp_str(params, key, required, out, f);
	if (r < 0 || !*out || (r = json_name_check(*out, max, flags, key, f)) == 0)
		return r;
	*out = NULL;
	return r;
}

int sp_name(yajl_val params, const char *key, bool required, const char **out, json_fault *f)
{
	return sp_checked(params, key, required, JSON_NAME_MAX, 0, out, f);
}

int sp_ref(yajl_val params, const char *key, bool required, const char **out, json_fault *f)
{
	return sp_checked(params, key, required, JSON_REF_MAX, JSON_REF, out, f);
}

int sp_bool(yajl_val params, const char *key, bool dflt, bool *out, json_fault *f)
{
	*out = dflt;
	return json_get_bool(params, "", key, 0, out, NULL, f);
}

int sp_int(yajl_val params, const char *key, long long min, long long max, long long dflt, long long *out,
	   json_fault *f)
{
	*out = dflt;
	if (json_get_int_in(params, "", key, 0, min, max, out, NULL, f) < 0)
		return json_fault_reword(f, "must be an integer from %lld to %lld", min, max);
	return 0;
}
