/* corralctl's verbs that name containers by id or name: start, stop,
 * restart, kill, pause, unpause, checkpoint, restore, rm, inspect, wait, rename, port, top, and
 * container prune. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/template/template_value.h"
#include "supervisor/ctl/attach_cmd.h"
#include "supervisor/ctl/run.h"
#include "supervisor/ctl/containers.h"
#include "supervisor/ctl/paths.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/inspect.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/spec_opts.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int each_id(const ctl_args *a, const char *method, ctl_add_fn add, ctl_show_fn show)
{
	return ctl_each(a, method, "id", add, show);
}

static int add_time(const ctl_args *a, yajl_gen g)
{
	return opt_on(a, "time") ? jg_key_int(g, "timeout", opt_num(a, "time", 0)) : 0;
}

static int add_signal(const ctl_args *a, yajl_gen g)
{
	return opt_on(a, "signal") ? jg_key_str(g, "signal", opt_str(a, "signal")) : 0;
}

/* Stop says when the stop signal was not enough, as podman does. */
static int show_stopped(const ctl_args *a, const char *id, yajl_val reply)
{
	if (YAJL_IS_TRUE(tmpl_field(reply, "killed", 6)))
		fprintf(stderr, "corralctl: %s: %s did not stop in time after its stop signal: killed with SIGKILL\n",
			a->cmd->name, id);
	printf("%s\n", id);
	return 0;
}

/* start -a: attached before it starts, as run is, and its exit code; one
 * that runs already is only attached to. */
static int start_attached(const ctl_args *a)
{
	if (a->argc > 1)
		return ctl_failf("start: -a attaches to one container: name one, not %d", a->argc);
	ctl_run_io io = { .interactive = opt_on(a, "interactive"), .sig_proxy = true };
	bool running, detached;
	if (ctl_attach_config(a->argv[0], &io, &running))
		return EXIT_CTL;
	ctl_timeout_ms = -1;
	return ctl_run_attached(a->argv[0], &io, running ? NULL : ctl_start, &detached);
}

static int v_start(ctl_args *a)
{
	return opt_on(a, "attach") ? start_attached(a) : each_id(a, M("Start"), NULL, NULL);
}

static int v_stop(ctl_args *a)
{
	ctl_timeout_ms = -1; /* the stop timeout may be long */
	return each_id(a, M("Stop"), add_time, show_stopped);
}

static int v_restart(ctl_args *a)
{
	ctl_timeout_ms = -1;
	return each_id(a, M("Restart"), add_time, NULL);
}

static int v_kill(ctl_args *a) { return each_id(a, M("Kill"), add_signal, NULL); }
static int v_pause(ctl_args *a) { return each_id(a, M("Pause"), NULL, NULL); }
static int v_unpause(ctl_args *a) { return each_id(a, M("Unpause"), NULL, NULL); }

static int add_leave_running(const ctl_args *a, yajl_gen g)
{
	return opt_on(a, "leave-running") ? jg_key_bool(g, "leaveRunning", true) : 0;
}

/* checkpoint --export FILE: the checkpoint, then the file, which is made
 * here (0600: it holds the container's memory) for corrald to write as the
 * caller; a failed export leaves no file that was not there. */
static int export_checkpoint(ctl_args *a, const char *file)
{
	if (a->argc != 1)
		return ctl_failf("checkpoint: --export writes one container's checkpoint: name one, not %d", a->argc);
	_cleanup_free_ char *path = NULL;
	bool made;
	_cleanup_close_ int fd = ctl_output_file("checkpoint: --export", file, 0600, &path, &made);
	if (fd < 0)
		return EXIT_CTL;
	int rc = each_id(a, M("Checkpoint"), add_leave_running, NULL);
	_cleanup_json_gen_ yajl_gen g = rc ? NULL : ctl_params(a->argv[0]);
	if (!rc && (!g || jg_key_str(g, "path", path)))
		rc = ctl_fail("checkpoint", "out of memory");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (!rc && !(rc = ctl_call_gen(&c, M("CheckpointExport"), TAKE_PTR(g), false, &rep)))
		vl_reply_release(&rep);
	if (rc && made)
		unlink(path);
	return rc;
}

