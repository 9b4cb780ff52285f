/* The calling thread's exec attribute of a security module, the file that
 * AppArmor and SELinux both read a request for the next execve from. */
#pragma once
#include "common/error.h"

/* Opens thread-self/attr/LSM/exec under proc_dir (a directory fd of a
 * procfs whose pid namespace sees us), or thread-self/attr/exec where the
 * module has no directory of its own, and checks that it is procfs, so
 * that no file planted in a container's root can stand in for it. The fd
 * is at min_fd or above: never one of the fds passed on to the process.
 * what names the request in errors. */
int lsm_open_exec_attr(int proc_dir, const char *lsm, int min_fd, const char *what, cerr *err);
