/* fsync_all.c: fsync of several files at once. */
#pragma once
#include "common/fileio.h"

int fsync_all(const int *fds, size_t n);
int fsync_dirs(const char *const *dirs, size_t n);
