/* corralctl's verbs about corrald itself and about corralctl: ping, info,
 * metrics, health, describe, call, system prune, version, help, completion
 * (system info and df: ctl_system.c). */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/containers.h"
#include "supervisor/ctl/ctl_system.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/completion.h"
#include "supervisor/ctl/commands.h"
#include "supervisor/ctl/workloads.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/version.h"

#include <stdio.h>
#include <string.h>

static int show_ping(yajl_val p)
{
	printf("ok\n");
	return 0;
}

static int show_text(yajl_val p, const char *key)
{
	yajl_val t = json_get(p, key);
	if (!YAJL_IS_STRING(t))
		return ctl_failf("the reply has no %s", key);
	fputs(t->u.string, stdout);
	return 0;
}

static int show_metrics(yajl_val p) { return show_text(p, "text"); }

/* Health: the overall status, then a line per component. */
static int show_health(yajl_val p)
{
	if (ctl_json)
		return ctl_print_json(p);
	printf("%s\n", ctl_str(p, "status"));
	yajl_val cs = json_get(p, "components");
	for (size_t i = 0; YAJL_IS_ARRAY(cs) && i < cs->u.array.len; i++) {
		yajl_val c = cs->u.array.values[i];
		printf("  %-9s %-9s %s\n", ctl_str(c, "name"), ctl_str(c, "status"), ctl_str(c, "detail"));
	}
	return 0;
}
static int show_description(yajl_val p) { return show_text(p, "description"); }

static int v_ping(ctl_args *a) { return ctl_call_show(M("Ping"), NULL, show_ping); }
static int v_info(ctl_args *a) { return ctl_call_show(M("GetInfo"), NULL, ctl_show_info); }
static int v_metrics(ctl_args *a) { return ctl_call_show(M("Metrics"), NULL, show_metrics); }
static int v_health(ctl_args *a) { return ctl_call_show(M("Health"), NULL, show_health); }

static int v_describe(ctl_args *a)
{
	/* kubectl's describe deploy/web: a workload, by KIND/NAME */
	if (a->argc && strchr(a->argv[0], '/'))
		return ctl_describe_workloads(a);
	if (a->argc > 1)
		return ctl_failf("describe: one INTERFACE, or workloads as KIND/NAME");
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	_cleanup_free_ char *p = NULL;
	if (!g || jg_key_str(g, "interface", a->argc ? a->argv[0] : CORRAL_SUPERVISOR_INTERFACE) ||
	    yajl_gen_map_close(g) || !(p = jg_finish(g, NULL)))
		return ctl_fail("describe", "out of memory");
	return ctl_call_show("org.varlink.service.GetInterfaceDescription", p, show_description);
}

/* call: any method, each reply printed as JSON, as varlinkctl does. */
static int v_call(ctl_args *a)
{
	bool more = opt_on(a, "more"), oneway = opt_on(a, "oneway");
	_cleanup_free_ char *m = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (more && oneway)
		return ctl_usage_error(a->cmd, "--more and --oneway exclude each other");
	if (strchr(a->argv[0], '.') ? !(m = strdup(a->argv[0])) : asprintf(&m, M("%s"), a->argv[0]) < 0)
		return ctl_fail("call", "out of memory");
	if (a->argc > 1) {
		_cleanup_json_ yajl_val v = NULL;
		if (json_parse(a->argv[1], "parameters", &v, &err) < 0) {
			ctl_fail(m, cerr_msg(&err));
			return EXIT_CTL;
		}
		if (!YAJL_IS_OBJECT(v))
			return ctl_usage_error(a->cmd, "parameters: must be a JSON object");
	}
	_cleanup_vl_client_ vl_client *c = NULL;
	if (vl_client_connect(ctl_sock, &c, &err) == 0) {
		vl_client_set_timeout(c, more ? -1 : ctl_timeout_ms);
		vl_client_send(c, m, a->argc > 1 ? a->argv[1] : NULL, more, oneway, &err);
	}
	if (err.code) {
		ctl_fail(m, cerr_msg(&err));
		return EXIT_CTL;
	}
	while (!oneway) {
		vl_reply rep;
		if (vl_client_recv(c, &rep, &err) < 0) {
			ctl_fail(m, cerr_msg(&err));
			return EXIT_CTL;
		}
		if (rep.error) { /* as varlink has it: call is for those who want the raw interface */
			ctl_print_raw_error(m, &rep);
			vl_reply_release(&rep);
			return EXIT_CTL;
		}
		_cleanup_free_ char *s = ctl_to_json(rep.params, true);
		printf("%s\n", s ? s : "{}");
		fflush(stdout);
		bool again = rep.continues;
		vl_reply_release(&rep);
		if (!again)
			break;
	}
	return 0;
}

