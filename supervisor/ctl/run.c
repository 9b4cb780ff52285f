/* corralctl create, run and exec: a ContainerSpec (spec.c) or an Exec
 * call (a foreground one streams through ctl_attach.c, which waits for
 * the end). */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/exec_cmd.h"
#include "supervisor/ctl/attach_cmd.h"
#include "supervisor/ctl/run.h"
#include "supervisor/ctl/target.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_pull.h"
#include "supervisor/ctl/ctl_spec.h"
#include "supervisor/ctl/spec_opts.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CreateContainer; the new id in *id. */
static int create(ctl_args *a, bool auto_remove, char **id)
{
	_cleanup_free_ char *pulled = NULL;
	const char *policy = opt_str(a, "pull") ? opt_str(a, "pull") : "missing";
	if (ctl_pull_policy(policy, a->argv[0], &pulled))
		return EXIT_CTL;
	char *typed = a->argv[0];
	if (pulled)
		a->argv[0] = pulled;
	_cleanup_free_ char *spec = ctl_build_spec(a, auto_remove);
	a->argv[0] = typed;
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (!spec || ctl_call(&c, M("CreateContainer"), spec, false, &rep))
		return EXIT_CTL;
	*id = strdup(ctl_str(rep.params, "id"));
	vl_reply_release(&rep);
	return *id ? 0 : ctl_fail("create", "out of memory");
}

/* run --rm: corrald removes it once it has stopped (autoRemove), before
 * its Wait is done; this removes one that never started, and may find it
 * gone. */
static int remove_container(const char *id)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(id);
	if (!g || jg_key_bool(g, "force", true))
		return ctl_fail("rm", "out of memory");
	ctl_timeout_ms = -1;
	return ctl_call_found(M("Remove"), TAKE_PTR(g), "NoSuchContainer") == EXIT_CTL ? EXIT_CTL : 0;
}

static int v_create(ctl_args *a)
{
	_cleanup_free_ char *id = NULL;
	if (create(a, opt_on(a, "rm"), &id))
		return EXIT_CTL;
	printf("%s\n", id);
	return 0;
}

int ctl_start(const char *id)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Start"), ctl_params(id), false, &rep))
		return ctl_exec_failure_code();
	vl_reply_release(&rep);
	return 0;
}

/* A foreground run: attached before it starts (nothing it prints is
 * missed), its stdio pumped, then its exit code. */
static int run_foreground(const ctl_args *a, const char *id, bool *detached)
{
	const ctl_optval *sig_proxy = opt_val(a, "sig-proxy");
	ctl_run_io io = { .interactive = opt_on(a, "interactive"), .tty = opt_on(a, "tty"),
			  .sig_proxy = !sig_proxy->set || opt_on(a, "sig-proxy"), .detach_keys = opt_str(a, "detach-keys") };
	return ctl_run_attached(id, &io, ctl_start, detached);
}

static int v_run(ctl_args *a)
{
	bool detach = opt_on(a, "detach"), rm = opt_on(a, "rm");
	_cleanup_free_ char *id = NULL;
	if (create(a, rm, &id))
		return EXIT_CTL;
	bool detached = false; /* from (ctrl-p ctrl-q): it runs on, and corrald removes it once it stops */
	int code = detach ? ctl_start(id) : run_foreground(a, id, &detached);
	if (detach && !code)
		printf("%s\n", id);
	if (rm && !detached && (!detach || code) && remove_container(id))
		return EXIT_CTL;
	return code;
}

static int v_exec(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	_cleanup_free_ char *id = NULL;
	if (ctl_target_container("exec", a->argv[0], opt_str(a, "container"), &id))
		return EXIT_CTL;
	_cleanup_json_gen_ yajl_gen g = ctl_params(id ? id : a->argv[0]);
	vl_reply rep;
	if (!g || jg_key(g, "command") || yajl_gen_array_open(g))
		return ctl_fail("exec", "out of memory");
	for (int i = 1; i < a->argc; i++)
		jg_str(g, a->argv[i]);
	if (yajl_gen_array_close(g) || ctl_gen_env(a, g) ||
	    (opt_on(a, "workdir") && jg_key_str(g, "workdir", opt_str(a, "workdir"))) ||
	    (opt_on(a, "user") && jg_key_str(g, "user", opt_str(a, "user"))))
		return EXIT_CTL;
	/* with -i or -t the exec speaks Streams (exec_cmd.c) */
	if ((opt_on(a, "interactive") && jg_key_bool(g, "interactive", true)) ||
	    (opt_on(a, "tty") && jg_key_bool(g, "tty", true)) || (opt_on(a, "detach") && jg_key_bool(g, "detach", true)))
		return ctl_fail("exec", "out of memory");
	ctl_timeout_ms = -1; /* an exec has no timeout unless one is asked for */
	if (!opt_on(a, "detach"))
		return ctl_exec_stream(TAKE_PTR(g), opt_on(a, "interactive"), opt_on(a, "tty"));
	if (ctl_call_gen(&c, M("Exec"), TAKE_PTR(g), false, &rep))
		return EXIT_CTL;
	printf("%s\n", ctl_str(rep.params, "id"));
	vl_reply_release(&rep);
	return 0;
}

static const ctl_opt create_opts[] = { CTL_SPEC_OPTS, { NULL } };
static const ctl_opt run_opts[] = {
	{ "detach", 'd', OPT_FLAG, "", "print the id and leave it running" },
	CTL_SPEC_OPTS,
	{ "sig-proxy", 0, OPT_FLAG, "", "pass the signals corralctl gets to the container (default true)" },
	{ "detach-keys", 0, OPT_STR, "KEYS", "the keys that detach from it (default ctrl-p,ctrl-q)" },
	{ NULL },
};
static const ctl_opt exec_opts[] = {
	{ "detach", 'd', OPT_FLAG, "", "leave the command running; print its exec id" },
	{ "interactive", 'i', OPT_FLAG, "", "pass stdin to the command" },
	{ "tty", 't', OPT_FLAG, "", "give the command a terminal" },
	{ "env", 'e', OPT_LIST, "KEY[=VALUE]", "set a variable; KEY alone passes the host's value" },
	{ "env-file", 0, OPT_LIST, "FILE", "read KEY=VALUE lines from FILE (# comments)" },
	{ "workdir", 'w', OPT_STR, "DIR", "the working directory inside" },
	{ "user", 'u', OPT_STR, "USER[:GROUP]", "run as USER, a name in the container or a number" },
	CTL_OPT_WORKLOAD_CONTAINER,
	{ NULL },
};

const ctl_cmd ctl_run_cmds[] = {
	{ "create", "IMAGE [COMMAND [ARG...]]", "Create a container from an image, to start later", create_opts, 1,
	  -1, CMD_OPTS_FIRST, COMPLETE_IMAGES, v_create },
	{ "run", "IMAGE [COMMAND [ARG...]]",
	  "Create and start a container; in the foreground, its output and its exit code", run_opts, 1, -1,
	  CMD_OPTS_FIRST, COMPLETE_IMAGES, v_run },
	{ "exec", "CONTAINER|WORKLOAD COMMAND [ARG...]", "Run a command in a running container (or a workload's); its exit code", exec_opts, 2,
	  -1, CMD_OPTS_FIRST, COMPLETE_CONTAINERS, v_exec },
	{ NULL },
};
