/* corrald's policy (corrald --policy FILE, corrald.conf(5)): ceilings and
 * allow-lists on what a peer may ask for. Root peers get the top level;
 * every other peer (a member of the access group) gets the `unprivileged`
 * section, whose bind mounts, privileges and max_containers never inherit
 * from the top level. Without a file, the built-in defaults: root keeps
 * everything it had, a member gets the unprivileged defaults. */
#pragma once
#include "supervisor/daemon/containers/record/ctr_service.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include "common/error.h"
#include "supervisor/daemon/core/violation.h"
#include "supervisor/daemon/spec/ports.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

#define POLICY_DEFAULT_KEYS_DIR "/etc/corral/keys"
#define POLICY_UNPRIV_MAX_CONTAINERS 10
/* A member's memory and pids when the top level sets no max: its default
 * and its ceiling, so that none of its containers runs without a limit. */
#define POLICY_UNPRIV_MEMORY (1ll << 30)
#define POLICY_UNPRIV_PIDS 1024
/* A member's partial and unused layers under images/ingest/<uid> */
#define POLICY_UNPRIV_INGEST (4ll << 30)
#define POLICY_MAX_LIST 256 /* entries of an allow-list */

/* Counts of a member's objects (the unprivileged section's max_*); root's
 * are bounded only by each feature's global bound unless the top level
 * sets them. */
enum policy_quota { PQ_JOBS, PQ_SESSIONS, PQ_SECRETS, PQ_WORKLOADS, PQ_PULLS, PQ_VOLUMES, PQ_COUNT };
extern const char *const policy_quota_key[PQ_COUNT]; /* "max_jobs", ... */
extern const size_t policy_quota_unpriv[PQ_COUNT];   /* the built-in values for a member */

/* What one kind of peer may ask for. */
typedef struct policy_tier {
	size_t max_containers;       /* 0: no limit */
	size_t quota[PQ_COUNT];      /* 0: no limit */
	int64_t max_ingest;          /* bytes; -1: no limit */
	int64_t memory_default, memory_max; /* bytes; -1: none */
	int64_t pids_default, pids_max;     /* -1: none */
	double cpu_default, cpu_max;        /* CPUs; 0: none */
	char **bind_allowed;         /* clean absolute prefixes; NULL: any source */
	bool bind_read_only;         /* every bind is made read-only */
	bool allow_privileged, allow_host_network, allow_directory_images;
	bool allow_low_ports; /* publish host ports below 1024 */
	bool any_capability;         /* no cap list given: anything capAdd names */
	uint64_t allowed_caps;       /* beyond podman's default set */
	char **image_allow;          /* fnmatch patterns and sha256: digests; NULL: any */
	char **registries;           /* registries (or repository prefixes) a pull may reach; NULL: any */
	bool require_signature;
	char *trusted_keys;          /* a directory of PEM public keys */
} policy_tier;

typedef struct policy {
	char *path; /* the file; NULL: built in */
	policy_tier root, unpriv;
	char *apparmor_profile; /* containers' AppArmor profile where none is named; NULL: corral-default */
} policy;

/* The built-in policy. */
int policy_init_default(policy *p, cerr *err);
/* Load path over the defaults. Errors name the file and the field:
 * `policy.json: memory.max: unknown unit "1Q"`. */
int policy_load(policy *p, const char *path, cerr *err);
/* Parse text (of a file named path) into p; for tests. */
int policy_parse(policy *p, const char *path, const char *text, size_t len, cerr *err);
void policy_release(policy *p);
/* The tier of a peer. */
static inline const policy_tier *policy_tier_of(const policy *p, uid_t uid) { return uid == 0 ? &p->root : &p->unpriv; }
/* The policy in force, defaults included (PolicyShow). */
int policy_gen(yajl_gen g, const policy *p);

/* Its part in each container's life (main_corrald.c registers it). */
extern const ctr_feature policy_container_hooks;

/* The member quotas of corrald's objects (max_jobs, max_sessions,
 * max_secrets, max_workloads, max_pulls running at once, max_volumes), for the parts that count them (quota.c). */
enum quota_kind { QUOTA_JOBS, QUOTA_SESSIONS, QUOTA_SECRETS, QUOTA_WORKLOADS, QUOTA_PULLS, QUOTA_VOLUMES };

/* May peer, who has `have` objects of kind, make `adding` more? 0; or
 * POLICY_REFUSED with v naming the quota and the count
 * ("unprivileged.max_sessions=16", "sessions: 16 already"), for the
 * caller's policy_refuse. field names the request's object. */
int quota_admit(struct corrald *d, const peer_cred *peer, enum quota_kind kind, size_t have, size_t adding,
		const char *field, policy_violation *v);

/* May peer pull ref? Its registry must be on images.registries, and the
 * reference, as it will be pulled (docker.io/library/busybox:1), on
 * images.allow; a short name must be so under every search registry.
 * 0, or POLICY_REFUSED with v. */
int policy_admit_pull(struct corrald *d, const peer_cred *peer, const char *ref, policy_violation *v);
/* May peer reach registry (HOST[:PORT]) at all (images.registries)? For
 * Login, which speaks to a registry without pulling from it. */
int policy_admit_registry(struct corrald *d, const peer_cred *peer, const char *registry, policy_violation *v);

/* The policy's gate for ports published by something else than a
 * container (a session's): 0, or POLICY_REFUSED with v (field names them). */
int policy_admit_ports(struct corrald *d, const peer_cred *peer, const cni_port *ports, size_t n, const char *field,
		       policy_violation *v);
