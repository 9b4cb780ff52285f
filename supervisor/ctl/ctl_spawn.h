/* ctl_spawn.c: corralctl's children (tar for cp, corral-sign for image sign):
 * one end of a pipe as their stdin or stdout, stderr shared, then their
 * status. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* Children (ctl_spawn.c). argv[0] (found on PATH) with one end of a pipe as
 * its stdin (feed) or its stdout, the other end in *fd; what names it in
 * errors. 0, or EXIT_CTL after saying why. */
int ctl_spawn_piped(const char *what, char *const argv[], bool feed, int *fd, pid_t *pid);
/* Wait for it: 0 if it exited 0, else EXIT_CTL after saying so (unless it
 * says_why itself, in one line of its own). */
int ctl_reap(const char *what, pid_t pid, bool says_why);
/* The path of a binary installed beside corralctl. */
int ctl_sibling(const char *name, char path[static PATH_MAX]);
