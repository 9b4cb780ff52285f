/* corralctl's calls to corrald, and corrald's errors as one line each. */
#include "supervisor/ctl/ctl.h"
#include "common/cli_error.h"
#include "supervisor/template/template_value.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "supervisor/api/owned_name.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The global options (ctl.h), set by main. */
const char *ctl_sock;
int ctl_timeout_ms = 30000;
bool ctl_json;
const char *ctl_format;

int ctl_fail(const char *what, const char *msg)
{
	fprintf(stderr, "corralctl: %s: %s\n", what, msg);
	return EXIT_CTL;
}

int ctl_failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror("corralctl", NULL, fmt, ap);
	va_end(ap);
	return EXIT_CTL;
}

char *ctl_to_json(yajl_val v, bool pretty)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(pretty);
	if (!g || jg_value(g, v))
		return NULL;
	return jg_finish(g, NULL);
}

const char *ctl_str(yajl_val o, const char *key)
{
	yajl_val v = tmpl_field(o, key, strlen(key));
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

const char *ctl_owned_name(yajl_val o, char *buf, size_t n)
{
	return owned_name_shown(ctl_str(o, "name"), (uid_t)ctl_int(o, "owner", 0), getuid(), buf, n);
}

long long ctl_int(yajl_val o, const char *key, long long dflt)
{
	long long v;
	return json_int_in(tmpl_field(o, key, strlen(key)), LLONG_MIN, LLONG_MAX, &v) ? v : dflt;
}

yajl_gen ctl_params(const char *id)
{
	yajl_gen g = json_gen_new(false);
	if (g && (yajl_gen_map_open(g) || (id && jg_key_str(g, "id", id)))) {
		yajl_gen_free(g);
		return NULL;
	}
	return g;
}

yajl_val ctl_gen_tree(yajl_gen g)
{
	_cleanup_free_ char *text = jg_finish(g, NULL);
	yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (!text || json_parse(text, NULL, &v, &err) < 0) {
		ctl_fail("output", text ? cerr_msg(&err) : "out of memory");
		return NULL;
	}
	return v;
}

static int fail_io(cerr *err, const char *what)
{
	/* a socket file with nobody behind it: a corrald that was killed */
	if (streq(what, "connect") && (err->code == ENOENT || err->code == ECONNREFUSED))
		fprintf(stderr, "corralctl: corrald is not running: %s %s\n",
			err->code == ENOENT ? "no socket at" : "nothing listens on", ctl_sock);
	else
		fprintf(stderr, "corralctl: %s: %s\n", what, cerr_msg(err));
	cerr_clear(err);
	return EXIT_CTL;
}

void ctl_print_raw_error(const char *method, const vl_reply *rep)
{
	_cleanup_free_ char *s = ctl_to_json(rep->params, false);
	fprintf(stderr, "corralctl: %s: %s%s%s\n", method, rep->error, s && !streq(s, "{}") ? ": " : "",
		s && !streq(s, "{}") ? s : "");
}

/* The container as the user named it, while ctl_each calls for it: its
 * errors say that, as podman echoes what was typed. */
static const char *named;

/* The reason of the last InternalError, for ctl_exec_failure_code. */
static char last_reason[256];

int ctl_exec_failure_code(void)
{
	/* the runtime's words (runtime/exec_path.c): exec: "CMD": why */
	if (strncmp(last_reason, "exec: \"", 7) && !strstr(last_reason, ": exec: \""))
		return EXIT_CTL;
	return strstr(last_reason, "not found") || strstr(last_reason, "No such file") ? EXIT_NOT_FOUND
										       : EXIT_CANNOT_INVOKE;
}

/* The error reply as one line: "corralctl: Start: no such container: x". */
void ctl_print_call_error(const char *method, const vl_reply *rep)
{
	const char *short_m = strrchr(method, '.') ? strrchr(method, '.') + 1 : method;
	const char *short_e = strrchr(rep->error, '.') ? strrchr(rep->error, '.') + 1 : rep->error;
	yajl_val p = rep->params;
	snprintf(last_reason, sizeof(last_reason), "%s", streq(short_e, "InternalError") ? ctl_str(p, "reason") : "");
	if (streq(short_e, "InvalidParameter"))
		fprintf(stderr, "corralctl: %s: %s: %s\n", short_m, ctl_str(p, "parameter"), ctl_str(p, "reason"));
	else if (streq(short_e, "NoSuchContainer"))
		fprintf(stderr, "corralctl: %s: no such container: %s\n", short_m, ctl_str(p, "id"));
	else if (streq(short_e, "ImagePullFailed") || streq(short_e, "ImagePushFailed"))
		fprintf(stderr, "corralctl: %s: %s: %s\n", short_m, ctl_str(p, "reference"), ctl_str(p, "reason"));
	else if (streq(short_e, "NoSuchImage") && streq(short_m, "ImagePull"))
		fprintf(stderr, "corralctl: %s: no such image: %s (not in the store; no registry-search is set to pull a "
				"short name from)\n", short_m, ctl_str(p, "image"));
	else if (streq(short_e, "NoSuchImage"))
		fprintf(stderr, "corralctl: %s: no such image: %s\n", short_m, ctl_str(p, "image"));
	else if (streq(short_e, "NoSuchSecret"))
		fprintf(stderr, "corralctl: %s: no such secret: %s\n", short_m, ctl_str(p, "name"));
	else if (streq(short_e, "NoSuchVolume"))
		fprintf(stderr, "corralctl: %s: no such volume: %s\n", short_m, ctl_str(p, "name"));
	else if (streq(short_e, "VolumeExists"))
		fprintf(stderr, "corralctl: %s: volume %s exists\n", short_m, ctl_str(p, "name"));
	else if (streq(short_e, "SecretExists"))
		fprintf(stderr, "corralctl: %s: secret %s exists: remove it first\n", short_m, ctl_str(p, "name"));
	else if (streq(short_e, "NameInUse") && *ctl_str(p, "id"))
		fprintf(stderr, "corralctl: %s: name %s is in use by %.12s\n", short_m, ctl_str(p, "name"), ctl_str(p, "id"));
	else if (streq(short_e, "NameInUse"))
		fprintf(stderr, "corralctl: %s: name %s is in use\n", short_m, ctl_str(p, "name"));
	else if (streq(short_e, "NoSuchSession"))
		fprintf(stderr, "corralctl: %s: no such session: %s\n", short_m, ctl_str(p, "name"));
	else if (streq(short_e, "NoSuchNetwork"))
		fprintf(stderr, "corralctl: %s: no such network: %s\n", short_m, ctl_str(p, "name"));
	else if (streq(short_e, "SessionExists"))
		fprintf(stderr, "corralctl: %s: session %s exists: remove it first, or take another name\n", short_m,
			ctl_str(p, "name"));
	else if (streq(short_e, "InvalidState") && streq(ctl_str(p, "state"), "in-use"))
		fprintf(stderr, "corralctl: %s: %s\n", short_m, ctl_str(p, "reason"));
	else if (streq(short_e, "InvalidState") && !strncmp(short_m, "Session", 7)) /* id: the session (or SESSION/KEY) */
		fprintf(stderr, "corralctl: %s: %s is %s: %s\n", short_m, ctl_str(p, "id"), ctl_str(p, "state"),
			ctl_str(p, "reason"));
	else if (streq(short_e, "NoSuchJob"))
		fprintf(stderr, "corralctl: %s: no such job: %s\n", short_m, ctl_str(p, "id"));
	else if (streq(short_e, "InvalidState") && !strncmp(short_m, "Job", 3))
		fprintf(stderr, "corralctl: %s: job %s is %s: %s\n", short_m, ctl_str(p, "id"), ctl_str(p, "state"),
			ctl_str(p, "reason"));
	else if (streq(short_e, "InvalidState")) /* state is the container's, as it is now */
		fprintf(stderr, "corralctl: %s: container %.*s is %s: %s\n", short_m, named ? (int)strlen(named) : 12,
			named ? named : ctl_str(p, "id"), ctl_str(p, "state"), ctl_str(p, "reason"));
	else if (streq(short_e, "InternalError"))
		fprintf(stderr, "corralctl: %s: %s\n", short_m, ctl_str(p, "reason"));
	else if (streq(short_e, "PolicyViolation"))
		fprintf(stderr, "corralctl: %s: refused by policy: %s: %s (limit %s)\n", short_m, ctl_str(p, "field"),
			ctl_str(p, "reason"), ctl_str(p, "limit"));

	else if (streq(short_e, "PermissionDenied") && *ctl_str(p, "reason")) /* a caller let in, asking too much */
		fprintf(stderr, "corralctl: %s: permission denied: %s\n", short_m, ctl_str(p, "reason"));
	else if (streq(short_e, "PermissionDenied"))
		fprintf(stderr, "corralctl: %s: permission denied (%s): root, or a member of corrald's group, may call it\n",
			short_m, rep->error);
	else
		ctl_print_raw_error(short_m, rep);
}

/* ctl_recv, where an error named `tolerated` (its short name) returns 1
 * unsaid. */
static int recv_tolerating(vl_client *c, const char *method, const char *tolerated, vl_reply *rep)
{
	cerr err = { 0 };
	if (vl_client_recv(c, rep, &err) < 0)
		return fail_io(&err, method);
	if (!rep->error)
		return 0;
	const char *short_e = strrchr(rep->error, '.') ? strrchr(rep->error, '.') + 1 : rep->error;
	bool quiet = tolerated && streq(short_e, tolerated);
	if (!quiet)
		ctl_print_call_error(method, rep);
	vl_reply_release(rep);
	return quiet ? 1 : EXIT_CTL;
}

/* --filter until=TIME, label=KEY[=VALUE] and label!=KEY[=VALUE] as
 * corrald's until, labels and labelsNot */
static int gen_prune_filters(const ctl_args *a, yajl_gen g)
{
	const ctl_optval *f = opt_val(a, "filter");
	_cleanup_strv_ char **labels = NULL, **not = NULL;
	for (size_t i = 0; i < f->n; i++) {
		const char *kv = f->list[i], *eq = strchr(kv, '=');
		size_t k = eq ? (size_t)(eq - kv) : 0;
		int r = 0;
		if (k == 5 && !strncmp(kv, "until", 5)) {
			ctl_optval t = { 0 };
			const char *why;
			if (opt_convert(OPT_TIME, eq + 1, &t, &why) < 0)
				return ctl_usage_error(a->cmd, "--filter %s: %s", kv, why);
			r = jg_key_str(g, "until", t.str);
			free(t.owned);
		} else if ((k == 5 && !strncmp(kv, "label", 5)) || (k == 6 && !strncmp(kv, "label!", 6))) {
			char *v = strdup(eq + 1);
			r = !v || strv_push(k == 5 ? &labels : &not, v) < 0;
			if (r)
				free(v);
		} else {
			return ctl_usage_error(a->cmd, "--filter %s: must be until=TIME, label=KEY[=VALUE] or label!=KEY[=VALUE]",
					       kv);
		}
		if (r)
			return ctl_fail("prune", "out of memory");
	}
	if ((labels && jg_key_strv(g, "labels", labels)) || (not && jg_key_strv(g, "labelsNot", not)))
		return ctl_fail("prune", "out of memory");
	return 0;
}

int ctl_prune(const ctl_args *a, const char *method, int (*show)(yajl_val reply))
{
	ctl_timeout_ms = -1;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || (opts_find(a->cmd, "all") && opt_on(a, "all") && jg_key_bool(g, "all", true)))
		return ctl_fail("prune", "out of memory");
	int r = opts_find(a->cmd, "filter") ? gen_prune_filters(a, g) : 0;
	if (r)
		return r;
	_cleanup_free_ char *params = yajl_gen_map_close(g) ? NULL : jg_finish(g, NULL);
	return params ? ctl_call_show(method, params, show) : ctl_fail("prune", "out of memory");
}

