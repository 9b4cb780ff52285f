/* AppArmor for corrald's containers, as podman confines its own: where
 * AppArmor is on, a profile of corral's, generated and loaded with
 * apparmor_parser when corrald starts, is every container's unless its
 * spec names another (or "unconfined") or it is privileged. */
#pragma once
#include "common/error.h"
#include "supervisor/daemon/spec/ctr_spec.h"

struct corrald;

#define CTR_APPARMOR_DEFAULT "corral-default"

/* The text of corral's default profile, named name (heap). */
char *ctr_apparmor_profile_text(const char *name);
/* Where AppArmor is on: with the policy's profile (named, loaded by the
 * host's admin), that is d->apparmor_default; else write corral's profile
 * under the state directory, load it (apparmor_parser -r) and set it. A
 * host without apparmor_parser, or a load that fails, is a warning:
 * containers then run unconfined, as under podman without the parser. */
void ctr_apparmor_init(struct corrald *d, const char *policy_profile);
/* A profile the spec names, refused where AppArmor is off, as the runtime
 * would refuse it at start, or where the kernel has not loaded it. */
int ctr_apparmor_check(const ctr_spec *s, cerr *err);
/* The profile the container's process gets: its spec's; else, unless it
 * is privileged, corrald's default where loaded; NULL: none. "unconfined"
 * is passed on as the runtime takes it. */
/* (d may be NULL: no default) */
const char *ctr_apparmor_of(const struct corrald *d, const ctr_spec *s);
