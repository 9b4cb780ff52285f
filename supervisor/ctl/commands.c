/* Every corralctl command, found by the words that name it. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/commands.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>

#include <stdio.h>
#include <string.h>

const ctl_cmd *const *ctl_groups;

const ctl_opt ctl_global_opts[] = {
	{ "socket", 0, OPT_STR, "PATH", "corrald's socket (default: $CORRAL_SOCKET, else /run/corral/corrald.sock)" },
	{ "timeout", 0, OPT_DURATION, "DURATION", "how long to wait for each reply: 30s (the default), 2m, or seconds" },
	{ "json", 0, OPT_FLAG, "", "print JSON (as --format json)" },
	{ "help", 'h', OPT_FLAG, "", "print the help of corralctl, or of the command" },
	{ NULL },
};

/* Other names podman users type, for the command named by the second. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "images", "image ls" }, { "image pull", "pull" }, { "image push", "push" }, { "image list", "image ls" }, { "rmi", "image rm" },
	{ "tag", "image tag" }, { "load", "image load" }, { "save", "image save" }, { "history", "image history" },
	{ "image build", "build" }, { "container commit", "commit" },
	{ "container export", "export" },
	{ "container ls", "ps" }, { "get workload", "get workloads" },
	{ "describe workloads", "describe workload" }, { "delete workloads", "delete workload" }, { "container list", "ps" }, { "list", "ps" }, { "ls", "ps" },
};

static const ctl_cmd *by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (streq(name, aliases[i].alias))
			name = aliases[i].name;
	for (const ctl_cmd *const *g = ctl_groups; *g; g++)
		for (const ctl_cmd *c = *g; c->name; c++)
			if (streq(c->name, name))
				return c;
	return NULL;
}

static bool in_group(const ctl_cmd *g, const ctl_cmd *c)
{
	for (; g->name; g++)
		if (g == c)
			return true;
	return false;
}

bool ctl_is_container_verb(const ctl_cmd *c)
{
	return in_group(ctl_run_cmds, c) || in_group(ctl_container_cmds, c) || in_group(ctl_observe_cmds, c) || in_group(ctl_ps_cmds, c) ||
	       in_group(ctl_stats_cmds, c) || in_group(ctl_cp_cmds, c);
}

const ctl_cmd *ctl_find_cmd(int argc, char **argv, int *words)
{
	const ctl_cmd *c;
	if (argc >= 2) {
		_cleanup_free_ char *two = NULL;
		if (asprintf(&two, "%s %s", argv[0], argv[1]) < 0)
			return NULL;
		if ((c = by_name(two))) {
			*words = 2;
			return c;
		}
		if (streq(argv[0], "container") && (c = by_name(argv[1])) && ctl_is_container_verb(c)) {
			*words = 2;
			return c;
		}
	}
	*words = 1;
	return argc ? by_name(argv[0]) : NULL;
}

int ctl_group_commands(const char *word, strbuf *out)
{
	size_t n = strlen(word);
	int found = 0;
	for (const ctl_cmd *const *g = ctl_groups; *g; g++)
		for (const ctl_cmd *c = *g; c->name; c++)
			if (!strncmp(c->name, word, n) && c->name[n] == ' ' && !(c->flags & CMD_HIDDEN)) {
				if ((found++ && sb_adds(out, ", ")) || sb_adds(out, c->name + n + 1))
					return -ENOMEM;
			}
	return found;
}

void ctl_help_commands(FILE *f)
{
	for (const ctl_cmd *const *g = ctl_groups; *g; g++) {
		for (const ctl_cmd *c = *g; c->name; c++)
			if (!(c->flags & CMD_HIDDEN))
				fprintf(f, "  %-18s %s\n", c->name, c->summary);
	}
}
