/* corralctl's container and image verbs. */
#include "supervisor/ctl/ctl.h"
#include "common/units.h"
#include "supervisor/varlink/interface.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define M(x) CORRAL_SUPERVISOR_INTERFACE "." x

static char *obj_id(const char *key, const char *id)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, key, id) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}

/* Call, print JSON (or nothing), and return 0/1. */
static int simple(const char *method, const char *params, bool print)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, method, params, false, &rep))
		return 1;
	if (print) {
		_cleanup_free_ char *s = ctl_to_json(rep.params, true);
		printf("%s\n", s ? s : "{}");
	}
	vl_reply_release(&rep);
	return 0;
}

static void gen_strs(yajl_gen g, const char *key, char **v, int n)
{
	jg_key(g, key);
	yajl_gen_array_open(g);
	for (int i = 0; i < n; i++)
		jg_str(g, v[i]);
	yajl_gen_array_close(g);
}

/* create/run options into a ContainerSpec; *detach for run -d. */
static char *build_spec(int argc, char **argv, bool *detach, int *first)
{
	static const struct option longs[] = {
		{ "detach", 0, NULL, 'd' }, { "name", 1, NULL, 'n' }, { "restart", 1, NULL, 'r' },
		{ "memory", 1, NULL, 'm' }, { "cpus", 1, NULL, 'c' }, { "pids", 1, NULL, 'p' },
		{ "env", 1, NULL, 'e' }, { "volume", 1, NULL, 'v' }, { "workdir", 1, NULL, 'w' },
		{ "user", 1, NULL, 'u' }, { "label", 1, NULL, 'l' }, { "tty", 0, NULL, 't' },
		{ "network", 1, NULL, 'N' }, { "stop-signal", 1, NULL, 'S' }, { "stop-timeout", 1, NULL, 'T' },
		{ "cap-add", 1, NULL, 'A' }, { "cap-drop", 1, NULL, 'D' }, { 0 },
	};
	const char *name = NULL, *restart = NULL, *wd = NULL, *user = NULL, *net = NULL, *ssig = NULL;
	long long mem = -1, pids = -1, stop_t = -1;
	double cpus = 0;
	bool tty = false;
	char *env[256], *vol[64], *lab[64], *cap_add[64], *cap_drop[64];
	int ne = 0, nv = 0, nl = 0, na = 0, nd = 0, o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+dn:r:m:c:p:e:v:w:u:l:t", longs, NULL)) != -1) {
		switch (o) {
		case 'd': *detach = true; break;
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

static int print_lines(yajl_val p, bool ts)
{
	yajl_val lines = json_get(p, "lines");
	for (size_t i = 0; YAJL_IS_ARRAY(lines) && i < lines->u.array.len; i++) {
		yajl_val l = lines->u.array.values[i];
		FILE *f = strcmp(ctl_str(l, "stream"), "stderr") ? stdout : stderr;
		if (ts)
			fprintf(f, "%s ", ctl_str(l, "time"));
		fputs(ctl_str(l, "line"), f);
		if (!YAJL_IS_TRUE(json_get(l, "partial")))
			fputc('\n', f);
	}
	fflush(stdout);
	fflush(stderr);
	return 0;
}

static int stream_logs(const char *id, bool follow, long tail, bool ts)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return 1;
	yajl_gen_map_open(g);
	jg_key_str(g, "id", id);
	if (follow) jg_key_bool(g, "follow", true);
	if (tail >= 0) jg_key_int(g, "tail", tail);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Logs"), g, follow, &rep))
		return 1;
	for (;;) {
		print_lines(rep.params, ts);
		bool more = rep.continues;
		vl_reply_release(&rep);
		if (!more)
			return 0;
		cerr err = { 0 };
		if (vl_client_recv(c, &rep, &err) < 0) {
			ctl_fail("logs", cerr_msg(&err));
			cerr_clear(&err);
			return 1;
		}
		if (rep.error) {
			ctl_fail("logs", rep.error);
			vl_reply_release(&rep);
			return 1;
		}
	}
}

static int wait_code(const char *id, bool print, bool *ok)
{
	*ok = false;
	_cleanup_free_ char *p = obj_id("id", id);
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

static int v_create_run(int argc, char **argv, bool run)
{
	bool detach = false;
	int first;
	_cleanup_free_ char *spec = build_spec(argc, argv, &detach, &first);
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
	_cleanup_free_ char *p = obj_id("id", id);
	if (ctl_call(&c, M("Start"), p, false, &rep))
		return 125;
	vl_reply_release(&rep);
	if (detach) {
		printf("%s\n", id);
		return 0;
	}
	stream_logs(id, true, -1, false);
	bool ok;
	return wait_code(id, false, &ok);
}

static int v_by_id(const char *method, int argc, char **argv, const char *extra_key, const char *extra_val,
		   bool is_int, bool print)
{
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		yajl_gen_map_open(g);
		jg_key_str(g, "id", argv[i]);
		if (extra_val) {
			if (is_int)
				jg_key_int(g, extra_key, strtoll(extra_val, NULL, 10));
			else if (!strcmp(extra_val, "true"))
				jg_key_bool(g, extra_key, true);
			else
				jg_key_str(g, extra_key, extra_val);
		}
		yajl_gen_map_close(g);
		_cleanup_free_ char *p = jg_finish(g, NULL);
		if (simple(method, p, print))
			rc = 1;
		else if (!print)
			printf("%s\n", argv[i]);
	}
	return rc;
}

static void age(const char *rfc, char *buf, size_t n)
{
	struct tm tm = { 0 };
	if (!rfc || !*rfc || !strptime(rfc, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, n, "-");
		return;
	}
	long long d = (long long)(time(NULL) - timegm(&tm));
	if (d < 120) snprintf(buf, n, "%llds ago", d);
	else if (d < 7200) snprintf(buf, n, "%lldm ago", d / 60);
	else if (d < 172800) snprintf(buf, n, "%lldh ago", d / 3600);
	else snprintf(buf, n, "%lldd ago", d / 86400);
}

static int v_ps(int argc, char **argv)
{
	bool all = false;
	for (int i = 0; i < argc; i++)
		all |= !strcmp(argv[i], "-a") || !strcmp(argv[i], "--all");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, M("List"), all ? "{\"all\":true}" : "{}", false, &rep))
		return 1;
	yajl_val l = json_get(rep.params, "containers");
	if (ctl_json) {
		_cleanup_free_ char *s = ctl_to_json(l, true);
		printf("%s\n", s ? s : "[]");
	} else {
		printf("%-12s  %-20s  %-24s  %-18s  %s\n", "CONTAINER ID", "NAME", "IMAGE", "STATUS", "CREATED");
		for (size_t i = 0; YAJL_IS_ARRAY(l) && i < l->u.array.len; i++) {
			yajl_val x = l->u.array.values[i];
			yajl_val st = json_get(x, "state");
			char status[64], created[32];
			long long code = 0;
			if (json_int_in(json_get(st, "exit_code"), -1, 255, &code) && !strcmp(ctl_str(st, "status"), "exited"))
				snprintf(status, sizeof(status), "exited (%lld)", code);
			else
				snprintf(status, sizeof(status), "%s", ctl_str(st, "status"));
			age(ctl_str(x, "created"), created, sizeof(created));
			const char *img = ctl_str(x, "image");
			size_t il = strlen(img);
			printf("%-12.12s  %-20s  %-24s  %-18s  %s\n", ctl_str(x, "id"), ctl_str(x, "name"),
			       il > 24 ? img + il - 24 : img, status, created);
		}
	}
	vl_reply_release(&rep);
	return 0;
}

