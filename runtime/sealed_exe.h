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
/* Bind a read-only overlayfs view of the binary at path over it, so that
 * every later call from path runs sealed without a copy or a second exec
 * (as runc's memfd-bind, with no process to keep). 1 if it runs sealed
 * already. Undone by sealed_exe_remove (1 if path holds no such view). */
int sealed_exe_install(const char *path, cerr *err);
int sealed_exe_remove(const char *path, cerr *err);
