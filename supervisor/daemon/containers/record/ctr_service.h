/* The containers' own state in corrald (d->containers), and the features
 * that take part in each container's life.
 *
 * containers/ includes no feature. The engine (containers/engine/) is the
 * first registered, so that the record (containers/record/) never calls up
 * into it: it frees what the engine hangs on a container through these
 * slots too (engine_hooks.c). A feature that must act at a step of a
 * container's life (the network attaches it, the secrets are delivered,
 * health checks start, a session learns of its member) fills a ctr_feature
 * with the steps it cares for; main_corrald.c registers each, and the
 * lifecycle calls them in the order they were registered. A NULL slot is a
 * step the feature has nothing to do at. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/pins.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "supervisor/daemon/core/violation.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/varlink/peer.h"

struct corrald;
struct ctr;
struct bundle_in; /* engine/ctr_bundle.h */

#define CTR_FEATURES_MAX 8

/* Where a feature's mounts go in config.json: before the request's binds
 * (which may cover them), or after its tmpfs mounts (covering them). */
enum ctr_mounts_at { CTR_MOUNTS_BEFORE_BINDS, CTR_MOUNTS_AFTER_TMPFS };
/* check: an object the spec names (a session, a network, a secret) is not
 * there for the peer: Create answers the kind's NoSuch error, naming it */
#define CTR_MISSING 1
enum ctr_missing_kind { CTR_MISSING_SESSION, CTR_MISSING_NETWORK, CTR_MISSING_SECRET, CTR_MISSING_VOLUME };
typedef struct ctr_missing {
	enum ctr_missing_kind kind;
	const char *name; /* the spec's own string */
} ctr_missing;

/* Create's steps, in their order */
typedef struct ctr_create_hooks {
	/* Create and a record's load: the spec as the feature completes it
	 * (a session container's shared settings), the names in it as owner
	 * gives them; -errno with f */
	int (*complete_spec)(struct corrald *d, ctr_spec *cspec, uid_t owner, json_fault *f);
	/* before anything exists: 0, CTR_MISSING with m, or -errno with f */
	int (*check)(struct corrald *d, ctr_spec *cspec, const peer_cred *peer, ctr_missing *m, json_fault *f);
	/* its image found: what the image's config adds (its Volumes); 0, or
	 * -errno with f */
	int (*image_found)(struct corrald *d, ctr_spec *cspec, char *const *volumes, const peer_cred *peer,
			   json_fault *f);
	/* failed before the container was known: what check and image_found
	 * made for it goes (an anonymous volume) */
	void (*unchecked)(struct corrald *d, ctr_spec *cspec);
	/* the gate (the policy): 0; POLICY_REFUSED with v; or -errno with err.
	 * The bind sources are opened in pins, as the peer. */
	int (*admit)(struct corrald *d, const peer_cred *peer, ctr_spec *cspec, ctr_pins *pins, policy_violation *v,
		     cerr *err);
	/* The same gate for the bind sources alone: their pins made again at a
	 * start after a host restart took them (ctr_repin.h) */
	int (*admit_binds)(struct corrald *d, const peer_cred *peer, ctr_spec *cspec, ctr_pins *pins,
			   policy_violation *v, cerr *err);
	/* its directory exists, its bundle is next. broker_dir gets a
	 * directory to bind at SESSION_BROKER_DIR, or stays "". */
	int (*created)(struct corrald *d, struct ctr *c, const char *dir, char *broker_dir, size_t n, cerr *err);
	/* failed after created() */
	void (*uncreated)(struct corrald *d, struct ctr *c);
	/* its record written: 1 when the feature has work on the container's
	 * files that may take long (a volume filled from the image: the image
	 * decides how much), which fill then does in a forked child, off the
	 * loop, before the container is known */
	int (*fills)(const struct ctr *c);
	int (*fill)(struct corrald *d, const struct ctr *c, const char *dir, cerr *err);
	/* the fill has ended, in the loop: what it filled is there still (no
	 * volume removed meanwhile), or -errno */
	int (*filled)(struct corrald *d, const struct ctr *c, cerr *err);
	/* succeeded: it is in the table */
	void (*known)(struct corrald *d, struct ctr *c);
} ctr_create_hooks;

/* What the feature puts in the bundle */
typedef struct ctr_bundle_hooks {
	/* its hostname when the feature decides it (a session's), else NULL */
	const char *(*hostname)(struct corrald *d, const struct ctr *c);
	/* a namespace of this type ("ipc", "uts", "network") that it joins: 1
	 * with its path, else 0 */
	int (*ns_path)(const struct bundle_in *in, const char *type, char *path, size_t n);
	/* mounts of the feature's, into the open mounts array, at one of two
	 * places */
	void (*mounts)(yajl_gen g, const struct bundle_in *in, enum ctr_mounts_at at);
} ctr_bundle_hooks;

