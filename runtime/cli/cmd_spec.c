/* corral spec: write a default config.json, as `runc spec` does. */
#include "cli.h"
#include "runtime/cli/cmd_spec.h"
#include "bundle/spec.h"
#include "bundle/spec_json.h"
#include "bundle/spec_default.h"
#include "bundle/spec_parse.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' }, { "rootless", no_argument, NULL, 'r' }, { NULL, 0, NULL, 0 },
	};
	const char *bundle = ".";
	bool rootless = false;
	int c;
	while ((c = getopt_long(argc, argv, "b:", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return 1;
	}
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "corral: spec: %s exists: remove it first\n", path);
		return 1;
	}
	_cleanup_free_ char *json = spec_default_json(rootless);
	cerr err = { 0 };
	_cleanup_spec_ struct oci_spec *s = NULL;
	if (spec_parse(json, &s, &err) < 0)
		return cli_fail(&err, "spec");
	_cleanup_free_ char *out = spec_to_json(s, true);
	if (!out)
		return 1;
	size_t len = strlen(out);
	out[len] = '\0';
	_cleanup_free_ char *text = NULL;
	if (asprintf(&text, "%s\n", out) < 0)
		return 1;
	if (write_file_atomic(path, text, strlen(text), 0644, &err) < 0)
		return cli_fail(&err, "spec");
	return 0;
}
