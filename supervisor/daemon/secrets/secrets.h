/* The secrets feature, as the rest of corrald sees it: its part in each
 * container's life (registered by main_corrald.c). */
#pragma once
#include <sys/types.h>
#include "common/error.h"
#include "common/secmem.h"
#include "supervisor/daemon/containers/record/ctr_service.h"

extern const ctr_feature secrets_container_hooks;

/* The stores as this corrald keeps them (secret_store_migrate), before a
 * container's secrets are looked at. */
void secrets_start(struct corrald *d);

/* Registry logins (logins.c): sealed like secrets, in a store of their
 * own; a member's are its own. registry is HOST[:PORT] as reg_auth_key
 * writes it; userpass "user:password". */
int secrets_login_put(struct corrald *d, uid_t owner, const char *registry, const char *userpass, cerr *err);
/* -ENOENT: not logged in there. */
int secrets_login_remove(struct corrald *d, uid_t owner, const char *registry, cerr *err);
/* The logins' store as secrets_start keeps it. */
int secrets_logins_migrate(struct corrald *d, cerr *err);
/* owner's logins as a containers-auth.json(5) document (*out: wipe, free). */
int secrets_login_auth_json(struct corrald *d, uid_t owner, char **out, cerr *err);

/* The clear value of secret name, for a part of corrald that hands it on
 * as the secret's owner asked (a workload's imagePullSecrets, to its
 * pull), never to log, audit, reply or put in an environment. owner is
 * the uid the value is read for, and name is as it names it (NAME its
 * own; root's NAME@UID a member's); another's is -ENOENT, "no such secret",
 * as one that is not there. out (secbuf_release it) ends in a '\0' past
 * out->len. */
int secrets_value_of(struct corrald *d, uid_t owner, const char *name, secbuf *out, cerr *err);
