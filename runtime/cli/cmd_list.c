/* corral list: a table, or JSON with --format json. */
#include "cli.h"
#include "runtime/cli/cmd_list.h"
#include "runtime/container.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "quiet", no_argument, NULL, 'q' }, { NULL, 0, NULL, 0 },
	};
	bool json = false, quiet = false;
	int c;
	while ((c = getopt_long(argc, argv, "f:q", opts, NULL)) != -1) {
		if (c == 'f') {
			if (!streq(optarg, "json") && !streq(optarg, "table")) {
				fprintf(stderr, "corral: list: --format: \"%s\" must be table or json\n", optarg);
				return 1;
			}
			json = streq(optarg, "json");
		} else if (c == 'q') {
			quiet = true;
		} else {
			return 1;
		}
	}
	_cleanup_closedir_ DIR *d = opendir(cli.root);
	if (!d && errno != ENOENT) {
		fprintf(stderr, "corral: list: %s: %s\n", cli.root, strerror(errno));
		return 1;
	}
	if (json)
		printf("[");
	else if (!quiet)
		printf("%-24s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	bool first = true;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_state_ struct rt_state *s = NULL;
		if (state_load(cli.root, de->d_name, &s, NULL) < 0)
			continue;
		enum rt_status st = state_status(cli.root, s);
		pid_t pid = st == ST_STOPPED ? 0 : s->pid;
		if (json) {
			_cleanup_free_ char *j = state_to_json(s, st, false);
			if (j)
				printf("%s%s", first ? "" : ",", j);
		} else if (quiet) {
			printf("%s\n", s->id);
		} else {
			printf("%-24s %-8d %-10s %-40s %-30s %s\n", s->id, (int)pid, rt_status_names[st],
			       s->bundle ? s->bundle : "", s->created ? s->created : "", s->owner ? s->owner : "");
		}
		first = false;
	}
	if (json)
		printf("]\n");
	return 0;
}
