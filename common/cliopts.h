/* The global options every corral command line takes, as runc's. */
#pragma once
#include <stdbool.h>

struct cli_global {
	const char *root;
	const char *rootless; /* true, false or auto; NULL when not given */
	const char *criu;     /* the criu binary; NULL when not given */
	bool systemd_cgroup;
	bool debug;
};

/* Parse options before the command; returns the index of the command
 * word, or -1 after printing why (or 0 when --version/--help was served). */
int cli_parse_global(int argc, char **argv, struct cli_global *g, void (*usage)(bool to_stdout));
