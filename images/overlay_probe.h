/* Whether overlayfs can use a directory for rootfs upper and work
 * directories. An upper on overlayfs (a CI runner's root, an image built in
 * a container) fails at the first mount with a bare EINVAL; these say
 * which filesystem it is, and what to do instead. */
#pragma once
#include <stddef.h>
#include "common/error.h"

/* path's filesystem, by name ("overlayfs", "tmpfs", "ext4", ...), or
 * "type 0x..." for one this does not know. */
const char *fs_name_of(const char *path, char *buf, size_t n);
/* Mount a throwaway overlay whose upper and work directories are in dir
 * (made and removed here); 0, or err says why not. */
int overlay_probe(const char *dir, cerr *err);
/* Why an overlay with upper there failed with EINVAL, as far as the
 * filesystem tells: "" when it looks fit. */
const char *overlay_unfit(const char *upper, char *buf, size_t n);
