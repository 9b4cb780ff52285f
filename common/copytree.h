/* Copying a directory tree between two directory fds, as root: modes,
 * owners, xattrs, times, symlinks (never followed), device nodes and
 * hardlinks within the copy. Every descent opens the next directory with
 * O_NOFOLLOW from its parent's fd. */
#pragma once
#include <stdbool.h>
#include <sys/stat.h>
#include "error.h"

struct copy_hooks {
	/* Before an entry is copied (exists: dst has one of that name):
	 * 1 to skip it, 0 to copy it, or -errno. */
	int (*entry)(void *ud, int src, int dst, const char *name, const struct stat *st, bool exists);
	/* A directory dst already had, before its contents are merged. */
	int (*merge_dir)(void *ud, int src_dir, int dst_dir);
	void *ud;
};

/* Copy what src holds into dst, merging into what dst has: a non-directory
 * replaces what was there; directories merge. hooks may be NULL. */
int copy_tree(int src, int dst, const struct copy_hooks *hooks, cerr *err);
