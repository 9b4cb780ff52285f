/* corralctl create, run and exec: the options into a ContainerSpec or an
 * Exec call, and run's wait for the end. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/envfile.h"
#include "common/units.h"
#include "common/strv.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void gen_strs(yajl_gen g, const char *key, char **v, int n)
{
	jg_key(g, key);
	yajl_gen_array_open(g);
	for (int i = 0; i < n; i++)
		jg_str(g, v[i]);
	yajl_gen_array_close(g);
}

/* create/run options into a ContainerSpec; *detach for run -d, *io for a
 * foreground run's stdio. */
static char *build_spec(int argc, char **argv, bool *detach, ctl_run_io *io, int *first)
{
	static const struct option longs[] = {
		{ "detach", 0, NULL, 'd' }, { "name", 1, NULL, 'n' }, { "restart", 1, NULL, 'r' },
		{ "memory", 1, NULL, 'm' }, { "cpus", 1, NULL, 'c' }, { "pids", 1, NULL, 'p' },
		{ "env", 1, NULL, 'e' }, { "volume", 1, NULL, 'v' }, { "workdir", 1, NULL, 'w' },
		{ "user", 1, NULL, 'u' }, { "label", 1, NULL, 'l' }, { "tty", 0, NULL, 't' },
		{ "network", 1, NULL, 'N' }, { "stop-signal", 1, NULL, 'S' }, { "stop-timeout", 1, NULL, 'T' },
		{ "cap-add", 1, NULL, 'A' }, { "cap-drop", 1, NULL, 'D' }, { "interactive", 0, NULL, 'i' },
		{ "detach-keys", 1, NULL, 'K' }, { "sig-proxy", 2, NULL, 'P' }, { 0 },
	};
	const char *name = NULL, *restart = NULL, *wd = NULL, *user = NULL, *net = NULL, *ssig = NULL;
	long long mem = -1, pids = -1, stop_t = -1;
	double cpus = 0;
	bool tty = false;
	char *env[256], *vol[64], *lab[64], *cap_add[64], *cap_drop[64];
	int ne = 0, nv = 0, nl = 0, na = 0, nd = 0, o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+dn:r:m:c:p:e:v:w:u:l:ti", longs, NULL)) != -1) {
		switch (o) {
		case 'd': *detach = true; break;
		case 'i': io->interactive = true; break;
		case 'K': io->detach_keys = optarg; break;
		case 'P':
			if (!ctl_bool_arg("--sig-proxy", optarg, &io->sig_proxy))
				return NULL;
			break;
		case 'n': name = optarg; break;
		case 'r': restart = optarg; break;
		case 'm': {
			size_t bytes;
			if (parse_size(optarg, &bytes) < 0 || bytes > INT64_MAX)
				return ctl_fail("--memory", "must be a size like 16m"), NULL;
			mem = (long long)bytes;
			break;
		}
		case 'c': cpus = strtod(optarg, NULL); break;
		case 'p': pids = strtoll(optarg, NULL, 10); break;
		case 'e': if (ne < 256) env[ne++] = optarg; break;
		case 'v': if (nv < 64) vol[nv++] = optarg; break;
		case 'l': if (nl < 64) lab[nl++] = optarg; break;
		case 'w': wd = optarg; break;
		case 'u': user = optarg; break;
		case 't': tty = true; break;
		case 'N': net = optarg; break;
		case 'S': ssig = optarg; break;
		case 'T': stop_t = strtoll(optarg, NULL, 10); break;
		case 'A': if (na < 64) cap_add[na++] = optarg; break;
		case 'D': if (nd < 64) cap_drop[nd++] = optarg; break;
		default: return NULL;
		}
	}
	if (optind >= argc) {
		ctl_fail("run", "expected IMAGE [COMMAND...]");
		return NULL;
	}
	*first = optind;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	jg_key(g, "spec");
	yajl_gen_map_open(g);
	jg_key_str(g, "image", argv[optind]);
	if (name) jg_key_str(g, "name", name);
	if (optind + 1 < argc) gen_strs(g, "command", argv + optind + 1, argc - optind - 1);
	if (ne) gen_strs(g, "env", env, ne);
	if (wd) jg_key_str(g, "workdir", wd);
	if (user) jg_key_str(g, "user", user);
	if (restart) jg_key_str(g, "restart", restart);
	if (net) jg_key_str(g, "network", net);
	if (ssig) jg_key_str(g, "stopSignal", ssig);
	if (stop_t >= 0) jg_key_int(g, "stopTimeout", stop_t);
	if (tty) jg_key_bool(g, "tty", true);
	if (io->interactive) jg_key_bool(g, "interactive", true);
	io->tty = tty;
	if (na) gen_strs(g, "capAdd", cap_add, na);
	if (nd) gen_strs(g, "capDrop", cap_drop, nd);
	if (nv) {
		jg_key(g, "mounts");
		yajl_gen_array_open(g);
		for (int i = 0; i < nv; i++) {
			char *s = strdup(vol[i]), *dst = strchr(s, ':'), *mode = NULL;
			if (!dst) {
				free(s);
				ctl_fail("--volume", "must be SRC:DST[:ro]");
				return NULL;
			}
			*dst++ = '\0';
			if ((mode = strchr(dst, ':')))
				*mode++ = '\0';
			yajl_gen_map_open(g);
			jg_key_str(g, "source", s);
			jg_key_str(g, "destination", dst);
			jg_key_bool(g, "readonly", mode && !strcmp(mode, "ro"));
			yajl_gen_map_close(g);
			free(s);
		}
		yajl_gen_array_close(g);
	}
	if (nl) {
		jg_key(g, "labels");
		yajl_gen_map_open(g);
		for (int i = 0; i < nl; i++) {
			char *eq = strchr(lab[i], '=');
			if (!eq)
				return ctl_fail("--label", "must be KEY=VALUE"), NULL;
			*eq = '\0';
			jg_key_str(g, lab[i], eq + 1);
		}
		yajl_gen_map_close(g);
	}
	if (mem >= 0 || cpus > 0 || pids >= 0) {
		jg_key(g, "resources");
		yajl_gen_map_open(g);
		if (mem >= 0) jg_key_int(g, "memory", mem);
		if (pids >= 0) jg_key_int(g, "pids", pids);
		if (cpus > 0) {
			jg_key(g, "cpus");
			yajl_gen_double(g, cpus);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return jg_finish(g, NULL);
}

int ctl_wait_code(const char *id, bool print, bool *ok)
{
	*ok = false;
	_cleanup_free_ char *p = ctl_obj_id("id", id);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	ctl_timeout_ms = -1;
	if (ctl_call(&c, M("Wait"), p, false, &rep))
		return 125;
	long long code = 0;
	json_int_in(json_get(rep.params, "exitCode"), -1, 255, &code);
	vl_reply_release(&rep);
	*ok = true;
	if (print)
		printf("%lld\n", code);
	return (int)code;
}

bool ctl_is_running(const char *id)
{
	_cleanup_free_ char *p = ctl_obj_id("id", id);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (!p || ctl_call(&c, M("Inspect"), p, false, &rep))
		return false;
	yajl_val st = json_get(json_get(json_get(rep.params, "container"), "state"), "status");
	bool running = YAJL_IS_STRING(st) && !strcmp(st->u.string, "running");
	vl_reply_release(&rep);
	return running;
}

int ctl_create_run(int argc, char **argv, bool run)
{
	bool detach = false;
	ctl_run_io io = { .sig_proxy = true };
	int first;
	_cleanup_free_ char *spec = build_spec(argc, argv, &detach, &io, &first);
	if (!spec)
		return 2;
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, M("CreateContainer"), spec, false, &rep))
		return 125;
	_cleanup_free_ char *id = strdup(ctl_str(rep.params, "id"));
	vl_reply_release(&rep);
	if (!run) {
		printf("%s\n", id);
		return 0;
	}
	if (!detach) /* attached first: nothing it prints is missed */
		return ctl_run_attached(id, &io);
	_cleanup_free_ char *p = ctl_obj_id("id", id);
	if (ctl_call(&c, M("Start"), p, false, &rep))
		return 125;
	vl_reply_release(&rep);
	printf("%s\n", id);
	return 0;
}

