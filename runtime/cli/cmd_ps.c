/* corral ps ID [--format table|json]: the container's processes, from its
 * cgroup, or from /proc when it has none (same pid namespace as the init,
 * or the init's descendants when it shares ours). */
#include "cli.h"
#include "runtime/cli/cmd_ps.h"
#include "runtime/container.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int push_pid(pid_t **v, size_t *n, pid_t p)
{
	pid_t *nv = realloc(*v, (*n + 1) * sizeof(pid_t));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = p;
	*v = nv;
	return 0;
}

static pid_t ppid_of(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *s = NULL;
	if (read_file(path, 4096, &s, NULL, NULL) < 0)
		return -1;
	char *c = strrchr(s, ')');
	int ppid = -1;
	char state;
	if (!c || sscanf(c + 1, " %c %d", &state, &ppid) != 2)
		return -1;
	return ppid;
}

static bool same_ns(pid_t pid, const struct stat *want)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == want->st_ino && st.st_dev == want->st_dev;
}

static bool in_list(const pid_t *v, size_t n, pid_t p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

static int walk_proc(pid_t init, pid_t **out, size_t *n, cerr *err)
{
	char path[64];
	struct stat theirs, ours;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)init);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/pid", &ours) < 0)
		return cerr_sys(err, errno, "pid namespace of %d", (int)init);
	bool own_ns = theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev;
	if (push_pid(out, n, init) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	/* descendants are found by repeated passes until none is added */
	for (bool added = true; added;) {
		added = false;
		_cleanup_closedir_ DIR *d = opendir("/proc");
		if (!d)
			return cerr_sys(err, errno, "/proc");
		for (struct dirent *e; (e = readdir(d));) {
			if (!isdigit((unsigned char)e->d_name[0]))
				continue;
			pid_t p = (pid_t)atoi(e->d_name);
			if (in_list(*out, *n, p))
				continue;
			bool inside = own_ns ? same_ns(p, &theirs) : in_list(*out, *n, ppid_of(p));
			if (inside) {
				if (push_pid(out, n, p) < 0)
					return cerr_set(err, ENOMEM, "out of memory");
				added = !own_ns;
			}
		}
	}
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static void print_cmdline(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	_cleanup_free_ char *s = NULL;
	size_t len = 0;
	if (read_file(path, 65536, &s, &len, NULL) < 0)
		len = 0;
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	printf("%s\n", len ? s : "?");
}

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c != 'f')
			return 1;
		if (!streq(optarg, "json") && !streq(optarg, "table")) {
			fprintf(stderr, "corral: ps: --format: \"%s\" must be table or json\n", optarg);
			return 1;
		}
		json = streq(optarg, "json");
	}
	if (optind >= argc) {
		fprintf(stderr, "corral: ps: missing container id\n");
		return 1;
	}
	const char *id = argv[optind];
	cerr err = { 0 };
	_cleanup_state_ struct rt_state *s = NULL;
	if (state_load(cli.root, id, &s, &err) < 0)
		return cli_fail(&err, "ps %s", id);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	enum rt_status st = state_status(cli.root, s);
	if (st != ST_STOPPED && st != ST_CREATING) {
		_cleanup_cg_ cg *group = NULL;
		int r;
		if (s->cgroup_path && cg_open(s->cgroup_mount, s->cgroup_path, &group, NULL) == 0)
			r = cg_pids(group, &pids, &n, &err);
		else
			r = walk_proc(s->pid, &pids, &n, &err);
		if (r < 0)
			return cli_fail(&err, "ps %s", id);
	}
	if (n)
		qsort(pids, n, sizeof(pid_t), cmp_pid);
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	printf("%-8s %s\n", "PID", "CMD");
	for (size_t i = 0; i < n; i++) {
		printf("%-8d ", (int)pids[i]);
		print_cmdline(pids[i]);
	}
	return 0;
}
