/* The options of create and run into a ContainerSpec, and the environment
 * that run and exec pass (-e, --env-file). */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/paths.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_attach.h"
#include "supervisor/ctl/ctl_spec.h"
#include "supervisor/ctl/health_opt.h"
#include "supervisor/ctl/publish_opt.h"
#include "supervisor/ctl/secret_opt.h"
#include "supervisor/ctl/spec_opts.h"
#include "supervisor/shape/security_opt.h"
#include "supervisor/ctl/tuning_opt.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int gen_list(yajl_gen g, const char *key, char *const *v, size_t n)
{
	int r = jg_key(g, key) || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < n; i++)
		r = jg_str(g, v[i]);
	return r || yajl_gen_array_close(g);
}

/* KEY alone takes the host's value, as podman does; unset, it is left out. */
static int gen_env_item(yajl_gen g, const char *item)
{
	if (strchr(item, '='))
		return jg_str(g, item);
	const char *v = getenv(item);
	if (!v)
		return 0;
	_cleanup_free_ char *kv = NULL;
	return asprintf(&kv, "%s=%s", item, v) < 0 || jg_str(g, kv);
}

/* One --env-file: KEY=VALUE or KEY lines; blank lines and # comments skipped. */
static int gen_env_file(yajl_gen g, const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return ctl_failf("--env-file %s: %s", path, strerror(errno));
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		char *s = line + strspn(line, " \t");
		if (!*s || *s == '#')
			continue;
		if (*s == '=')
			return ctl_failf("--env-file %s: line %u: a variable needs a name", path, lineno);
		if (gen_env_item(g, s))
			return ctl_fail("--env-file", "out of memory");
	}
	return ferror(f) ? ctl_failf("--env-file %s: %s", path, strerror(errno)) : 0;
}

int ctl_gen_env(const ctl_args *a, yajl_gen g)
{
	const ctl_optval *files = opt_val(a, "env-file"), *env = opt_val(a, "env");
	if (!files->n && !env->n)
		return 0;
	if (jg_key(g, "env") || yajl_gen_array_open(g))
		return ctl_fail("--env", "out of memory");
	/* the files first: an -e of the same name comes later and wins */
	for (size_t i = 0; i < files->n; i++)
		if (gen_env_file(g, files->list[i]))
			return EXIT_CTL;
	for (size_t i = 0; i < env->n; i++) {
		if (env->list[i][0] == '=')
			return ctl_failf("--env %s: a variable needs a name", env->list[i]);
		if (gen_env_item(g, env->list[i]))
			return ctl_fail("--env", "out of memory");
	}
	return yajl_gen_array_close(g) ? ctl_fail("--env", "out of memory") : 0;
}

static const char *const propagations[] = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };

/* -v SRC:DST[:OPT,OPT]: ro, rw, z and Z (no SELinux here: taken, as podman
 * does without it) and a propagation; anything else is refused, since a
 * typo like "r0" must never mount read-write. A source that is not a path
 * (no leading / or .) is a named volume, as docker decides; -v /DST alone
 * is an anonymous volume. */
