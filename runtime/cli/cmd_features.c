/* corral features: print the runtime-spec features document. */
#include "cli.h"
#include "runtime/cli/cmd_features.h"
#include "runtime/features.h"
#include "common/cleanup.h"

#include <stdio.h>

int cmd_features(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "corral: features: unexpected argument \"%s\"\n", argv[1]);
		return 1;
	}
	_cleanup_free_ char *j = features_json(cli.rootless, cli.root);
	if (!j) {
		fprintf(stderr, "corral: features: out of memory\n");
		return 1;
	}
	printf("%s\n", j);
	/* said plainly too: a container that limits these cannot be made here */
	char missing[1280];
	features_missing_controllers(missing, sizeof(missing));
	if (missing[0])
		fprintf(stderr, "corral: features: %s; a container that sets limits on them cannot be created\n", missing);
	return 0;
}
