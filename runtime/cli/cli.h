/* The `corral` command line: shared state and helpers for the verbs. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include "common/error.h"

struct cli {
	const char *root;
	const char *criu;   /* the criu binary (--criu), else "criu" from PATH */
	bool rootless;      /* --rootless, else detected */
	bool systemd_cgroup;
	bool debug;
};
extern struct cli cli;

/* Report err as "corral: <what>: <message>" and return exit code 1. */
int cli_fail(cerr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct create_opts;
/* create's and run's options into o (run's own, detach and keep, where
 * they are not NULL), and the bundle's path; -1 after saying what is wrong. */
int parse_create_opts(int argc, char **argv, struct create_opts *o, bool *detach, bool *keep, char bundle[PATH_MAX]);
/* Parse "KILL", "SIGKILL" or "9"; -1 when unknown. */
int parse_signal(const char *s);

int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_restore(int argc, char **argv);