/* Start's steps */
typedef struct ctr_start_hooks {
	/* before its monitor goes */
	int (*starting)(struct corrald *d, struct ctr *c, cerr *err);
	/* The container exists (pid), and its monitor waits to be told "start"
	 * or "abort" (monitor_iface.h): 1 when the feature took that on (the
	 * network, once attached), else 0. */
	int (*created_pid)(struct corrald *d, struct ctr *c, pid_t pid);
	/* given up before its monitor went */
	void (*abandoned)(struct corrald *d, struct ctr *c);
	/* its monitor's start is over: it runs, it failed, or it was given up */
	void (*spawn_gone)(struct corrald *d, struct ctr *c);
	/* it runs, or it runs still after a corrald restart (adopted) */
	void (*running)(struct corrald *d, struct ctr *c);
} ctr_start_hooks;

/* How its life ends */
typedef struct ctr_end_hooks {
	/* it did not start, or it has ended, or it is being removed */
	void (*not_started)(struct corrald *d, struct ctr *c);
	void (*ended)(struct corrald *d, struct ctr *c);
	void (*removed)(struct corrald *d, struct ctr *c);
	/* its record is freed (corrald's exit, a removal): what the feature
	 * hangs on it goes */
	void (*freed)(struct ctr *c);
	/* corrald's exit, before freed: the calls that wait on it are let go
	 * of, unanswered */
	void (*shutdown)(struct ctr *c);
} ctr_end_hooks;

/* What Inspect and List show of the feature's */
typedef struct ctr_inspect_hooks {
	/* keys of the feature's in the state map and in the top map */
	void (*state_keys)(yajl_gen g, const struct ctr *c);
	void (*top_keys)(yajl_gen g, struct corrald *d, const struct ctr *c);
	/* a number that changes with what state_keys says (List's cache) */
	unsigned (*version)(const struct ctr *c);
} ctr_inspect_hooks;

/* Its record (record.json): the feature's keys that outlive corrald (a
 * health check's last status), written, and read back at a load */
typedef struct ctr_record_hooks {
	void (*gen)(yajl_gen g, const struct ctr *c);
	void (*load)(struct ctr *c, yajl_val record);
} ctr_record_hooks;

/* A feature's hooks, grouped by the step of a container's life */
typedef struct ctr_feature {
	const char *name;
	ctr_create_hooks create;
	ctr_bundle_hooks bundle;
	ctr_start_hooks start;
	ctr_end_hooks end;
	/* its name changed (Rename) */
	void (*renamed)(struct corrald *d, const struct ctr *c);
	ctr_inspect_hooks inspect;
	ctr_record_hooks record;
} ctr_feature;

typedef struct ctr_service {
	const ctr_feature *features[CTR_FEATURES_MAX];
	size_t n_features;
	size_t n_standby;     /* monitors spawned ahead of a Start */
	int spare_fd;         /* <state-dir>/spare (fastpath.h), or -1 */
	unsigned long spare_made, spare_taken; /* spares are named s<made> */
	trash trash;          /* <state-dir>/trash and its remover (trash.h) */
} ctr_service;

#define CTR_SERVICE_INIT { .spare_fd = -1, .trash = TRASH_INIT }

/* Register f (main_corrald.c, before the first container); -ENOSPC when full. */
int ctr_feature_register(ctr_service *s, const ctr_feature *f);

/* c's hostname: spec.hostname; with the host's network or UTS namespace,
 * the host's (as
 * podman's); else the one a feature gives it (a session's); else its name.
 * The bundle's and /etc/hostname's. */
const char *ctr_hostname(struct corrald *d, const struct ctr *c);
/* The bytes past which c's log rotates, and how many files it keeps, the
 * live one included: spec.logMaxSize and spec.logMaxFiles, else corrald's
 * log-max-size and log-max-files. */
size_t ctr_log_size(const struct corrald *d, const struct ctr *c);
unsigned ctr_log_files(const struct corrald *d, const struct ctr *c);

/* Call slot on every feature that fills it, in order. */
#define CTR_FEATURES_EACH(d, slot, ...)                                                          \
	do {                                                                                       \
		const ctr_service *s_ = (d) ? (d)->containers : NULL;                              \
		for (size_t i_ = 0; s_ && i_ < s_->n_features; i_++)                               \
			if (s_->features[i_]->slot)                                                \
				s_->features[i_]->slot(__VA_ARGS__);                               \
	} while (0)
/* The same, for slots that answer: stops at the first that is not 0, and
 * gives it. */
#define CTR_FEATURES_FIRST(d, slot, ...)                                                          \
	({                                                                                          \
		const ctr_service *s_ = (d) ? (d)->containers : NULL;                               \
		int r_ = 0;                                                                         \
		for (size_t i_ = 0; s_ && i_ < s_->n_features && r_ == 0; i_++)                    \
			if (s_->features[i_]->slot)                                                 \
				r_ = s_->features[i_]->slot(__VA_ARGS__);                           \
		r_;                                                                                 \
	})
