#pragma once
/* Mounts below a directory that is about to go, as this process's mount
 * namespace lists them in /proc/self/mountinfo. */

/* Every mount at or below dir (absolute), detached: the deepest first, and
 * a stacked one layer by layer. The number still there afterwards. */
unsigned unmount_below(const char *dir);
/* Each mountinfo line that names `name`, logged as a warning after what. */
void log_mounts_naming(const char *what, const char *name);
