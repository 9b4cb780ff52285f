/* corral-images: the `corral image` and `corral bundle` verbs. `corral`
 * execs it for them, so that the runtime's own commands never load
 * libarchive and libcrypto. */
#include "images/cli/img_cli.h"
#include "images/cli/cli_bundle.h"
#include "images/cli/cli_image.h"
#include "common/cleanup.h"
#include "common/cliopts.h"
#include "common/log.h"

#include <stdio.h>
#include <string.h>

static void usage(bool to_stdout)
{
	fprintf(to_stdout ? stdout : stderr, "usage: corral [global options] image|bundle ... (see corral-image(8))\n");
}

int main(int argc, char **argv)
{
	log_set_prog("corral");
	struct cli_global g = { 0 };
	int at = cli_parse_global(argc, argv, &g, usage);
	if (at <= 0)
		return at < 0 ? 1 : 0;
	char **sub = argv + at;
	int n = argc - at;
	if (streq(sub[0], "image"))
		return corral_cmd_image(n, sub);
	if (streq(sub[0], "bundle"))
		return corral_cmd_bundle(n, sub);
	fprintf(stderr, "corral: unknown command \"%s\" (see corral --help)\n", sub[0]);
	return 1;
}
