#include "supervisor/daemon/spec/healthcheck.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PERIOD_NS (86400ll * 1000000000) /* a day */
#define MIN_PERIOD_NS 1000000ll              /* 1 ms: anything shorter spins */

static const char *const on_failure_str[] = { "none", "kill", "restart" };
static const char *const fields[] = { "command", "interval", "timeout", "retries", "startPeriod", "onFailure", NULL };

void health_check_free(health_check *h)
{
	if (!h)
		return;
	strv_free(h->command);
	free(h);
}

static health_check *check_new(void)
{
	health_check *h = calloc(1, sizeof(*h));
	if (h) {
		h->interval_us = h->timeout_us = HEALTH_DEFAULT_USEC;
		h->retries = HEALTH_DEFAULT_RETRIES;
	}
	return h;
}

/* A duration member ("30s"); absent leaves *us as it was. */
static int get_period(yajl_val v, const char *path, const char *key, long long min_ns, uint64_t *us, json_fault *f)
{
	const char *s;
	char p[JSON_PATH_MAX];
	long long ns;
	int r = json_get_str(v, path, key, 0, &s, f);
	if (r < 0 || !s)
		return r < 0 ? json_fault_reword(f, "must be a duration like \"30s\"") : 0;
	if (parse_duration(s, &ns) < 0 || ns < min_ns || ns > MAX_PERIOD_NS)
		return json_fault_set(f, EINVAL, json_path(p, path, key), "\"%.64s\" is not a duration from %s to 24h", s,
				      min_ns ? "1ms" : "0s");
	*us = (uint64_t)ns / 1000;
	return 0;
}

int health_check_parse(yajl_val v, const char *path, health_check **out, json_fault *f)
{
	*out = NULL;
	int r = json_want(v, yajl_t_object, path, f);
	if (r < 0 || (r = json_check_keys(v, path, fields, "unknown field", f)) < 0)
		return r;
	_cleanup_(health_check_freep) health_check *h = check_new();
	if (!h)
		return json_fault_oom(f);
	char p[JSON_PATH_MAX], q[JSON_PATH_MAX];
	if ((r = json_get_strv(v, path, "command", JSON_REQUIRED | JSON_NONEMPTY, &h->command, NULL, f)) < 0)
		return r;
	if (!h->command[0][0])
		return json_fault_set(f, EINVAL, json_path_idx(q, json_path(p, path, "command"), 0), "must not be empty");
	long long retries = HEALTH_DEFAULT_RETRIES;
	const char *of;
	if ((r = get_period(v, path, "interval", MIN_PERIOD_NS, &h->interval_us, f)) < 0 ||
	    (r = get_period(v, path, "timeout", MIN_PERIOD_NS, &h->timeout_us, f)) < 0 ||
	    (r = get_period(v, path, "startPeriod", 0, &h->start_period_us, f)) < 0)
		return r;
	if (json_get_int_in(v, path, "retries", 0, 1, HEALTH_MAX_RETRIES, &retries, NULL, f) < 0)
		return json_fault_reword(f, "must be an integer from 1 to %d", HEALTH_MAX_RETRIES);
	h->retries = (unsigned)retries;
	if ((r = json_get_str(v, path, "onFailure", 0, &of, f)) < 0)
		return r;
	for (size_t i = 0; of && i <= ARRAY_SIZE(on_failure_str); i++) {
		if (i == ARRAY_SIZE(on_failure_str))
			return json_fault_set(f, EINVAL, json_path(p, path, "onFailure"),
					      "\"%.32s\" is not none, kill or restart", of);
		if (streq(of, on_failure_str[i])) {
			h->on_failure = (enum health_on_failure)i;
			break;
		}
	}
	*out = TAKE_PTR(h);
	return 0;
}

/* A duration of the image config: ns; 0 or absent is the default. */
static int image_period(yajl_val v, const char *key, uint64_t *us, cerr *err)
{
	yajl_val n = json_key(v, key);
	if (!n || YAJL_IS_NULL(n))
		return 0;
	/* as Docker: 0 (the default), or at least 1 ms, which the spec's parse
	 * takes again from the record */
	if (!YAJL_IS_INTEGER(n) || YAJL_GET_INTEGER(n) < 0 || YAJL_GET_INTEGER(n) > MAX_PERIOD_NS ||
	    (YAJL_GET_INTEGER(n) > 0 && YAJL_GET_INTEGER(n) < MIN_PERIOD_NS))
		return cerr_set(err, EINVAL, "image config: Healthcheck.%s: must be 0 or nanoseconds from 1 ms to a day",
				key);
	if (YAJL_GET_INTEGER(n) > 0)
		*us = (uint64_t)YAJL_GET_INTEGER(n) / 1000;
	return 0;
}

