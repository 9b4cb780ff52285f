/* vol_create.c: A volume made: by VolumeCreate, or by a container's first
 * use. */
#pragma once
#include "supervisor/daemon/volumes/vol_int.h"

/* Make a volume for peer: name NULL makes one up (into made, 65 bytes);
 * labels and opts objects of strings or NULL. -EEXIST when taken; a
 * refusal of the policy (the quota, a member's bind) is POLICY_REFUSED
 * with pv. */
int vol_create(struct corrald *d, const peer_cred *peer, const char *name, yajl_val labels, yajl_val opts,
	       bool anonymous, char made[VOL_NAME_MAX + 1], policy_violation *pv, cerr *err);
/* The options of a volume's driver, checked: NULL or the reason. */
const char *vol_opts_check(yajl_val opts);
