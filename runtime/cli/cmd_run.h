/* cmd_run.c: corral run: create, start, and (unless detached) wait,
 * forwarding signals or proxying the terminal; the exit code is the
 * container's. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_run(int argc, char **argv);
