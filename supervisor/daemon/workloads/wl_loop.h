/* The loop's parts, between its files: observe (wl_observe.c), act
 * (wl_act.c), reconcile and schedule (wl_loop.c). */
#pragma once
#include "supervisor/daemon/workloads/workload.h"
#include "supervisor/daemon/workloads/wl_plan.h"
#include "common/strbuf.h"
#include "supervisor/varlink/server.h"

/* A replica being made (SessionCreate, then CreateContainer and Start of
 * each container) or removed (SessionRemove, force), through local calls
 * as the workload's peer. */
typedef struct wl_op {
	wl_table *t;
	enum wl_akind kind;
	peer_cred peer;     /* the workload's: every call is made as it */
	char workload[64];
	char replica[SESSION_NAME_MAX + 1];
	char hash[WL_HASH_LEN + 1];
	size_t step;        /* the container being made */
	bool starting;      /* made: Start comes next */
	char ctr_id[65];
	vl_local *pending;
	bool undoing;       /* a creation that failed, being removed */
	bool superseded;    /* undone as its workload changed or goes: no failure */
	char *failed;       /* why it failed */
	/* before its session: each container's image found, or pulled (wl_pull.c) */
	size_t prep;        /* the container whose image is readied now */
	size_t n_images;
	char **images;      /* the name each container is made from; NULL: its template's */
	struct wl_pull *waiting; /* the pull it waits for, or NULL */
	struct wl_op *next;
} wl_op;

/* A pull under way for replicas being made (wl_pull.c): one an owner's
 * image, with the same imagePullSecrets, at a time; the ops whose waiting
 * is it go on when it ends. */
typedef struct wl_pull {
	wl_table *t;     /* NULL once the loop has stopped: its end only frees it */
	uid_t uid;
	char *image;     /* as the template names it */
	char *secrets;   /* the imagePullSecrets' names it was started with, ',' joined */
	char *missing;   /* those that were no secret of the owner, or NULL */
	struct wl_pull *next;
} wl_pull;

/* The value of key in labels (key, value, ..., NULL), or NULL. */
const char *wl_label(char *const *labels, const char *key);
/* w's replicas, sorted by name; *out is the caller's to free. */
int wl_observe(wl_table *t, const workload *w, wl_replica **out, size_t *n_out);
/* r is being made or removed now: say so in it. */
void wl_op_mark(wl_table *t, wl_replica *r);
/* Start an action for w; false when none may start now (WL_OPS_MAX). */
bool wl_act(wl_table *t, workload *w, const wl_action *a);
void wl_ops_abandon(wl_table *t);
/* The images of a creation are ready: its session comes next (w is its
 * workload, as it still is). */
void wl_op_prepared(wl_op *o, const workload *w);
/* A creation or removal failed: what it made goes, then it ends with why
 * (o is gone). */
void wl_op_fail(wl_op *o, const char *why);

/* wl_pull.c: a creation's first step, each container's image readied by
 * its imagePullPolicy; then wl_op_prepared, or wl_op_fail with the reason
 * (ErrImagePull, ErrImageNeverPull). */
void wl_prepare(wl_op *o);
/* The loop stops: the pulls under way end without it. */
void wl_pulls_abandon(wl_table *t);
/* w's reason as get and describe show it now (into buf, n bytes): a
 * failed pull's ErrImagePull turns to ImagePullBackOff while it waits. */
const char *wl_reason_shown(const workload *w, uint64_t now, char *buf, size_t n);
/* wl_status.c: the counts and the first lagging replica's why from r[0..n),
 * at each look; and the status they make now, with its reason in *why:
 * failure (w's reason as shown) when there is one, else one written into
 * buf (n bytes), or "" when converged. */
void wl_status_note(workload *w, const wl_replica *r, size_t n);
const char *wl_status_of(const workload *w, uint64_t now, const char *failure, char *buf, size_t n,
			 const char **why);
/* The workload room's Prometheus families. */
int wl_render_metrics(struct corrald *d, strbuf *out);
