/* The compare and plan steps of the loop, apart from anything that runs:
 * what runs (wl_replica[], from wl_observe.c) against what should
 * (replicas of the template hash), into actions. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "supervisor/daemon/workloads/workload.h"
#include "supervisor/daemon/sessions/session.h"

enum wl_rstate {
	WR_PENDING, /* starting, restarting, or an action on it is under way */
	WR_READY,   /* every container running, healthy where checked */
	WR_DONE,    /* its containers ended as their restart policy lets them */
	WR_BROKEN,  /* to be replaced: why says what is wrong */
};
extern const char *const wl_rstate_str[];

typedef struct wl_replica {
	char name[SESSION_NAME_MAX + 1];
	char hash[WL_HASH_LEN + 1];
	enum wl_rstate st;
	bool creating;  /* being made now: it counts, though not all there yet */
	bool removing;  /* going now: it counts no more */
	bool failing;   /* broken, or a container crash-loops: the workload is degraded */
	unsigned ctrs, ctrs_wanted;
	char why[160];
} wl_replica;

enum wl_akind { WA_CREATE, WA_REMOVE };
typedef struct wl_action {
	enum wl_akind kind;
	const wl_replica *replica; /* WA_REMOVE */
	const char *why;           /* "missing", "extra", "rollout", or the replica's why */
} wl_action;

/* Up to max actions that bring r[0..n) toward replicas of hash:
 *  - broken replicas are removed;
 *  - missing ones are made; extra ones removed (the outdated first, then
 *    the least ready);
 *  - outdated ones are replaced one at a time (maxUnavailable 1): one goes
 *    only while every other replica is ready and none is pending.
 * *n_out gets how many are in out (at most max); returns how many are
 * needed in all (the drift), counting those a rollout needs later. */
size_t wl_plan(unsigned replicas, const char *hash, const wl_replica *r, size_t n, wl_action *out, size_t max,
	       size_t *n_out);

/* A container's imagePullPolicy: as given (the template's "pull"), or
 * Kubernetes' default for its image: Always when it names the tag latest,
 * or no tag and no digest; IfNotPresent otherwise. */
enum wl_pull_policy { WP_ALWAYS, WP_IF_NOT_PRESENT, WP_NEVER };
enum wl_pull_policy wl_pull_policy_of(const char *given, const char *image);
