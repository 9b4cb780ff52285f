/* Waiting for a container's process as its parent: exit codes as a shell
 * gives them, signal forwarding, and the fds a new process may inherit. */
#pragma once
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"

/* The signals `run` and `exec` pass on to the process they wait for. */
void forwarded_sigset(sigset_t *set);
/* Every signal to its default action, none blocked: what a container's
 * process starts with, whatever its caller ignored (corral-monitor ignores
 * SIGPIPE) or blocked. */
void reset_signals(void);
/* Reap pid: its exit status, or 128+N when signal N ended it. */
int wait_exit_code(pid_t pid);
/* Forward what arrives on signalfd sfd to pidfd until the process exits,
 * then reap it. */
int wait_forwarding(pid_t pid, int pidfd, int sfd);
/* Close every fd from first up, but those in keep (at most 16): what the
 * runtime holds must be gone before the container can see this process. */
int close_other_fds(int first, const int *keep, size_t n);
