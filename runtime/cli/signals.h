/* signals.c: signal names and numbers, as kill(1) takes them. */
#pragma once
#include "runtime/cli/cli.h"

/* Parse "KILL", "SIGKILL" or "9"; -1 when unknown. */
int parse_signal(const char *s);
