#include "supervisor/daemon/core/prune_filter.h"
#include "supervisor/daemon/core/labels.h"
#include "supervisor/logs/crilog.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int get_labels(yajl_val params, const char *key, yajl_val *out, json_fault *f)
{
	int r = json_get_array(params, "", key, 0, PRUNE_LABELS_MAX, out, f);
	for (size_t i = 0; r == 0 && *out && i < (*out)->u.array.len; i++) {
		yajl_val v = (*out)->u.array.values[i];
		char p[JSON_PATH_MAX];
		json_path_idx(p, key, i);
		if (!YAJL_IS_STRING(v) || !*v->u.string || *v->u.string == '=' ||
		    strcspn(v->u.string, "=") >= PRUNE_LABEL_KEY_MAX)
			r = json_fault_set(f, EINVAL, p, "must be KEY or KEY=VALUE, a KEY of at most 255 bytes");
	}
	return r;
}

int prune_filter_parse(yajl_val params, prune_filter *pf, json_fault *f)
{
	*pf = (prune_filter){ 0 };
	yajl_val until = json_get(params, "until");
	if (until && !YAJL_IS_NULL(until) &&
	    (!YAJL_IS_STRING(until) || crilog_parse_since(until->u.string, &pf->until_ns, NULL) < 0))
		return json_fault_set(f, EINVAL, "until", CRILOG_SINCE_WORDS);
	int r = get_labels(params, "labels", &pf->labels, f);
	return r < 0 ? r : get_labels(params, "labelsNot", &pf->labels_not, f);
}

/* "KEY" or "KEY=VALUE" holds for src */
static bool holds(const char *want, const char *(*label)(const void *, const char *), const void *src)
{
	const char *eq = strchr(want, '=');
	char key[PRUNE_LABEL_KEY_MAX]; /* parse refused a longer key */
	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - want) : (int)strlen(want), want);
	const char *v = label(src, key);
	return v && (!eq || streq(v, eq + 1));
}

bool prune_filter_match(const prune_filter *pf, long long created_ns, const char *(*label)(const void *, const char *),
			const void *src)
{
	if (pf->until_ns && created_ns && created_ns >= pf->until_ns)
		return false;
	for (size_t i = 0; pf->labels && i < pf->labels->u.array.len; i++)
		if (!holds(pf->labels->u.array.values[i]->u.string, label, src))
			return false;
	for (size_t i = 0; pf->labels_not && i < pf->labels_not->u.array.len; i++)
		if (holds(pf->labels_not->u.array.values[i]->u.string, label, src))
			return false;
	return true;
}

const char *prune_label_of_kv(const void *kv, const char *key)
{
	return labels_get(kv, key);
}
