/* Top: the processes of a container's cgroup (and of its execs' child
 * cgroups), read from /proc as ps reads them: PID as the container sees it
 * (the last NSpid), USER by the container's own /etc/passwd, TIME the CPU
 * time used, COMMAND its command line; or, as Docker's top runs ps -ef on
 * the host, UID PID PPID C STIME TTY TIME CMD with the host's pids.
 * Everything read is the container's to write, so it is bounded and sent
 * as text (jg_text). */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/methods/ctr_top.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "supervisor/loop/child.h"
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
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define CMDLINE_MAX 4096
#define TOP_TIMEOUT_USEC (10ull * 1000000)
#define TOP_MAX_REPLY (8u << 20)

typedef struct proc_row {
	pid_t pid, ppid;
	long nspid;
	unsigned uid;
	int tty;                  /* tty_nr: 0 for none */
	unsigned long long ticks; /* utime + stime */
	unsigned long long start; /* starttime: ticks after boot */
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
	r->pid = r->nspid = pid;
	if (ns) { /* the last number is the pid in the container's namespace */
		const char *end = strchr(ns + 1, '\n'), *p = end ? end : ns + strlen(ns);
		while (p > ns && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		while (p > ns && p[-1] >= '0' && p[-1] <= '9')
			p--;
		r->nspid = strtol(p, NULL, 10);
	}
	r->ticks = r->start = 0;
	r->ppid = 0;
	r->tty = 0;
	if (read_proc(pid, "stat", buf, sizeof(buf)) > 0) {
		/* after the comm, which may hold anything up to its last ')' */
		const char *p = strrchr(buf, ')');
		unsigned long long ut = 0, st = 0, start = 0;
		int ppid = 0, tty = 0;
		if (p && sscanf(p + 1, " %*c %d %*d %*d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu",
				&ppid, &tty, &ut, &st, &start) == 5)
			r->ppid = ppid, r->tty = tty, r->ticks = ut + st, r->start = start;
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

/* What a row needs beside the process: the container's root for user
 * names (and the last few found there), the clock's ticks a second, and
 * (ps -ef) the boot time and uptime. */
typedef struct top_ctx {
	int rootfd;
	long hz;
	bool ps_ef;
	time_t boot;
	unsigned long long uptime_ticks;
	struct {
		unsigned uid;
		char *name; /* NULL: none there */
	} users[8];
	size_t n_users;
} top_ctx;

/* uid's name in the container's /etc/passwd, looked up once a Top for
 * the first few uids (the file is the container's: it may be large) */
static const char *user_of(top_ctx *x, unsigned uid)
{
	for (size_t i = 0; i < x->n_users; i++)
		if (x->users[i].uid == uid)
			return x->users[i].name;
	char *name = NULL;
	if (x->rootfd < 0 || image_user_name(x->rootfd, uid, &name) < 0)
		name = NULL;
	if (x->n_users < sizeof(x->users) / sizeof(x->users[0]))
		x->users[x->n_users].uid = uid, x->users[x->n_users++].name = name;
	else
		free(name), name = NULL; /* a ninth uid: its number */
	return name;
}

/* ps -ef's TTY: pts/N, ttyN, or ? */
static void tty_name(int nr, char *out, size_t n)
{
	unsigned maj = major((dev_t)nr), min = minor((dev_t)nr);
	if (!nr)
		snprintf(out, n, "?");
	else if (maj >= 136 && maj <= 143)
		snprintf(out, n, "pts/%u", (maj - 136) * 256 + min);
	else if (maj == 4 && min < 64)
		snprintf(out, n, "tty%u", min);
	else
		snprintf(out, n, "?");
}

/* ps -ef's columns: UID PID PPID C STIME TTY TIME CMD */
static void gen_row_ef(yajl_gen g, const proc_row *r, const char *user, const char *cputime, const top_ctx *x)
{
	char pid[24], ppid[24], c[24], stime[32], tty[24];
	snprintf(pid, sizeof(pid), "%d", (int)r->pid);
	snprintf(ppid, sizeof(ppid), "%d", (int)r->ppid);
	/* C: the CPU used over the process's life, in percent, as ps gives it */
	unsigned long long life = x->uptime_ticks > r->start ? x->uptime_ticks - r->start : 0;
	snprintf(c, sizeof(c), "%llu", life ? r->ticks * 100 / life : 0);
	/* STIME: HH:MM when it started today, else Mon DD */
	time_t started = x->boot + (time_t)(r->start / (unsigned long long)x->hz), now = time(NULL);
	struct tm st, nt;
	localtime_r(&started, &st);
	localtime_r(&now, &nt);
	strftime(stime, sizeof(stime), st.tm_yday == nt.tm_yday && st.tm_year == nt.tm_year ? "%H:%M" : "%b%d", &st);
	tty_name(r->tty, tty, sizeof(tty));
	yajl_gen_array_open(g);
	jg_text(g, user, strlen(user));
	jg_str(g, pid);
	jg_str(g, ppid);
	jg_str(g, c);
	jg_str(g, stime);
	jg_str(g, tty);
	jg_str(g, cputime);
	jg_text(g, r->cmd, strlen(r->cmd));
	yajl_gen_array_close(g);
}

static void gen_row(yajl_gen g, const proc_row *r, top_ctx *x)
{
	char pid[24], uid[24], time[32];
	snprintf(pid, sizeof(pid), "%ld", r->nspid);
	snprintf(uid, sizeof(uid), "%u", r->uid);
	unsigned long long s = r->ticks / (unsigned long long)x->hz;
	snprintf(time, sizeof(time), "%02llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
	const char *user = user_of(x, r->uid);
	if (x->ps_ef) {
		gen_row_ef(g, r, user ? user : uid, time, x);
		return;
	}
	yajl_gen_array_open(g);
	jg_str(g, pid);
	jg_text(g, user ? user : uid, strlen(user ? user : uid));
	jg_str(g, time);
	jg_text(g, r->cmd, strlen(r->cmd));
	yajl_gen_array_close(g);
}

/* What the child is given: the container's init and cgroup, and the columns */
typedef struct top_call {
	vl_call *call; /* NULL once answered, or the caller hung up */
	el_child *child;
	el_source *timer;
	pid_t pid;
	char cgroup[PATH_MAX];
	bool ps_ef;
} top_call;

/* In the child: the reply's parameters on stdout; 1 with why on stderr */
static int top_main(void *arg)
{
	const top_call *t = arg;
	_cleanup_cg_ cg *cgr = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	cerr err = { 0 };
	if (cg_open(NULL, t->cgroup, &cgr, &err) < 0 || cg_pids(cgr, &pids, &n, &err) < 0) {
		fprintf(stderr, "%s", cerr_msg(&err));
		return 1;
	}
	/* user names from the container's own files, resolved in its root */
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)t->pid);
	long hz = sysconf(_SC_CLK_TCK);
	top_ctx x = { .rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), .hz = hz > 0 ? hz : 100, .ps_ef = t->ps_ef };
	struct sysinfo si;
	if (x.ps_ef && sysinfo(&si) == 0) {
		x.boot = time(NULL) - si.uptime;
		x.uptime_ticks = (unsigned long long)si.uptime * (unsigned long long)x.hz;
	}
	static const char *const ps[] = { "PID", "USER", "TIME", "COMMAND", NULL },
				 *const ps_ef[] = { "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD", NULL };
	_cleanup_free_ proc_row *row = malloc(sizeof(*row));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!row || !g || yajl_gen_map_open(g))
		return 1;
	jg_key(g, "titles");
	yajl_gen_array_open(g);
	for (const char *const *c = x.ps_ef ? ps_ef : ps; *c; c++)
		jg_str(g, *c);
	yajl_gen_array_close(g);
	jg_key(g, "processes");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		if (read_row(pids[i], row) == 0)
			gen_row(g, row, &x);
	yajl_gen_array_close(g);
	size_t len;
	_cleanup_free_ char *text = yajl_gen_map_close(g) ? NULL : jg_finish(g, &len);
	return text && write_all(1, text, len) == 0 ? 0 : 1;
}

