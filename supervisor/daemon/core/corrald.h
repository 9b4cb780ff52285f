/* The core of corrald: what every part reaches (the loop, the server, the
 * container table, events, metrics, audit, settings), and one pointer per
 * part for that part's own state, which only the part itself and its
 * public header reach. service.c and main_corrald.c wire the parts to it. */
#pragma once
#include <stdint.h>
#include "supervisor/daemon/core/audit.h"
#include "supervisor/daemon/core/config.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/core/metrics.h"
#include "supervisor/daemon/core/uid_rate.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/server.h"

typedef struct corrald {
	el_loop *loop;
	vl_server *srv;
	metrics *metrics;
	event_bus *events;
	audit_log audit;
	const corrald_config *cfg;
	uint64_t started_usec;
	char *cgroup_parent;  /* the slice, when systemd_cgroup */
	bool systemd_cgroup;  /* cgroup-manager: containers are systemd scopes */
	bool rebooted;        /* the host booted since the last corrald (core/boot.h) */
	long long boot_ns;    /* when this boot began */
	char *containers_dir; /* <state-dir>/containers */
	char *runtime_root;   /* <state-dir>/runtime: the runtime's state files */
	char *monitor_bin;    /* corral-monitor beside corrald */
	char *images_bin;     /* corral-images beside corrald: imports run there */
	char *copy_bin;       /* corral-copy beside corrald: CopyFrom and CopyTo run there */
	char *docker_bin;     /* corral-docker beside corrald: the Docker API's connections */
	char *build_bin;      /* corral-build beside corrald: a Build's steps run there */
	char *cri_bin;        /* corral-cri beside corrald: the CRI's connections */
	char *stream_bin;     /* corral-stream beside corrald: the streaming server's connections */
	char *runtime_bin;    /* corral beside corrald: Update runs its update */
	gid_t group;          /* the control socket's group (PEER_NO_GROUP: none) */
	struct build_run *builds; /* the builds running (build/build_method.c) */
	struct commit_run *commits; /* the commits and imports running (build/commit_methods.c) */
	struct ctr *ctrs;     /* every container, newest first (ctr.h) */
	uid_rates uid_rates;  /* the control socket's per-uid rate limit */
	uid_rates connect_rates; /* new connections per uid on the control socket (admission.h) */
	const char *apparmor_default; /* corral's profile, once loaded (containers/engine/ctr_apparmor.h); NULL: none */
	/* the parts */
	struct ctr_service *containers;   /* containers/record/ctr_service.h */
	struct imgsize_cache *imgsizes;   /* images/img_size.h */
	struct job_table *jobs;           /* jobs/job_run.h */
	struct policy *policy;            /* policy/policy.h */
	struct session *sessions;         /* sessions/session.h */
	struct wl_table *workloads;       /* workloads/workload.h */
	struct broker *broker;            /* broker/broker.h: made with the first session */
	struct imghelper *imghelpers;     /* images/images.h: corral-images running */
	struct pull_run *pulls;           /* pulls/pull.h: the pulls running */
	struct push_run *pushes;          /* and the pushes */
	struct net_globals *network;        /* network/net_globals.h */
	struct handoff *docker;           /* compat/handoff.h: the Docker API's socket, while it listens */
	struct handoff *cri;              /* and the CRI's */
	struct handoff *stream;           /* and the streaming server's (stream/stream.h) */
} corrald;
