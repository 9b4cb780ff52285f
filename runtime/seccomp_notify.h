/* seccomp_notify.c: Hand the seccomp listener fd to the agent at
 * linux.seccomp.listenerPath: one containerProcessState JSON message on a
 * SOCK_STREAM unix socket, the fd riding along as SCM_RIGHTS (runtime-spec,
 * "Seccomp" / listenerPath). */
#pragma once
#include "runtime/seccomp.h"

/* Send the notify fd and the state JSON to listenerPath, as the
 * runtime-spec's seccomp-notify section says: a containerProcessState
 * object with the fd attached (SCM_RIGHTS). state_json is the container's
 * state object; its "pid" becomes the message's pid. */
int seccomp_send_notify(const struct oci_seccomp *sc, int notify_fd, const char *state_json, cerr *err);
/* The containerProcessState JSON text that seccomp_send_notify sends. */
int seccomp_notify_message(const struct oci_seccomp *sc, const char *state_json, char **out, size_t *len, cerr *err);
