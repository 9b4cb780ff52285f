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
	struct wl_op *next;
} wl_op;

/* The value of key in labels (key, value, ..., NULL), or NULL. */
const char *wl_label(char *const *labels, const char *key);
/* w's replicas, sorted by name; *out is the caller's to free. */
int wl_observe(wl_table *t, const workload *w, wl_replica **out, size_t *n_out);
/* r is being made or removed now: say so in it. */
void wl_op_mark(wl_table *t, wl_replica *r);
/* Start an action for w; false when none may start now (WL_OPS_MAX). */
bool wl_act(wl_table *t, workload *w, const wl_action *a);
void wl_ops_abandon(wl_table *t);
/* An action ended: failed when error is not NULL. */
void wl_acted(wl_table *t, const char *workload, enum wl_akind kind, const char *replica, const char *error);
/* The workload room's Prometheus families. */
int wl_render_metrics(struct corrald *d, strbuf *out);
