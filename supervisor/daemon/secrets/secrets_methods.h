/* secrets_methods.c: the secret methods, and what a spec's secrets may name. */
#pragma once
#include "supervisor/daemon/secrets/methods.h"
#include "supervisor/daemon/secrets/secret_store.h"

/* <state-dir>/secrets into buf. */
void secrets_dir(const struct corrald *d, char *buf, size_t n);
/* The secret ref names as peer names it (secret_store.h: NAME its own,
 * root's NAME@UID a member's), one that peer may reach. */
bool secrets_ref_for(const char *ref, const peer_cred *peer, secret_ref *out);
/* Every secret s names exists, and is peer's to use (root: any; another
 * peer: its own): else 1 with the first that is not in *missing, or -errno
 * with the fault naming the field. Each reference is bound to the secret's
 * identity (ctr_secret.id) from now on. */
int secrets_check_refs(const struct corrald *d, const peer_cred *peer, ctr_spec *s, const char **missing,
		       json_fault *f);
vl_method_fn sv_secret_create, sv_secret_list, sv_secret_remove;
