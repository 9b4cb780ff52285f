/* corralctl's workload verbs, as kubectl names them: apply -f, diff -f,
 * get workloads, describe workload, delete -f | delete workload. The
 * manifest goes to corrald as text: corrald parses it (corral-kube(5)). */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/workloads.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST_MAX (4u << 20) /* workloads/kube.h: corrald says so too */
#define DELETE_POLL_NS 100000000L

/* {"file", "text"} of -f FILE (- : stdin), in an open map. */
static int add_manifest(const char *verb, const char *file, yajl_gen g)
{
	_cleanup_free_ char *text = NULL;
	size_t n;
	_cleanup_cerr_ cerr err = { 0 };
	bool in = streq(file, "-");
	_cleanup_close_ int fd = in ? dup(STDIN_FILENO) : open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctl_failf("%s: %s: %s", verb, file, strerror(errno));
	if (read_fd(fd, file, MANIFEST_MAX, &text, &n, &err) < 0) {
		int rc = ctl_failf("%s: %s", verb, cerr_msg(&err));
		return rc;
	}
	if (strlen(text) != n)
		return ctl_failf("%s: %s: holds a NUL byte: not a manifest", verb, file);
	if (jg_key_str(g, "file", in ? "stdin" : file) || jg_key_str(g, "text", text))
		return ctl_fail(verb, "out of memory");
	return 0;
}

static const char *past_tense(const char *action)
{
	static const struct { const char *action, *said; } words[] = {
		{ "create", "created" }, { "update", "configured (rolling out)" }, { "scale", "scaled" },
		{ "configure", "configured" }, { "unchanged", "unchanged" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (streq(action, words[i].action))
			return words[i].said;
	return action;
}

static void lower(const char *s, char *buf, size_t n)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	buf[i] = '\0';
}

/* apply, or diff (dry): the changes, kubectl's way. diff exits 1 when
 * something would change, as kubectl diff does. */
static int apply(ctl_args *a, bool dry)
{
	const char *verb = dry ? "diff" : "apply";
	if (!opt_on(a, "filename"))
		return ctl_failf("%s: -f FILE is required (- for stdin)", verb);
	yajl_gen p = ctl_params(NULL);
	if (!p)
		return ctl_fail(verb, "out of memory");
	int rc = add_manifest(verb, opt_str(a, "filename"), p);
	if (rc || (dry && jg_key_bool(p, "dryRun", true))) {
		yajl_gen_free(p);
		return rc ? rc : ctl_fail(verb, "out of memory");
	}
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("WorkloadApply"), p, false, &rep))
		return EXIT_CTL;
	yajl_val changes = json_get(rep.params, "changes");
	bool changed = false;
	if (ctl_json)
		rc = ctl_print_json(changes);
	for (size_t i = 0; !ctl_json && YAJL_IS_ARRAY(changes) && i < changes->u.array.len; i++) {
		yajl_val ch = changes->u.array.values[i];
		const char *action = ctl_str(ch, "action");
		char kind[32];
		lower(ctl_str(ch, "kind"), kind, sizeof(kind));
		changed |= !streq(action, "unchanged");
		if (!dry) {
			printf("%s/%s %s\n", kind, ctl_str(ch, "workload"), past_tense(action));
			continue;
		}
		printf("%s/%s: %s: %s\n", kind, ctl_str(ch, "workload"), action, ctl_str(ch, "detail"));
		yajl_val fields = json_get(ch, "fields");
		for (size_t k = 0; YAJL_IS_ARRAY(fields) && k < fields->u.array.len; k++)
			if (YAJL_IS_STRING(fields->u.array.values[k]))
				printf("  ~ %s\n", fields->u.array.values[k]->u.string);
	}
	for (size_t i = 0; ctl_json && YAJL_IS_ARRAY(changes) && i < changes->u.array.len; i++)
		changed |= !streq(ctl_str(changes->u.array.values[i], "action"), "unchanged");
	vl_reply_release(&rep);
	return rc ? rc : dry && changed ? 1 : 0;
}

static int v_apply(ctl_args *a) { return apply(a, false); }
static int v_diff(ctl_args *a) { return apply(a, true); }

