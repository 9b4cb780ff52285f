/* corralctl: the command-line client of corrald. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/commands.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "common/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SOCKET "/run/corral/corrald.sock"

/* Every command group, NULL-ended: main hands it to commands.c, which
 * finds, lists and completes commands for all the others (help among
 * them) without naming each group's file. */
static const ctl_cmd *const groups[] = {
	ctl_run_cmds, ctl_attach_cmds, ctl_container_cmds, ctl_ps_cmds, ctl_observe_cmds, ctl_stats_cmds, ctl_cp_cmds,
	ctl_image_cmds, ctl_image_io_cmds, ctl_build_cmds, ctl_ctr_fs_cmds, ctl_pull_cmds, ctl_push_cmds, ctl_job_cmds, ctl_network_cmds, ctl_policy_cmds, ctl_secret_cmds, ctl_volume_cmds, ctl_service_cmds, ctl_session_cmds,
	ctl_broker_cmds, ctl_workload_cmds, NULL,
};

/* What main takes before the command, besides the global options. */
static const ctl_opt top_opts[] = {
	CTL_OPT_FORMAT,
	{ "version", 'v', OPT_FLAG, "", "print corralctl's version" },
	{ NULL },
};
static const ctl_cmd top = { "", "COMMAND [ARGS]", "The command-line client of corrald.", top_opts, 0, -1,
			     CMD_OPTS_FIRST, COMPLETE_NONE, NULL };

static void usage(FILE *f)
{
	fprintf(f, "Usage: corralctl [OPTIONS] COMMAND [ARGS]\n\n"
		   "The command-line client of corrald: images and containers, as podman's verbs.\n\n"
		   "Commands:\n");
	ctl_help_commands(f);
	fprintf(f, "\nOptions (before or after the command):\n");
	opts_help_table(f, ctl_global_opts);
	fprintf(f, "\nOptions before the command:\n");
	opts_help_table(f, top_opts);
	fprintf(f, "\n\"corralctl COMMAND --help\" tells more. Exit status: the container's for run,\n"
		   "exec and wait; 125 for an error of corralctl or corrald; 126 when a command\n"
		   "cannot be invoked; 127 when it is not found.\n");
}

/* The globals into ctl_*, the command's --format over the one before it. */
static int apply_globals(const ctl_optval *g, const ctl_args *top_a, const ctl_args *a)
{
	if (g[G_SOCKET].set)
		ctl_sock = g[G_SOCKET].str;
	if (g[G_TIMEOUT].set) {
		if (g[G_TIMEOUT].num <= 0 || g[G_TIMEOUT].num > 86400000000000ll)
			return ctl_usage_error(a->cmd, "--timeout %s: must be more than 0 and at most a day",
					       g[G_TIMEOUT].str);
		ctl_timeout_ms = (int)(g[G_TIMEOUT].num / 1000000);
	}
	ctl_json = g[G_JSON].set && g[G_JSON].num;
	ctl_format = opt_str(top_a, "format");
	bool formats = a->cmd->flags & CMD_FORMAT;
	if (formats && opt_str(a, "format"))
		ctl_format = opt_str(a, "format");
	if (ctl_format && streq(ctl_format, "json")) {
		ctl_json = true;
		ctl_format = NULL;
	}
	if (ctl_format && !formats)
		return ctl_usage_error(a->cmd, "takes no --format but json");
	return 0;
}

/* Named by its own words only, "tag" or "image foo", never with an
 * argument; a group's commands listed. */
static int unknown_command(const ctl_args *top_a)
{
	const char *first = top_a->argv[0];
	_cleanup_strbuf_ strbuf cmds = STRBUF_INIT;
	int group = ctl_group_commands(first, &cmds);
	bool sub = group > 0 && top_a->argc > 1 && top_a->argv[1][0] != '-';
	if (group < 0)
		return ctl_fail("corralctl", "out of memory");
	if (group && !sub)
		return ctl_failf("%s: missing its command, one of: %s", first, cmds.buf);
	if (sub)
		return ctl_failf("unknown command \"%s %s\": %s takes %s", first, top_a->argv[1], first, cmds.buf);
	return ctl_failf("unknown command \"%s\" (see corralctl --help)", first);
}

int main(int argc, char **argv)
{
	ctl_groups = groups;
	ctl_sock = getenv("CORRAL_SOCKET");
	if (!ctl_sock || !*ctl_sock)
		ctl_sock = DEFAULT_SOCKET;
	ctl_optval g[G_COUNT] = { 0 };
	_cleanup_ctl_args_ ctl_args top_a = { 0 };
	if (opts_parse(&top, ctl_global_opts, g, argc - 1, argv + 1, &top_a))
		return EXIT_CTL;
	if (opt_on(&top_a, "version")) {
		printf("corralctl version %s (%s)\n", CORRAL_VERSION, corral_commit);
		return 0;
	}
	if (g[G_HELP].set || top_a.argc == 0) {
		usage(g[G_HELP].set ? stdout : stderr);
		return g[G_HELP].set ? 0 : EXIT_CTL;
	}
	int words;
	const ctl_cmd *cmd = ctl_find_cmd(top_a.argc, top_a.argv, &words);
	if (!cmd)
		return unknown_command(&top_a);
	_cleanup_ctl_args_ ctl_args a = { 0 };
	if (opts_parse(cmd, ctl_global_opts, g, top_a.argc - words, top_a.argv + words, &a))
		return EXIT_CTL;
	if (g[G_HELP].set) {
		opts_help(stdout, cmd, ctl_global_opts);
		return 0;
	}
	if (opts_check_count(&a) || apply_globals(g, &top_a, &a))
		return EXIT_CTL;
	return cmd->run(&a);
}
