/* What the volumes' files share. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/daemon/core/violation.h"
#include "supervisor/daemon/volumes/vol_store.h"
#include "supervisor/varlink/peer.h"

struct corrald;
struct ctr;

/* <state-dir>/volumes into buf. */
void vol_dir(const struct corrald *d, char *buf, size_t n);
/* A container that holds name (not removed; exited ones too, as docker
 * counts them), or NULL. */
struct ctr *vol_user(struct corrald *d, const char *name);
/* The same, but for but */
struct ctr *vol_user_other(struct corrald *d, const char *name, const struct ctr *but);
/* Make a volume for peer: name NULL makes one up (into made, 65 bytes);
 * labels and opts objects of strings or NULL. -EEXIST when taken; a
 * refusal of the policy (the quota, a member's bind) is POLICY_REFUSED
 * with pv. */
int vol_create(struct corrald *d, const peer_cred *peer, const char *name, yajl_val labels, yajl_val opts,
	       bool anonymous, char made[VOL_NAME_MAX + 1], policy_violation *pv, cerr *err);
/* The options of a volume's driver, checked: NULL or the reason. */
const char *vol_opts_check(yajl_val opts);
