/* rm_rf.c: rm_rf and rm_rf_at, without recursion: a tree of any depth or
 * width goes with at most three descriptors open and a fixed amount of
 * memory. */
#pragma once
#include "common/fileio.h"

/* Remove a tree (rm_rf.c): symlinks are removed, never followed, and other
 * mounts are never entered. Any depth takes a few descriptors and bounded
 * memory. It removes what it can: 0, or the first -errno. */
int rm_rf(const char *path);
int rm_rf_at(int atfd, const char *name);
/* Remove every entry of the directory dfd but those keep (may be NULL)
 * says to keep; *removed (may be NULL) counts what went. The first error
 * is returned, after trying the rest. */
int clear_dir(int dfd, bool (*keep)(const char *name, void *ud), void *ud, unsigned *removed);
