/* corralctl: the command-line client of corrald. */
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/interface.h"
#include "supervisor/varlink/client.h"
#include "supervisor/ctl/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SOCKET "/run/corral/corrald.sock"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: corralctl [--socket PATH] [--timeout SECONDS] COMMAND [ARGS]\n\n"
		"Commands:\n"
		"  ping                      check that corrald answers\n"
		"  info                      show what corrald reports about itself\n"
		"  metrics                   print corrald's metrics (Prometheus text)\n"
		"  describe [INTERFACE]      print an interface description\n"
		"  call [--more] [--oneway] METHOD [JSON]\n"
		"                            call a method (\"Ping\" or a full name) with JSON\n"
		"                            parameters; print each reply as JSON\n"
		"  version                   print corralctl's version\n\n"
		"Images:     image import [--format oci|docker] SOURCE [NAME] | image ls |\n"
		"            image inspect IMAGE | image rm [-f] IMAGE... | image prune [-a]\n"
		"            SOURCE: [oci:|oci-archive:|docker-archive:]PATH[:REF]\n"
		"Containers: create|run [-d] [--name N] [--restart P] [--memory 16m] [--cpus 0.5]\n"
		"              [--pids N] [-e K=V] [-v SRC:DST[:ro]] [-w DIR] [-u USER] [-l K=V]\n"
		"              [-i] [-t] [--detach-keys K] [--sig-proxy=false] [--network none|loopback]\n"
		"              IMAGE [COMMAND...]\n"
		"            start ID... | stop [-t SECONDS] ID... | kill [-s SIGNAL] ID... |\n"
		"            rm [-f] ID... | ps [-a] | inspect ID... | logs [-f] [--tail N] [-t] ID |\n"
		"            wait ID | stats ID... | events |\n"
		"            exec [-i] [-t] [-d] [-u USER] [-e K[=V]] [--env-file F] [-w DIR] ID COMMAND... |\n"
		"            attach [--detach-keys K] [--no-stdin] [--sig-proxy=false] ID\n"
		"--json prints JSON instead of tables. run without -d attaches (ctrl-p ctrl-q\n"
		"detaches) and exits with the container's exit code.\n\n"
		"The socket is --socket, else $CORRAL_SOCKET, else " DEFAULT_SOCKET ".\n");
}

static const char *sock_path;
static int timeout_ms = 30000;
const char *ctl_sock;
int ctl_timeout_ms = 30000;
bool ctl_json;

static char *qualify(const char *m)
{
	char *q = NULL;
	if (strchr(m, '.'))
		return strdup(m);
	return asprintf(&q, "%s.%s", CORRAL_SUPERVISOR_INTERFACE, m) < 0 ? NULL : q;
}

static int fail(cerr *err, const char *what)
{
	fprintf(stderr, "corralctl: %s: %s\n", what, cerr_msg(err));
	if (err->code == ENOENT || err->code == ECONNREFUSED)
		fprintf(stderr, "corralctl: is corrald running? (socket %s)\n", sock_path);
	cerr_clear(err);
	return 1;
}

char *ctl_to_json(yajl_val v, bool pretty);
static char *to_json(yajl_val v, bool pretty) { return ctl_to_json(v, pretty); }
char *ctl_to_json(yajl_val v, bool pretty)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(pretty);
	if (!g || jg_value(g, v))
		return NULL;
	return jg_finish(g, NULL);
}

/* One line: "METHOD: ERROR: params". */
static int print_error(const char *method, const vl_reply *rep)
{
	_cleanup_free_ char *p = to_json(rep->params, false);
	fprintf(stderr, "corralctl: %s: %s%s%s\n", method, rep->error,
		p && strcmp(p, "{}") ? ": " : "", p && strcmp(p, "{}") ? p : "");
	return 1;
}

