/* Whether the host has booted since the last corrald on a state directory:
 * <state>/boot_id holds the kernel's boot id of the last one to start. */
#pragma once
#include <stdbool.h>
#include "common/error.h"

#define BOOT_ID_FILE "boot_id"

/* *rebooted: a boot id is noted and is not this boot's (a state directory
 * without one says nothing). *boot_ns: when this boot began. */
int boot_check(const char *state_dir, bool *rebooted, long long *boot_ns, cerr *err);
/* Note this boot's id, once what the last boot left is accounted for. */
int boot_note(const char *state_dir, cerr *err);
