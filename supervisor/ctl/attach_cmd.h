/* attach_cmd.c: corralctl attach, and run in the foreground (which attaches
 * before it starts the container, so that nothing it prints is missed). */
#pragma once
#include "supervisor/ctl/ctl.h"

/* run without -d (attach_cmd.c): attach to the created container id, then
 * start(id) (its exit code when it fails), and pump its stdio; the
 * container's exit code, or 0 after a detach (*detached then). */
int ctl_run_attached(const char *id, const ctl_run_io *io, int (*start)(const char *id), bool *detached);
/* A terminal, and stdin if io->interactive asks, as the container was made
 * with (Inspect); *running (if given) whether it runs. 0, or EXIT_CTL said. */
int ctl_attach_config(const char *id, ctl_run_io *io, bool *running);