static int image_test(yajl_val test, health_check *h, cerr *err)
{
	size_t n = YAJL_IS_ARRAY(test) ? test->u.array.len : 0;
	for (size_t i = 0; i < n; i++)
		if (!YAJL_IS_STRING(test->u.array.values[i]))
			n = 0;
	const char *kind = n ? test->u.array.values[0]->u.string : "";
	bool shell = streq(kind, "CMD-SHELL");
	if (!(streq(kind, "CMD") && n >= 2) && !(shell && n == 2))
		return cerr_set(err, EINVAL,
				"image config: Healthcheck.Test: must be [\"CMD\", arg...], [\"CMD-SHELL\", cmd] or [\"NONE\"]");
	if (!(h->command = calloc(n + 2, sizeof(char *))))
		return cerr_set(err, ENOMEM, "out of memory");
	size_t k = 0;
	if (shell && (!(h->command[k++] = strdup("/bin/sh")) || !(h->command[k++] = strdup("-c"))))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 1; i < n; i++)
		if (!(h->command[k++] = strdup(test->u.array.values[i]->u.string)))
			return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

int health_check_from_image(const char *json, health_check **out, cerr *err)
{
	*out = NULL;
	if (!json)
		return 0;
	_cleanup_(json_freep) yajl_val v = NULL;
	int r = json_parse(json, "image config: Healthcheck", &v, err);
	if (r < 0)
		return r;
	yajl_val test = json_key(v, "Test");
	if (!YAJL_IS_OBJECT(v) || !test || YAJL_IS_NULL(test) ||
	    (YAJL_IS_ARRAY(test) && test->u.array.len >= 1 && YAJL_IS_STRING(test->u.array.values[0]) &&
	     streq(test->u.array.values[0]->u.string, "NONE")))
		return 0;
	_cleanup_(health_check_freep) health_check *h = check_new();
	if (!h)
		return cerr_set(err, ENOMEM, "out of memory");
	yajl_val retries = json_key(v, "Retries");
	if ((r = image_test(test, h, err)) < 0 || (r = image_period(v, "Interval", &h->interval_us, err)) < 0 ||
	    (r = image_period(v, "Timeout", &h->timeout_us, err)) < 0 ||
	    (r = image_period(v, "StartPeriod", &h->start_period_us, err)) < 0)
		return r;
	if (h->interval_us < HEALTH_IMAGE_MIN_INTERVAL_USEC)
		h->interval_us = HEALTH_IMAGE_MIN_INTERVAL_USEC;
	if (retries && !YAJL_IS_NULL(retries)) {
		if (!YAJL_IS_INTEGER(retries) || YAJL_GET_INTEGER(retries) < 0 ||
		    YAJL_GET_INTEGER(retries) > HEALTH_MAX_RETRIES)
			return cerr_set(err, EINVAL, "image config: Healthcheck.Retries: must be an integer from 0 to %d",
					HEALTH_MAX_RETRIES);
		if (YAJL_GET_INTEGER(retries) > 0)
			h->retries = (unsigned)YAJL_GET_INTEGER(retries);
	}
	*out = TAKE_PTR(h);
	return 0;
}

static void gen_period(yajl_gen g, const char *key, uint64_t us)
{
	char b[32];
	if (us % 1000000 == 0)
		snprintf(b, sizeof(b), "%llus", (unsigned long long)(us / 1000000));
	else if (us % 1000 == 0)
		snprintf(b, sizeof(b), "%llums", (unsigned long long)(us / 1000));
	else
		snprintf(b, sizeof(b), "%lluus", (unsigned long long)us);
	jg_key_str(g, key, b);
}

int health_check_gen(yajl_gen g, const health_check *h)
{
	yajl_gen_map_open(g);
	jg_key_strv(g, "command", h->command);
	gen_period(g, "interval", h->interval_us);
	gen_period(g, "timeout", h->timeout_us);
	jg_key_int(g, "retries", h->retries);
	gen_period(g, "startPeriod", h->start_period_us);
	jg_key_str(g, "onFailure", on_failure_str[h->on_failure]);
	return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -ENOMEM;
}
