/* Path resolution that cannot escape a root: every path taken from a config
 * or an image is resolved with openat2(RESOLVE_IN_ROOT), so "..", absolute
 * symlinks and magic links stay inside the root. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

/* openat2 relative to rootfd, scoped to it; returns fd or -errno. */
int open_in_root(int rootfd, const char *path, int flags, mode_t mode);
/* Create every missing directory of path inside rootfd; returns an O_PATH fd
 * of the final directory or -errno. */
int mkdir_in_root(int rootfd, const char *path, mode_t mode);
/* Create a regular file (for bind-mount targets) inside rootfd, making its
 * parents; returns an O_PATH fd of it or -errno. */
int mkfile_in_root(int rootfd, const char *path, mode_t mode);
/* "/proc/self/fd/N" for fd, into buf. */
const char *fd_path(int fd, char buf[static 32]);
/* An absolute path with no ".", ".." or empty component (one trailing "/"
 * allowed): what an image's WorkingDir must be. */
bool path_is_clean_absolute(const char *path);