static int gen_volume(yajl_gen g, const char *spec)
{
	_cleanup_free_ char *s = strdup(spec);
	if (!s)
		return ctl_fail("--volume", "out of memory");
	char *dst = strchr(s, ':'), *opts = NULL;
	if (!dst && s[0] == '/') { /* -v /data: an anonymous volume */
		if (yajl_gen_map_open(g) || jg_key_str(g, "type", "volume") || jg_key_str(g, "source", "") ||
		    jg_key_str(g, "destination", s) || yajl_gen_map_close(g))
			return ctl_fail("--volume", "out of memory");
		return 0;
	}
	if (!dst)
		return ctl_failf("--volume %s: must be SRC:DST[:OPTIONS], NAME:DST[:OPTIONS] or /DST", spec);
	*dst++ = '\0';
	if ((opts = strchr(dst, ':')))
		*opts++ = '\0';
	if (!*s)
		return ctl_failf("--volume %s: the source must be a host path (absolute or ./relative) or a volume's name",
				 spec);
	bool named = s[0] != '/' && s[0] != '.';
	bool ro = false, no_copy = false;
	const char *prop = NULL;
	for (char *save = NULL, *o = opts ? strtok_r(opts, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
		bool known = false;
		for (size_t i = 0; propagations[i]; i++)
			if (streq(o, propagations[i]))
				prop = propagations[i], known = true;
		if (streq(o, "ro") || streq(o, "rw"))
			ro = o[1] == 'o', known = true;
		if (named && streq(o, "nocopy"))
			no_copy = known = true;
		if (!known && !streq(o, "z") && !streq(o, "Z"))
			return ctl_failf("--volume %s: unknown option %s (known: ro, rw, z, Z, private, rprivate, shared, "
					 "rshared, slave, rslave)", spec, o);
	}
	if (named) {
		if (prop)
			return ctl_failf("--volume %s: a volume takes no propagation", spec);
		if (yajl_gen_map_open(g) || jg_key_str(g, "type", "volume") || jg_key_str(g, "source", s) ||
		    jg_key_str(g, "destination", dst) || jg_key_bool(g, "readonly", ro) ||
		    (no_copy && jg_key_bool(g, "noCopy", true)) || yajl_gen_map_close(g))
			return ctl_fail("--volume", "out of memory");
		return 0;
	}
	_cleanup_free_ char *src = ctl_absolute(s);
	if (!src)
		return ctl_fail("--volume", "out of memory");
	if (yajl_gen_map_open(g) || jg_key_str(g, "source", src) || jg_key_str(g, "destination", dst) ||
	    jg_key_bool(g, "readonly", ro) || (prop && jg_key_str(g, "propagation", prop)) || yajl_gen_map_close(g))
		return ctl_fail("--volume", "out of memory");
	return 0;
}

static int gen_labels(yajl_gen g, const ctl_optval *l)
{
	if (jg_key(g, "labels") || yajl_gen_map_open(g))
		return ctl_fail("--label", "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		const char *eq = strchr(l->list[i], '=');
		_cleanup_free_ char *k = eq ? strndup(l->list[i], (size_t)(eq - l->list[i])) : NULL;
		if (!eq || eq == l->list[i])
			return ctl_failf("--label %s: must be KEY=VALUE", l->list[i]);
		if (!k || jg_key_str(g, k, eq + 1))
			return ctl_fail("--label", "out of memory");
	}
	return yajl_gen_map_close(g) ? ctl_fail("--label", "out of memory") : 0;
}

/* --entrypoint "cmd" is one word, as podman takes it; a JSON array is the
 * whole entrypoint, and "" clears the image's. */
static int gen_entrypoint(yajl_gen g, const char *e)
{
	if (e[0] != '[')
		return jg_key(g, "entrypoint") || yajl_gen_array_open(g) || (*e && jg_str(g, e)) ||
				       yajl_gen_array_close(g)
			       ? ctl_fail("--entrypoint", "out of memory")
			       : 0;
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (json_parse(e, NULL, &v, &err) < 0)
		return ctl_failf("--entrypoint %s: must be a command, or a JSON array of strings", e);
	for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++)
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			return ctl_failf("--entrypoint %s: must be a JSON array of strings", e);
	return jg_key(g, "entrypoint") || jg_value(g, v) ? ctl_fail("--entrypoint", "out of memory") : 0;
}

/* --security-opt, as podman and docker spell it (security_opt.c) */
static int gen_security_opts(yajl_gen g, const ctl_optval *so)
{
	char why[512];
	if (security_opts_gen(g, (const char *const *)so->list, so->n, why, sizeof(why)) < 0)
		return ctl_failf("%s", why);
	return 0;
}

/* The options that map one to one onto a key of the spec. */
static int gen_simple(const ctl_args *a, yajl_gen g)
{
	static const struct {
		const char *opt, *key;
	} strs[] = {
		{ "name", "name" }, { "workdir", "workdir" }, { "user", "user" }, { "restart", "restart" },
		{ "network", "network" }, { "stop-signal", "stopSignal" }, { "hostname", "hostname" },
		{ "session", "session" }, { "userns", "userns" }, { "pid", "pidNamespace" }, { "ipc", "ipcNamespace" },
		{ "ip", "ipAddress" }, { "mac-address", "macAddress" }, { "uts", "utsNamespace" },
		{ "cgroupns", "cgroupNamespace" },
	}, flags[] = {
		{ "tty", "tty" }, { "interactive", "interactive" }, { "read-only", "readOnly" }, { "init", "init" },
		{ "privileged", "privileged" },
	}, lists[] = {
		{ "cap-add", "capAdd" }, { "cap-drop", "capDrop" }, { "tmpfs", "tmpfs" },
		{ "add-host", "extraHosts" }, { "dns", "dns" }, { "network-alias", "networkAliases" },
	};
	int r = 0;
	for (size_t i = 0; !r && i < ARRAY_SIZE(strs); i++)
		if (opt_on(a, strs[i].opt))
			r = jg_key_str(g, strs[i].key, opt_str(a, strs[i].opt));
	for (size_t i = 0; !r && i < ARRAY_SIZE(flags); i++)
		if (opt_on(a, flags[i].opt))
			r = jg_key_bool(g, flags[i].key, true);
	/* its terminal is ours from its start, as podman sets consoleSize */
	unsigned rows, cols;
	if (!r && opt_on(a, "tty") && ctl_terminal_size(&rows, &cols) && rows && cols)
		r = jg_key(g, "consoleSize") || jg_object(g, JG_INT("height", rows), JG_INT("width", cols), JG_END);
	for (size_t i = 0; !r && i < ARRAY_SIZE(lists); i++)
		if (opt_on(a, lists[i].opt))
			r = gen_list(g, lists[i].key, opt_val(a, lists[i].opt)->list, opt_val(a, lists[i].opt)->n);
	if (!r && opt_on(a, "stop-timeout"))
		r = jg_key_int(g, "stopTimeout", opt_num(a, "stop-timeout", 0));
	return r ? ctl_fail("spec", "out of memory") : 0;
}

