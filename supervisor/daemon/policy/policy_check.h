/* The policy's one gate for new containers: every creator (CreateContainer,
 * and whatever creates containers through the same path) calls
 * policy_admit with the parsed spec and the peer, before anything exists. */
#pragma once
#include <limits.h>
#include "common/error.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/containers/record/pins.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"
#include "supervisor/daemon/core/violation.h"

struct corrald;


/* Whether real lies at or under one of prefixes (NULL: anything does). */
bool policy_path_allowed(const char *real, char *const *prefixes);
/* 0: admitted, with missing resources set to the defaults and the bind
 * sources opened in pins (mounted later by ctr_pins_mount);
 * POLICY_REFUSED with v filled; or -errno with err. */
int policy_admit(struct corrald *d, const peer_cred *peer, ctr_spec *cspec, ctr_pins *pins, policy_violation *v,
		 cerr *err);
/* Its bind sources' part alone: opened in pins, under the allowed prefixes */
int policy_admit_binds(struct corrald *d, const peer_cred *peer, ctr_spec *cspec, ctr_pins *pins,
		       policy_violation *v, cerr *err);
/* May peer, who has `have` objects of quota q's kind, make `adding` more?
 * 0, or POLICY_REFUSED with v naming the quota and the count (field is the
 * request's). */
int policy_admit_quota(struct corrald *d, const peer_cred *peer, enum policy_quota q, size_t have, size_t adding,
		       const char *field, policy_violation *v);
