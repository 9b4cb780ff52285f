/* Docker's ?filters=: {"key": ["value", ...]} or the older
 * {"key": {"value": true}}. A filter this API cannot apply is refused
 * (400), never ignored: a prune or a list would hold more than was asked. */
#include "supervisor/docker/dk.h"
#include "supervisor/docker/docker_filters.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/units.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int dk_filters(dk_req *r, const char *const *known, yajl_val *out)
{
	const char *text = dk_query(r, "filters");
	_cleanup_cerr_ cerr err = { 0 };
	*out = NULL;
	if (!text || !*text)
		return 0;
	if (json_parse(text, "filters", out, &err) < 0) {
		dk_error(r, 400, "invalid filter: %s", cerr_msg(&err));
		return -1;
	}
	for (size_t i = 0; YAJL_IS_OBJECT(*out) && i < (*out)->u.object.len; i++) {
		const char *key = (*out)->u.object.keys[i];
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = streq(*k, key);
		if (!ok) {
			dk_error(r, 400, "invalid filter '%s': corral does not apply it here", key);
			yajl_tree_free(*out);
			*out = NULL;
			return -1;
		}
	}
	if (*out && !YAJL_IS_OBJECT(*out)) {
		dk_error(r, 400, "invalid filter: not a JSON object");
		yajl_tree_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

const char *dk_filter_value(yajl_val filters, const char *key, size_t i)
{
	yajl_val v = json_get(filters, key);
	if (YAJL_IS_ARRAY(v) && i < v->u.array.len && YAJL_IS_STRING(v->u.array.values[i]))
		return v->u.array.values[i]->u.string;
	if (YAJL_IS_OBJECT(v) && i < v->u.object.len)
		return v->u.object.keys[i];
	return NULL;
}

bool dk_filter_labels(yajl_val filters, yajl_val labels)
{
	const char *f;
	for (size_t i = 0; (f = dk_filter_value(filters, "label", i)); i++) {
		const char *eq = strchr(f, '=');
		size_t n = eq ? (size_t)(eq - f) : strlen(f);
		char key[256];
		if (n >= sizeof(key)) /* no label's key is that long: never a key cut short */
			return false;
		snprintf(key, sizeof(key), "%.*s", (int)n, f);
		yajl_val v = json_get(labels, key);
		if (!YAJL_IS_STRING(v) || (eq && !streq(v->u.string, eq + 1)))
			return false;
	}
	return true;
}

bool dk_filter_owned_labels(yajl_val filters, yajl_val labels, uid_t viewer, uid_t owner)
{
	if (viewer == 0 && owner != 0 && dk_filter_value(filters, "label", 0))
		return false;
	return dk_filter_labels(filters, labels);
}

static void gen_values(yajl_gen g, yajl_val filters, const char *key, const char *as)
{
	if (!dk_filter_value(filters, key, 0))
		return;
	jg_key(g, as);
	yajl_gen_array_open(g);
	const char *f;
	for (size_t i = 0; (f = dk_filter_value(filters, key, i)); i++)
		jg_str(g, f);
	yajl_gen_array_close(g);
}

int dk_prune_filters(dk_req *r, yajl_val filters, yajl_gen params)
{
	const char *until = dk_filter_value(filters, "until", 0);
	if (until) {
		char at[64];
		long long ago;
		size_t digits = strspn(until, "0123456789");
		if (digits && (!until[digits] || until[digits] == '.'))
			snprintf(at, sizeof(at), "%.*s", (int)digits, until); /* seconds since the epoch */
		else if (parse_duration(until, &ago) == 0)
			snprintf(at, sizeof(at), "%lld", (long long)time(NULL) - ago / 1000000000LL);
		else if (strlen(until) < sizeof(at))
			snprintf(at, sizeof(at), "%s", until);
		else {
			dk_error(r, 400, "invalid filter 'until=%.64s'", until);
			return -1;
		}
		jg_key_str(params, "until", at);
	}
	gen_values(params, filters, "label", "labels");
	gen_values(params, filters, "label!", "labelsNot");
	return 0;
}
