/* cmd_features.c: corral features: print the runtime-spec features document. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_features(int argc, char **argv);
