/* Size-based rotation by renaming: path -> path.1 -> ... -> path.(keep-1).
 * Nothing is truncated, so a reader holding the old file still sees all of
 * it; the oldest file is replaced by the rename. */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"

/* keep counts every file, the live one included (keep 5: path, path.1..4). */
int rotate_files(int dirfd, const char *name, unsigned keep, cerr *err);

/* An append-only file that rotates itself past max_size bytes. */
typedef struct rotfile {
	int dirfd; /* owned */
	char *name;
	int fd;
	size_t size, max_size;
	unsigned keep;
	mode_t mode;
} rotfile;

int rotfile_open(rotfile *f, const char *path, size_t max_size, unsigned keep, mode_t mode, cerr *err);
/* Append one record whole; rotates first when it would cross max_size (a
 * record larger than max_size still goes into one file). */
int rotfile_write(rotfile *f, const void *data, size_t len, cerr *err);
void rotfile_close(rotfile *f);
/* The file at its name again (whoever rotates it moved the old one): made
 * when it is not there. */
int rotfile_reopen(rotfile *f, cerr *err);
