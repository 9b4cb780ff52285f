/* cli_image_commit.c: corral image commit: a new image from a parent and a
 * container's changes (its upper directory), or a tar on fd 3 (an import),
 * with a patch of its "config" object on stdin or in --config (none: the
 * parent's). */
#pragma once
#include "images/cli/img_cli.h"

/* cli_image_commit.c: image commit, with its own options. */
int cli_image_commit(int argc, char **argv);
