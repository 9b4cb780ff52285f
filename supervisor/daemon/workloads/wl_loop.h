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

