/* Declarative workloads: Kubernetes Pods and Deployments (kube.h) that
 * corrald keeps running. The desired state is the only thing stored
 * (<state>/workloads/<name>.json, a member's <name>@<uid>.json, written
 * atomically); what runs is found
 * again each time from the sessions and containers themselves, by their
 * labels. So a corrald killed at any point picks up where it was: a
 * replica half made is seen as broken and replaced, a delete under way
 * (kept in the file) goes on, and nothing is made twice.
 *
 * Each replica is a session (shared net, ipc, uts, as a pod) named
 * <workload>-<template hash>-<random>, holding one container per
 * container of the template, named <replica>-<container>.
 *
 * The loop (wl_loop.c) senses, compares (wl_plan.c), plans and acts
 * (wl_act.c) on every relevant event and on a periodic tick. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/daemon/workloads/kube.h"
#include "supervisor/varlink/peer.h"

struct corrald;

#define WL_LABEL "io.corral.workload"          /* on its sessions and containers: the workload */
#define WL_TEMPLATE_LABEL "io.corral.template" /* the template's hash */
#define WL_CONTAINERS_LABEL "io.corral.containers" /* on its sessions: how many containers it should have */
#define WL_CONTAINER_LABEL "io.corral.container"   /* on its containers: the template's name for it */
#define WL_HASH_LEN 10
#define WL_SHOWN_MAX (KUBE_NAME_MAX + 12) /* its name or a replica's, @UID to root, its NUL too */
#define WL_MAX 1024           /* workloads corrald keeps */
#define WL_JSON_MAX (1u << 20) /* a workload's canonical form */
#define WL_FILE_MAX (8u << 20)
#define WL_TICK_USEC (10 * 1000000ull)  /* the periodic reconcile */
#define WL_DEBOUNCE_USEC (20 * 1000ull) /* events coalesce this long */
#define WL_BACKOFF_MIN_USEC 1000000ull
#define WL_BACKOFF_MAX_USEC (5 * 60 * 1000000ull)
#define WL_OPS_MAX 4          /* replica creations and removals at once, all workloads */
#define WL_REASON_MAX 512

/* What the loop knows of a workload that an apply keeps: the new version
 * goes on from where the old one was (its backoff, its ops, its drift). */
typedef struct wl_loop_memory {
	unsigned failures;   /* replica creations that failed in a row */
	uint64_t backoff_until; /* mono_usec(): no creation before */
	uint64_t failed_at;   /* mono_usec() of the last failure */
	char reason[WL_REASON_MAX]; /* why it has not converged, or "" */
	uint64_t drift_since; /* mono_usec() when it left convergence; 0: converged */
	uint64_t actions;     /* done for it, in all */
	unsigned ops;         /* in flight */
} wl_loop_memory;

typedef struct workload {
	char *name, *kind;
	char *json;          /* canonical (kube.h) */
	yajl_val tree;       /* json, parsed */
	yajl_val containers; /* tree's template.containers */
	char hash[WL_HASH_LEN + 1]; /* of the template */
	unsigned replicas;
	peer_cred peer;      /* who applied it: its replicas are that peer's */
	char applied[64];    /* RFC 3339 */
	unsigned generation; /* applies that changed it */
	/* the loop's, in memory */
	bool deleting;       /* its replicas go, then it */
	wl_loop_memory loop;
	uint64_t last_convergence_usec; /* how long the last convergence took */
	unsigned last_drift;  /* actions its last plan needed */
	unsigned ready, present; /* replicas ready, and there, at the last look */
	unsigned settled;     /* ready, or ended as their restart policy lets them */
	unsigned updated, updated_ready; /* of the template's hash, there; and ready */
	char progress[WL_REASON_MAX]; /* the first replica that is not ready: why (wl_status.c) */
	bool degraded;        /* a replica fails: unhealthy, ended, crash-looping */
	struct workload *next;
} workload;

typedef struct wl_table {
	struct corrald *d;
	char *dir; /* <state>/workloads */
	workload *list;
	size_t n;
	el_source *tick, *soon;
	uint64_t soon_at; /* mono_usec() when soon fires */
	struct wl_op *ops; /* in flight, all workloads (wl_loop.h) */
	unsigned n_ops;
	struct wl_pull *pulls; /* under way for the ops (wl_loop.h) */
	uint64_t converged_total, actions_total;
	/* the loop's wl_schedule: an action's end (wl_act.c) plans again */
	void (*replan)(struct wl_table *t);
} wl_table;

/* A string key of obj, or NULL. */
static inline const char *wl_str(yajl_val obj, const char *key)
{
	yajl_val v = yajl_tree_get(obj, (const char *[]){ key, NULL }, yajl_t_string);
	return v ? v->u.string : NULL;
}

/* wl_table.c: the model and its files */
/* owner's by its name: each owner's names are its own */
workload *wl_find(wl_table *t, uid_t owner, const char *name);
/* ref as viewer names it (owned_name.h): root's bare NAME is root's own,
 * NAME@UID a member's; a member's, its own. NULL when there is none. */
workload *wl_for(wl_table *t, uid_t viewer, const char *ref);
/* w's name (or one of its replicas', name) as viewer is shown it */
const char *wl_shown(const workload *w, const char *name, const peer_cred *viewer, char *buf, size_t n);
bool wl_visible_to(const workload *w, const peer_cred *peer);
/* A workload from canonical JSON (kube.h); NULL with *err. */
workload *wl_new(const char *json, const peer_cred *peer, cerr *err);
void wl_free(workload *w);
int wl_save(wl_table *t, const workload *w, cerr *err);
void wl_forget_file(wl_table *t, const workload *w);
void wl_link(wl_table *t, workload *w);
void wl_unlink(wl_table *t, workload *w);
/* Read <state>/workloads back (at start). */
int wl_load_all(wl_table *t, cerr *err);

/* wl_loop.c: the room's start and end (its table read back, then the
 * loop's timers and its event listener); reconcile soon (events coalesce),
 * or on the tick */
int workloads_init(struct corrald *d, cerr *err);
void workloads_shutdown(struct corrald *d);
void wl_schedule(wl_table *t);
void wl_schedule_in(wl_table *t, uint64_t usec);
