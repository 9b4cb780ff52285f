/* corralctl's session verbs: session create, ls, inspect, rm, and state. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_spec.h"
#include "supervisor/ctl/publish_opt.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_VALUE_MAX (64 * 1024) /* sessions/session_kv.h: corrald says so too */

static int add_create(const ctl_args *a, yajl_gen g)
{
	int r = 0;
	static const struct { const char *opt, *key; } strs[] = {
		{ "idle-timeout", "idleTimeout" }, { "share", "share" }, { "network", "network" },
	};
	for (size_t i = 0; !r && i < ARRAY_SIZE(strs); i++)
		if (opt_on(a, strs[i].opt))
			r = jg_key_str(g, strs[i].key, opt_str(a, strs[i].opt));
	if (!r && opt_on(a, "broker-policy")) {
		/* corrald reads it: an absolute path, as the shell's cwd is not corrald's */
		_cleanup_free_ char *abs = realpath(opt_str(a, "broker-policy"), NULL);
		if (!abs)
			return ctl_failf("session create: --broker-policy %s: %s", opt_str(a, "broker-policy"),
					 strerror(errno));
		r = jg_key_str(g, "brokerPolicy", abs);
	}
	if (!r && opt_val(a, "rm-state")->set) /* --rm-state=false keeps it */
		r = jg_key_bool(g, "rmState", opt_on(a, "rm-state"));
	if (!r && ctl_gen_ports(a, g))
		return EXIT_CTL;
	const ctl_optval *l = opt_val(a, "label");
	if (!r && l->n) {
		r = jg_key(g, "labels") || yajl_gen_map_open(g);
		for (size_t i = 0; !r && i < l->n; i++) {
			const char *eq = strchr(l->list[i], '=');
			if (!eq || eq == l->list[i])
				return ctl_failf("session create: --label %s: must be KEY=VALUE", l->list[i]);
			r = yajl_gen_string(g, (const unsigned char *)l->list[i], (size_t)(eq - l->list[i])) ||
			    jg_str(g, eq + 1);
		}
		r = r || yajl_gen_map_close(g);
	}
	return r ? ctl_fail("session create", "out of memory") : 0;
}

static int v_create(ctl_args *a)
{
	return ctl_each(a, M("SessionCreate"), "name", add_create, NULL);
}

static const tmpl_title session_titles[] = {
	{ "Name", "NAME" }, { "Share", "SHARE" }, { "Network", "NETWORK" }, { "IP", "IP" },
	{ "Members", "MEMBERS" }, { "Running", "RUNNING" }, { "IdleTimeout", "IDLE TIMEOUT" }, { "Pod", "POD" },
	{ NULL, NULL },
};

static void joined(yajl_val a, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; YAJL_IS_ARRAY(a) && i < a->u.array.len && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? "," : "",
				      YAJL_IS_STRING(a->u.array.values[i]) ? a->u.array.values[i]->u.string : "");
}

