/* Run the runtime from a sealed view of its own binary (a read-only
 * overlayfs, else a sealed memfd copy), so that a container that reaches
 * /proc/<pid>/exe of a runtime process inside it (runc's CVE-2019-5736)
 * finds a file it can neither write nor make writable. */
#pragma once
#include "common/error.h"

/* Re-exec argv from a sealed copy of /proc/self/exe, unless this process
 * already runs from one; returns only when it does (0), or on error. */
int sealed_exe_ensure(char **argv, cerr *err);
/* The path this binary was started from, for finding its siblings: the
 * original file, not the copy. */
const char *sealed_exe_origin(void);