static int call(const char *method, const char *params, bool more, bool oneway, bool pretty,
		int (*show)(yajl_val params))
{
	_cleanup_free_ char *m = qualify(method);
	_cleanup_vl_client_ vl_client *c = NULL;
	cerr err = { 0 };
	if (!m)
		return fail(&(cerr){ ENOMEM, NULL }, method);
	if (vl_client_connect(sock_path, &c, &err) < 0)
		return fail(&err, "connect");
	vl_client_set_timeout(c, more ? -1 : timeout_ms);
	if (params) {
		yajl_val v = NULL;
		if (json_parse(params, "parameters", &v, &err) < 0)
			return fail(&err, m);
		bool obj = YAJL_IS_OBJECT(v);
		yajl_tree_free(v);
		if (!obj) {
			fprintf(stderr, "corralctl: %s: parameters: must be a JSON object\n", m);
			return 2;
		}
	}
	if (vl_client_send(c, m, params, more, oneway, &err) < 0)
		return fail(&err, m);
	if (oneway)
		return 0;
	for (;;) {
		vl_reply rep;
		if (vl_client_recv(c, &rep, &err) < 0)
			return fail(&err, m);
		int r = 0;
		if (rep.error) {
			r = print_error(m, &rep);
		} else if (show) {
			r = show(rep.params);
		} else {
			_cleanup_free_ char *s = to_json(rep.params, pretty);
			if (s)
				printf("%s\n", s);
			fflush(stdout);
		}
		bool again = rep.continues && !rep.error;
		vl_reply_release(&rep);
		if (!again)
			return r;
	}
}

static int show_info(yajl_val p)
{
	for (size_t i = 0; i < p->u.object.len; i++) {
		yajl_val v = p->u.object.values[i];
		_cleanup_free_ char *s = YAJL_IS_STRING(v) ? strdup(v->u.string) : to_json(v, false);
		printf("%-14s %s\n", p->u.object.keys[i], s ? s : "");
	}
	return 0;
}

static int show_metrics(yajl_val p)
{
	yajl_val t = json_get(p, "text");
	if (!YAJL_IS_STRING(t)) {
		fprintf(stderr, "corralctl: Metrics: reply has no text\n");
		return 1;
	}
	fputs(t->u.string, stdout);
	return 0;
}

static int show_description(yajl_val p)
{
	yajl_val t = json_get(p, "description");
	if (!YAJL_IS_STRING(t))
		return 1;
	fputs(t->u.string, stdout);
	return 0;
}

