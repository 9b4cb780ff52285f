/* corral-monitor's steady state: once the container is created and started,
 * drain its output into the CRI log, reap it (we stay its parent), answer
 * monitor.sock, and at the end write exit.json after the last log byte and
 * have the runtime state deleted. It needs no runtime library, so the lean
 * corral-monitor-lean binary runs it with few pages mapped; corral-monitor
 * runs it in-process only when that exec fails. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"

typedef struct monitor_steady_opts {
	const char *dir, *root, *id;
	size_t log_max_size;
	unsigned log_max_files;
	const char *log_path;      /* as monitor_opts' */
	pid_t pid;                 /* the container's init, our child */
	int pidfd;
	int fd[2];                 /* stdout, stderr readers (pty master in fd[0]); -1: none */
	bool tty;                  /* fd[0] is the pty master */
	int in_fd;                 /* the container's stdin pipe (interactive without tty); -1: none */
	bool interactive;          /* attached clients' stdin goes to the container */
	const int *attach_fds;     /* clients attached before the start (Streams sockets) */
	const bool *attach_stdin;  /* ... and whether each sends stdin */
	size_t n_attach;
	int listen_fd;             /* monitor.sock, already listening */
	const char *cgroup_mount;  /* NULL: none known */
	const char *cgroup_path;
	const char *started_at;
	int mask_fd;               /* the values to redact (crilog_mask.h), read and closed at setup; -1: none */
	const char *exec_bin;      /* corral-monitor, run as `--exec` for Exec; NULL: no Exec */
	/* delete the runtime state of an ended container */
	int (*cleanup)(const char *root, const char *id, cerr *err);
} monitor_steady_opts;

/* Takes ownership of the fds; returns once the container is accounted for. */
int monitor_steady_run(const monitor_steady_opts *o, cerr *err);
