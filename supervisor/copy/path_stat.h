/* path_stat.c: CopyFrom's STAT frame, sent before the tar when the call
 * asks ("stat": true): what docker cp's stat of a path, and corralctl cp's
 * "is it a directory", read. */
#pragma once
#include <sys/stat.h>
#include "supervisor/copy/copy.h"

/* The container's links followed from a path, at most (the kernel's MAXSYMLINKS) */
#define COPY_LINKS_MAX 40

/* The path's stat as JSON in a STAT frame: {"size", "mode" (st_mode),
 * "mtimeNs", "linkTarget"}. clean is the path as copy_out cleaned it (no
 * leading "/"), st its lstat. linkTarget is where a link leads, as
 * Docker's stat says it: an absolute path in the root with every link on
 * the way followed inside it, a missing name kept as it is; "" when it is
 * no link. 0, or -errno with err set. */
int copy_send_stat(int rootfd, const char *clean, const struct stat *st, int sock, cerr *err);
