/* The broker policy's parser and its questions (broker_policy.h). */
#include "supervisor/daemon/broker/broker_policy.h"
#include "supervisor/daemon/broker/topic.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/units.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_keys[BROKER_N_ACTIONS] = { "publish", "subscribe", "serve", "stateRead",
								   "stateWrite" };

const char *broker_action_name(enum broker_action a) { return action_keys[a]; }

void broker_policy_free(broker_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_rules; i++) {
		broker_rule *r = &p->rules[i];
		free(r->name);
		strv_free(r->labels);
		for (int a = 0; a < BROKER_N_ACTIONS; a++)
			strv_free(r->allow[a]);
	}
	free(p->rules);
	free(p);
}

/* A rate: a number, or (bytes) a size string "1M". */
static int get_rate(yajl_val obj, const char *parent, const char *key, bool size, double *out, json_fault *f)
{
	char path[JSON_PATH_MAX];
	json_path(path, parent, key);
	yajl_val v = json_key(obj, key);
	if (!v)
		return 0;
	if (size && YAJL_IS_STRING(v)) {
		size_t n;
		if (parse_size(v->u.string, &n) < 0)
			return json_fault_set(f, EINVAL, path, "\"%s\" is not a size", v->u.string);
		*out = (double)n;
		return 0;
	}
	if (!YAJL_IS_NUMBER(v) || YAJL_GET_DOUBLE(v) < 0 || YAJL_GET_DOUBLE(v) > 1e12)
		return json_fault_set(f, EINVAL, path, "must be a non-negative number%s", size ? " or a size" : "");
	*out = YAJL_GET_DOUBLE(v);
	return 0;
}

static int parse_rate(yajl_val rule, const char *parent, broker_rule *r, json_fault *f)
{
	yajl_val rate;
	char path[JSON_PATH_MAX];
	int e = json_get_object(rule, parent, "rate", 0, &rate, f);
	if (e < 0 || !rate)
		return e;
	json_path(path, parent, "rate");
	static const char *const known[] = { "messages", "bytes", "burst", "bytesBurst", NULL };
	if ((e = json_check_keys(rate, path, known, "unknown field", f)) < 0 ||
	    (e = get_rate(rate, path, "messages", false, &r->msg_rate, f)) < 0 ||
	    (e = get_rate(rate, path, "bytes", true, &r->byte_rate, f)) < 0 ||
	    (e = get_rate(rate, path, "burst", false, &r->msg_burst, f)) < 0 ||
	    (e = get_rate(rate, path, "bytesBurst", true, &r->byte_burst, f)) < 0)
		return e;
	return 0;
}

static int parse_labels(yajl_val rule, const char *parent, broker_rule *r, json_fault *f)
{
	yajl_val o;
	char path[JSON_PATH_MAX], kpath[JSON_PATH_MAX];
	int e = json_get_object(rule, parent, "labels", 0, &o, f);
	if (e < 0 || !o)
		return e;
	size_t n = YAJL_GET_OBJECT(o)->len;
	json_path(path, parent, "labels");
	if (n == 0 || n > 64)
		return json_fault_set(f, EINVAL, path, "must have 1 to 64 labels");
	if (!(r->labels = calloc(2 * n + 1, sizeof(char *))))
		return json_fault_oom(f);
	for (size_t i = 0; i < n; i++) {
		yajl_val v = YAJL_GET_OBJECT(o)->values[i];
		const char *k = YAJL_GET_OBJECT(o)->keys[i];
		if (!YAJL_IS_STRING(v))
			return json_fault_set(f, EINVAL, json_path(kpath, path, k), "must be a string");
		if (!(r->labels[2 * i] = strdup(k)) || !(r->labels[2 * i + 1] = strdup(v->u.string)))
			return json_fault_oom(f);
	}
	return 0;
}

