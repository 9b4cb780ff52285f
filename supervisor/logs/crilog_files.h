/* The files a read of a CRI log goes through, and where it begins. They are
 * opened together, newest first, so that a rotation meanwhile changes
 * nothing: path.(keep-1) .. path.1, then path itself. For a tail, where the
 * last N records begin is found by reading the files backwards in blocks,
 * counting newlines: one block of memory, whatever the size of the log or
 * of its records. A record is one line of the file: a whole line of the
 * container's, or a piece of one (P) of at most CRILOG_DEFAULT_MAX_LINE. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "common/error.h"

#define CRILOG_MAX_FILES 100 /* log-max-files' bound */
#define CRILOG_TAIL_BLOCK (64u << 10)

typedef struct crilog_files {
	int fd[CRILOG_MAX_FILES]; /* oldest first */
	unsigned n;
	bool live;   /* fd[n-1] is path itself, not a rotated file */
	off_t start; /* where reading begins in fd[0] */
} crilog_files;

/* The files of path's log (keep counts path itself), from where its last
 * tail records begin; tail < 0: all of it. Files that do not exist are
 * left out: path too, before the first write. */
int crilog_files_open(crilog_files *f, const char *path, unsigned keep, long tail, cerr *err);
void crilog_files_close(crilog_files *f);
/* Where the last want records of fd begin, a trailing piece without its
 * newline not counted (a write under way); *found: how many of them fd
 * holds, want at most (then *start is 0 if fewer). 0 or -errno. */
int crilog_tail_offset(int fd, long want, off_t *start, long *found);
