/* The client of one exec, however it asked (io.corral.Supervisor's Exec):
 * one reply with the output kept up to a bound; "more" replies streaming
 * it; a Streams connection (stdin, a terminal, resizes, signals); or none
 * (detach). It reads the exec's output and feeds its stdin; a client that
 * reads slowly slows the command (its output waits in the pipe), and loses
 * nothing. A client's call is its method's to answer (exec_methods.h):
 * the client reports there, and never holds the call. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/api/sv_fault.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/logs/crilog_mask.h"

#define EXEC_MAX_OUTPUT (1u << 20) /* per stream, for the one-reply form */
#define EXEC_ID_MAX 64 /* ExecCreate's ids: hex */

typedef enum exec_mode { EXEC_REPLY, EXEC_MORE, EXEC_STREAMS, EXEC_DETACH } exec_mode;

typedef struct exec_client exec_client;

typedef struct exec_client_ops {
	void (*hung_up)(void *session);          /* the client went before the end: kill the command */
	void (*signal)(void *session, int sig);  /* a SIGNAL frame */
	void (*done)(void *session);             /* answered (or gone) and the output has ended */
} exec_client_ops;

/* The client's call (EXEC_REPLY, EXEC_MORE, EXEC_DETACH), as its method
 * answers it; call is the method's own. */
typedef struct exec_call_ops {
	/* the client hangs up before its answer: gone(client) */
	void (*watch)(void *call, void (*gone)(void *client), void *client);
	/* n bytes of the command's output on stream (0 stdout, 1 stderr),
	 * masked; ended: it has exited, so no UTF-8 sequence waits for more */
	void (*output)(void *call, int stream, const char *buf, size_t n, bool ended);
	/* bytes the client has yet to read: the command waits past a bound */
	size_t (*unread)(void *call);
	/* the answer, one of three, once: the command exited with code and
	 * its output is over; it runs detached as id; it could not run (f) */
	void (*exited)(void *call, int code, bool timed_out);
	void (*detached)(void *call, const char *id);
	void (*failed)(void *call, sv_fault *f);
	/* the end: a call not yet answered hears that it went unanswered */
	void (*release)(void *call);
} exec_call_ops;

/* Whom the exec answers: one of the two. */
typedef struct exec_channel {
	int fd;                        /* EXEC_STREAMS: the client's socket; else -1 */
	const exec_call_ops *call_ops; /* the other modes: the client's call */
	void *call;
} exec_channel;

typedef struct exec_client_opts {
	exec_mode mode;
	exec_channel to;   /* its fd is taken; its call is taken once the client is made */
	bool tty, interactive;
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
