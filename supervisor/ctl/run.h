/* run.c: corralctl create, run and exec: a ContainerSpec (spec.c) or an Exec
 * call (a foreground one streams through ctl_attach.c, which waits for the
 * end). */
#pragma once
#include "supervisor/ctl/ctl.h"

/* Start it (run.c); 0, or after saying why, podman's code for a command
 * that is not found (127) or cannot run (126), else EXIT_CTL. */
int ctl_start(const char *id);
