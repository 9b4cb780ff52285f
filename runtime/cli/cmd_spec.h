/* cmd_spec.c: corral spec: write a default config.json, as `runc spec` does. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_spec(int argc, char **argv);
