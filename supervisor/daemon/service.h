/* io.corral.Supervisor: the method table corrald serves, and what every call
 * goes through on its way out (metrics, audit). The container methods are
 * in ctr_methods.c, ctr_create.c, ctr_start.c, ctr_exec.c, ctr_restart.c,
 * ctr_pause.c, ctr_top.c, ctr_port.c, ctr_rename.c, ctr_prune.c and
 * ctr_copy.c; the image methods in img_methods.c, img_remove.c and
 * img_prune.c. */
#pragma once
#include <stdint.h>
#include "supervisor/daemon/audit.h"
#include "supervisor/daemon/config.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/daemon/events.h"
#include "supervisor/daemon/img_size.h"
#include "supervisor/daemon/metrics.h"
#include "supervisor/daemon/trash.h"
#include "supervisor/daemon/broker/uid_rate.h"
#include "supervisor/varlink/server.h"

typedef struct corrald {
	el_loop *loop;
	vl_server *srv;
	metrics *metrics;
	event_bus *events;
	audit_log audit;
	const corrald_config *cfg;
	char *cgroup_parent;
	uint64_t started_usec;
	struct ctr *ctrs;     /* every container, newest first */
	size_t n_standby;     /* monitors spawned ahead of a Start */
	char *containers_dir; /* <state-dir>/containers */
	int spare_fd;         /* <state-dir>/spare (fastpath.h), or -1 */
	unsigned long spare_made, spare_taken; /* spares are named s<made> */
	trash trash;          /* <state-dir>/trash and its remover (trash.h) */
	char *runtime_root;   /* <state-dir>/runtime: the runtime's state files */
	char *monitor_bin;    /* corral-monitor beside corrald */
	char *images_bin;     /* corral-images beside corrald: imports run there */
	char *copy_bin;       /* corral-copy beside corrald: CopyFrom and CopyTo run there */
	imgsize_cache *imgsizes; /* unpacked layer sizes, by diff_id */
	struct job_table *jobs;  /* the job queue (jobs/job_run.h) */
	struct policy *policy;   /* in force (policy/policy.h) */
	struct session *sessions; /* sessions/session.h */
	struct wl_table *workloads; /* workloads/workload.h */
	struct broker *broker;    /* broker/broker.h: io.corral.Broker's server, made with the first session */
	uid_rates uid_rates;      /* the control socket's per-uid rate limit (broker/uid_rate.h) */
} corrald;

extern const vl_interface corral_supervisor_iface;

/* vl_server_config hooks; userdata is the corrald. */
void corrald_on_call_done(const vl_call_info *info, void *userdata);
void corrald_on_refused(const peer_cred *peer, const char *why, void *userdata);
/* metrics_http render hook; data is the corrald. */
int corrald_render_metrics(strbuf *out, void *data);
/* Whether a method changes state (and so is audited). */
bool corrald_method_mutates(const char *method);
