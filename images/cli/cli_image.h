/* cli_image.c: corral-images image: the image verbs, dispatched. */
#pragma once
#include "images/cli/img_cli.h"

int corral_cmd_image(int argc, char **argv);
