/* corralctl's end of a Streams connection (varlink/streams.h): our stdin
 * to the process, its output to ours, our terminal raw while it runs (its
 * size following ours) and restored however we end, detach keys, and the
 * signals we get passed on (sig-proxy). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

typedef struct ctl_stream_opts {
	const char *method;      /* called with "upgrade": M("Attach") or M("Exec") */
	yajl_gen params;         /* its parameters, an open map (taken) */
	bool stdin;              /* send our stdin */
	bool stdin_once;         /* its end closes the process's stdin (run -i, exec -i); else
				  * that stays open for the next client (attach) */
	bool tty;                /* the process has a terminal: ours goes raw and lends its size */
	bool sig_proxy;          /* pass the signals we get to the process */
	const char *detach_keys; /* "ctrl-p,ctrl-q" (podman's form); NULL or "": none */
	/* once the stream is open and before it is pumped (run: Start the
	 * container); a nonzero return is the exit code, and ends it */
	int (*opened)(void *data);
	void *data;
	/* a container's stream (run, attach): once it has ended, Wait for it,
	 * so that corrald has accounted for its end when we return (the next
	 * command sees it exited), and its code comes from there even when
	 * the stream ended without one (it had ended before we attached);
	 * NULL: none (exec) */
	const char *wait_id;
	bool *detached;          /* set when the detach keys ended it; may be NULL */
} ctl_stream_opts;

/* Our terminal's size (stdin's, else stdout's): false when neither is one. */
bool ctl_terminal_size(unsigned *rows, unsigned *cols);

/* Call o->method with upgrade and pump the stream; the process's exit
 * code, 0 after a detach, 125 for an error of corral's (said on stderr). */
int ctl_stream(const ctl_stream_opts *o);
