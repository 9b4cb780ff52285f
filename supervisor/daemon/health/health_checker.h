/* A container's health checker, as the checker and its record (the part
 * of record.json that outlives corrald) see it: private to health/. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "supervisor/daemon/health/checker.h"
#include <yajl/yajl_tree.h>
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/wire.h"

typedef struct health_result {
	int exit_code;
	char *output;
	char start[64], end[64];
} health_result;

typedef struct health_checker {
	struct corrald *d;
	struct ctr *c;
	enum health_status status;
	unsigned streak, version;
	health_result log[HEALTH_LOG_MAX];
	size_t n_log;
	bool restored;       /* read from the record of a running container: go on from it */
	uint64_t since;      /* when it started running (monotonic) */
	el_source *tick;     /* every interval */
	/* the command under way */
	int fd;
	el_source *io, *deadline;
	vl_framer fr;
	health_result run;
} health_checker;

