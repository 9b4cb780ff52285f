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

/* The directory of owner's volumes into buf: <state-dir>/volumes for
 * root, <state-dir>/volumes/@<uid> for a member (vol_store.h). */
void vol_dir(const struct corrald *d, uid_t owner, char *buf, size_t n);
/* A container that holds owner's name (not removed; exited ones too, as
 * docker counts them), or NULL. */
struct ctr *vol_user(struct corrald *d, uid_t owner, const char *name);
/* The same, but for but */
struct ctr *vol_user_other(struct corrald *d, uid_t owner, const char *name, const struct ctr *but);

/* A volume as a call names it: a member's name is its own; root's is
 * root's, and a member's volume is NAME@UID to root (how root lists it). */
typedef struct vol_ref {
	uid_t owner;
	char name[VOL_NAME_MAX + 1];
} vol_ref;
/* false: no volume's name */
bool vol_ref_parse(const peer_cred *peer, const char *ref, vol_ref *out);
/* v's name as peer is shown it (NAME, or NAME@UID to root), into buf */
const char *vol_shown_name(const peer_cred *peer, const vol_info *v, char *buf, size_t n);
/* Every volume peer sees: its own, and root every owner's (vol_list_free) */
int vol_list_seen(const struct corrald *d, const peer_cred *peer, vol_info **out, size_t *n, cerr *err);
/* Make a volume for peer: name NULL makes one up (into made, 65 bytes);
 * labels and opts objects of strings or NULL. -EEXIST when taken; a
 * refusal of the policy (the quota, a member's bind) is POLICY_REFUSED
 * with pv. */
int vol_create(struct corrald *d, const peer_cred *peer, const char *name, yajl_val labels, yajl_val opts,
	       bool anonymous, char made[VOL_NAME_MAX + 1], policy_violation *pv, cerr *err);
/* The options of a volume's driver, checked: NULL or the reason. */
const char *vol_opts_check(yajl_val opts);
