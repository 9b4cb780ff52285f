/* copy_out.c: CopyFrom's tar: path is resolved in the container's root with
 * its last name not followed, then walked by fds, each name opened with
 * O_NOFOLLOW below a directory fd, so that no symlink is ever followed and no
 * ".." climbs: a name the container swaps for a link mid-walk fails to open
 * and is left out. */
#pragma once
#include "supervisor/copy/copy.h"

/* What CopyFrom sends: the tar, its STAT frame (path_stat.h) then the tar,
 * or the frame alone (the Docker API's HEAD) */
enum copy_out_what { COPY_OUT_TAR, COPY_OUT_STAT_TAR, COPY_OUT_STAT };

/* CopyFrom: a tar of path (its last name not followed) in STDOUT frames,
 * as what says; files' setuid and setgid bits kept only with keep_setid (a
 * member's copy). */
int copy_out(int rootfd, const char *path, int sock, enum copy_out_what what, bool keep_setid, cerr *err);
