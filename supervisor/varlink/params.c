#include "supervisor/varlink/params.h"

#include <errno.h>
#include <string.h>

int sp_known(yajl_val params, const sp_param *table, json_fault *f)
{
	for (size_t i = 0; YAJL_IS_OBJECT(params) && i < params->u.object.len; i++) {
		const char *k = params->u.object.keys[i];
		const sp_param *p = table;
		while (p->key && strcmp(p->key, k) != 0)
			p++;
		if (!p->key)
			return json_fault_set(f, EINVAL, k, "unknown parameter");
	}
	return 0;
}

static int sp_str(yajl_val params, const char *key, bool required, const char **out, json_fault *f)
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

static int read_one(yajl_val params, const sp_param *p, json_fault *f)
{
	switch (p->kind) {
	case SP_KIND_KEY:
		return 0;
	case SP_KIND_STR:
		return sp_str(params, p->key, p->required, p->out.str, f);
	case SP_KIND_NAME:
		return sp_name(params, p->key, p->required, p->out.str, f);
	case SP_KIND_REF:
		return sp_checked(params, p->key, p->required, JSON_REF_MAX, JSON_REF, p->out.str, f);
	case SP_KIND_BOOL:
		*p->out.flag = p->dflt_flag;
		return json_get_bool(params, "", p->key, 0, p->out.flag, NULL, f);
	case SP_KIND_INT:
		*p->out.num = p->dflt;
		if (json_get_int_in(params, "", p->key, 0, p->min, p->max, p->out.num, NULL, f) < 0)
			return json_fault_reword(f, "must be an integer from %lld to %lld", p->min, p->max);
		return 0;
	}
	return json_fault_set(f, EINVAL, p->key, "no reader"); /* not reached: every kind is above */
}

int sp_read(yajl_val params, const sp_param *table, json_fault *f)
{
	for (const sp_param *p = table; p->key; p++) {
		int r = read_one(params, p, f);
		if (r < 0)
			return r;
	}
	return 0;
}

int sp_dispatch(yajl_val params, const sp_param *table, json_fault *f)
{
	int r = sp_known(params, table, f);
	return r < 0 ? r : sp_read(params, table, f);
}