static int v_checkpoint(ctl_args *a)
{
	ctl_timeout_ms = -1; /* criu takes as long as the memory it writes */
	const char *file = opt_str(a, "export");
	return file ? export_checkpoint(a, file) : each_id(a, M("Checkpoint"), add_leave_running, NULL);
}

/* restore --import FILE [--name NEW]: made again from the file, then
 * restored; one that cannot be restored is removed again, as podman does. */
static int import_checkpoint(ctl_args *a, const char *file)
{
	if (a->argc)
		return ctl_fail("restore", "--import makes a new container: name it with --name, not as an argument");
	_cleanup_free_ char *path = ctl_absolute(file);
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	const char *name = opt_str(a, "name");
	if (!path || !g || jg_key_str(g, "path", path) || (name && jg_key_str(g, "name", name)))
		return ctl_fail("restore", "out of memory");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	int rc = ctl_call_gen(&c, M("CheckpointImport"), TAKE_PTR(g), false, &rep);
	if (rc)
		return rc;
	_cleanup_free_ char *id = strdup(ctl_str(rep.params, "id"));
	vl_reply_release(&rep);
	if (!id)
		return ctl_fail("restore", "out of memory");
	char *ids[] = { id };
	ctl_args one = *a;
	one.argc = 1;
	one.argv = ids;
	if ((rc = each_id(&one, M("Restore"), NULL, NULL))) {
		_cleanup_json_gen_ yajl_gen rm = ctl_params(id);
		_cleanup_vl_client_ vl_client *c2 = NULL;
		if (rm && !ctl_call_gen(&c2, M("Remove"), TAKE_PTR(rm), false, &rep))
			vl_reply_release(&rep);
	}
	return rc;
}

static int v_restore(ctl_args *a)
{
	ctl_timeout_ms = -1;
	const char *file = opt_str(a, "import");
	if (!file && !a->argc)
		return ctl_fail("restore", "name the containers to restore, or --import FILE");
	if (!file && opt_on(a, "name"))
		return ctl_fail("restore", "--name names a container made by --import");
	return file ? import_checkpoint(a, file) : each_id(a, M("Restore"), NULL, NULL);
}

static int add_rm(const ctl_args *a, yajl_gen g)
{
	return ctl_add_force(a, g) || (opt_on(a, "volumes") && jg_key_bool(g, "volumes", true));
}

static int v_rm(ctl_args *a)
{
	ctl_timeout_ms = -1;
	return each_id(a, M("Remove"), add_rm, NULL);
}

static int v_inspect(ctl_args *a)
{
	_cleanup_json_ yajl_val list = NULL, shaped = NULL;
	/* podman prints what it found, and fails for what it did not */
	int rc = ctl_collect(M("Inspect"), "id", a->argc, a->argv, "container", &list);
	int r = list && !ctl_inspect_shape(list, &shaped) ? ctl_output(shaped, NULL, NULL, NULL) : EXIT_CTL;
	return rc ? rc : r;
}

static int show_code(const ctl_args *a, const char *id, yajl_val reply)
{
	printf("%lld\n", ctl_int(reply, "exitCode", -1));
	return 0;
}

static int v_wait(ctl_args *a)
{
	ctl_timeout_ms = -1;
	return each_id(a, M("Wait"), NULL, show_code);
}

static int v_rename(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	_cleanup_json_gen_ yajl_gen g = ctl_params(a->argv[0]);
	vl_reply rep;
	if (!g || jg_key_str(g, "name", a->argv[1]))
		return ctl_fail("rename", "out of memory");
	if (ctl_call_gen(&c, M("Rename"), TAKE_PTR(g), false, &rep))
		return EXIT_CTL;
	vl_reply_release(&rep);
	return 0;
}

/* podman update: a container's limits (root's, a running one's) and its
 * restart policy (its owner's) in place; prints its id, as podman */
