/* The criu binary, driven from its command line with what runc passes it
 * over RPC (Debian 12 has no libcriu). */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
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
/* Run criu ARGS (args[0] is the action), with our stdio (stdin: in, when
 * it is >= 0) and fd3 (>= 0) as its fd 3 when pass_stdio (restore hands
 * them to the tree), else its output kept; on failure the error is criu's
 * own "Error" lines of log (a path), else its status. */
int criu_run(const struct criu *c, char *const *args, bool pass_stdio, int in, int fd3, const char *log, cerr *err);
/* criu's "Error (file:line): text" lines: the first one's text, and the
 * last one's in parentheses when it differs. */
void criu_last_error(const char *text, char *out, size_t len);
