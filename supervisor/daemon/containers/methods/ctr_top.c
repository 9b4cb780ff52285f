/* Top: the processes of a container's cgroup (and of its execs' child
 * cgroups), read from /proc as ps reads them: PID as the container sees it
 * (the last NSpid), USER by the container's own /etc/passwd, TIME the CPU
 * time used, COMMAND its command line. Everything read is the container's
 * to write, so it is bounded and sent as text (jg_text). */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/record/ctr_reply.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "bundle/image_user.h"
#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMDLINE_MAX 4096

typedef struct proc_row {
	long nspid;
	unsigned uid;
	unsigned long long ticks; /* utime + stime */
	char cmd[CMDLINE_MAX];
} proc_row;

/* A small file of /proc/<pid>, NUL-terminated; its length, or -errno. */
static ssize_t read_proc(pid_t pid, const char *what, char *buf, size_t n)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t len = read(fd, buf, n - 1);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	return len;
}

static int read_row(pid_t pid, proc_row *r)
{
	char buf[4096];
	if (read_proc(pid, "status", buf, sizeof(buf)) < 0)
		return -ESRCH; /* gone since the cgroup listed it */
	const char *u = strstr(buf, "\nUid:"), *ns = strstr(buf, "\nNSpid:");
	r->uid = u ? (unsigned)strtoul(u + 5, NULL, 10) : 0;
	r->nspid = pid;
	if (ns) { /* the last number is the pid in the container's namespace */
		const char *end = strchr(ns + 1, '\n'), *p = end ? end : ns + strlen(ns);
		while (p > ns && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		while (p > ns && p[-1] >= '0' && p[-1] <= '9')
			p--;
		r->nspid = strtol(p, NULL, 10);
	}
	r->ticks = 0;
	if (read_proc(pid, "stat", buf, sizeof(buf)) > 0) {
		/* after the comm, which may hold anything up to its last ')' */
		const char *p = strrchr(buf, ')');
		unsigned long long ut = 0, st = 0;
		if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
			r->ticks = ut + st;
	}
	ssize_t n = read_proc(pid, "cmdline", r->cmd, sizeof(r->cmd));
	if (n <= 0) { /* a kernel thread, or a zombie: [comm], as ps shows it */
		char comm[64] = "";
		if (read_proc(pid, "comm", comm, sizeof(comm)) > 0)
			comm[strcspn(comm, "\n")] = '\0';
		snprintf(r->cmd, sizeof(r->cmd), "[%s]", comm);
		return 0;
	}
	while (n > 0 && r->cmd[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (r->cmd[i] == '\0')
			r->cmd[i] = ' ';
	r->cmd[n] = '\0';
	return 0;
}

static void gen_row(yajl_gen g, const proc_row *r, int rootfd, long hz)
{
	char pid[24], uid[24], time[32];
	snprintf(pid, sizeof(pid), "%ld", r->nspid);
	snprintf(uid, sizeof(uid), "%u", r->uid);
	unsigned long long s = r->ticks / (unsigned long long)hz;
	snprintf(time, sizeof(time), "%02llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
	_cleanup_free_ char *user = NULL;
	if (rootfd < 0 || image_user_name(rootfd, r->uid, &user) < 0)
		user = NULL;
	yajl_gen_array_open(g);
	jg_str(g, pid);
	jg_text(g, user ? user : uid, strlen(user ? user : uid));
	jg_str(g, time);
	jg_text(g, r->cmd, strlen(r->cmd));
	yajl_gen_array_close(g);
}

int sv_top(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, "id");
	if (!ctr_alive(c))
		return reply_bad_state(call, c, "it is not running");
	char path[PATH_MAX];
	ctr_cgroup_path(d, c, path, sizeof(path));
	_cleanup_cg_ cg *cgr = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	cerr err = { 0 };
	if (cg_open(NULL, path, &cgr, &err) < 0 || cg_pids(cgr, &pids, &n, &err) < 0)
		return sv_internal_err(call, &err);
	/* user names from the container's own files, resolved in its root */
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)c->pid);
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	long hz = sysconf(_SC_CLK_TCK);
	_cleanup_free_ proc_row *row = malloc(sizeof(*row));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!row || !g)
		return sv_internal(call, "out of memory");
	yajl_gen_map_open(g);
	jg_key(g, "titles");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < 4; i++)
		jg_str(g, (const char *[]){ "PID", "USER", "TIME", "COMMAND" }[i]);
	yajl_gen_array_close(g);
	jg_key(g, "processes");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		if (read_row(pids[i], row) == 0)
			gen_row(g, row, rootfd, hz > 0 ? hz : 100);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return vl_call_reply_gen(call, g);
}

/* Port: the ports a container publishes (spec.ports), as its network's
 * portmap plugin was given them. */
int sv_port(vl_call *call, yajl_val params, void *ud)
{
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f, "id");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_map_open(g) || jg_key(g, "ports") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < c->spec.n_ports; i++) {
		const cni_port *p = &c->spec.ports[i];
		r = yajl_gen_map_open(g) || jg_key_str(g, "hostIP", p->host_ip) || jg_key_int(g, "hostPort", p->host_port) ||
		    jg_key_int(g, "containerPort", p->container_port) || jg_key_str(g, "protocol", p->protocol) ||
		    yajl_gen_map_close(g);
	}
	if (r || yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, NULL);
	return vl_call_reply_gen(call, g);
}