static int v_update(ctl_args *a)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(a->argv[0]);
	if (!g)
		return ctl_fail("update", "out of memory");
	if (ctl_gen_resources(a, g))
		return EXIT_CTL;
	if (opt_on(a, "restart") && jg_key_str(g, "restart", opt_str(a, "restart")))
		return ctl_fail("update", "out of memory");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Update"), TAKE_PTR(g), false, &rep))
		return EXIT_CTL;
	vl_reply_release(&rep);
	printf("%s\n", a->argv[0]);
	return 0;
}

static int show_ports(const ctl_args *a, const char *id, yajl_val reply)
{
	yajl_val l = tmpl_field(reply, "ports", 5);
	const char *only = a->argc > 1 ? a->argv[1] : NULL; /* "80" or "80/tcp" */
	for (size_t i = 0; YAJL_IS_ARRAY(l) && i < l->u.array.len; i++) {
		yajl_val p = l->u.array.values[i];
		char private[32];
		snprintf(private, sizeof(private), "%lld/%s", ctl_int(p, "containerPort", 0), ctl_str(p, "protocol"));
		if (only && strcmp(only, private) && strtoll(only, NULL, 10) != ctl_int(p, "containerPort", 0))
			continue;
		printf("%s -> %s:%lld\n", private, ctl_str(p, "hostIP")[0] ? ctl_str(p, "hostIP") : "0.0.0.0",
		       ctl_int(p, "hostPort", 0));
	}
	return 0;
}

static int v_port(ctl_args *a)
{
	ctl_args one = *a;
	one.argc = 1; /* the second argument filters, it names no container */
	return each_id(&one, M("Port"), NULL, show_ports);
}

/* Top's reply as a table: its titles, then a row a process. */
static int show_top(const ctl_args *a, const char *id, yajl_val reply)
{
	_cleanup_table_ ctl_table t = { 0 };
	_cleanup_strbuf_ strbuf line = STRBUF_INIT;
	yajl_val titles = tmpl_field(reply, "titles", 6), procs = tmpl_field(reply, "processes", 9);
	for (size_t r = 0; YAJL_IS_ARRAY(procs) && r <= procs->u.array.len; r++) {
		yajl_val row = r ? procs->u.array.values[r - 1] : titles;
		sb_reset(&line);
		for (size_t i = 0; YAJL_IS_ARRAY(row) && i < row->u.array.len; i++) {
			yajl_val cell = row->u.array.values[i];
			if (sb_addf(&line, "%s%s", i ? "\t" : "", YAJL_IS_STRING(cell) ? cell->u.string : "") < 0)
				return ctl_fail("top", "out of memory");
		}
		if (table_add_line(&t, line.buf ? line.buf : "") < 0)
			return ctl_fail("top", "out of memory");
	}
	table_print(stdout, &t);
	return 0;
}

static int v_top(ctl_args *a) { return each_id(a, M("Top"), NULL, show_top); }

int ctl_print_strings(yajl_val reply, const char *key)
{
	yajl_val l = tmpl_field(reply, key, strlen(key));
	for (size_t i = 0; YAJL_IS_ARRAY(l) && i < l->u.array.len; i++)
		if (YAJL_IS_STRING(l->u.array.values[i]))
			printf("%s\n", l->u.array.values[i]->u.string);
	return 0;
}

static int show_removed(yajl_val p) { return ctl_json ? ctl_print_json(p) : ctl_print_strings(p, "removed"); }

static int v_container_prune(ctl_args *a) { return ctl_prune(a, M("ContainerPrune"), show_removed); }