static int v_logs(int argc, char **argv)
{
	bool follow = false, ts = false;
	long tail = -1;
	int o;
	static const struct option longs[] = { { "follow", 0, NULL, 'f' }, { "tail", 1, NULL, 'n' },
						{ "timestamps", 0, NULL, 't' }, { 0 } };
	optind = 1;
	while ((o = getopt_long(argc, argv, "+fn:t", longs, NULL)) != -1) {
		if (o == 'f') follow = true;
		else if (o == 'n') tail = strtol(optarg, NULL, 10);
		else if (o == 't') ts = true;
		else return 2;
	}
	if (argc - optind != 1)
		return ctl_fail("logs", "expected one container"), 2;
	if (follow)
		ctl_timeout_ms = -1;
	return stream_logs(argv[optind], follow, tail, ts);
}

static int v_exec(int argc, char **argv)
{
	char *env[256];
	int ne = 0, o;
	const char *wd = NULL, *user = NULL;
	static const struct option longs[] = { { "env", 1, NULL, 'e' }, { "workdir", 1, NULL, 'w' },
						{ "user", 1, NULL, 'u' }, { 0 } };
	optind = 1;
	while ((o = getopt_long(argc, argv, "+e:w:u:", longs, NULL)) != -1) {
		switch (o) {
		case 'e':
			if (ne == (int)ARRAY_SIZE(env))
				return ctl_fail("exec", "more than 256 --env"), 2;
			env[ne++] = optarg;
			break;
		case 'w': wd = optarg; break;
		case 'u': user = optarg; break;
		default: return 2;
		}
	}
	if (argc - optind < 2)
		return ctl_fail("exec", "expected [OPTIONS] CONTAINER COMMAND..."), 2;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "id", argv[optind]);
	gen_strs(g, "command", argv + optind + 1, argc - optind - 1);
	if (ne)
		gen_strs(g, "env", env, ne);
	if (wd)
		jg_key_str(g, "workdir", wd);
	if (user)
		jg_key_str(g, "user", user);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Exec"), g, false, &rep))
		return 125;
	fputs(ctl_str(rep.params, "stdout"), stdout);
	fputs(ctl_str(rep.params, "stderr"), stderr);
	long long code = 0;
	json_int_in(json_get(rep.params, "exitCode"), -1, 255, &code);
	vl_reply_release(&rep);
	return (int)code;
}

