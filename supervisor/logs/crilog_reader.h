/* Reading CRI logs back for `logs`: the rotated files oldest first, then the
 * live one, P pieces joined into lines, with tail, since, until and follow (a cursor
 * that notices rotation and moves on to the new file without losing lines).
 * Memory is bounded whatever the container wrote: a line is joined up to
 * CRILOG_READ_MAX_LINE, then goes out in partial pieces of that size, and a
 * record longer than CRILOG_READ_MAX_RECORD (never written by crilog.c) is
 * skipped as malformed. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"
#include "common/strbuf.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/logs/crilog_files.h"

#define CRILOG_READ_MAX_LINE (1u << 20)
#define CRILOG_READ_MAX_RECORD (1u << 20)

typedef struct crilog_line {
	long long ts_ns; /* of the line's first piece */
	enum crilog_stream stream;
	const char *text; /* NUL-terminated, without the newline */
	size_t len;
	bool partial; /* the line goes on past this piece: it was longer than
		       * CRILOG_READ_MAX_LINE, or not finished (yet) */
} crilog_line;

/* Return nonzero to stop reading (that value is returned). */
typedef int (*crilog_line_fn)(const crilog_line *line, void *data);

typedef struct crilog_cursor {
	char *path;
	int fd;            /* a file of the history, or the live file */
	dev_t dev;         /* of fd */
	ino_t ino;
	crilog_files hist; /* what is left of the history, fd[next] on */
	unsigned next;
	bool in_hist;      /* fd is a file of the history */
	long long since_ns; /* lines from this time on; 0: all */
	long long until_ns; /* lines up to this time; 0: all */
	strbuf rec;        /* an incomplete record, waiting for its newline */
	strbuf acc[2];     /* P pieces per stream */
	long long acc_ts[2];
	size_t bad;        /* malformed records skipped */
	bool skipping;     /* in a record too long to keep, up to its newline */
	unsigned keep;     /* rotated files to look through after a rotation */
} crilog_cursor;

typedef struct crilog_read_opts {
	long long since_ns; /* lines from this time on; 0: all */
	long long until_ns; /* lines up to this time; 0: all */
	long tail;          /* only the last N records (crilog_files.h); < 0: all */
	unsigned keep;      /* rotated files to look for (path.1 .. path.keep-1) */
} crilog_read_opts;

/* A cursor at the start of path, which may not exist yet. */
int crilog_cursor_open(crilog_cursor *c, const char *path, cerr *err);
/* A cursor on path's history as o says (tail, since), then its live file. */
int crilog_cursor_start(crilog_cursor *c, const char *path, const crilog_read_opts *o, cerr *err);
/* Emit every line completed since the last poll: what is left of the
 * history, then the live file, following a rotation. When fn returns
 * nonzero, poll returns that at once; the next poll goes on from the line
 * after (fn may so pause a reader whose caller has enough for now). */
int crilog_cursor_poll(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err);
/* Emit the unfinished pieces as partial lines (when the container ended). */
int crilog_cursor_flush(crilog_cursor *c, crilog_line_fn fn, void *data);
void crilog_cursor_close(crilog_cursor *c);

/* Emit the history at once. With follow non-NULL, the cursor is left on the
 * live file (its pending pieces kept) to poll for more; else partial lines
 * are flushed. */
int crilog_read(const char *path, const crilog_read_opts *o, crilog_line_fn fn, void *data,
		crilog_cursor *follow, cerr *err);