static const ctl_opt start_opts[] = {
	{ "attach", 'a', OPT_FLAG, "", "attach its stdout and stderr, wait, and exit with its code (one container)" },
	{ "interactive", 'i', OPT_FLAG, "", "with -a: pass corralctl's stdin to it (if it was made with -i)" },
	{ NULL },
};
static const ctl_opt time_opts[] = {
	{ "time", 't', OPT_INT, "SECONDS", "seconds to wait for the stop signal before SIGKILL (default: the "
					   "container's --stop-timeout, 10)" },
	{ NULL },
};
static const ctl_opt kill_opts[] = {
	{ "signal", 's', OPT_STR, "SIGNAL", "the signal to send: a name (TERM, SIGHUP) or a number (default KILL)" },
	{ NULL },
};
static const ctl_opt rm_opts[] = {
	{ "force", 'f', OPT_FLAG, "", "remove a running container too: it is killed first" },
	{ "volumes", 'v', OPT_FLAG, "", "remove the anonymous volumes it made too" },
	{ NULL },
};
static const ctl_opt checkpoint_opts[] = {
	{ "leave-running", 'R', OPT_FLAG, "", "keep the container running after the checkpoint" },
	{ "export", 'e', OPT_STR, "FILE", "also write the checkpoint to FILE, for restore --import" },
	{ NULL },
};
static const ctl_opt restore_opts[] = {
	{ "import", 'i', OPT_STR, "FILE", "make a new container from a checkpoint that checkpoint --export wrote" },
	{ "name", 'n', OPT_STR, "NAME", "with --import: the new container's name (default: the one it had)" },
	{ NULL },
};
static const ctl_opt prune_opts[] = { CTL_OPT_PRUNE_FILTER, CTL_OPT_NEVER_ASK, { NULL } };
static const ctl_opt update_opts[] = { CTL_OPT_LIMITS, CTL_OPT_RESTART, { NULL } };
static const ctl_opt inspect_opts[] = { CTL_OPT_FORMAT, { NULL } };

const ctl_cmd ctl_container_cmds[] = {
	{ "start", "CONTAINER...", "Start created or stopped containers", start_opts, 1, -1, 0, COMPLETE_CONTAINERS,
	  v_start },
	{ "stop", "CONTAINER...", "Stop containers: the stop signal, then SIGKILL after the timeout", time_opts, 1,
	  -1, 0, COMPLETE_CONTAINERS, v_stop },
	{ "restart", "CONTAINER...", "Stop containers (as stop does) and start them again", time_opts, 1, -1, 0,
	  COMPLETE_CONTAINERS, v_restart },
	{ "kill", "CONTAINER...", "Send a signal to containers' main process", kill_opts, 1, -1, 0,
	  COMPLETE_CONTAINERS, v_kill },
	{ "pause", "CONTAINER...", "Freeze every process of containers", NULL, 1, -1, 0, COMPLETE_CONTAINERS,
	  v_pause },
	{ "unpause", "CONTAINER...", "Thaw paused containers", NULL, 1, -1, 0, COMPLETE_CONTAINERS, v_unpause },
	{ "checkpoint", "CONTAINER...", "Save running containers through criu; they stop unless --leave-running",
	  checkpoint_opts, 1, -1, 0, COMPLETE_CONTAINERS, v_checkpoint },
	{ "restore", "CONTAINER... | --import FILE", "Run checkpointed containers again from their checkpoints",
	  restore_opts, 0, -1, 0, COMPLETE_CONTAINERS, v_restore },
	{ "rm", "CONTAINER...", "Remove containers", rm_opts, 1, -1, 0, COMPLETE_CONTAINERS, v_rm },
	{ "inspect", "CONTAINER...", "Print containers as one JSON array, podman's fields and corral's, or through --format", inspect_opts, 1, -1,
	  CMD_FORMAT, COMPLETE_CONTAINERS, v_inspect },
	{ "wait", "CONTAINER...", "Wait for containers to stop; print each exit code", NULL, 1, -1, 0,
	  COMPLETE_CONTAINERS, v_wait },
	{ "rename", "CONTAINER NAME", "Give a container another name", NULL, 2, 2, 0, COMPLETE_CONTAINERS,
	  v_rename },
	{ "update", "CONTAINER", "Change a container's limits (a running one's, root only) or its restart policy",
	  update_opts, 1, 1, 0, COMPLETE_CONTAINERS, v_update },
	{ "port", "CONTAINER [PORT[/PROTOCOL]]", "List a container's published ports", NULL, 1, 2, 0,
	  COMPLETE_CONTAINERS, v_port },
	{ "top", "CONTAINER", "List the processes of a container", NULL, 1, 1, 0, COMPLETE_CONTAINERS, v_top },
	{ "container prune", "", "Remove every stopped container", prune_opts, 0, 0, 0, COMPLETE_NONE,
	  v_container_prune },
	{ NULL },
};
