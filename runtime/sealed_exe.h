/* Run the runtime from a sealed memfd copy of its own binary, so that a
 * container that reaches /proc/<pid>/exe of a runtime process inside it
 * (runc's CVE-2019-5736) finds a copy it can neither write nor keep. */
#pragma once
#include "common/error.h"

/* Re-exec argv from a sealed copy of /proc/self/exe, unless this process
 * already runs from one; returns only when it does (0), or on error. */
int sealed_exe_ensure(char **argv, cerr *err);
/* The path this binary was started from, for finding its siblings: the
 * original file, not the copy. */
const char *sealed_exe_origin(void);
