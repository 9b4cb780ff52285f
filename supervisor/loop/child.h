/* Children of a loop's process: spawned clean, and optionally run with
 * their output captured from the loop. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"
#include "common/strbuf.h"
#include "supervisor/loop/eventloop.h"

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

/* A child whose stdout and stderr the loop reads, each up to max_output
 * bytes (more sets truncated). done runs once, from the loop, when it has
 * exited and both outputs have ended; the child is freed after done. */
typedef struct el_child el_child;
typedef struct el_child_result {
	int code;           /* exit code, or 128 + the signal */
	const strbuf *out;  /* [0] stdout, [1] stderr */
	bool truncated;
} el_child_result;
typedef void (*el_child_done_fn)(const el_child_result *r, void *data);

typedef struct el_child_opts {
	const char *path;
	char *const *argv;
	int fd3;               /* passed as fd 3; SPAWN_NULL: none */
	size_t max_output;
	bool caller_reaps;     /* the caller waits for it and says el_child_exited(); else a pidfd watch */
	char *const *envp;     /* NULL: ours */
	const char *input;     /* its stdin (from a memfd: written whole before it runs); NULL: /dev/null */
	size_t input_len;
	/* each whole line of stdout as it comes (without its newline); a line
	 * it returns true for is not kept in the output */
	bool (*on_line)(const char *line, size_t n, void *data);
} el_child_opts;

int el_child_run(el_loop *l, const el_child_opts *o, el_child_done_fn done, void *data, el_child **out, cerr *err);
pid_t el_child_pid(const el_child *c);
/* With caller_reaps: it has exited with status (as waitpid gives it). */
void el_child_exited(el_child *c, int status);
/* Send it sig, unless it has exited already. */
void el_child_signal(el_child *c, int sig);
/* Kill it (SIGKILL) and read no more of its output: done runs once it has
 * exited. */
void el_child_kill(el_child *c);
