/* dir_sizes.c: What several directory trees hold, walked in a forked child:
 * a container or a member decides how long a tree of its takes to walk
 * (millions of files), and the loop never waits for that. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "supervisor/loop/eventloop.h"

/* Each tree's apparent bytes and disk bytes (dir_usage.h): 0 for one that
 * is not there. NULL sizes: the walk failed. */
typedef struct dir_size {
	uint64_t bytes, disk;
} dir_size;
typedef void (*dir_sizes_fn)(const dir_size *sizes, size_t n, void *data);

/* Walk paths[0..n) (copied) for member (0: root; child.h's bound); done
 * runs once, from the loop. 0, or -errno with err (then done never runs). */
int dir_sizes(el_loop *l, uid_t member, char *const *paths, size_t n, dir_sizes_fn done, void *data, cerr *err);