int ctl_recv(vl_client *c, const char *method, vl_reply *rep)
{
	return recv_tolerating(c, method, NULL, rep);
}

static int call_tolerating(vl_client **c, const char *method, const char *params, bool more, const char *tolerated,
			   vl_reply *rep)
{
	cerr err = { 0 };
	if (!*c && vl_client_connect(ctl_sock, c, &err) < 0) /* else: reuse the connection */
		return fail_io(&err, "connect");
	vl_client_set_timeout(*c, more ? -1 : ctl_timeout_ms);
	if (vl_client_send(*c, method, params, more, false, &err) < 0)
		return fail_io(&err, method);
	return recv_tolerating(*c, method, tolerated, rep);
}

int ctl_call(vl_client **c, const char *method, const char *params, bool more, vl_reply *rep)
{
	return call_tolerating(c, method, params, more, NULL, rep);
}

int ctl_call_gen_tolerating(vl_client **c, const char *method, yajl_gen gen, const char *tolerated, vl_reply *rep)
{
	_cleanup_json_gen_ yajl_gen g = gen;
	if (!g || yajl_gen_map_close(g))
		return ctl_fail(method, "out of memory");
	_cleanup_free_ char *params = jg_finish(g, NULL);
	return params ? call_tolerating(c, method, params, false, tolerated, rep) : ctl_fail(method, "out of memory");
}

