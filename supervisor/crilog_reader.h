/* Reading CRI logs back for `logs`: the rotated files oldest first, then the
 * live one, P pieces joined into lines, with tail, since and follow (a cursor
 * that notices rotation and moves on to the new file without losing lines). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"
#include "common/strbuf.h"
#include "crilog.h"

typedef struct crilog_line {
	long long ts_ns; /* of the line's first piece */
	enum crilog_stream stream;
	const char *text; /* NUL-terminated, without the newline */
	size_t len;
	bool partial; /* the stream ended (so far) without finishing the line */
} crilog_line;

/* Return nonzero to stop reading (that value is returned). */
typedef int (*crilog_line_fn)(const crilog_line *line, void *data);

typedef struct crilog_cursor {
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	strbuf rec;        /* an incomplete record, waiting for its newline */
	strbuf acc[2];     /* P pieces per stream */
	long long acc_ts[2];
	size_t bad;        /* malformed records skipped */
	unsigned keep;     /* rotated files to look through after a rotation */
} crilog_cursor;

/* A cursor at the start of path, which may not exist yet. */
int crilog_cursor_open(crilog_cursor *c, const char *path, cerr *err);
/* Emit every line completed since the last poll, following a rotation. */
int crilog_cursor_poll(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err);
/* Emit the unfinished pieces as partial lines (when the container ended). */
int crilog_cursor_flush(crilog_cursor *c, crilog_line_fn fn, void *data);
void crilog_cursor_close(crilog_cursor *c);

typedef struct crilog_read_opts {
	long long since_ns; /* lines from this time on; 0: all */
	long tail;          /* only the last N lines; < 0: all */
	unsigned keep;      /* rotated files to look for (path.1 .. path.keep-1) */
} crilog_read_opts;

/* Emit the history. With follow non-NULL, the cursor is left on the live file
 * (its pending pieces kept) to poll for more; else partial lines are flushed. */
int crilog_read(const char *path, const crilog_read_opts *o, crilog_line_fn fn, void *data,
		crilog_cursor *follow, cerr *err);