static int show_system_prune(yajl_val p)
{
	if (ctl_json)
		return ctl_print_json(p);
	printf("Deleted containers:\n");
	ctl_print_strings(p, "containers");
	printf("Deleted images:\n");
	ctl_print_strings(p, "images");
	ctl_print_reclaimed(p);
	return 0;
}

static int v_system_prune(ctl_args *a)
{
	return ctl_prune(a, M("SystemPrune"), show_system_prune);
}

static int v_version(ctl_args *a)
{
	printf("corralctl version %s (%s)\n", CORRAL_VERSION, corral_commit);
	return 0;
}

static int v_help(ctl_args *a)
{
	int words;
	const ctl_cmd *cmd = ctl_find_cmd(a->argc, a->argv, &words);
	if (!cmd || words != a->argc)
		return ctl_failf("help: no command %s%s%s (see corralctl --help)", a->argv[0], a->argc > 1 ? " " : "",
				 a->argc > 1 ? a->argv[1] : "");
	opts_help(stdout, cmd, ctl_global_opts);
	return 0;
}

static int v_completion(ctl_args *a)
{
	if (!streq(a->argv[0], "bash"))
		return ctl_usage_error(a->cmd, "%s: only bash is known", a->argv[0]);
	return ctl_completion_bash(stdout);
}

static const ctl_opt call_opts[] = {
	{ "more", 0, OPT_FLAG, "", "ask for more replies (a stream), and print each" },
	{ "oneway", 0, OPT_FLAG, "", "ask for no reply" },
	{ NULL },
};
static const ctl_opt system_prune_opts[] = { CTL_OPT_PRUNE_ALL, CTL_OPT_PRUNE_FILTER, CTL_OPT_NEVER_ASK, { NULL } };

const ctl_cmd ctl_service_cmds[] = {
	{ "system prune", "", "Remove stopped containers, then unused images and layers", system_prune_opts, 0, 0, 0,
	  COMPLETE_NONE, v_system_prune },
	{ "system df", "", "Show what images and containers take, and what a prune would free", NULL, 0, 0, 0,
	  COMPLETE_NONE, ctl_system_df },
	{ "system info", "", "Show corrald and the host: kernel, cgroups, security, storage, network, counts", NULL, 0,
	  0, 0, COMPLETE_NONE, v_info },
	{ "ping", "", "Check that corrald answers", NULL, 0, 0, 0, COMPLETE_NONE, v_ping },
	{ "info", "", "Show what corrald reports about itself", NULL, 0, 0, 0, COMPLETE_NONE, v_info },
	{ "metrics", "", "Print corrald's metrics (Prometheus text)", NULL, 0, 0, 0, COMPLETE_NONE, v_metrics },
	{ "health", "", "Show corrald's own health: store, monitors, loop lag, disk", NULL, 0, 0, 0, COMPLETE_NONE,
	  v_health },
	{ "describe", "[INTERFACE | KIND/NAME...]",
	  "Print a varlink interface's description, or show workloads (deployment/NAME, pod/NAME)", NULL, 0, -1, 0,
	  COMPLETE_NONE, v_describe },
	{ "call", "METHOD [JSON]", "Call a method (\"Ping\", or a full name) and print each reply as JSON", call_opts,
	  1, 2, 0, COMPLETE_NONE, v_call },
	{ "version", "", "Print corralctl's version", NULL, 0, 0, 0, COMPLETE_NONE, v_version },
	{ "help", "COMMAND", "Print a command's help", NULL, 1, 2, 0, COMPLETE_NONE, v_help },
	{ "completion", "SHELL", "Print the bash completion script: source <(corralctl completion bash)", NULL, 1, 1,
	  0, COMPLETE_NONE, v_completion },
	{ NULL },
};
