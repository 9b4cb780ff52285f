/* linux.seccomp → a libseccomp filter, loaded last before execve. */
#pragma once
#include "bundle/spec.h"

/* Build and load the filter in the calling process. With a NOTIFY action,
 * *notify_fd receives the listener fd (else -1). */
int seccomp_apply(const struct oci_seccomp *sc, int *notify_fd, cerr *err);
/* Send the notify fd and the state JSON to listenerPath, as the
 * runtime-spec's seccomp-notify section says. */
int seccomp_send_notify(const struct oci_seccomp *sc, int notify_fd, const char *state_json, cerr *err);
