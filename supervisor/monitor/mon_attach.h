/* The container's attached clients (corralctl run, attach): each gets the
 * output as the monitor reads it, after the log has it, through its own
 * bounded queue (stream_peer.h); stdin from those that send it goes to the
 * container's stdin pipe or its pty, through one bounded queue: while it is
 * full, no client's input is read. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "common/strbuf.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/monitor/stdin_queue.h"

#define ATTACH_MAX_QUEUE (1u << 20) /* output per client, then frames are dropped for it */
#define ATTACH_MAX_CLIENTS 32       /* at once: the monitor's fds are bounded too */

struct attached;

typedef struct attach_set {
	el_loop *loop;
	stdin_queue in;     /* the container's stdin pipe, or a dup of its pty master */
	bool interactive;   /* clients' stdin goes to it (else a pty takes resizes only) */
	struct attached *clients;
	/* a SIGNAL frame (sig-proxy): the owner signals the container */
	void (*signal)(void *owner, int sig);
	void *owner;
} attach_set;

/* in_fd (taken) is the container's stdin pipe or pty master (tty), or -1;
 * interactive: clients' stdin goes to it. */
void attach_init(attach_set *a, el_loop *l, int in_fd, bool tty, bool interactive, void (*signal)(void *, int),
		 void *owner);
/* Serve a client on fd (taken), with its stdin when stdin; past
 * ATTACH_MAX_CLIENTS the client is told so (STDERR) and let go. */
int attach_add(attach_set *a, int fd, bool stdin, cerr *err);
/* Output of the container (1 stdout, 2 stderr) to every client. */
void attach_output(attach_set *a, int stream, const char *buf, size_t n);
/* The container has ended with code: EXIT to every client. */
void attach_exit(attach_set *a, int code);
/* At the monitor's end: what is queued goes out for up to ms in all; then
 * everything is closed. */
void attach_release(attach_set *a, int ms);
