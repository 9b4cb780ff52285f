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
