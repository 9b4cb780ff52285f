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

void container_release(struct container *c);
/* create: everything up to the exec fifo; on failure nothing is left. */
int container_create(const struct create_opts *o, struct container *c, cerr *err);
/* The same in two steps, so that a caller can prepare ahead of time. */
int container_prepare(const struct create_opts *o, struct create_prep *p, cerr *err);
int container_create_prepared(const struct create_opts *o, const struct create_prep *p, struct container *c,
			      cerr *err);
void create_prep_release(struct create_prep *p);
/* create's first and last steps, for restore: <root>/<id> made and locked
 * (the lock's fd); the config, the state of the running pid and --pid-file. */
int container_state_dir(const struct create_opts *o, char dir[PATH_MAX], cerr *err);
int container_record(const struct create_opts *o, const struct create_prep *p, const char *dir, pid_t pid,
		     const cg *cgroup, const char *created, cerr *err);
/* A state with no pid (status "creating") that names the cgroup: should
 * create or restore be killed before it saves the full state, delete
 * --force still finds the cgroup. Nothing without a cgroup. */
int container_record_creating(const struct create_opts *o, const struct create_prep *p, const char *dir,
			      const cg *cgroup, const char *created, cerr *err);
/* The state JSON that hooks get, of pid in status (restore's). */
char *container_state_json(const struct create_opts *o, const struct create_prep *p, pid_t pid, const cg *cgroup,
			   const char *created, enum rt_status status);
/* start: release a created container's init. */
int container_start(const char *root, const char *id, cerr *err);
int container_kill(const char *root, const char *id, int sig, bool all, cerr *err);
int container_delete(const char *root, const char *id, bool force, cerr *err);
/* The container's state and its cgroup; with live, a stopped container is
 * an error. */
int container_open_cgroup(const char *root, const char *id, bool live, struct rt_state **state, cg **out, cerr *err);
/* linux.netDevices: pin pid's network namespace in the state directory;
 * later give the devices back to the host and unpin it (warnings only). */
int netdev_pin(const char *dir, pid_t pid, cerr *err);
void netdev_release(const char *dir, const struct oci_linux *l);
/* The config.json saved beside the state at create. */
int container_load_spec(const char *root, const char *id, struct oci_spec **out, cerr *err);

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
_Noreturn void container_init(struct init_args *a);
