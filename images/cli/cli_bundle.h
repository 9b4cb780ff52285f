/* cli_bundle.c: corral-images bundle: an OCI bundle from an image. */
#pragma once
#include "images/cli/img_cli.h"

int corral_cmd_bundle(int argc, char **argv);
