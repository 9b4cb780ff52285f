/* cmd_pause.c: corral pause | resume: freeze and thaw every process of a
 * container through its cgroup (cgroup.freeze), as runc does. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
