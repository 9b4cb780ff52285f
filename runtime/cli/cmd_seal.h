/* cmd_seal.c: corral seal [--remove] [PATH...]: keep a sealed view of the
 * runtime's binaries bound over them, so that create, run and exec need not
 * seal themselves on each call (corral-seal.service runs it at boot). */
#pragma once
#include "runtime/cli/cli.h"

int cmd_seal(int argc, char **argv);
