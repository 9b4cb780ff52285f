/* exit.json: how a container ended, written by corral-monitor after the last
 * log line, read by corrald (also after a restart of corrald):
 * {"code", "signal", "oomKilled", "stopKilled", "startedAt", "finishedAt"};
 * the snake_case keys of older monitors are read too. */
#pragma once
#include <stdbool.h>
#include "common/error.h"

#define EXITREC_FILE "exit.json"
#define EXITREC_RESERVE EXITREC_FILE ".reserve"
#define EXITREC_ROOM 4096

typedef struct exitrec {
	int code;       /* exit status, or 128 + signal */
	int signal;     /* 0 unless killed by a signal */
	bool oom_killed;
	bool stop_killed; /* a Stop's timeout ran out: SIGKILL ended it */
	char started_at[64], finished_at[64]; /* RFC 3339 */
} exitrec;

/* exit.json, written where exitrec_reserve kept room for it, so that a
 * full disk loses no exit status; else as a new file (both atomically). */
int exitrec_write(const char *dir, const exitrec *e, cerr *err);
/* Keep room on the disk for the record (dir/exit.json.reserve, a block
 * allocated now), at the container's start. */
int exitrec_reserve(const char *dir, cerr *err);
/* -ENOENT when the monitor wrote none. */
int exitrec_read(const char *dir, exitrec *e, cerr *err);
/* The oom_kill count from <cgroup>/memory.events; 0 when unknown. */
long long exitrec_oom_kills(const char *cgroup_dir);
