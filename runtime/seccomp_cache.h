/* seccomp_cache.c: Compiled seccomp programs: built once per profile with
 * libseccomp (seccomp.c), kept under the state root, and loaded as raw BPF. */
#pragma once
#include "runtime/seccomp.h"

/* Build and load the filter in the calling process. With a NOTIFY action,
 * *notify_fd receives the listener fd (else -1). no_new_privs is left alone:
 * the caller sets it (from process.noNewPrivileges) or holds CAP_SYS_ADMIN.
 * SCMP_ACT_NOTIFY is refused as the default action and for write(2), since
 * the runtime still needs to run before the listener has the fd. */
int seccomp_apply(const struct oci_seccomp *sc, int *notify_fd, cerr *err);
void seccomp_prog_release(struct seccomp_prog *p);
/* Compile sc (NULL gives an empty program). With cache_dir, a program
 * compiled before for the very same profile and libseccomp version is
 * reused: libseccomp takes tens of milliseconds on a default profile with
 * three architectures. Entries hold the whole profile text, compared byte
 * for byte on a hit, so a hash collision can never load another filter. */
int seccomp_compile(const struct oci_seccomp *sc, const char *cache_dir, struct seccomp_prog *out, cerr *err);
/* Load a compiled program in the calling process. */
int seccomp_load_prog(const struct seccomp_prog *p, int *notify_fd, cerr *err);