static const tmpl_title workload_titles[] = {
	{ "Name", "NAME" }, { "Kind", "KIND" }, { "Ready", "READY" }, { "Status", "STATUS" },
	{ "Template", "TEMPLATE" }, { "Reason", "REASON" }, { NULL, NULL },
};

static int show_list(yajl_val reply)
{
	yajl_val list = json_get(reply, "workloads");
	_cleanup_json_gen_ yajl_gen rows = json_gen_new(false);
	int r = !rows || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val w = list->u.array.values[i];
		char ready[48];
		snprintf(ready, sizeof(ready), "%lld/%lld", ctl_int(w, "ready", 0), ctl_int(w, "replicas", 0));
		r = yajl_gen_map_open(rows) || jg_key_str(rows, "Name", ctl_str(w, "name")) ||
		    jg_key_str(rows, "Kind", ctl_str(w, "kind")) || jg_key_str(rows, "Ready", ready) ||
		    jg_key_str(rows, "Status", ctl_str(w, "status")) || jg_key_str(rows, "Template", ctl_str(w, "template")) ||
		    jg_key_str(rows, "Reason", ctl_str(w, "reason")) || yajl_gen_map_close(rows);
	}
	if (r || yajl_gen_array_close(rows))
		return ctl_fail("get workloads", "out of memory");
	_cleanup_json_ yajl_val rw = ctl_gen_tree(rows);
	if (!rw)
		return EXIT_CTL;
	return ctl_output(list, rw, "table {{.Name}}\t{{.Kind}}\t{{.Ready}}\t{{.Status}}\t{{.Template}}\t{{.Reason}}",
			  workload_titles);
}

static int v_get(ctl_args *a)
{
	(void)a;
	return ctl_call_show(M("WorkloadList"), "{}", show_list);
}

static int show_one(const ctl_args *a, const char *name, yajl_val reply)
{
	(void)a;
	(void)name;
	yajl_val w = json_get(reply, "workload");
	if (ctl_json)
		return ctl_print_json(w);
	printf("Name:        %s\nKind:        %s\nReplicas:    %lld desired | %lld ready | %lld present\n",
	       ctl_str(w, "name"), ctl_str(w, "kind"), ctl_int(w, "replicas", 0), ctl_int(w, "ready", 0),
	       ctl_int(w, "present", 0));
	printf("Template:    %s (generation %lld, applied %s)\nStatus:      %s\n", ctl_str(w, "template"),
	       ctl_int(w, "generation", 0), ctl_str(w, "applied"), ctl_str(w, "status"));
	if (json_get(w, "reason"))
		printf("Reason:      %s\n", ctl_str(w, "reason"));
	printf("Drift:       %lld (actions taken: %lld; last convergence %lld ms)\nReplicas:\n", ctl_int(w, "drift", 0),
	       ctl_int(w, "actions", 0), ctl_int(w, "lastConvergenceMs", 0));
	yajl_val rs = json_get(w, "replicaSet");
	for (size_t i = 0; YAJL_IS_ARRAY(rs) && i < rs->u.array.len; i++) {
		yajl_val r = rs->u.array.values[i];
		printf("  %-40s %-10s %-9s %s\n", ctl_str(r, "name"), ctl_str(r, "template"), ctl_str(r, "state"),
		       ctl_str(r, "reason"));
	}
	return 0;
}

/* {"name", "kind"} of NAME or KIND/NAME (kubectl's: deployment/web,
 * pod/web, deploy/web), in an open map; corrald checks the kind's word. */
static int add_target(yajl_gen g, const char *arg)
{
	const char *slash = strchr(arg, '/');
	if (!slash)
		return jg_key_str(g, "name", arg) ? -ENOMEM : 0;
	_cleanup_free_ char *kind = strndup(arg, (size_t)(slash - arg));
	return !kind || jg_key_str(g, "kind", kind) || jg_key_str(g, "name", slash + 1) ? -ENOMEM : 0;
}

static int describe_one(const ctl_args *a, const char *arg)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	yajl_gen p = ctl_params(NULL);
	if (!p || add_target(p, arg) < 0) {
		if (p)
			yajl_gen_free(p);
		return ctl_fail("describe", "out of memory");
	}
	if (ctl_call_gen(&c, M("WorkloadInspect"), p, false, &rep))
		return EXIT_CTL;
	int rc = show_one(a, arg, rep.params);
	vl_reply_release(&rep);
	return rc;
}

