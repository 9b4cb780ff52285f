/* The criu binary, driven from its command line with what runc passes it
 * over RPC (Debian 12 has no libcriu). */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"

#define CRIU_MIN_VERSION 30000     /* runc's */
#define CRIU_NNP_VERSION 31900     /* restores no_new_privs */
#define CRIU_FREEZE_V2_VERSION 31400 /* freezes a cgroup v2 */
#define CRIU_LSM_VERSION 31600     /* --lsm-profile, --lsm-mount-context */

struct criu {
	char path[PATH_MAX];
	int version;       /* 3.17.1 is 31701 */
	char text[32];     /* "3.17.1" */
};

#define CRIU_DEFAULT "criu" /* the name found on PATH when none is given */

/* Find criu (a name on PATH, or a path; NULL: CRIU_DEFAULT) and read its version. */
int criu_open(const char *name, struct criu *c, cerr *err);
/* Whether criu can work on this host (`criu check`): 0, or its reason. */
int criu_check(const struct criu *c, cerr *err);
/* The restoring process's part in criu's setup-namespaces action, which
 * runc gets over criu's RPC: criu runs this process's own executable as
 * its action script (criu_action_main), which tells us the restored init's
 * pid over a FIFO in dir and waits until setup_namespaces has returned; a
 * failure there fails the restore, with its own error. */
struct criu_notify {
	const char *dir; /* the container's state directory */
	int (*setup_namespaces)(pid_t init, void *arg, cerr *err);
	void *arg;
};
struct criu_run_opts {
	int in, fd3;                     /* criu's stdin and fd 3 (restore hands them to the tree); -1: ours, none */
	const struct criu_notify *notify; /* NULL: no action script */
};
/* Run criu ARGS (args[0] is the action): with o, with our stdio (stdin:
 * o->in when >= 0) and o->fd3 as its fd 3; without, its output kept. On
 * failure the error is criu's own "Error" lines of log (a path), else its
 * status. */
int criu_run(const struct criu *c, char *const *args, const struct criu_run_opts *o, const char *log, cerr *err);
/* First in a main that may restore: when criu runs the executable as its
 * action script (no arguments, CRTOOLS_SCRIPT_ACTION set), the action's
 * exit status; -1 otherwise. */
int criu_action_main(int argc);
/* criu's "Error (file:line): text" lines: the first one's text, and the
 * last one's in parentheses when it differs. */
void criu_last_error(const char *text, char *out, size_t len);
