/* The checks that the spec's parsers share. */
#include "supervisor/daemon/spec/spec_fields.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ctr_spec_want(yajl_val v, yajl_type t, const char *field, const char *what, json_fault *f)
{
	if (!v || v->type == t)
		return 0;
	return json_fault_set(f, EINVAL, field, "must be %s, not %s", what, json_type_name(v));
}

int ctr_spec_list(yajl_val v, yajl_type t, const char *field, const char *what, size_t max, json_fault *f)
{
	if (!v || YAJL_IS_NULL(v))
		return 0;
	int r = ctr_spec_want(v, t, field, what, f);
	if (r < 0)
		return r;
	if ((t == yajl_t_array ? v->u.array.len : v->u.object.len) > max)
		return json_fault_set(f, EINVAL, field, "at most %zu", max);
	return 1;
}

int ctr_spec_each(yajl_val v, const ctr_spec_array *a, void **slots, void *ud, json_fault *f)
{
	int r = ctr_spec_list(v, yajl_t_array, a->field, a->what, a->max, f);
	if (r <= 0)
		return r;
	size_t n = v->u.array.len;
	if (!(*slots = calloc(n + 1, a->size)))
		return json_fault_oom(f);
	for (size_t i = 0; i < n; i++) {
		char path[JSON_PATH_MAX];
		if ((r = a->read(v->u.array.values[i], json_path_idx(path, a->field, i), (char *)*slots + i * a->size, ud,
				 f)) < 0)
			return r;
	}
	return 0;
}

bool ctr_hostname_valid(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > CTR_HOSTNAME_MAX || h[0] == '-' || h[0] == '.' || h[n - 1] == '-' || h[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && !(h[i] == '.' && h[i + 1] != '.'))
			return false;
	return true;
}

bool ctr_name_valid(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > CTR_NAME_MAX || !isalnum((unsigned char)n[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && !strchr("_.-", n[i]))
			return false;
	return true;
}

bool ctr_alias_valid(const char *name) { return ctr_hostname_valid(name) || ctr_name_valid(name); }
