/* corral exec: a new process in a running container's namespaces and
 * cgroup, with the container's identity and restrictions by default. */
#pragma once
#include <stdbool.h>
#include "bundle/spec.h"

struct exec_opts {
	const char *root, *id;
	const char *process_file;    /* -p: a process.json replaces the defaults */
	char **args;                 /* else: the command, with the container's process as the rest */
	char **env;                  /* --env KEY=VALUE, added or replacing */
	const char *cwd;
	const char *user;            /* "uid[:gid]" */
	char **caps;                 /* --cap, added to bounding, effective, permitted */
	bool no_new_privs;
	bool tty, tty_set;
	bool detach;
	const char *console_socket;
	int console_fd;              /* > 0: a connected socket to send the pty master on (corral-monitor) */
	const char *pid_file;
	int preserve_fds;
	int init_pidfd;              /* > 0: the init's pidfd, held by its parent (corral-monitor) */
	const char *process_label;   /* --process-label: the SELinux label, in place of the process's */
	const char *cgroup_leaf;     /* a child cgroup of the container's to run in (made if missing) */
	const char *apparmor;        /* --apparmor: this profile instead of the container's */
};

/* Run the process; unless detached, wait for it and set *exit_code to its
 * status (128+N when killed by signal N). */
int container_exec(const struct exec_opts *o, int *exit_code, cerr *err);