static int v_stats(int argc, char **argv)
{
	if (ctl_json)
		return v_by_id(M("Stats"), argc, argv, NULL, NULL, false, true);
	printf("%-12s  %12s  %12s  %6s  %12s  %12s\n", "CONTAINER ID", "CPU (usec)", "MEMORY", "PIDS", "IO READ", "IO WRITE");
	for (int i = 0; i < argc; i++) {
		_cleanup_free_ char *p = obj_id("id", argv[i]);
		_cleanup_vl_client_ vl_client *c = NULL;
		vl_reply rep;
		if (ctl_call(&c, M("Stats"), p, false, &rep))
			return 1;
		yajl_val s = json_get(rep.params, "stats");
		long long v[5] = { 0 };
		const char *k[5] = { "cpuUsageUsec", "memoryBytes", "pids", "ioReadBytes", "ioWriteBytes" };
		for (int j = 0; j < 5; j++)
			json_int_in(json_get(s, k[j]), 0, 1ll << 62, &v[j]);
		printf("%-12.12s  %12lld  %12lld  %6lld  %12lld  %12lld\n", ctl_str(s, "id"), v[0], v[1], v[2], v[3], v[4]);
		vl_reply_release(&rep);
	}
	return 0;
}

static int v_events(int argc, char **argv)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	ctl_timeout_ms = -1;
	if (ctl_call(&c, M("Events"), argc && !strcmp(argv[0], "--since") && argc > 1 ?
			 obj_id("since", argv[1]) : "{}", true, &rep))
		return 1;
	for (;;) {
		yajl_val e = json_get(rep.params, "event");
		if (ctl_json) {
			_cleanup_free_ char *s = ctl_to_json(e, false);
			printf("%s\n", s ? s : "{}");
		} else {
			printf("%s %s %s %.12s %s", ctl_str(e, "time"), ctl_str(e, "type"), ctl_str(e, "action"),
			       ctl_str(e, "id"), ctl_str(e, "name"));
			yajl_val a = json_get(e, "attributes");
			for (size_t i = 0; YAJL_IS_OBJECT(a) && i < a->u.object.len; i++)
				printf(" %s=%s", a->u.object.keys[i],
				       YAJL_IS_STRING(a->u.object.values[i]) ? a->u.object.values[i]->u.string : "");
			printf("\n");
		}
		fflush(stdout);
		bool more = rep.continues;
		vl_reply_release(&rep);
		cerr err = { 0 };
		if (!more || vl_client_recv(c, &rep, &err) < 0) {
			cerr_clear(&err);
			return 0;
		}
		if (rep.error) {
			vl_reply_release(&rep);
			return 1;
		}
	}
}

int ctl_verb(const char *verb, int argc, char **argv, bool *handled)
{
	*handled = true;
	/* getopt wants argv[0] */
	if (!strcmp(verb, "create") || !strcmp(verb, "run"))
		return v_create_run(argc + 1, argv - 1, verb[0] == 'r');
	if (!strcmp(verb, "start"))
		return v_by_id(M("Start"), argc, argv, NULL, NULL, false, false);
	if (!strcmp(verb, "stop")) {
		const char *t = NULL;
		if (argc >= 2 && !strcmp(argv[0], "-t")) {
			t = argv[1];
			argc -= 2;
			argv += 2;
		}
		ctl_timeout_ms = -1;
		return v_by_id(M("Stop"), argc, argv, "timeout", t, true, false);
	}
	if (!strcmp(verb, "kill")) {
		const char *s = NULL;
		if (argc >= 2 && !strcmp(argv[0], "-s")) {
			s = argv[1];
			argc -= 2;
			argv += 2;
		}
		return v_by_id(M("Kill"), argc, argv, "signal", s, false, false);
	}
	if (!strcmp(verb, "rm")) {
		bool f = argc >= 1 && !strcmp(argv[0], "-f");
		ctl_timeout_ms = -1;
		return v_by_id(M("Remove"), argc - f, argv + f, "force", f ? "true" : NULL, false, false);
	}
	if (!strcmp(verb, "inspect"))
		return v_by_id(M("Inspect"), argc, argv, NULL, NULL, false, true);
	if (!strcmp(verb, "ps"))
		return v_ps(argc, argv);
	if (!strcmp(verb, "logs"))
		return v_logs(argc + 1, argv - 1);
	if (!strcmp(verb, "wait") && argc == 1)
	{
		bool ok;
		wait_code(argv[0], true, &ok);
		return ok ? 0 : 1;
	}
	if (!strcmp(verb, "exec"))
		return v_exec(argc + 1, argv - 1);
	if (!strcmp(verb, "stats"))
		return v_stats(argc, argv);
	if (!strcmp(verb, "events"))
		return v_events(argc, argv);
	if (!strcmp(verb, "image"))
		return ctl_image(argc, argv);
	*handled = false;
	return 2;
}
