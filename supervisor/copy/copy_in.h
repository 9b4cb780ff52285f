/* copy_in.c: CopyTo: the client's tar, read from STDIN frames, unpacked into
 * a directory of the container by images/extract.c in its copy mode: each
 * entry's path is taken apart lexically below that directory, its parent
 * resolved in the container's root (RESOLVE_IN_ROOT), and its last name made
 * with calls that never follow it. */
#pragma once
#include "supervisor/copy/copy.h"
#include "images/extract_stream.h"

/* CopyTo: the tar in sock's STDIN frames unpacked into the directory path
 * as how says: owned by root (EXTRACT_COPY), as the tar says, or by one
 * user (EXTRACT_COPY_OWNED, chown); with keep_kinds, an entry that would
 * replace a directory with what is not one, or the reverse, fails the
 * copy. how's lim is the extractor's defaults. */
int copy_in(int rootfd, const char *path, int sock, const extract_how *how, cerr *err);
