/* paths.c: Host paths the client resolves: corrald resolves nothing relative,
 * and the user's working directory is the client's. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* path made absolute against the working directory (paths.c); NULL when
 * out of memory. */
char *ctl_absolute(const char *path);
/* A file for corrald to write as the caller, made (mode) or opened here,
 * the caller's: its fd, its absolute path in *path, and in *made whether it
 * is new (a failure removes only such a file); -1 when it cannot be, said. */
int ctl_output_file(const char *what, const char *file, mode_t mode, char **path, bool *made);
