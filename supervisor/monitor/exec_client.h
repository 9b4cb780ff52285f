/* The client of one exec, however it asked (io.corral.Supervisor's Exec):
 * one reply with the output kept up to a bound; "more" replies streaming
 * it; a Streams connection (stdin, a terminal, resizes, signals); or none
 * (detach). It reads the exec's output and feeds its stdin; a client that
 * reads slowly slows the command (its output waits in the pipe), and loses
 * nothing. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/api/sv_fault.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/logs/crilog_mask.h"
#include "supervisor/varlink/server.h"

#define EXEC_MAX_OUTPUT (1u << 20) /* per stream, for the one-reply form */
#define EXEC_ID_MAX 64 /* ExecCreate's ids: hex */

typedef enum exec_mode { EXEC_REPLY, EXEC_MORE, EXEC_STREAMS, EXEC_DETACH } exec_mode;

typedef struct exec_client exec_client;

typedef struct exec_client_ops {
	void (*hung_up)(void *session);          /* the client went before the end: kill the command */
	void (*signal)(void *session, int sig);  /* a SIGNAL frame */
	void (*done)(void *session);             /* answered (or gone) and the output has ended */
} exec_client_ops;

typedef struct exec_client_opts {
	exec_mode mode;
	vl_call *call;     /* EXEC_REPLY, EXEC_MORE, EXEC_DETACH: the client's call, kept */
	int fd;            /* EXEC_STREAMS: the client's socket (taken) */
	bool tty, interactive;
	size_t output_max; /* EXEC_REPLY: bytes kept of each stream; 0: EXEC_MAX_OUTPUT */
	const crilog_mask *mask; /* the container's masked secrets, redacted as in its log; NULL: none */
	const exec_client_ops *ops;
	void *session;
} exec_client_opts;

int exec_client_new(el_loop *l, const exec_client_opts *o, exec_client **out, cerr *err);
/* The runner's ends, all taken (-1: none): its stdout and stderr, the
 * process's stdin (interactive without a terminal), and the socket the
 * runner sends the process's pty master on (tty). */
int exec_client_connect(exec_client *c, int out, int err_fd, int in, int console, cerr *err);
/* The runner has exited with code; the answer goes once the output has
 * ended, or after MONITOR_DRAIN_USEC. timed_out: it was killed at the timeout. */
void exec_client_exited(exec_client *c, int code, bool timed_out);
/* Detached: the client's answer, at once. */
void exec_client_detached(exec_client *c, const char *id);
/* The command cannot run (f says why; the caller's to clear): tell the
 * client, and end. */
void exec_client_fail(exec_client *c, sv_fault *f);
void exec_client_free(exec_client *c);
/* Its terminal's size, as a RESIZE frame sets it: false when it has none. */
bool exec_client_resize(exec_client *c, unsigned rows, unsigned cols);
