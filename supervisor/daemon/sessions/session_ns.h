/* session_ns.c: A session's shared namespaces, held by nsfs bind mounts under
 * <dir>/ns/: a child of corrald is cloned straight into new namespaces (clone
 * with CLONE_NEW*: they exist once clone returns, so nothing waits on the
 * child), corrald binds /proc/<child>/ns/<kind> onto the files, then closes
 * the pipe the child waits on; the loop reaps it. */
#pragma once
#include "supervisor/daemon/sessions/session_int.h"

/* session_ns.c: the shared namespaces under <dir>/ns */
int session_ns_make(struct corrald *d, session *s, cerr *err);
bool session_ns_present(const session *s);
void session_ns_release(const session *s);
void session_ns_path(const session *s, const char *kind, char *buf, size_t n);
/* Its shared PID namespace's init (catatonit -P) as a pidfd, if it still
 * runs in that namespace; else -1. */
int session_pid_init(const session *s);
