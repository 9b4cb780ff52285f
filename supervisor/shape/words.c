/* Docker's ways of saying times and names, from corral's, and the
 * members of corral's replies that its shapes read. */
#include "supervisor/shape/shape.h"
#include "supervisor/shape/words.h"
#include "common/json.h"
#include "common/timefmt.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

long long dk_unix_ns(const char *rfc3339)
{
	long long ns;
	if (!rfc3339 || !*rfc3339 || rfc3339_parse(rfc3339, strlen(rfc3339), &ns) < 0)
		return 0;
	return ns;
}

long long dk_unix(const char *rfc3339) { return dk_unix_ns(rfc3339) / 1000000000LL; }

/* As github.com/docker/go-units HumanDuration says it. */
void dk_human_duration(long long secs, char *buf, size_t n)
{
	long long minutes = secs / 60, hours = (secs + 1800) / 3600;
	if (secs < 1)
		snprintf(buf, n, "Less than a second");
	else if (secs == 1)
		snprintf(buf, n, "1 second");
	else if (secs < 60)
		snprintf(buf, n, "%lld seconds", secs);
	else if (minutes == 1)
		snprintf(buf, n, "About a minute");
	else if (minutes < 60)
		snprintf(buf, n, "%lld minutes", minutes);
	else if (hours == 1)
		snprintf(buf, n, "About an hour");
	else if (hours < 48)
		snprintf(buf, n, "%lld hours", hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, n, "%lld days", hours / 24);
	else if (hours < 24 * 30 * 2)
		snprintf(buf, n, "%lld weeks", hours / 24 / 7);
	else if (hours < 24 * 365 * 2)
		snprintf(buf, n, "%lld months", hours / 24 / 30);
	else
		snprintf(buf, n, "%lld years", secs / 3600 / 24 / 365);
}

const char *dk_familiar(const char *name)
{
	static const char lib[] = "docker.io/library/", hub[] = "docker.io/";
	if (strncmp(name, lib, sizeof(lib) - 1) == 0)
		return name + sizeof(lib) - 1;
	if (strncmp(name, hub, sizeof(hub) - 1) == 0)
		return name + sizeof(hub) - 1;
	return name;
}

const char *dk_str(yajl_val o, const char *key)
{
	yajl_val v = json_get(o, key);
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

long long dk_int(yajl_val o, const char *key, long long dflt)
{
	long long n;
	return json_int_in(json_get(o, key), LLONG_MIN, LLONG_MAX, &n) ? n : dflt;
}

bool dk_bool(yajl_val o, const char *key)
{
	return YAJL_IS_TRUE(json_get(o, key));
}

int dk_gen_strings(yajl_gen g, const char *key, yajl_val arr, bool null_when_absent)
{
	jg_key(g, key);
	if (!YAJL_IS_ARRAY(arr))
		return null_when_absent ? yajl_gen_null(g) : (yajl_gen_array_open(g) || yajl_gen_array_close(g));
	yajl_gen_array_open(g);
	for (size_t i = 0; i < arr->u.array.len; i++)
		if (YAJL_IS_STRING(arr->u.array.values[i]))
			jg_str(g, arr->u.array.values[i]->u.string);
	return yajl_gen_array_close(g);
}

int dk_gen_object(yajl_gen g, const char *key, yajl_val obj)
{
	jg_key(g, key);
	if (YAJL_IS_OBJECT(obj))
		return jg_value(g, obj);
	return yajl_gen_map_open(g) || yajl_gen_map_close(g);
}