static void top_free(top_call *t)
{
	el_remove(t->timer);
	free(t);
}

static void top_done(const el_child_result *r, void *data)
{
	top_call *t = data;
	vl_call *call = t->call;
	if (call) {
		vl_call_set_cancel(call, NULL, NULL);
		if (r->code == 0 && !r->truncated && r->out[0].len)
			vl_call_reply(call, r->out[0].buf);
		else
			sv_internal(call, r->truncated ? "more processes than a reply holds"
					  : r->out[1].len ? r->out[1].buf
							  : "reading the processes failed");
	}
	top_free(t);
}

/* The caller hung up, or the child took too long: it is killed, and
 * top_done frees what it had once it has ended */
static void top_end(top_call *t, const char *why)
{
	if (t->call) {
		vl_call_set_cancel(t->call, NULL, NULL);
		if (why)
			sv_internal(t->call, why);
		t->call = NULL;
	}
	el_child_kill(t->child);
}

static void top_cancelled(vl_call *call, void *data)
{
	top_call *t = data;
	t->call = NULL;
	top_end(t, NULL);
}

static void top_timed_out(el_source *s, void *data)
{
	top_call *t = data;
	el_remove(s);
	t->timer = NULL;
	top_end(t, "reading the container's processes took longer than 10 seconds");
}

/* The container's files and memory are its own to make slow (a FUSE file
 * system bound over its /etc, a command line mapped from one): they are
 * read in a child, never in the loop. */
int sv_top(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *columns;
	CTR_METHOD_TARGET(c, d, call, params, f, SP_NAME("columns", false, &columns));
	if (columns && !streq(columns, "ps") && !streq(columns, "ps-ef"))
		return sv_invalid(call, "columns", "must be ps or ps-ef");
	if (!ctr_alive(c))
		return reply_bad_state(call, c, "it is not running");
	top_call *t = calloc(1, sizeof(*t));
	if (!t)
		return sv_internal(call, "out of memory");
	*t = (top_call){ .call = call, .pid = c->pid, .ps_ef = columns && streq(columns, "ps-ef") };
	ctr_cgroup_path(d, c, t->cgroup, sizeof(t->cgroup));
	el_child_opts o = { .fn = top_main, .arg = t, .fd3 = SPAWN_NULL, .max_output = TOP_MAX_REPLY,
			    .member = vl_call_peer(call)->uid };
	cerr err = { 0 };
	if (el_add_timer(d->loop, TOP_TIMEOUT_USEC, false, top_timed_out, t, &t->timer, &err) < 0 ||
	    el_child_run(d->loop, &o, top_done, t, &t->child, &err) < 0) {
		top_free(t);
		return sv_internal_err(call, &err);
	}
	vl_call_set_cancel(call, top_cancelled, t);
	return 0; /* top_done answers */
}

/* Port: the ports a container publishes (spec.ports), as its network's
 * portmap plugin was given them. */
int sv_port(vl_call *call, yajl_val params, void *ud)
{
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f);
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
