/* corral-monitor-lean: corral-monitor execs it once the container is started
 * (see steady.h). It links libc and yajl only, so 100 monitors share
 * few pages and each keeps few of its own. Not meant to be run by hand. */
#include "supervisor/monitor/steady.h"
#include "supervisor/monitor/monitor.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *cleanup_bin;

/* The runtime state is deleted by the full corral-monitor, in a child: we
 * keep our connections (corrald's sign that we are done) until it is. */
static int cleanup(const char *root, const char *id, cerr *err)
{
	if (!cleanup_bin)
		return cerr_set(err, EINVAL, "%s: no --cleanup-bin: runtime state left behind", id);
	pid_t p = fork();
	if (p < 0)
		return cerr_sys(err, errno, "fork");
	if (p == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl(cleanup_bin, "corral-monitor", "--cleanup", "--root", root, "--id", id, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(p, &st, 0) < 0)
		if (errno != EINTR)
			return cerr_sys(err, errno, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return cerr_set(err, EIO, "%s: %s --cleanup failed (status %d); see monitor.log", id, cleanup_bin, st);
	return 0;
}

static int num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return *s && !*end && v >= -1 && v <= INT_MAX ? (int)v : -2;
}

int main(int argc, char **argv)
{
	monitor_steady_opts o = { .pid = -1, .pidfd = -1, .fd = { -1, -1 }, .listen_fd = -1, .in_fd = -1, .mask_fd = -1,
				  .cleanup = cleanup };
	int attach[MONITOR_MAX_ATTACH];
	bool attach_stdin[MONITOR_MAX_ATTACH];
	static const struct option longs[] = {
		{ "dir", 1, NULL, 'd' }, { "root", 1, NULL, 'r' }, { "id", 1, NULL, 'i' },
		{ "pid", 1, NULL, 'p' }, { "pidfd", 1, NULL, 'P' }, { "out", 1, NULL, 'o' },
		{ "err", 1, NULL, 'e' }, { "listen", 1, NULL, 'l' }, { "started-at", 1, NULL, 't' },
		{ "log-max-size", 1, NULL, 'S' }, { "log-max-files", 1, NULL, 'F' },
		{ "cleanup-bin", 1, NULL, 'c' }, { "cgroup-mount", 1, NULL, 'm' },
		{ "cgroup-path", 1, NULL, 'g' }, { "in", 1, NULL, 'I' }, { "tty", 0, NULL, 'T' },
		{ "interactive", 0, NULL, 'n' }, { "attach", 1, NULL, 'a' }, { "mask-fd", 1, NULL, 'k' },
		{ "log-path", 1, NULL, 'O' }, { 0 },
	};
	int c;
	bool bad = false;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 'r': o.root = optarg; break;
		case 'i': o.id = optarg; break;
		case 'p': o.pid = num(optarg); break;
		case 'P': o.pidfd = num(optarg); break;
		case 'o': o.fd[0] = num(optarg); break;
		case 'e': o.fd[1] = num(optarg); break;
		case 'l': o.listen_fd = num(optarg); break;
		case 't': o.started_at = optarg; break;
		case 'S': o.log_max_size = strtoull(optarg, NULL, 10); break;
		case 'F': o.log_max_files = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'c': cleanup_bin = o.exec_bin = optarg; break;
		case 'm': o.cgroup_mount = optarg; break;
		case 'g': o.cgroup_path = optarg; break;
		case 'I': o.in_fd = num(optarg); break;
		case 'T': o.tty = true; break;
		case 'n': o.interactive = true; break;
		case 'k': o.mask_fd = num(optarg); break;
		case 'O': o.log_path = optarg; break;
		case 'a': { /* FD:STDIN, a client attached before the start */
			char *colon = strchr(optarg, ':');
			if (!colon || o.n_attach == MONITOR_MAX_ATTACH) {
				bad = true;
				break;
			}
			*colon = '\0';
			attach[o.n_attach] = num(optarg);
			attach_stdin[o.n_attach] = streq(colon + 1, "1");
			bad |= attach[o.n_attach++] < 0;
			break;
		}
		default: bad = true;
		}
	}
	o.attach_fds = attach;
	o.attach_stdin = attach_stdin;
	if (bad || o.in_fd < -1 || o.mask_fd < -1 || !o.dir || !o.root || !o.id || o.pid <= 0 || o.pidfd < 0 || o.listen_fd < 0 || o.fd[0] < -1 ||
	    o.fd[1] < -1 || optind != argc) {
		fprintf(stderr, "corral-monitor-lean: run by corral-monitor only\n");
		return 2;
	}
	/* ps and pgrep still see a corral-monitor */
	prctl(PR_SET_NAME, "corral-monitor");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	log_set_prog("corral-monitor");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/monitor.log", o.dir);
	log_set_file(path);
	cerr err = { 0 };
	if (monitor_steady_run(&o, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	return 0;
}
