/* A helper that must not outlive the process that started it. */
#pragma once
#include <sys/types.h>

/* SIGKILL when parent (the process that started us, its pid taken before
 * we could lose it) ends. Call it after the last credential change: the
 * kernel clears the parent-death signal at setuid, setgid, a change of
 * capabilities and the exec of a set-id file. A parent already gone by
 * then (we are init's or a subreaper's, which never send it) ends us here
 * with SIGKILL. -errno when the signal cannot be set. */
int die_with_parent(pid_t parent);