static int show_list(yajl_val reply)
{
	yajl_val list = json_get(reply, "sessions");
	_cleanup_json_gen_ yajl_gen rows = json_gen_new(false);
	int r = !rows || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val s = list->u.array.values[i];
		char share[32], ctrs[512], idle[32];
		joined(json_get(s, "share"), share, sizeof(share));
		joined(json_get(s, "members"), ctrs, sizeof(ctrs));
		long long ms = ctl_int(s, "idleTimeoutMs", 0);
		snprintf(idle, sizeof(idle), ms ? "%llds" : "none", ms / 1000);
		/* a CRI pod's Kubernetes name (corral-cri(8)), and its state */
		yajl_val labels = json_get(s, "labels");
		char pod[320] = "";
		if (*ctl_str(labels, "io.kubernetes.pod.name"))
			snprintf(pod, sizeof(pod), "%s/%s%s", ctl_str(labels, "io.kubernetes.pod.namespace"),
				 ctl_str(labels, "io.kubernetes.pod.name"), YAJL_IS_TRUE(json_get(s, "stopped")) ? " (stopped)" : "");
		r = yajl_gen_map_open(rows) || jg_key_str(rows, "Name", ctl_str(s, "name")) ||
		    jg_key_str(rows, "Share", share) || jg_key_str(rows, "Network", ctl_str(s, "network")) ||
		    jg_key_str(rows, "IP", ctl_str(s, "ipAddress")) || jg_key_str(rows, "Members", ctrs) ||
		    jg_key_int(rows, "Running", ctl_int(s, "running", 0)) || jg_key_str(rows, "IdleTimeout", idle) ||
		    jg_key_str(rows, "Pod", pod) || yajl_gen_map_close(rows);
	}
	if (r || yajl_gen_array_close(rows))
		return ctl_fail("session ls", "out of memory");
	_cleanup_json_ yajl_val rw = ctl_gen_tree(rows);
	if (!rw)
		return EXIT_CTL;
	return ctl_output(list, rw, "table {{.Name}}\t{{.Share}}\t{{.Network}}\t{{.IP}}\t{{.Members}}\t{{.Running}}\t{{.IdleTimeout}}\t{{.Pod}}",
			  session_titles);
}

static int v_ls(ctl_args *a)
{
	(void)a;
	return ctl_call_show(M("SessionList"), "{}", show_list);
}

static int show_one(const ctl_args *a, const char *arg, yajl_val reply)
{
	(void)a, (void)arg;
	return ctl_print_json(json_get(reply, "session"));
}

static int v_inspect(ctl_args *a)
{
	return ctl_each(a, M("SessionInspect"), "name", NULL, show_one);
}

static int v_rm(ctl_args *a)
{
	return ctl_each(a, M("SessionRemove"), "name", ctl_add_force, NULL);
}

/* A value from the command line or stdin: JSON text as it is, anything
 * else as a JSON string (as corral-broker takes it). */
static char *value_json(const char *text)
{
	char eb[64];
	yajl_val v = yajl_tree_parse(text, eb, sizeof(eb));
	if (v) {
		yajl_tree_free(v);
		return strdup(text);
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	return g && !jg_str(g, text) ? jg_finish(g, NULL) : NULL;
}

static int state_call(const char *method, yajl_gen p, vl_reply *rep)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	return ctl_call_gen(&c, method, p, false, rep);
}

static int print_entries(yajl_val list)
{
	if (ctl_json)
		return ctl_print_json(list);
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val e = list->u.array.values[i];
		printf("%s\t%lld\t%s\n", ctl_str(e, "key"), ctl_int(e, "version", 0), ctl_str(e, "value"));
	}
	return 0;
}

