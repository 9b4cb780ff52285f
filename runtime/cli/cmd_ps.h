/* cmd_ps.c: corral ps ID [--format table|json]: the container's processes,
 * from its cgroup, or from /proc when it has none (same pid namespace as the
 * init, or the init's descendants when it shares ours). */
#pragma once
#include "runtime/cli/cli.h"

int cmd_ps(int argc, char **argv);
