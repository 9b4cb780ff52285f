/* corral pause | resume: freeze and thaw every process of a container
 * through its cgroup (cgroup.freeze), as runc does. */
#include "cli.h"
#include "runtime/cli/cmd_pause.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 10000

static int freeze_cmd(int argc, char **argv, bool freeze)
{
	const char *verb = freeze ? "pause" : "resume";
	if (argc != 2) {
		fprintf(stderr, "corral: %s: expected exactly one container id\n", verb);
		return 1;
	}
	const char *id = argv[1];
	cerr err = { 0 };
	_cleanup_state_ struct rt_state *s = NULL;
	_cleanup_cg_ cg *c = NULL;
	if (container_open_cgroup(cli.root, id, false, &s, &c, &err) < 0)
		return cli_fail(&err, "%s %s", verb, id);
	enum rt_status st = state_status(cli.root, s);
	if (st != (freeze ? ST_RUNNING : ST_PAUSED)) {
		/* runc's texts, which engines match on */
		cerr_set(&err, EINVAL, "container not %s (it is %s)", freeze ? "running" : "paused", rt_status_names[st]);
		return cli_fail(&err, "%s %s", verb, id);
	}
	if (cg_freeze(c, freeze, FREEZE_TIMEOUT_MS, &err) < 0)
		return cli_fail(&err, "%s %s", verb, id);
	return 0;
}

int cmd_pause(int argc, char **argv) { return freeze_cmd(argc, argv, true); }
int cmd_resume(int argc, char **argv) { return freeze_cmd(argc, argv, false); }
