/* Long image work (import) runs in a child, `corral-images image ...`, so
 * corrald's loop keeps answering and corrald never loads libarchive. The
 * child takes the store's locks like any `corral image` does. */
#pragma once
#include "common/strbuf.h"
#include "supervisor/varlink/server.h"

struct corrald;

/* rc: the child's exit code (128+signal), or -errno when it could not run.
 * call is NULL when the caller hung up; out and err are its output. */
typedef void (*imghelper_done_fn)(struct corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *err,
			       void *ctx);

/* What else a job may take: its stdin, and a handler of its stdout lines
 * as they come (see el_child_opts.on_line; ctx is the job's). */
typedef struct imghelper_io {
	const char *input;
	size_t input_len;
	/* call: the job's, NULL once the caller hung up */
	bool (*on_line)(vl_call *call, const char *line, size_t n, void *ctx);
	/* the caller hanging up ends the job: corral-images gets SIGTERM
	 * (else it goes on to its end, its result unsaid) */
	bool ends_with_caller;
} imghelper_io;

/* Run corral-images with args (NULL-terminated, after the program name),
 * fd3 as its fd 3 (SPAWN_NULL: none; the caller keeps it), io (NULL:
 * none). On success done runs once, from the loop, and owns ctx; on an
 * error it never runs and ctx stays the caller's. */
int imghelper_run(struct corrald *d, vl_call *call, char *const *args, int fd3, const imghelper_io *io, imghelper_done_fn done,
	       void *ctx, cerr *err);
/* The last line a job wrote on stderr (err), without its prefix
 * ("corral: image import SPEC: "); malloc'd, NULL when out of memory. */
char *imghelper_last_line(const strbuf *err, const char *prefix);
