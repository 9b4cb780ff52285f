/* cmd_exec.c: corral exec [options] ID [COMMAND [ARG...]], with runc's
 * options. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_exec(int argc, char **argv);
