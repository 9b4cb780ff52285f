/* cmd_update.c: corral update [options] ID: change a running container's
 * resources, as runc update: from -r FILE (linux.resources JSON, "-" for
 * stdin) and/or flags. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_update(int argc, char **argv);
