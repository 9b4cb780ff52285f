/* copy_in.c: CopyTo: the client's tar, read from STDIN frames, unpacked into
 * a directory of the container by images/extract.c in its copy mode: each
 * entry's path is taken apart lexically below that directory, its parent
 * resolved in the container's root (RESOLVE_IN_ROOT), and its last name made
 * with calls that never follow it. */
#pragma once
#include "supervisor/copy/copy.h"

/* CopyTo: the tar in sock's STDIN frames unpacked into the directory path,
 * owned by root, or as the tar says with owners; an entry that would
 * replace a directory with what is not one, or the reverse, fails the copy
 * unless overwrite_dirs. */
int copy_in(int rootfd, const char *path, int sock, bool owners, bool overwrite_dirs, cerr *err);
