/* Creating and driving containers: the runtime library's entry points.
 * The CLI and corral-monitor call these in-process. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include "bundle/spec.h"
#include "cgroups/cgroups.h"
#include "seccomp.h"
#include "state.h"

struct create_opts {
	const char *root;           /* state root, e.g. /run/corral/runtime */
	const char *id;
	const char *bundle;         /* directory holding config.json */
	const char *console_socket; /* send the pty master here */
	const char *pid_file;
	int preserve_fds;           /* extra fds after stdio to pass in */
	int listen_fds;             /* systemd socket activation: LISTEN_FDS */
	bool no_pivot;
	bool keep_pty;              /* hand the master back (foreground run) */
	bool systemd_cgroup;
	bool rootless;              /* a cgroup it may not make is not fatal (create_cgroup) */
};

struct container {
	pid_t pid;
	int pidfd;
	int pty_master;             /* -1 unless keep_pty and terminal */
	char *cgroup_mount, *cgroup_path;
};

/* What create needs that changes nothing on the host: the config loaded
 * and checked, the seccomp program, the rootfs path. */
struct create_prep {
	struct oci_spec *spec;
	struct cg_resources *res;
	struct seccomp_prog seccomp;
	char rootfs[PATH_MAX];
	char *owner;
};

/* Internal: the child side of create (does not return). */
struct init_args {
	const struct oci_spec *spec;
	const char *rootfs;
	const char *bundle;
	int sync;
	int fifo;          /* O_PATH fd of exec.fifo */
	int preserve_fds;
	int listen_fds;
	bool no_pivot;
	bool userns;
	bool await_cgroup; /* the systemd driver: wait for SYNC_CGROUP_DONE */
	int join_fds[NS_COUNT]; /* namespaces to join by path, -1 if none */
	const struct seccomp_prog *seccomp; /* compiled by the parent, or NULL */
};
