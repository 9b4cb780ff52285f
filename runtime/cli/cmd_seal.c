/* corral seal [--remove] [PATH...]: keep a sealed view of the runtime's
 * binaries bound over them, so that create, run and exec need not seal
 * themselves on each call (corral-seal.service runs it at boot). */
#include "cli.h"
#include "runtime/cli/cmd_seal.h"
#include "runtime/sealed_exe.h"
#include "common/cleanup.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_seal(int argc, char **argv)
{
	static const struct option opts[] = { { "remove", no_argument, NULL, 'r' }, { 0 } };
	bool remove = false;
	for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		if (c != 'r')
			return 1;
		remove = true;
	}
	cerr err = { 0 };
	const char *self[] = { sealed_exe_origin() };
	char *const *paths = optind < argc ? argv + optind : (char *const *)self;
	int n = optind < argc ? argc - optind : 1;
	_cleanup_free_ bool *sealed = calloc((size_t)n, sizeof(*sealed));
	if (!sealed) {
		fprintf(stderr, "corral: seal: out of memory\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		int r = remove ? sealed_exe_remove(paths[i], &err) : sealed_exe_install(paths[i], &err);
		if (r < 0) {
			/* all or nothing: the views this call bound come off again */
			for (int j = i; !remove && j-- > 0;) {
				_cleanup_cerr_ cerr ignored = { 0 };
				if (sealed[j])
					sealed_exe_remove(paths[j], &ignored);
			}
			return cli_fail(&err, "seal");
		}
		sealed[i] = r == 0;
		if (r > 0)
			fprintf(stderr, "corral: seal: %s %s\n", paths[i],
				remove ? "holds no sealed view: nothing to remove" : "runs sealed already");
	}
	return 0;
}
