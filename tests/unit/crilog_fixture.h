/* A container's CRI log for the logs tests: ctr_log, a fresh ctr.log path
 * in tmpdir (ctr_log_setup and tmpdir_teardown around each test), and T0,
 * a time to write records at. */
#pragma once
#include "tmpdir.h"

#include <stdio.h>

#define T0 1700000000123456789ll /* 2023-11-14T22:13:20.123456789Z */

static char path[128]; /* its ctr.log */

static inline int ctr_log_setup(void **state)
{
	tmpdir_setup(state);
	snprintf(path, sizeof(path), "%s/ctr.log", tmpdir);
	return 0;
}
