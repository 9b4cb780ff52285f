/* The default seccomp profile: an allow-list in the manner of moby's and
 * podman's defaults. */
#pragma once
#include "spec.h"

/* Errno for syscalls the profile does not know: ENOSYS, so that libc falls
 * back from newer calls (clone3 → clone, faccessat2 → faccessat). */
#define SECCOMP_DEFAULT_ERRNO 38

/* The profile as the JSON object for linux.seccomp (a new string, or NULL
 * when out of memory). */
char *seccomp_default_profile_json(void);
/* The profile, parsed; free it with seccomp_profile_free(). */
int seccomp_default_profile(struct oci_seccomp **out, cerr *err);
void seccomp_profile_free(struct oci_seccomp *sc);