static int parse_rule(yajl_val rule, const char *parent, broker_rule *r, json_fault *f)
{
	static const char *const known[] = { "name",	   "labels",	 "publish", "subscribe", "serve",
					     "stateRead", "stateWrite", "rate",	   NULL };
	int e = json_want(rule, yajl_t_object, parent, f);
	if (e == 0)
		e = json_check_keys(rule, parent, known, "unknown field", f);
	if (e == 0)
		e = json_dup_str(rule, parent, "name", JSON_BOUNDED, &r->name, f);
	if (e == 0)
		e = parse_labels(rule, parent, r, f);
	if (e < 0)
		return e;
	if (!r->name == !r->labels)
		return json_fault_set(f, EINVAL, parent, "needs a name or labels (one of them)");
	for (int a = 0; a < BROKER_N_ACTIONS; a++) {
		yajl_val arr;
		char path[JSON_PATH_MAX], ipath[JSON_PATH_MAX];
		if ((e = json_get_array(rule, parent, action_keys[a], 0, BROKER_POLICY_MAX_PATTERNS, &arr, f)) < 0)
			return e;
		if ((e = json_get_strv(rule, parent, action_keys[a], 0, &r->allow[a], NULL, f)) < 0)
			return e;
		json_path(path, parent, action_keys[a]);
		for (size_t i = 0; r->allow[a] && r->allow[a][i]; i++)
			if (!topic_pattern_valid(r->allow[a][i]))
				return json_fault_set(f, EINVAL, json_path_idx(ipath, path, i),
						      "\"%s\" is not a topic pattern (1 to 255 bytes of "
						      "[A-Za-z0-9_.:/-], \"*\" at the end)",
						      r->allow[a][i]);
	}
	return parse_rate(rule, parent, r, f);
}

int broker_policy_parse(yajl_val v, const char *parent, broker_policy **out, json_fault *f)
{
	static const char *const known[] = { "members", NULL };
	yajl_val arr;
	int e = json_want(v, yajl_t_object, parent, f);
	if (e == 0)
		e = json_check_keys(v, parent, known, "unknown field", f);
	if (e == 0)
		e = json_get_array(v, parent, "members", JSON_REQUIRED, BROKER_POLICY_MAX_RULES, &arr, f);
	if (e < 0)
		return e;
	_cleanup_(broker_policy_freep) broker_policy *p = calloc(1, sizeof(*p));
	size_t n = YAJL_GET_ARRAY(arr)->len;
	if (!p || (n && !(p->rules = calloc(n, sizeof(*p->rules)))))
		return json_fault_oom(f);
	char path[JSON_PATH_MAX], ipath[JSON_PATH_MAX];
	json_path(path, parent, "members");
	for (size_t i = 0; i < n; i++) {
		p->n_rules++;
		if ((e = parse_rule(YAJL_GET_ARRAY(arr)->values[i], json_path_idx(ipath, path, i), &p->rules[i], f)) < 0)
			return e;
	}
	*out = p;
	p = NULL;
	return 0;
}

int broker_policy_load(const char *path, broker_policy **out, cerr *err)
{
	_cleanup_(json_freep) yajl_val v = NULL;
	int r = json_parse_file_at(AT_FDCWD, path, BROKER_POLICY_FILE_MAX, &v, err);
	if (r < 0)
		return r;
	json_fault f = JSON_FAULT_CHAIN(err);
	r = broker_policy_parse(v, "", out, &f);
	return r < 0 ? cerr_wrap(err, "broker policy %s", path) : 0;
}

static bool has_labels(char *const *want, char *const *have)
{
	for (size_t i = 0; want[i]; i += 2) {
		bool found = false;
		for (size_t j = 0; have && have[j] && have[j + 1]; j += 2)
			if (strcmp(have[j], want[i]) == 0 && strcmp(have[j + 1], want[i + 1]) == 0)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

const broker_rule *broker_policy_rule(const broker_policy *p, const char *party, char *const *labels)
{
	for (size_t i = 0; p && i < p->n_rules; i++) {
		const broker_rule *r = &p->rules[i];
		if (r->name ? strcmp(r->name, "*") == 0 || strcmp(r->name, party) == 0 : has_labels(r->labels, labels))
			return r;
	}
	return NULL;
}

bool broker_policy_allows(const broker_policy *p, const char *party, char *const *labels, enum broker_action a,
			  const char *topic)
{
	if (!p)
		return true;
	const broker_rule *r = broker_policy_rule(p, party, labels);
	if (!r)
		return false;
	bool exact = a == BROKER_PUBLISH || a == BROKER_STATE_WRITE;
	return exact ? topic_match_any(r->allow[a], topic) : topic_pattern_within_any(r->allow[a], topic);
}