static int v_state(ctl_args *a)
{
	const char *verb = a->argv[0], *name = a->argv[1];
	const char *key = a->argc > 2 ? a->argv[2] : NULL, *value = a->argc > 3 ? a->argv[3] : NULL;
	static const struct { const char *verb, *method; int args; } verbs[] = {
		{ "get", M("SessionStateGet"), 3 }, { "set", M("SessionStateSet"), 4 },
		{ "rm", M("SessionStateRemove"), 3 }, { "ls", M("SessionStateList"), 2 },
	};
	size_t k = 0;
	while (k < ARRAY_SIZE(verbs) && !streq(verbs[k].verb, verb))
		k++;
	if (k == ARRAY_SIZE(verbs))
		return ctl_failf("session state %s: must be get, set, rm or ls", verb);
	if (a->argc != verbs[k].args)
		return ctl_failf("session state %s: takes %s", verb,
				 k == 0 || k == 2 ? "NAME KEY" : k == 1 ? "NAME KEY VALUE|-" : "NAME");
	_cleanup_free_ char *in = NULL, *json = NULL;
	if (value && streq(value, "-")) {
		size_t n;
		_cleanup_cerr_ cerr err = { 0 };
		if (read_fd(STDIN_FILENO, "stdin", STATE_VALUE_MAX + 1, &in, &n, &err) < 0) {
			int rc = ctl_failf("session state set %s %s: %s", name, key, cerr_msg(&err));
			return rc;
		}
		while (n && in[n - 1] == '\n') /* as echo leaves it */
			in[--n] = '\0';
		value = in;
	}
	if (value && !(json = value_json(value)))
		return ctl_fail("session state set", "out of memory");
	yajl_gen p = ctl_params(NULL);
	if (!p || jg_key_str(p, "name", name) || (key && jg_key_str(p, "key", key)) ||
	    (json && jg_key_str(p, "value", json)) ||
	    (opt_on(a, "expect") && k != 0 && k != 3 && jg_key_int(p, "expectVersion", opt_num(a, "expect", -1)))) {
		if (p)
			yajl_gen_free(p);
		return ctl_fail("session state", "out of memory");
	}
	vl_reply rep;
	if (state_call(verbs[k].method, p, &rep))
		return EXIT_CTL;
	int rc = 0;
	if (k == 0)
		rc = ctl_json ? ctl_print_json(rep.params) : (printf("%s\n", ctl_str(rep.params, "value")), 0);
	else if (k == 1)
		rc = ctl_json ? ctl_print_json(rep.params) : (printf("%lld\n", ctl_int(rep.params, "version", 0)), 0);
	else if (k == 3)
		rc = print_entries(json_get(rep.params, "entries"));
	vl_reply_release(&rep);
	return rc;
}

static const ctl_opt create_opts[] = {
	{ "idle-timeout", 0, OPT_STR, "DURATION", "end it after DURATION with no running member and no broker traffic (30m, 2s)" },
	{ "share", 0, OPT_STR, "NS,...", "the namespaces its members share: net, ipc, uts, pid (default net,ipc,uts)" },
	{ "network", 0, OPT_STR, "NETWORK", "its network, when it shares net (default: corrald's default-network)" },
	{ "label", 'l', OPT_LIST, "KEY=VALUE", "set a label" },
	{ "broker-policy", 0, OPT_STR, "FILE", "the broker's ACL and rates for its members (corral-broker(7))" },
	{ "rm-state", 0, OPT_FLAG, "", "its state goes when it is removed or expires (the default); =false keeps it for your next session of its name" },
	{ "publish", 'p', OPT_LIST, "[IP:]HOSTPORT:PORT[/tcp|udp]", "publish a port of its network namespace on the host" },
	{ NULL },
};
static const ctl_opt ls_opts[] = { CTL_OPT_FORMAT, { NULL } };
static const ctl_opt rm_opts[] = {
	{ "force", 'f', OPT_FLAG, "", "stop and remove its running members too" },
	{ NULL },
};
static const ctl_opt state_opts[] = {
	{ "expect", 0, OPT_INT, "VERSION", "set or rm only if the key is at VERSION (0: it must not exist)" },
	{ NULL },
};

const ctl_cmd ctl_session_cmds[] = {
	{ "session create", "NAME", "Create a session: shared namespaces, state and a broker for its members",
	  create_opts, 1, 1, 0, COMPLETE_NONE, v_create },
	{ "session ls", "", "List sessions", ls_opts, 0, 0, CMD_FORMAT, COMPLETE_NONE, v_ls },
	{ "session inspect", "NAME...", "Show sessions as JSON", NULL, 1, -1, 0, COMPLETE_NONE, v_inspect },
	{ "session rm", "NAME...", "Remove sessions, their namespaces, network attachment and state", rm_opts, 1, -1, 0,
	  COMPLETE_NONE, v_rm },
	{ "session state", "get|set|rm|ls NAME [KEY [VALUE|-]]",
	  "A session's key/value state (VALUE: JSON, else a string; -: read from stdin)", state_opts, 2, 4, 0,
	  COMPLETE_NONE, v_state },
	{ NULL },
};
