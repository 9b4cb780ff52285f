/* run's and create's options of limits and confinement past the common
 * ones, spelt as docker run and podman run spell them. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/tuning_opt.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/units.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* --ulimit NAME=SOFT[:HARD], -1 for unlimited; HARD is SOFT when not given */
static int gen_ulimit(yajl_gen g, const char *text)
{
	_cleanup_free_ char *s = strdup(text);
	char *eq = s ? strchr(s, '=') : NULL, *colon = eq ? strchr(eq, ':') : NULL;
	if (!eq || eq == s)
		return ctl_failf("--ulimit %s: must be NAME=SOFT[:HARD] (nofile=1024:4096)", text);
	*eq = '\0';
	if (colon)
		*colon = '\0';
	long long soft, hard;
	if (!opt_number(eq + 1, 10, -1, INT64_MAX, &soft) ||
	    !opt_number(colon ? colon + 1 : eq + 1, 10, -1, INT64_MAX, &hard))
		return ctl_failf("--ulimit %s: the limits must be numbers (-1: unlimited)", text);
	return jg_object(g, JG_STR("name", s), JG_INT("soft", soft), JG_INT("hard", hard), JG_END)
		       ? ctl_fail("--ulimit", "out of memory")
		       : 0;
}

/* --device HOST[:CONTAINER[:PERMISSIONS]] */
static int gen_device(yajl_gen g, const char *text)
{
	_cleanup_free_ char *s = strdup(text);
	char *c1 = s ? strchr(s, ':') : NULL, *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!s || !*s || (c1 && !c1[1]))
		return ctl_failf("--device %s: must be HOST[:CONTAINER[:PERMISSIONS]]", text);
	if (c1)
		*c1 = '\0';
	if (c2)
		*c2 = '\0';
	return jg_object(g, JG_STR("hostPath", s), JG_STR_SET("containerPath", c1 ? c1 + 1 : NULL),
			 JG_STR_SET("permissions", c2 ? c2 + 1 : NULL), JG_END)
		       ? ctl_fail("--device", "out of memory")
		       : 0;
}

/* A list option: "key": [each of them, as fn writes it] */
static int gen_each(yajl_gen g, const ctl_args *a, const char *opt, const char *key, int (*fn)(yajl_gen, const char *))
{
	const ctl_optval *v = opt_val(a, opt);
	if (!v->n)
		return 0;
	if (jg_key(g, key) || yajl_gen_array_open(g))
		return ctl_fail(opt, "out of memory");
	for (size_t i = 0; i < v->n; i++)
		if (fn(g, v->list[i]))
			return EXIT_CTL;
	return yajl_gen_array_close(g) ? ctl_fail(opt, "out of memory") : 0;
}

/* --group-add: the ids (groups), or the names (groupNames, the image's
 * /etc/group's) */
static int gen_groups(yajl_gen g, const ctl_optval *v, bool names)
{
	bool any = false;
	for (size_t i = 0; i < v->n; i++) {
		long long id;
		bool is_id = opt_number(v->list[i], 10, 0, 4294967294ll, &id);
		if (is_id == names)
			continue;
		if (!any && (jg_key(g, names ? "groupNames" : "groups") || yajl_gen_array_open(g)))
			return ctl_fail("--group-add", "out of memory");
		any = true;
		if (names ? jg_str(g, v->list[i]) != 0 : yajl_gen_integer(g, id) != yajl_gen_status_ok)
			return ctl_fail("--group-add", "out of memory");
	}
	return any && yajl_gen_array_close(g) ? ctl_fail("--group-add", "out of memory") : 0;
}

static int gen_str(yajl_gen g, const char *text)
{
	return jg_str(g, text) ? ctl_fail("spec", "out of memory") : 0;
}

/* --sysctl KEY=VALUE: "sysctls": {KEY: VALUE} */
static int gen_sysctls(yajl_gen g, const ctl_optval *v)
{
	if (!v->n)
		return 0;
	if (jg_key(g, "sysctls") || yajl_gen_map_open(g))
		return ctl_fail("--sysctl", "out of memory");
	for (size_t i = 0; i < v->n; i++) {
		const char *eq = strchr(v->list[i], '=');
		if (!eq || eq == v->list[i])
			return ctl_failf("--sysctl %s: must be KEY=VALUE", v->list[i]);
		_cleanup_free_ char *k = strndup(v->list[i], (size_t)(eq - v->list[i]));
		if (!k || jg_key_str(g, k, eq + 1))
			return ctl_fail("--sysctl", "out of memory");
	}
	return yajl_gen_map_close(g) ? ctl_fail("--sysctl", "out of memory") : 0;
}

/* --log-opt max-size=SIZE and max-file=N (with max-size: 1 unless said) */
static int gen_log_opts(yajl_gen g, const ctl_optval *v)
{
	size_t size = 0;
	long long files = 1;
	for (size_t i = 0; v && i < v->n; i++) {
		const char *o = v->list[i];
		char *end;
		if (!strncmp(o, "max-size=", 9) && parse_size(o + 9, &size) == 0)
			continue;
		if (!strncmp(o, "max-file=", 9) && (files = strtoll(o + 9, &end, 10)) >= 1 && files <= 100 && !*end &&
		    o[9])
			continue;
		return ctl_failf("--log-opt %s: max-size=SIZE (4k to 1T) or max-file=N (1 to 100)", o);
	}
	if (!size)
		return 0;
	return jg_key_int(g, "logMaxSize", (long long)size) || jg_key_int(g, "logMaxFiles", files)
		       ? ctl_fail("--log-opt", "out of memory")
		       : 0;
}

int ctl_gen_tuning(const ctl_args *a, yajl_gen g)
{
	if (gen_each(g, a, "ulimit", "ulimits", gen_ulimit) || gen_each(g, a, "device", "devices", gen_device) ||
	    gen_groups(g, opt_val(a, "group-add"), false) || gen_groups(g, opt_val(a, "group-add"), true) ||
	    gen_each(g, a, "dns-search", "dnsSearch", gen_str) ||
	    gen_each(g, a, "dns-option", "dnsOptions", gen_str) || gen_sysctls(g, opt_val(a, "sysctl")) ||
	    gen_log_opts(g, opt_val(a, "log-opt")))
		return EXIT_CTL;
	if (opt_on(a, "shm-size") && jg_key_int(g, "shmSize", opt_num(a, "shm-size", 0)))
		return ctl_fail("--shm-size", "out of memory");
	return 0;
}