/* Given, of the options a's table has (update's has no --oom-score-adj) */
static bool given(const ctl_args *a, const char *name) { return opts_find(a->cmd, name) && opt_on(a, name); }

int ctl_gen_resources(const ctl_args *a, yajl_gen g)
{
	static const char *const names[] = { "memory", "memory-swap", "memory-reservation", "cpus", "pids-limit",
					     "oom-score-adj", "cpu-shares", "cpuset-cpus", "cpuset-mems" };
	bool any = false;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		any = any || given(a, names[i]);
	if (!any)
		return 0;
	const char *oom = given(a, "oom-score-adj") ? opt_str(a, "oom-score-adj") : NULL;
	long long adj = 0;
	if (oom && !opt_number(oom, 10, -1000, 1000, &adj))
		return ctl_failf("--oom-score-adj %s: must be a number from -1000 to 1000", oom);
	const char *swap = given(a, "memory-swap") ? opt_str(a, "memory-swap") : NULL;
	size_t swap_bytes = 0;
	if (swap && strcmp(swap, "-1") && (parse_size(swap, &swap_bytes) < 0 || swap_bytes > INT64_MAX))
		return ctl_failf("--memory-swap %s: must be a size like 512m or 1g, or -1", swap);
	int r = jg_key(g, "resources") || yajl_gen_map_open(g);
	if (!r && given(a, "memory"))
		r = jg_key_int(g, "memory", opt_num(a, "memory", 0));
	if (!r && swap)
		r = jg_key_int(g, "memorySwap", strcmp(swap, "-1") ? (long long)swap_bytes : -1);
	if (!r && given(a, "memory-reservation"))
		r = jg_key_int(g, "memoryReservation", opt_num(a, "memory-reservation", 0));
	if (!r && given(a, "pids-limit"))
		r = jg_key_int(g, "pids", opt_num(a, "pids-limit", 0));
	if (!r && given(a, "cpus"))
		r = jg_key(g, "cpus") || yajl_gen_double(g, opt_val(a, "cpus")->real);
	if (!r && oom)
		r = jg_key_int(g, "oomScoreAdj", adj);
	if (!r && given(a, "cpu-shares"))
		r = jg_key_int(g, "cpuShares", opt_num(a, "cpu-shares", 0));
	if (!r && given(a, "cpuset-cpus"))
		r = jg_key_str(g, "cpusetCpus", opt_str(a, "cpuset-cpus"));
	if (!r && given(a, "cpuset-mems"))
		r = jg_key_str(g, "cpusetMems", opt_str(a, "cpuset-mems"));
	return r || yajl_gen_map_close(g) ? ctl_fail("spec", "out of memory") : 0;
}

char *ctl_build_spec(const ctl_args *a, bool auto_remove)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "spec") || yajl_gen_map_open(g) ||
	    jg_key_str(g, "image", a->argv[0]))
		return ctl_fail("spec", "out of memory"), NULL;
	if (a->argc > 1 && gen_list(g, "command", a->argv + 1, (size_t)a->argc - 1))
		return ctl_fail("spec", "out of memory"), NULL;
	if (gen_simple(a, g) || ctl_gen_resources(a, g) || ctl_gen_env(a, g) || ctl_gen_tuning(a, g))
		return NULL;
	if (opt_str(a, "entrypoint") && gen_entrypoint(g, opt_str(a, "entrypoint")))
		return NULL;
	if (opt_on(a, "label") && gen_labels(g, opt_val(a, "label")))
		return NULL;
	if (opt_on(a, "security-opt") && gen_security_opts(g, opt_val(a, "security-opt")))
		return NULL;
	const ctl_optval *vol = opt_val(a, "volume");
	if (vol->n) {
		if (jg_key(g, "mounts") || yajl_gen_array_open(g))
			return ctl_fail("spec", "out of memory"), NULL;
		for (size_t i = 0; i < vol->n; i++)
			if (gen_volume(g, vol->list[i]))
				return NULL;
		yajl_gen_array_close(g);
	}
	if (ctl_gen_secrets(a, g) || ctl_gen_ports(a, g) || ctl_gen_health(a, g))
		return NULL;
	if (auto_remove && jg_key_bool(g, "autoRemove", true))
		return ctl_fail("spec", "out of memory"), NULL;
	if (yajl_gen_map_close(g) || yajl_gen_map_close(g))
		return ctl_fail("spec", "out of memory"), NULL;
	return jg_finish(g, NULL);
}
