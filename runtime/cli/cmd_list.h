/* cmd_list.c: corral list: a table, or JSON with --format json. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_list(int argc, char **argv);
