/* bld_copy_io.c: A COPY's tar, written into CopyTo's stream (STDIN frames),
 * its sources read from the context or from CopyFrom's stream of a container
 * of the --from image (STDOUT frames). */
#pragma once
#include "supervisor/build/bld_copy.h"

/* The files of j into container id: from the context, or from the image
 * from_image (a container of it made for the reading). */
int copy_into(bld *b, const copy_op *j, const char *id, const char *from_image, cerr *err);
/* Whether dest (relative to /) is a directory in container id, a link to
 * one followed: Docker's builders copy a file into it, not over it. */
bool copy_dest_is_dir(bld *b, const char *id, const char *dest);
/* The text of the regular file at path (absolute) in container id, a link
 * at its end followed, at most max bytes, NUL-ended (*text, the caller's):
 * 0; -ENOENT with err when it is not there or is no file; -1 with err. */
int copy_read_file(bld *b, const char *id, const char *path, size_t max, char **text, cerr *err);