int ctl_describe_workloads(ctl_args *a)
{
	int rc = 0;
	for (int i = 0; i < a->argc; i++)
		rc |= describe_one(a, a->argv[i]);
	return rc ? EXIT_CTL : 0;
}

/* get KIND[/NAME]...: the workloads of that kind (deployments, pods),
 * or those named, as kubectl get lists them. */
static const char *kind_of_word(const char *word)
{
	static const char *const pods[] = { "pod", "pods", "po", NULL };
	static const char *const deploys[] = { "deployment", "deployments", "deploy", "deployment.apps",
					       "deployments.apps", NULL };
	for (size_t i = 0; pods[i]; i++)
		if (!strcasecmp(word, pods[i]))
			return "Pod";
	for (size_t i = 0; deploys[i]; i++)
		if (!strcasecmp(word, deploys[i]))
			return "Deployment";
	return NULL;
}

static bool wanted(const ctl_args *a, yajl_val w, bool *seen)
{
	for (int i = 0; i < a->argc; i++) {
		const char *arg = a->argv[i], *slash = strchr(arg, '/');
		char word[32];
		snprintf(word, sizeof(word), "%.*s", slash ? (int)(slash - arg) : (int)strlen(arg), arg);
		if (!streq(kind_of_word(word), ctl_str(w, "kind")) || (slash && !streq(slash + 1, ctl_str(w, "name"))))
			continue;
		seen[i] = true;
		return true;
	}
	return false;
}

static int v_get_kind(ctl_args *a)
{
	for (int i = 0; i < a->argc; i++) {
		const char *slash = strchr(a->argv[i], '/');
		char word[32];
		snprintf(word, sizeof(word), "%.*s", slash ? (int)(slash - a->argv[i]) : (int)strlen(a->argv[i]),
			 a->argv[i]);
		if (!kind_of_word(word) || (slash && !slash[1]))
			return ctl_failf("get: %s: takes KIND or KIND/NAME, KIND a pod or deployment (or workloads)",
					 a->argv[i]);
	}
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, M("WorkloadList"), "{}", false, &rep))
		return EXIT_CTL;
	_cleanup_free_ bool *seen = calloc((size_t)a->argc, sizeof(bool));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_val list = json_get(rep.params, "workloads");
	int r = !seen || !g || yajl_gen_map_open(g) || jg_key(g, "workloads") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++)
		if (wanted(a, list->u.array.values[i], seen))
			r = jg_value(g, list->u.array.values[i]);
	_cleanup_json_ yajl_val mine = r || yajl_gen_array_close(g) || yajl_gen_map_close(g) ? NULL : ctl_gen_tree(g);
	vl_reply_release(&rep);
	if (!mine)
		return ctl_fail("get", "out of memory");
	int rc = 0;
	for (int i = 0; i < a->argc; i++)
		if (strchr(a->argv[i], '/') && !seen[i])
			rc = ctl_failf("get: no such workload: %s", a->argv[i]);
	int shown = show_list(mine);
	return rc ? rc : shown;
}

/* Until none of names is listed any more, within --timeout (its whole
 * wait, not each call's); 0, or EXIT_CTL. */
static int wait_gone(yajl_val names)
{
	int64_t start = mono_ms();
	for (;;) {
		_cleanup_vl_client_ vl_client *c = NULL;
		vl_reply rep;
		if (ctl_call(&c, M("WorkloadList"), "{}", false, &rep))
			return EXIT_CTL;
		yajl_val list = json_get(rep.params, "workloads");
		bool left = false;
		for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++)
			for (size_t k = 0; YAJL_IS_ARRAY(names) && k < names->u.array.len; k++)
				left |= YAJL_IS_STRING(names->u.array.values[k]) &&
					streq(ctl_str(list->u.array.values[i], "name"), names->u.array.values[k]->u.string);
		vl_reply_release(&rep);
		if (!left)
			return 0;
		if (ctl_timeout_ms >= 0 && mono_ms() - start > ctl_timeout_ms)
			return ctl_failf("delete: still deleting after %lld ms: see corralctl describe workload",
					 (long long)ctl_timeout_ms);
		nanosleep(&(struct timespec){ 0, DELETE_POLL_NS }, NULL);
	}
}

