/* bld_copy_put.c: One entry of a COPY's tar under its destination name,
 * --chown and --chmod applied: what the context's walk and the --from copy
 * both write. */
#pragma once
#include "supervisor/build/bld_copy.h"

/* One entry under its destination name, with --chown and --chmod applied;
 * its data (for a file) from fd, or from the archive in (fd -1). */
int copy_put(const copy_op *j, struct archive *out, const char *name, const struct stat *st, const char *link, int fd,
	     struct archive *in, cerr *err);
/* A hard link (an ADDed archive's) named name, to target, an entry put
 * before it under its destination name. */
int copy_put_hardlink(struct archive *out, const char *name, const char *target, cerr *err);
