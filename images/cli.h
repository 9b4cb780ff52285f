/* The `corral image` and `corral bundle` verbs. argv[0] is "image" or
 * "bundle"; the return value is the process exit code. */
#pragma once

int corral_cmd_image(int argc, char **argv);
int corral_cmd_bundle(int argc, char **argv);
