/* A container's secrets, as files on a tmpfs of its own.
 *
 * Start mounts a small tmpfs at containers/<id>/secrets (mode 0700, root's)
 * and writes there, decrypted, files/<NAME> (what the container sees at
 * /run/secrets, a read-only bind of files/), extra/<i> (a secret whose
 * target is elsewhere: bound onto that file alone), and mask (the values
 * the monitor redacts from the log, root's, 0400). Each file is its
 * owner's (uid=, else the container's user, through its uid map if any),
 * of its mode (0400). Once the container runs (its mount namespace holds
 * its binds) the host's mount is detached: the tmpfs is then reachable
 * only inside the container, and is gone with it. A failed start, the
 * container's end and its removal detach it too; a restart builds it
 * afresh. config.json names only these paths, never a value. */
#pragma once
#include <yajl/yajl_gen.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"

#define SECRETS_MNT "secrets"   /* in the container's directory */
#define SECRETS_FILES "files"   /* in the tmpfs: bound on /run/secrets */
#define SECRETS_EXTRA "extra"   /* in the tmpfs: files bound elsewhere */

int secrets_deliver(struct corrald *d, ctr *c, cerr *err);
/* Detach the host's view of the tmpfs (the container keeps its own). */
void secrets_withdraw(struct corrald *d, ctr *c);
/* config.json's mounts for s's secrets, with dir the container's. */
void secrets_gen_mounts(yajl_gen g, const ctr_spec *s, const char *dir);
