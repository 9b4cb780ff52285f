/* corral-monitor: the parent of one container's init. It creates and starts
 * the container in-process, drains its stdout/stderr (or pty) into the CRI
 * log, reaps it (as a subreaper), writes exit.json after the last log byte,
 * answers corrald on monitor.sock, and deletes the runtime state at the end. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "supervisor/api/monitor_iface.h"

#define MONITOR_DRAIN_USEC 3000000ull /* output still open this long after exit is cut */

typedef struct monitor_opts {
	const char *dir;  /* containers/<id>: config.json, ctr.log, exit.json */
	const char *root; /* runtime state root */
	const char *id;
	size_t log_max_size;
	unsigned log_max_files;
	const char *log_path; /* the CRI log's path when not dir's ctr.log (kubelet's, which it rotates) */
	int sync_fd;      /* "ok PID\n" or "err MESSAGE\n" once started; -1: none */
	bool standby;     /* wait for "prep\n", then "go\n", on sync_fd (see monitor_run) */
	bool net_hold;    /* once created, say "created PID\n" and wait for "start\n" (corrald attaches its network) */
	bool interactive; /* keep the container's stdin open: a pipe (or its pty) that attached clients write */
	bool systemd_cgroup; /* the container's cgroup is a systemd scope (corrald's cgroup-manager) */
	const char *restore; /* criu's images: restore the container from them rather than create it */
} monitor_opts;

/* Creates and starts the container, then execs corral-monitor-lean for the
 * steady state (steady.h). Runs until the container has ended and
 * been accounted for. On standby it first waits for "prep\n" on sync_fd
 * (the bundle is complete: load it) and then for "go\n", and returns 1,
 * having touched nothing, when anything else comes (corrald gone, the
 * container removed) or nothing does for MONITOR_STANDBY_MS. */
int monitor_run(const monitor_opts *o, cerr *err);
/* Delete the runtime state of an ended container (`corral-monitor --cleanup`). */
int monitor_cleanup(const char *root, const char *id, cerr *err);
/* Dump the running container to images through criu (`corral-monitor
 * --checkpoint`); without leave_running it ends, and its monitor with it. */
int monitor_checkpoint(const char *root, const char *id, const char *images, bool leave_running, bool empty_net,
		       cerr *err);
