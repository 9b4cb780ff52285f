/* cmd_events.c: corral events [--stats] [--interval D] ID: the container's
 * cgroup stats as JSON, once (--stats) or every interval, and an "oom" event
 * whenever the kernel OOM-kills one of its processes; runc's format. */
#pragma once
#include "runtime/cli/cli.h"

int cmd_events(int argc, char **argv);