static int show_ping(yajl_val p)
{
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	sock_path = getenv("CORRAL_SOCKET");
	if (!sock_path || !*sock_path)
		sock_path = DEFAULT_SOCKET;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (streq(a, "-h") || streq(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (streq(a, "--json")) {
			ctl_json = true;
		} else if (streq(a, "--socket") && i + 1 < argc) {
			sock_path = argv[++i];
		} else if (!strncmp(a, "--socket=", 9)) {
			sock_path = a + 9;
		} else if (streq(a, "--timeout") && i + 1 < argc) {
			char *end;
			double t = strtod(argv[++i], &end);
			if (*end || t <= 0 || t > 86400) {
				fprintf(stderr, "corralctl: --timeout %s: must be seconds, more than 0\n", argv[i]);
				return 2;
			}
			timeout_ms = (int)(t * 1000);
		} else {
			fprintf(stderr, "corralctl: unknown option %s (see --help)\n", a);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[i++];
	ctl_sock = sock_path;
	ctl_timeout_ms = timeout_ms;
	int rest = argc - i;
	if (streq(cmd, "version")) {
		printf("corralctl %s (%s)\n", CORRAL_VERSION, CORRAL_COMMIT);
		return 0;
	}
	if (streq(cmd, "ping") && rest == 0)
		return call("Ping", NULL, false, false, false, show_ping);
	if (streq(cmd, "info") && rest == 0)
		return call("GetInfo", NULL, false, false, false, show_info);
	if (streq(cmd, "metrics") && rest == 0)
		return call("Metrics", NULL, false, false, false, show_metrics);
	if (streq(cmd, "describe") && rest <= 1) {
		_cleanup_free_ char *p = NULL;
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (!g || yajl_gen_map_open(g) ||
		    jg_key_str(g, "interface", rest ? argv[i] : CORRAL_SUPERVISOR_INTERFACE) || yajl_gen_map_close(g) ||
		    !(p = jg_finish(g, NULL)))
			return 1;
		return call("org.varlink.service.GetInterfaceDescription", p, false, false, false, show_description);
	}
	if (streq(cmd, "call")) {
		bool more = false, oneway = false;
		for (; i < argc && argv[i][0] == '-'; i++) {
			if (streq(argv[i], "--more"))
				more = true;
			else if (streq(argv[i], "--oneway"))
				oneway = true;
			else {
				fprintf(stderr, "corralctl: call: unknown option %s\n", argv[i]);
				return 2;
			}
		}
		if (more && oneway) {
			fprintf(stderr, "corralctl: call: --more and --oneway exclude each other\n");
			return 2;
		}
		if (argc - i < 1 || argc - i > 2) {
			fprintf(stderr, "corralctl: call: expected METHOD [JSON]\n");
			return 2;
		}
		return call(argv[i], argc - i == 2 ? argv[i + 1] : NULL, more, oneway, true, NULL);
	}
	bool handled;
	int rc = ctl_verb(cmd, argc - i, argv + i, &handled);
	if (handled)
		return rc;
	fprintf(stderr, "corralctl: unknown command or wrong arguments: %s (see --help)\n", cmd);
	return 2;
}

int ctl_fail(const char *what, const char *msg)
{
	fprintf(stderr, "corralctl: %s: %s\n", what, msg);
	return 1;
}

const char *ctl_str(yajl_val o, const char *key)
{
	yajl_val v = json_get(o, key);
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

/* The error reply as one line: "corralctl: Start: no such container: x". */
void ctl_print_call_error(const char *method, const vl_reply *rep)
{
	const char *short_m = strrchr(method, '.') ? strrchr(method, '.') + 1 : method;
	const char *short_e = strrchr(rep->error, '.') ? strrchr(rep->error, '.') + 1 : rep->error;
	yajl_val p = rep->params;
	if (streq(short_e, "InvalidParameter"))
		fprintf(stderr, "corralctl: %s: %s: %s\n", short_m, ctl_str(p, "parameter"), ctl_str(p, "reason"));
	else if (streq(short_e, "NoSuchContainer"))
		fprintf(stderr, "corralctl: %s: no such container: %s\n", short_m, ctl_str(p, "id"));
	else if (streq(short_e, "NoSuchImage"))
		fprintf(stderr, "corralctl: %s: no such image: %s\n", short_m, ctl_str(p, "image"));
	else if (streq(short_e, "NameInUse"))
		fprintf(stderr, "corralctl: %s: name %s is in use by %.12s\n", short_m, ctl_str(p, "name"), ctl_str(p, "id"));
	else if (streq(short_e, "InvalidState") && streq(ctl_str(p, "state"), "in-use"))
		fprintf(stderr, "corralctl: %s: %s\n", short_m, ctl_str(p, "reason"));
	else if (streq(short_e, "InvalidState"))
		fprintf(stderr, "corralctl: %s: container %.12s is %s: %s\n", short_m, ctl_str(p, "id"), ctl_str(p, "state"),
			ctl_str(p, "reason"));
	else if (streq(short_e, "InternalError"))
		fprintf(stderr, "corralctl: %s: %s\n", short_m, ctl_str(p, "reason"));
	else
		print_error(method, rep);
}

int ctl_call(vl_client **c, const char *method, const char *params, bool more, vl_reply *rep)
{
	cerr err = { 0 };
	if (!*c && vl_client_connect(ctl_sock, c, &err) < 0) { /* else: reuse the connection */
		sock_path = ctl_sock;
		return fail(&err, "connect");
	}
	vl_client_set_timeout(*c, more ? -1 : ctl_timeout_ms);
	if (vl_client_send(*c, method, params, more, false, &err) < 0 || vl_client_recv(*c, rep, &err) < 0)
		return fail(&err, method);
	if (rep->error) {
		ctl_print_call_error(method, rep);
		vl_reply_release(rep);
		return 1;
	}
	return 0;
}

int ctl_call_gen(vl_client **c, const char *method, yajl_gen g, bool more, vl_reply *rep)
{
	yajl_gen_map_close(g);
	_cleanup_free_ char *params = jg_finish(g, NULL);
	return params ? ctl_call(c, method, params, more, rep) : ctl_fail(method, "out of memory");
}
