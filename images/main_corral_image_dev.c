/* TEMPORARY development driver until runtime/main_corral.c lands. */
#include "images/cli.h"
#include <string.h>
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "image") == 0)
		return corral_cmd_image(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "bundle") == 0)
		return corral_cmd_bundle(argc - 1, argv + 1);
	return 2;
}
