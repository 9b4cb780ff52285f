/* Running another program: spawned clean, or run to its end with its
 * complaint kept. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SPAWN_NULL (-1)    /* /dev/null */
#define SPAWN_INHERIT (-2) /* the parent's own */

typedef struct spawn_fds {
	int in, out, err; /* an fd, SPAWN_NULL or SPAWN_INHERIT */
	int fd3;          /* passed as fd 3; SPAWN_NULL: none */
} spawn_fds;

/* posix_spawn path with argv: signals at their defaults and none blocked
 * (a loop blocks those it reads through signalfd), fds past 3 closed, and
 * with new_session its own session. posix_spawn shares our memory until
 * the exec, rather than copying the page tables as a fork would; an exec
 * that fails is its error. 0 or -errno. */
int spawn_clean(const char *path, char *const *argv, const spawn_fds *fds, bool new_session, pid_t *pid);
/* ... with envp as its environment (NULL: ours). */
int spawn_clean_env(const char *path, char *const *argv, char *const *envp, const spawn_fds *fds, bool new_session,
		    pid_t *pid);

/* Run path (argv) to its end with stdin on /dev/null: what it writes to
 * stderr (and stdout, with_stdout) in out, its last len-1 bytes at most;
 * its exit code, 128+N for signal N, or -errno when it could not start. */
int spawn_output(const char *path, char *const *argv, bool with_stdout, char *out, size_t len);
/* Run path (argv) to its end, with stdin and stdout on /dev/null, and its
 * stderr's last line (at most len bytes) in why: its exit code, 128+N for
 * signal N, or -errno when it could not be started. */
int spawn_wait(const char *path, char *const *argv, char *why, size_t len);
