/* containers.c: corralctl's verbs that name containers by id or name: start,
 * stop, restart, kill, pause, unpause, checkpoint, restore, rm, inspect,
 * wait, rename, port, top, and container prune. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* Each string of reply's array `key`, one a line; 0. */
int ctl_print_strings(yajl_val reply, const char *key);
