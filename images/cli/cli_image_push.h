/* cli_image_push.c: corral image push IMAGE DESTINATION: its progress lines
 * on stdout with --progress lines (corrald reads them), then "DIGEST SIZE
 * REF". */
#pragma once
#include "images/cli/img_cli.h"

/* cli_image_push.c: image push IMAGE DESTINATION, after the options. */
int cli_image_push(const char *store, const struct reg_conf *rc, const char *authfile, int auth_fd, const char *prog,
		   int argc, char **argv);
