/* Spare container directories, made ahead under <state-dir>/spare while
 * corrald waits on a start: rootfs/, upper/ and work/ inside, and the empty
 * files that Create and the monitor would make (config.json's and
 * record.json's temporary files, ctr.log). CreateContainer renames one into
 * place instead of making seven inodes then: on some filesystems a new
 * inode is the slowest step in Create. */
#pragma once
#include "common/error.h"

struct corrald;

/* Clear what an earlier corrald left in spare/, and make the first spares. */
int spare_init(struct corrald *d, cerr *err);
/* A new container directory at dir: a spare renamed there, else a plain
 * mkdir. 0 or -errno. */
int spare_take(struct corrald *d, const char *dir);
/* A container without an overlay (a directory image) has no use for the
 * spare's rootfs/, upper/ and work/: remove them. */
void spare_unneeded(const char *dir);
/* Make spares until there are SPARE_TARGET; best effort. */
void spare_refill(struct corrald *d);
/* Remove the spares (at shutdown). */
void spare_clear(struct corrald *d);

#define SPARE_TARGET 2
