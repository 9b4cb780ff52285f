/* linux.seccomp → a libseccomp filter, loaded last before execve. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "bundle/spec.h"

/* A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
struct seccomp_prog {
	void *filter;          /* struct sock_filter[len] */
	unsigned short len;
	unsigned int flags;    /* SECCOMP_FILTER_FLAG_* */
	bool notify;           /* has NOTIFY rules: load with NEW_LISTENER */
};
/* The libseccomp filter for sc (a scmp_filter_ctx), not loaded; *notify
 * tells whether it has NOTIFY rules. seccomp_compile's first step. */
int seccomp_build_ctx(const struct oci_seccomp *sc, void **out, bool *notify, cerr *err);
/* An OCI action name (+ errnoRet, EPERM when absent) → SCMP_ACT_* value;
 * -EINVAL for an unknown name, -ERANGE for an errno past 16 bits. */
int seccomp_action_value(const char *name, bool has_errno, uint32_t errno_ret, uint32_t *out);
