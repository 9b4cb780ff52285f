/* corral events [--stats] [--interval D] ID: the container's cgroup stats
 * as JSON, once (--stats) or every interval, and an "oom" event whenever
 * the kernel OOM-kills one of its processes; runc's format. */
#include "cli.h"
#include "runtime/cli/cmd_events.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "cgroups/stats.h"
#include "cgroups/cg_stats.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static int print_event(const char *type, const char *id, const struct cg_stats *s)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "type", type) || jg_key_str(g, "id", id))
		return -ENOMEM;
	if (s && (jg_key(g, "data") || cg_stats_json(s, g)))
		return -ENOMEM;
	if (yajl_gen_map_close(g))
		return -ENOMEM;
	_cleanup_free_ char *j = jg_finish(g, NULL);
	if (!j)
		return -ENOMEM;
	printf("%s\n", j);
	fflush(stdout);
	return 0;
}

/* "5s", "500ms", "1m" or plain seconds. */
static int parse_interval(const char *s, int *ms)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v <= 0)
		return -EINVAL;
	double mul = streq(end, "ms") ? 1 : (!*end || streq(end, "s")) ? 1000 : streq(end, "m") ? 60000 : -1;
	if (mul < 0 || v * mul > 86400000.0)
		return -EINVAL;
	*ms = (int)(v * mul) > 0 ? (int)(v * mul) : 1;
	return 0;
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' }, { "interval", required_argument, NULL, 'i' }, { NULL, 0, NULL, 0 },
	};
	bool once = false;
	int interval = 5000, o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's': once = true; break;
		case 'i':
			if (parse_interval(optarg, &interval) < 0) {
				fprintf(stderr, "corral: events: --interval \"%s\" is not a duration such as 5s\n", optarg);
				return 1;
			}
			break;
		default: return 1;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "corral: events: expected exactly one container id\n");
		return 1;
	}
	const char *id = argv[optind];
	cerr err = { 0 };
	_cleanup_state_ struct rt_state *s = NULL;
	_cleanup_cg_ cg *c = NULL;
	if (container_open_cgroup(cli.root, id, true, &s, &c, &err) < 0)
		return cli_fail(&err, "events");
	uint64_t ooms = 0;
	cg_oom_kills(c, &ooms);
	/* memory.events changes are signalled with POLLPRI, like cgroup.events */
	_cleanup_close_ int evfd = openat(c->dirfd, "memory.events", O_RDONLY | O_CLOEXEC);
	int waited = interval;
	for (;;) {
		if (once || waited >= interval) {
			struct cg_stats st;
			if (cg_stats_read(c, &st, &err) < 0)
				return cli_fail(&err, "events %s", id);
			int r = print_event("stats", id, &st);
			cg_stats_release(&st);
			if (r < 0 || once)
				return r < 0 ? 1 : 0;
			waited = 0;
		}
		struct pollfd p = { .fd = evfd, .events = POLLPRI };
		int step = interval - waited < 1000 ? interval - waited : 1000;
		poll(&p, evfd >= 0 ? 1 : 0, step);
		waited += step;
		uint64_t now = ooms;
		if (cg_oom_kills(c, &now) == 0 && now > ooms) {
			ooms = now;
			print_event("oom", id, NULL);
		}
		if (state_status(cli.root, s) == ST_STOPPED)
			return 0;
	}
}
