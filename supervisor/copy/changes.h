/* changes.c: corral-copy changes: what a container changed, from its overlay
 * upper directory, each path against the image's layers beside it: a whiteout
 * is deleted (D), a name the layers have is changed (C), any other added (A),
 * as docker diff and podman diff say. */
#pragma once
#include "supervisor/copy/copy.h"

/* Changes (changes.c): each path the upper directory changed, against
 * the lower layer directories (bottom first), as "KIND PATH" lines to out:
 * A added, C changed, D deleted. */
int copy_changes(const char *upper, char *const *lowers, FILE *out, cerr *err);
