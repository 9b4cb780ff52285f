/* cmd_checkpoint.c: corral checkpoint | restore, with runc's command lines. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_checkpoint(int argc, char **argv);
int cmd_restore(int argc, char **argv);
