/* corralctl's end of an upgraded call (cp's CopyFrom and CopyTo, build's
 * Build, export, commit): its stream_client, with STDOUT kept in its head,
 * sent on to out, or handed line by line to on_line. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/strbuf.h"
#include "supervisor/varlink/stream_client.h"

typedef struct ctl_stream {
	const char *what; /* the verb, for messages ("cp") */
	stream_client sc; /* its head: STDOUT until out is known (or a line is whole) */
	int out;          /* where STDOUT's bytes go; -1: kept in head */
	/* each whole line of STDOUT, as it comes, when set (out is -1) */
	void (*on_line)(const char *line, size_t n, void *ctx);
	void *ctx;
} ctl_stream;

/* Ready for a call's stream; what names the verb in messages. */
void ctl_stream_init(ctl_stream *s, const char *what);
void ctl_stream_release(ctl_stream *s);
#define _cleanup_ctl_stream_ __attribute__((cleanup(ctl_stream_release)))
/* All of p to fd (a socket, else a file); 0 or -errno. */
int ctl_send_all(int fd, const char *p, size_t n);
/* Read what the socket has, and handle each whole frame; 0, or -errno on
 * a broken stream. */
int ctl_stream_take(ctl_stream *s);
/* Until EXIT, or until head holds want bytes; 0, or EXIT_CTL after saying
 * why. */
int ctl_stream_pump(ctl_stream *s, size_t want);
/* The head kept so far goes to out, and what follows too. */
int ctl_stream_output(ctl_stream *s, int out);
/* from's bytes into STDIN frames, then CLOSE_STDIN, until EXIT; 0 or EXIT_CTL. */
int ctl_stream_send(ctl_stream *s, int from);
