/* linux.seccomp → a libseccomp filter, loaded last before execve. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "bundle/spec.h"

/* Build and load the filter in the calling process. With a NOTIFY action,
 * *notify_fd receives the listener fd (else -1). no_new_privs is left alone:
 * the caller sets it (from process.noNewPrivileges) or holds CAP_SYS_ADMIN.
 * SCMP_ACT_NOTIFY is refused as the default action and for write(2), since
 * the runtime still needs to run before the listener has the fd. */
int seccomp_apply(const struct oci_seccomp *sc, int *notify_fd, cerr *err);

/* A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
struct seccomp_prog {
	void *filter;          /* struct sock_filter[len] */
	unsigned short len;
	unsigned int flags;    /* SECCOMP_FILTER_FLAG_* */
	bool notify;           /* has NOTIFY rules: load with NEW_LISTENER */
};
void seccomp_prog_release(struct seccomp_prog *p);
/* The libseccomp filter for sc (a scmp_filter_ctx), not loaded; *notify
 * tells whether it has NOTIFY rules. seccomp_compile's first step. */
int seccomp_build_ctx(const struct oci_seccomp *sc, void **out, bool *notify, cerr *err);
/* Compile sc (NULL gives an empty program). With cache_dir, a program
 * compiled before for the very same profile and libseccomp version is
 * reused: libseccomp takes tens of milliseconds on a default profile with
 * three architectures. Entries hold the whole profile text, compared byte
 * for byte on a hit, so a hash collision can never load another filter. */
int seccomp_compile(const struct oci_seccomp *sc, const char *cache_dir, struct seccomp_prog *out, cerr *err);
/* Load a compiled program in the calling process. */
int seccomp_load_prog(const struct seccomp_prog *p, int *notify_fd, cerr *err);
/* Send the notify fd and the state JSON to listenerPath, as the
 * runtime-spec's seccomp-notify section says: a containerProcessState
 * object with the fd attached (SCM_RIGHTS). state_json is the container's
 * state object; its "pid" becomes the message's pid. */
int seccomp_send_notify(const struct oci_seccomp *sc, int notify_fd, const char *state_json, cerr *err);
/* The containerProcessState JSON text that seccomp_send_notify sends. */
int seccomp_notify_message(const struct oci_seccomp *sc, const char *state_json, char **out, size_t *len, cerr *err);
/* An OCI action name (+ errnoRet, EPERM when absent) → SCMP_ACT_* value;
 * -EINVAL for an unknown name, -ERANGE for an errno past 16 bits. */
int seccomp_action_value(const char *name, bool has_errno, uint32_t errno_ret, uint32_t *out);
