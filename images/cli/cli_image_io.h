/* cli_image_io.c: corral image save, load and tag, as podman's; cli_image.c
 * parses the options and calls these with what follows the verb. */
#pragma once
#include "images/cli/img_cli.h"

/* cli_image_io.c: image save, load and tag, after the options. */
int cli_image_save(const char *store, const char *format, const char *output, const char *name, int argc,
		   char **argv);
int cli_image_load(const char *store, struct import_opts *o, const char *input, int argc, char **argv);
int cli_image_tag(const char *store, uid_t owner, int argc, char **argv);