int ctl_exec(int argc, char **argv)
{
	ctl_exec_req r = { 0 };
	_cleanup_strv_ char **env = NULL;
	int o;
	static const struct option longs[] = { { "env", 1, NULL, 'e' }, { "workdir", 1, NULL, 'w' },
						{ "user", 1, NULL, 'u' }, { "interactive", 0, NULL, 'i' },
						{ "tty", 0, NULL, 't' }, { "detach", 0, NULL, 'd' },
						{ "env-file", 1, NULL, 'E' }, { 0 } };
	optind = 1;
	while ((o = getopt_long(argc, argv, "+e:w:u:itd", longs, NULL)) != -1) {
		switch (o) {
		case 'e':
			if (ctl_env_add(&env, optarg))
				return 125;
			break;
		case 'E':
			if (ctl_env_file(&env, optarg))
				return 125;
			break;
		case 'w': r.workdir = optarg; break;
		case 'u': r.user = optarg; break;
		case 'i': r.interactive = true; break;
		case 't': r.tty = true; break;
		case 'd': r.detach = true; break;
		default: return 125;
		}
	}
	if (argc - optind < 2)
		return ctl_fail("exec", "expected [OPTIONS] CONTAINER COMMAND..."), 125;
	if (r.detach && (r.interactive || r.tty))
		return ctl_fail("exec", "-d leaves the command alone: it takes no -i or -t"), 125;
	r.id = argv[optind];
	r.command = argv + optind + 1;
	r.n_command = argc - optind - 1;
	r.env = env;
	return ctl_exec_run(&r);
}