int ctl_call_found(const char *method, yajl_gen g, const char *tolerated)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	int r = ctl_call_gen_tolerating(&c, method, g, tolerated, &rep);
	if (r == 0)
		vl_reply_release(&rep);
	return r == 0 ? 1 : r == 1 ? 0 : EXIT_CTL;
}

int ctl_call_gen(vl_client **c, const char *method, yajl_gen gen, bool more, vl_reply *rep)
{
	_cleanup_json_gen_ yajl_gen g = gen;
	if (!g || yajl_gen_map_close(g))
		return ctl_fail(method, "out of memory");
	_cleanup_free_ char *params = jg_finish(g, NULL);
	return params ? ctl_call(c, method, params, more, rep) : ctl_fail(method, "out of memory");
}

int ctl_call_progress(const char *method, yajl_gen g, const char *accepted, void (*show)(yajl_val progress, void *ctx),
		      void *ctx, vl_reply *last)
{
	ctl_timeout_ms = -1;
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, method, g, true, &rep))
		return EXIT_CTL;
	if (accepted)
		fputs(accepted, stderr);
	while (rep.continues) {
		yajl_val prog = json_get(rep.params, "progress");
		if (prog && show)
			show(prog, ctx);
		vl_reply_release(&rep);
		if (ctl_recv(c, method, &rep))
			return EXIT_CTL;
	}
	*last = rep;
	return 0;
}

