/* Children of a loop's process: spawned clean, and optionally run with
 * their output captured from the loop. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"
#include "common/spawn.h"
#include "common/strbuf.h"
#include "supervisor/loop/eventloop.h"

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
	/* instead of path: fn(arg) in a forked child (a copy of the loop's
	 * process, every other fd closed, dying with it), its return the exit
	 * code; for what may block on what a peer controls */
	int (*fn)(void *arg);
	void *arg;
	int fd3;               /* passed as fd 3; SPAWN_NULL: none */
	size_t max_output;
	bool caller_reaps;     /* the caller waits for it and says el_child_exited(); else a pidfd watch */
	char *const *envp;     /* NULL: ours */
	const char *input;     /* its stdin (from a memfd: written whole before it runs); NULL: /dev/null */
	size_t input_len;
	/* each whole line of stdout as it comes (without its newline); a line
	 * it returns true for is not kept in the output */
	bool (*on_line)(const char *line, size_t n, void *data);
	/* the member (a uid but 0) it works for: it counts against that
	 * member's bound (el_set_member_max; at it el_child_run fails with
	 * EUSERS), and runs at the lowest CPU and I/O priority, after the
	 * loop and root's; 0: root's or the loop's own */
	uid_t member;
	/* path is exec'd from a fork with a parent-death signal, so that it is
	 * killed with the loop's process (a CNI plugin: a new corrald DELs
	 * what a cut ADD made, where an orphan would race it) */
	bool ends_with_loop;
} el_child_opts;

int el_child_run(el_loop *l, const el_child_opts *o, el_child_done_fn done, void *data, el_child **out, cerr *err);
/* 0 when member (0: none) may have one more at work; else -EUSERS, with
 * err, as el_child_run would fail: for a call to ask before it answers. */
int el_child_member_room(el_loop *l, uid_t member, cerr *err);
/* With caller_reaps: it has exited with status (as waitpid gives it). */
void el_child_exited(el_child *c, int status);
/* Its pid: its own until done has run (it is reaped only then). */
pid_t el_child_pid(const el_child *c);
/* Send it sig, unless it has exited already. */
void el_child_signal(el_child *c, int sig);
/* Kill it (SIGKILL) and read no more of its output: done runs once it has
 * exited (at the turn's end, never inside this call, if it had already). */
void el_child_kill(el_child *c);
/* At the daemon's stop: the record goes without its done being called, and
 * the process is left to end by itself (with its parent). */
void el_child_abandon(el_child *c);
