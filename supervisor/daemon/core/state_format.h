/* The state directory's format: <state>/format.json, {"format": N,
 * "writtenBy": "corrald VERSION (COMMIT)"}. A corrald reads every older
 * format, bringing each to its own as it adopts what is there (containers
 * by ctr_upgrade.c), and refuses a newer one by name, before it changes
 * anything.
 *   1  a state directory of a corrald from before the file (no format.json,
 *      but containers/, images/ or secrets/ there)
 *   2  format.json; containers/<id> root's 0700 with an ACL for the
 *      container's own root (issue 43), monitors out of corrald's cgroup */
#pragma once
#include "common/error.h"

#define STATE_FORMAT 2
#define STATE_FORMAT_FILE "format.json"

/* The format of dir: 0 for a new (empty or absent) one. -EPROTONOSUPPORT,
 * with err naming both, for a newer one than this corrald's. */
int state_format_check(const char *dir, int *format, cerr *err);
/* Note this corrald's format, once what was older has been brought to it. */
int state_format_write(const char *dir, cerr *err);
