/* The two path steps before execve, both inside the container's root. */
#pragma once
#include <stdbool.h>
#include "common/error.h"

/* Find process.args[0] the way execvp would, using the container's PATH. */
int exec_find(const char *arg0, char *const *env, char **out, cerr *err);
/* chdir to process.cwd, resolved inside "/" (no "..", symlink or magic link
 * leads out), creating it when missing if create is set, as runc does; then
 * check that the kernel agrees the directory is reachable from the root. */
int enter_cwd_in_root(const char *cwd, bool create, cerr *err);
