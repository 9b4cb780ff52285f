/* fsync_all.c: fsync of several files at once. */
#pragma once
#include "common/fileio.h"

/* fsync up to FSYNC_ALL_MAX files, or directories, at once: their device
 * flushes overlap. 0 or the first -errno. */
int fsync_all(const int *fds, size_t n);
int fsync_dirs(const char *const *dirs, size_t n);