static int delete_with(ctl_args *a, yajl_gen p)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("WorkloadDelete"), p, false, &rep))
		return EXIT_CTL;
	yajl_val names = json_get(rep.params, "deleted");
	int rc = opt_on(a, "wait") && streq(opt_str(a, "wait"), "false") ? 0 : wait_gone(names);
	for (size_t i = 0; !rc && YAJL_IS_ARRAY(names) && i < names->u.array.len; i++)
		if (YAJL_IS_STRING(names->u.array.values[i]))
			printf("workload/%s deleted\n", names->u.array.values[i]->u.string);
	vl_reply_release(&rep);
	return rc;
}

static int v_delete_workload(ctl_args *a);

static int v_delete(ctl_args *a)
{
	if (opt_on(a, "wait") && !streq(opt_str(a, "wait"), "true") && !streq(opt_str(a, "wait"), "false"))
		return ctl_failf("delete: --wait %s: must be true or false", opt_str(a, "wait"));
	if (!opt_on(a, "filename") && a->argc)
		return v_delete_workload(a);
	if (!opt_on(a, "filename") || a->argc)
		return ctl_failf("delete: -f FILE, KIND/NAME, or: delete workload NAME");
	yajl_gen p = ctl_params(NULL);
	int rc = p ? add_manifest("delete", opt_str(a, "filename"), p) : ctl_fail("delete", "out of memory");
	if (rc) {
		if (p)
			yajl_gen_free(p);
		return rc;
	}
	return delete_with(a, p);
}

static int v_delete_workload(ctl_args *a)
{
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		yajl_gen p = ctl_params(NULL);
		if (!p || add_target(p, a->argv[i]) < 0) {
			if (p)
				yajl_gen_free(p);
			return ctl_fail("delete workload", "out of memory");
		}
		rc |= delete_with(a, p);
	}
	return rc ? EXIT_CTL : 0;
}

static const ctl_opt file_opts[] = {
	{ "filename", 'f', OPT_STR, "FILE", "the manifest: Kubernetes YAML or JSON (- for stdin)" },
	CTL_OPT_FORMAT,
	{ NULL },
};
static const ctl_opt delete_opts[] = {
	{ "filename", 'f', OPT_STR, "FILE", "delete the workloads this manifest names" },
	{ "wait", 0, OPT_STR, "true|false", "wait until their replicas are gone, within --timeout (default true)" },
	{ NULL },
};
static const ctl_opt get_opts[] = { CTL_OPT_FORMAT, { NULL } };

const ctl_cmd ctl_workload_cmds[] = {
	{ "apply", "-f FILE", "Apply Kubernetes Pods and Deployments: corrald keeps them running (corral-kube(5))",
	  file_opts, 0, 0, 0, COMPLETE_NONE, v_apply },
	{ "diff", "-f FILE", "Show what apply would change (exit 1 when something would)", file_opts, 0, 0, 0,
	  COMPLETE_NONE, v_diff },
	{ "get workloads", "", "List workloads", get_opts, 0, 0, CMD_FORMAT, COMPLETE_NONE, v_get },
	{ "get", "KIND[/NAME]...", "List the workloads of a kind (pods, deployments), or those named", get_opts, 1,
	  -1, CMD_FORMAT, COMPLETE_NONE, v_get_kind },
	{ "describe workload", "[KIND/]NAME...", "Show workloads, their replicas and why they have not converged",
	  NULL, 1, -1, 0, COMPLETE_NONE, ctl_describe_workloads },
	{ "delete workload", "[KIND/]NAME...", "Delete workloads and their replicas", delete_opts, 1, -1, 0,
	  COMPLETE_NONE, v_delete_workload },
	{ "delete", "-f FILE | KIND/NAME...", "Delete the workloads a manifest names, or those named, and their replicas",
	  delete_opts, 0, -1, 0, COMPLETE_NONE, v_delete },
	{ NULL },
};
