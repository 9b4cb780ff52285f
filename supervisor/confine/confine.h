/* What a helper that parses a client's bytes for corrald (corral-docker,
 * corral-cri, corral-stream) gives up before it reads one: its groups, root (for
 * uid:gid), every capability, the right to gain any back, its life past
 * parent's (corrald), CPU time past cpu_seconds, and the system calls a
 * server of sockets has no use for. */
#pragma once
#include <stdbool.h>

/* A helper's start, as its main describes it. */
typedef struct confine_start_spec {
	const char *who;       /* its name: in the usage, the log and errors */
	bool idle_option;      /* whether it takes [--idle-timeout SECONDS] */
	long idle;             /* that option's seconds (the default, before) */
	unsigned cpu_seconds;  /* the CPU time it may use */
	void (*before)(void);  /* what it does while it can still open files (NULL: nothing) */
} confine_start_spec;

/* main's first call: corrald's pid (before it can be lost), the command
 * line (--uid UID --gid GID, each a number from 1 to 2^31-1, and the idle
 * option into h->idle), the log's name, SIGPIPE ignored (a hung-up peer
 * is a write's error), h->before, then the helper confined: ahead of its
 * first byte from corrald, which may start it as a standby. 0, or main's
 * exit code: 2 after the usage, 1 after the error. */
int confine_start(confine_start_spec *h, int argc, char **argv);
