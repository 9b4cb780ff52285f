/* The parameters of the broker's calls, checked before any of them is
 * acted on: a validator, which names what was wrong and answers nothing
 * (the method handler answers). */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/args.h"
#include "supervisor/daemon/broker/topic.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/json_scan.h"
#include "common/json_span.h"
#include "common/strv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad_parameter(broker_fault *f, const char *parameter)
{
	return broker_fault_named(f, VL_ERR_INVALID_PARAMETER, "parameter", parameter);
}

/* data (or value) as JSON text of at most BROKER_DATA_MAX bytes: as it
 * came in the call's text when that is what yajl_gen would write (a
 * message's data is most of it), else generated from the tree. */
static int get_data(const char *text, size_t text_len, yajl_val params, const char *key, broker_args *a,
		    broker_fault *f)
{
	yajl_val v = json_get(params, key);
	if (!v)
		return bad_parameter(f, key);
	size_t len = 0;
	const char *span;
	char *t = NULL;
	if (text && json_span(text, text_len, "parameters", key, &span, &len)) {
		if ((t = malloc(len + 1))) {
			memcpy(t, span, len);
			t[len] = '\0';
		}
	} else {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		t = g && !jg_value(g, v) ? jg_finish(g, &len) : NULL;
	}
	if (!t)
		return bad_parameter(f, key);
	if (len > BROKER_DATA_MAX) {
		free(t);
		char why[96];
		snprintf(why, sizeof(why), "%s is %zu bytes as JSON text, more than %d", key, len, BROKER_DATA_MAX);
		return broker_fault_invalid(f, why);
	}
	a->data = a->data_buf = t;
	a->data_len = len;
	return 0;
}

static int get_patterns(yajl_val params, char ***out, broker_fault *f)
{
	json_fault jf = { 0 };
	yajl_val arr;
	if (json_get_array(params, "", "topics", JSON_REQUIRED | JSON_NONEMPTY, BROKER_MAX_PATTERNS, &arr, &jf) < 0)
		return strstr(jf.reason, "more than") ? broker_fault_invalid(f, "at most 64 topic patterns")
						       : bad_parameter(f, "topics");
	if (json_get_strv(params, "", "topics", 0, out, NULL, &jf) < 0)
		return bad_parameter(f, "topics");
	for (size_t i = 0; (*out)[i]; i++)
		if (!topic_pattern_valid((*out)[i]))
			return broker_fault_invalid(f,
						    "a topic pattern is 1 to 255 bytes of [A-Za-z0-9_.:/-], \"*\" at the end");
	return 0;
}

static int get_str(yajl_val params, const char *key, bool required, const char **out, broker_fault *f)
{
	json_fault jf = { 0 };
	/* each a name: a session, a topic, a party, a request's id, a state's key or prefix */
	if (json_get_str(params, "", key, (required ? JSON_REQUIRED : 0) | JSON_NAME, out, &jf) < 0)
		return bad_parameter(f, key);
	return 0;
}

int broker_args_parse(const char *text, size_t text_len, yajl_val params, unsigned want, broker_args *a, broker_fault *f)
{
	json_fault jf = { 0 };
	*a = (broker_args){ .timeout = 30, .expect = -1, .prefix = "" };
	if ((want & BA_SESSION) && get_str(params, "session", true, &a->session, f) < 0)
		return -1;
	if (want & BA_TOPIC) {
		if (get_str(params, "topic", true, &a->topic, f) < 0)
			return -1;
		if (!topic_valid(a->topic))
			return broker_fault_invalid(f, "a topic is 1 to 255 bytes of [A-Za-z0-9_.:/-]");
	}
	if ((want & BA_PATTERNS) && get_patterns(params, &a->patterns, f) < 0)
		return -1;
	if ((want & BA_DATA) && get_data(text, text_len, params, "data", a, f) < 0)
		return -1;
	if ((want & BA_VALUE) && get_data(text, text_len, params, "value", a, f) < 0)
		return -1;
	if ((want & BA_TO) && get_str(params, "to", false, &a->to, f) < 0)
		return -1;
	if ((want & BA_ID) && get_str(params, "id", true, &a->id, f) < 0)
		return -1;
	if ((want & BA_KEY) && get_str(params, "key", true, &a->key, f) < 0)
		return -1;
	if ((want & BA_PREFIX) && get_str(params, "prefix", false, &a->prefix, f) < 0)
		return -1;
	if (!a->prefix)
		a->prefix = "";
	bool present = false;
	if ((want & BA_EXPECT) &&
	    (json_get_i64(params, "", "expectVersion", 0, &a->expect, &present, &jf) < 0 || (present && a->expect < 0)))
		return bad_parameter(f, "expectVersion");
	yajl_val tv = (want & BA_TIMEOUT) ? json_key(params, "timeout") : NULL;
	if (tv) {
		if (!YAJL_IS_NUMBER(tv) || YAJL_GET_DOUBLE(tv) <= 0 || YAJL_GET_DOUBLE(tv) > 300)
			return broker_fault_invalid(f, "timeout is seconds, more than 0 and at most 300");
		a->timeout = YAJL_GET_DOUBLE(tv);
	}
	return 0;
}

bool broker_args_scan_publish(const char *params, size_t len, char topic_buf[TOPIC_MAX + 1], broker_args *a)
{
	json_keys it;
	json_text k, v, topic = { 0 }, data = { 0 };
	int r;
	if (!json_keys_open(&it, params, params + len, 2, true))
		return false;
	while ((r = json_keys_next(&it, &k, &v)) == 1) {
		json_text *slot = json_text_is(&k, "topic") ? &topic : json_text_is(&k, "data") ? &data : NULL;
		if (!slot || slot->p)
			return false;
		*slot = v;
	}
	if (r < 0 || !topic.p || !data.p || !data.plain || data.len > BROKER_DATA_MAX || topic.p[0] != '"' ||
	    !topic.plain || topic.len - 2 > TOPIC_MAX)
		return false;
	memcpy(topic_buf, topic.p + 1, topic.len - 2);
	topic_buf[topic.len - 2] = '\0';
	if (!topic_valid(topic_buf))
		return false;
	*a = (broker_args){ .topic = topic_buf, .data = data.p, .data_len = data.len,
			    .timeout = 30, .expect = -1, .prefix = "" };
	return true;
}

void broker_args_release(broker_args *a)
{
	free(a->data_buf);
	strv_free(a->patterns);
	a->data = a->data_buf = NULL;
	a->patterns = NULL;
}