int ctl_call_upgrade(const char *method, yajl_gen gen, bool quiet, int *fd)
{
	_cleanup_json_gen_ yajl_gen g = gen;
	_cleanup_vl_client_ vl_client *c = NULL;
	_cleanup_free_ char *params = NULL;
	cerr err = { 0 };
	vl_reply rep;
	*fd = -1;
	if (!g || yajl_gen_map_close(g) || !(params = jg_finish(g, NULL)))
		return ctl_fail(method, "out of memory");
	if (vl_client_connect(ctl_sock, &c, &err) < 0)
		return fail_io(&err, "connect");
	vl_client_set_timeout(c, ctl_timeout_ms);
	if (vl_client_call_upgrade(c, method, params, &rep, fd, &err) < 0)
		return fail_io(&err, method);
	if (rep.error && !quiet)
		ctl_print_call_error(method, &rep);
	vl_reply_release(&rep);
	return *fd < 0 ? EXIT_CTL : 0;
}

int ctl_collect(const char *method, const char *param, int argc, char **argv, const char *key, yajl_val *out)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_vl_client_ vl_client *c = NULL;
	int rc = 0;
	*out = NULL;
	if (!g || yajl_gen_array_open(g))
		return ctl_fail(method, "out of memory");
	for (int i = 0; i < argc; i++) {
		yajl_gen p = ctl_params(NULL);
		vl_reply rep;
		if (p && jg_key_str(p, param, argv[i])) {
			yajl_gen_free(p);
			p = NULL;
		}
		if (ctl_call_gen(&c, method, p, false, &rep)) {
			rc = EXIT_CTL;
			continue;
		}
		jg_value(g, json_get(rep.params, key));
		vl_reply_release(&rep);
	}
	if (yajl_gen_array_close(g) || !(*out = ctl_gen_tree(g)))
		return EXIT_CTL;
	return rc;
}

int ctl_call_show(const char *method, const char *params, int (*show)(yajl_val reply))
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, method, params, false, &rep))
		return EXIT_CTL;
	int r = show(rep.params);
	vl_reply_release(&rep);
	return r;
}

int ctl_each(const ctl_args *a, const char *method, const char *key, ctl_add_fn add, ctl_show_fn show)
{
	int rc = 0;
	_cleanup_vl_client_ vl_client *c = NULL;
	for (int i = 0; i < a->argc; i++) {
		yajl_gen g = ctl_params(NULL);
		vl_reply rep;
		if (g && (jg_key_str(g, key, a->argv[i]) || (add && add(a, g)))) {
			yajl_gen_free(g);
			g = NULL;
		}
		named = a->argv[i];
		int failed = ctl_call_gen(&c, method, g, false, &rep);
		named = NULL;
		if (failed) {
			rc = EXIT_CTL;
			continue;
		}
		int r = 0;
		if (show)
			r = show(a, a->argv[i], rep.params);
		else
			printf("%s\n", a->argv[i]);
		vl_reply_release(&rep);
		rc = rc ? rc : r;
	}
	return rc;
}

int ctl_add_force(const ctl_args *a, yajl_gen g)
{
	return opt_on(a, "force") ? jg_key_bool(g, "force", true) : 0;
}
