/* --health-* and --no-healthcheck into the spec's healthcheck, with
 * podman's names. --health-cmd CMD is a shell line (["/bin/sh", "-c",
 * CMD]), or a JSON array taken as the argv. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_spec.h"
#include "supervisor/ctl/health_opt.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <string.h>

static const char *const tuning[] = { "health-interval", "health-timeout", "health-retries", "health-start-period",
				      "health-on-failure" };

static int gen_command(yajl_gen g, const char *cmd)
{
	if (cmd[0] != '[')
		return jg_key_strv(g, "command", (char *const[]){ (char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL })
			       ? ctl_fail("--health-cmd", "out of memory")
			       : 0;
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	json_parse(cmd, NULL, &v, &err); /* not JSON: v stays NULL, refused below */
	bool ok = YAJL_IS_ARRAY(v) && v->u.array.len > 0;
	for (size_t i = 0; ok && i < v->u.array.len; i++)
		ok = YAJL_IS_STRING(v->u.array.values[i]) && v->u.array.values[i]->u.string[0];
	if (!ok)
		return ctl_failf("--health-cmd %s: must be a shell command, or a JSON array of non-empty strings", cmd);
	return jg_key(g, "command") || jg_value(g, v) ? ctl_fail("--health-cmd", "out of memory") : 0;
}

/* A duration option, passed as written: corrald reads it the same way. */
static int gen_period(const ctl_args *a, yajl_gen g, const char *opt, const char *key, bool zero_ok)
{
	if (!opt_on(a, opt))
		return 0;
	long long ns = opt_num(a, opt, 0);
	if ((!zero_ok && ns < 1000000) || ns > 86400ll * 1000000000)
		return ctl_failf("--%s %s: must be a duration from %s to 24h", opt, opt_str(a, opt), zero_ok ? "0s" : "1ms");
	return jg_key_str(g, key, opt_str(a, opt)) ? ctl_fail(opt, "out of memory") : 0;
}

int ctl_gen_health(const ctl_args *a, yajl_gen g)
{
	const char *cmd = opt_str(a, "health-cmd");
	if (opt_on(a, "no-healthcheck")) {
		if (cmd)
			return ctl_failf("--no-healthcheck excludes --health-cmd");
		return jg_key_bool(g, "noHealthcheck", true) ? ctl_fail("--no-healthcheck", "out of memory") : 0;
	}
	if (!cmd) {
		for (size_t i = 0; i < ARRAY_SIZE(tuning); i++)
			if (opt_on(a, tuning[i]))
				return ctl_failf("--%s needs --health-cmd", tuning[i]);
		return 0;
	}
	const char *of = opt_str(a, "health-on-failure");
	if (of && !streq(of, "none") && !streq(of, "kill") && !streq(of, "restart"))
		return ctl_failf("--health-on-failure %s: must be none, kill or restart", of);
	long long retries = opt_num(a, "health-retries", 3);
	if (retries < 1 || retries > 1000)
		return ctl_failf("--health-retries %lld: must be from 1 to 1000", retries);
	int r;
	if (jg_key(g, "healthcheck") || yajl_gen_map_open(g))
		return ctl_fail("--health-cmd", "out of memory");
	if ((r = gen_command(g, cmd)) || (r = gen_period(a, g, "health-interval", "interval", false)) ||
	    (r = gen_period(a, g, "health-timeout", "timeout", false)) ||
	    (r = gen_period(a, g, "health-start-period", "startPeriod", true)))
		return r;
	if (jg_key_int(g, "retries", retries) || (of && jg_key_str(g, "onFailure", of)) || yajl_gen_map_close(g))
		return ctl_fail("--health-cmd", "out of memory");
	return 0;
}
