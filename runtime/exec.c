/* corral exec. Three processes: the caller (P) stays in the host's
 * namespaces to write the pid file, reach the console socket and wait; a
 * helper (C), cloned straight into the container's cgroup, joins all the
 * init's namespaces at once with setns(pidfd); C clones the process (G)
 * with CLONE_PARENT, so G lands in the container's pid and time
 * namespaces yet is P's child, and P can wait for its exit status. */
#include "exec.h"
#include "bundle/spec_parse.h"
#include "bundle/parse_linux.h"
#include "apparmor.h"
#include "preserved_fds.h"
#include "procwait.h"
#include "creds.h"
#include "exec_path.h"
#include "home_env.h"
#include "seccomp.h"
#include "runtime/seccomp_notify.h"
#include "runtime/seccomp_cache.h"
#include "selinux.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The process to run: a working copy whose pointers are borrowed from the
 * container's config or the --process file, plus what we built. */
struct exec_proc {
	struct oci_process p;
	struct oci_process from_file;
	char **env;
	int *caps[CAPSET_COUNT];
	int host_proc;               /* the host's /proc, to reach G's AppArmor exec attribute; -1 if no profile */
};

static void exec_proc_release(struct exec_proc *x)
{
	spec_process_free(&x->from_file);
	strv_free(x->env);
	for (int i = 0; i < CAPSET_COUNT; i++)
		free(x->caps[i]);
	if (x->host_proc >= 0)
		close(x->host_proc);
	x->host_proc = -1;
}

static bool env_key_eq(const char *a, const char *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");
	return la == lb && strncmp(a, b, la) == 0;
}

static int merge_env(struct exec_proc *x, char **extra, cerr *err)
{
	for (char **e = extra; *e; e++)
		if (!strchr(*e, '=') || **e == '=')
			return cerr_set(err, EINVAL, "--env \"%s\": must be KEY=VALUE", *e);
	char **out = NULL;
	for (char **b = x->p.env; b && *b; b++) {
		bool replaced = false;
		for (char **e = extra; *e && !replaced; e++)
			replaced = env_key_eq(*b, *e);
		char *d = replaced ? NULL : strdup(*b);
		if (!replaced && (!d || strv_push(&out, d) < 0))
			return free(d), strv_free(out), cerr_set(err, ENOMEM, "out of memory");
	}
	for (char **e = extra; *e; e++) {
		char *d = strdup(*e);
		if (!d || strv_push(&out, d) < 0)
			return free(d), strv_free(out), cerr_set(err, ENOMEM, "out of memory");
	}
	x->env = x->p.env = out;
	return 0;
}

static int parse_id(const char *s, const char *end, uint32_t *out)
{
	if (s == end)
		return -EINVAL;
	unsigned long long v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9' || (v = v * 10 + (unsigned)(*p - '0')) > UINT32_MAX - 1)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_user(struct exec_proc *x, const char *spec, cerr *err)
{
	const char *colon = strchr(spec, ':');
	const char *end = colon ? colon : spec + strlen(spec);
	if (parse_id(spec, end, &x->p.user.uid) < 0 || (colon && parse_id(colon + 1, colon + strlen(colon), &x->p.user.gid) < 0))
		return cerr_set(err, EINVAL, "--user \"%s\": must be UID or UID:GID (numbers)", spec);
	if (!colon)
		x->p.user.gid = 0;
	return 0;
}

/* --cap: added to the bounding, effective and permitted sets, as runc. */
static int add_caps(struct exec_proc *x, char **names, cerr *err)
{
	size_t n = strv_length(names);
	static const int sets[] = { CAPSET_BOUNDING, CAPSET_EFFECTIVE, CAPSET_PERMITTED };
	struct oci_caps *c = &x->p.caps;
	for (size_t k = 0; k < ARRAY_SIZE(sets); k++) {
		int set = sets[k];
		size_t old = c->present && c->has[set] ? c->n[set] : 0;
		int *v = calloc(old + n + 1, sizeof(int));
		if (!v)
			return cerr_set(err, ENOMEM, "out of memory");
		if (old)
			memcpy(v, c->caps[set], old * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			cap_value_t cv;
			if (cap_from_name(names[i], &cv) < 0) {
				free(v);
				return cerr_set(err, EINVAL, "--cap \"%s\": unknown capability", names[i]);
			}
			v[old + i] = cv;
		}
		x->caps[set] = c->caps[set] = v;
		c->n[set] = old + n;
		c->has[set] = true;
	}
	c->present = true;
	return 0;
}

static int build_process(const struct exec_opts *o, const struct oci_spec *oci, struct exec_proc *x, cerr *err)
{
	int r;
	if (o->process_file) {
		if ((r = spec_process_load(o->process_file, &x->from_file, err)) < 0)
			return cerr_wrap(err, "--process");
		x->p = x->from_file;
	} else {
		if (!o->args || !o->args[0] || !o->args[0][0])
			return cerr_set(err, EINVAL, "no command given (args or --process)");
		x->p = oci->process;
		x->p.args = o->args;
		x->p.terminal = false;
		x->p.has_console_size = false;
	}
	if (o->env && o->env[0] && (r = merge_env(x, o->env, err)) < 0)
		return r;
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return cerr_set(err, EINVAL, "--cwd \"%s\": must be an absolute path", o->cwd);
		x->p.cwd = (char *)o->cwd;
	}
	if (o->user && (r = parse_user(x, o->user, err)) < 0)
		return r;
	if (o->caps && o->caps[0] && (r = add_caps(x, o->caps, err)) < 0)
		return r;
	bool own_label = o->process_label && o->process_label[0];
	if (own_label)
		x->p.selinux_label = (char *)o->process_label;
	if ((r = selinux_check_label(x->p.selinux_label, own_label ? "--process-label" : "process.selinuxLabel", err)) < 0)
		return r;
	if (o->no_new_privs)
		x->p.no_new_privileges = true;
	/* as runc: --apparmor, else the process file's, else the container's */
	if (o->apparmor)
		x->p.apparmor_profile = (char *)o->apparmor;
	else if (!x->p.apparmor_profile || !x->p.apparmor_profile[0])
		x->p.apparmor_profile = oci->process.apparmor_profile;
	if ((r = apparmor_check(x->p.apparmor_profile, o->apparmor ? "--apparmor" : "process.apparmorProfile", err)) < 0)
		return r;
	if (x->p.apparmor_profile && x->p.apparmor_profile[0]) {
		/* above the fds passed on, so that G never hands it to the process */
		_cleanup_close_ int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (proc < 0 || (x->host_proc = fcntl(proc, F_DUPFD_CLOEXEC, 3 + o->preserve_fds)) < 0)
			return cerr_sys(err, errno, "open /proc");
	}
	if (o->tty_set)
		x->p.terminal = o->tty;
	if (x->p.terminal && o->detach && !o->console_socket && o->console_fd <= 0)
		return cerr_set(err, EINVAL, "--tty with --detach needs --console-socket");
	if (!x->p.terminal && (o->console_socket || o->console_fd > 0))
		return cerr_set(err, EINVAL, "--console-socket given without a terminal (--tty)");
	return 0;
}

static const struct {
	const char *name;
	int flag;
} ns_files[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },	{ "pid", CLONE_NEWPID },   { "net", CLONE_NEWNET },
	{ "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

/* The namespaces in which the init differs from us: joining one we are
 * already in is refused for the user namespace, and pointless for the rest. */
static int ns_flags(pid_t pid, int *flags, cerr *err)
{
	*flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ns_files); i++) {
		char theirs[64], ours[64];
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, ns_files[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns_files[i].name);
		struct stat a, b;
		if (stat(ours, &b) < 0)
			continue; /* a kernel without this namespace type */
		if (stat(theirs, &a) < 0)
			return cerr_sys(err, errno, "namespaces of the container init: %s", theirs);
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			*flags |= ns_files[i].flag;
	}
	return 0;
}

static _Noreturn void child_fail(int sock, cerr *err)
{
	sync_send(sock, SYNC_ERROR, err->code, cerr_msg(err), -1);
	_exit(127);
}

/* G: already in every namespace and the cgroup; become the process. */
static _Noreturn void exec_process(const struct exec_proc *x, const struct exec_opts *o,
				   const struct oci_seccomp *sc, int sock)
{
	cerr err = { 0 };
	const struct oci_process *p = &x->p;
	if (setsid() < 0) {
		cerr_sys(&err, errno, "setsid");
		child_fail(sock, &err);
	}
	if (p->terminal) {
		_cleanup_close_ int master = -1, slave = -1;
		if (tty_open_in_root("/", &master, &slave, &err) < 0 || tty_attach_slave(master, &err) < 0)
			child_fail(sock, &err);
		if (p->has_console_size)
			tty_set_size(master, p->console_height, p->console_width);
		if (sync_send(sock, SYNC_PTY, 0, NULL, master) < 0) {
			cerr_sys(&err, errno, "send the pty");
			child_fail(sock, &err);
		}
	}
	if (enter_cwd_in_root(p->cwd, false, &err) < 0 || creds_apply_rlimits(p, &err) < 0)
		child_fail(sock, &err);
	/* the profile for our execve, and the host's /proc closed, before the
	 * fds to pass on lose close-on-exec */
	if (x->host_proc >= 0) {
		_cleanup_close_ int attr = apparmor_open_exec_attr(x->host_proc, 3 + o->preserve_fds, &err);
		if (attr < 0 || apparmor_exec_profile(attr, p->apparmor_profile, &err) < 0)
			child_fail(sock, &err);
		close(x->host_proc);
	}
	_cleanup_free_ char *exe = NULL;
	if (exec_find(p->args[0], p->env, &exe, &err) < 0 || preserved_fds_pass(o->preserve_fds, &err) < 0)
		child_fail(sock, &err);
	/* read while still root, before seccomp */
	_cleanup_strv_ char **home_env = env_with_home(p->env, p->user.uid);
	/* the container's filter, placed as the init places it */
	bool sc_early = sc && !p->no_new_privileges;
	int notify_fd = -1;
	if (sc_early && seccomp_apply(sc, &notify_fd, &err) < 0)
		child_fail(sock, &err);
	if (creds_apply_user_caps(p, &err) < 0)
		child_fail(sock, &err);
	if (sc && !sc_early && seccomp_apply(sc, &notify_fd, &err) < 0)
		child_fail(sock, &err);
	if (notify_fd >= 0) {
		if (sync_send(sock, SYNC_SECCOMP_FD, 0, NULL, notify_fd) < 0) {
			cerr_sys(&err, errno, "linux.seccomp: send the notify fd");
			child_fail(sock, &err);
		}
		close(notify_fd);
	}
	execve(exe, p->args, home_env ? home_env : p->env ? p->env : (char *[]){ NULL });
	cerr_sys(&err, errno, "exec %s", exe);
	child_fail(sock, &err);
}

/* C: join the init's namespaces, then clone G as P's child. */
static _Noreturn void exec_helper(const struct exec_proc *x, const struct exec_opts *o,
				  const struct oci_seccomp *sc, int sock, int init_pidfd, int init_root, int flags)
{
	cerr err = { 0 };
	reset_signals();
	/* before the container can see us: none of the runtime's fds (the
	 * cgroup directory, the caller's own), and no /proc access to our
	 * memory, fds or binary until execve; our channel stays above the fds
	 * passed on, so that it is never one of them */
	int first = 3 + o->preserve_fds;
	if (sock < first) {
		int moved = fcntl(sock, F_DUPFD_CLOEXEC, first);
		close(sock);
		sock = moved;
	}
	int keep[] = { sock, init_pidfd, init_root, x->host_proc };
	int r = sock < 0 ? -EBADF : close_other_fds(first, keep, ARRAY_SIZE(keep));
	if (r < 0) {
		cerr_sys(&err, -r, "close the runtime's fds");
		child_fail(sock, &err);
	}
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* inherited by the process; written while we may still write it */
	if (x->p.has_oom_score_adj && creds_set_oom_score_adj(getpid(), x->p.oom_score_adj, &err) < 0)
		child_fail(sock, &err);
	/* on the host's /proc, before the container's namespaces; the process
	 * cloned below inherits it for its execve */
	int host_proc = x->p.selinux_label && x->p.selinux_label[0] ? open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	int label_fd = selinux_open_exec_attr(host_proc, x->p.selinux_label, first, &err);
	if (host_proc >= 0)
		close(host_proc);
	if (label_fd < -1 || selinux_set_exec_label(label_fd, x->p.selinux_label, &err) < 0)
		child_fail(sock, &err);
	/* all at once: the user namespace first grants the rights for the rest */
	if (flags && setns(init_pidfd, flags) < 0) {
		cerr_sys(&err, errno, "join the container's namespaces");
		child_fail(sock, &err);
	}
	close(init_pidfd);
	/* a container without a mount namespace of its own is chrooted: so is
	 * the process, into the very root its init has */
	if (init_root >= 0 && (fchdir(init_root) < 0 || chroot(".") < 0)) {
		cerr_sys(&err, errno, "enter the container's root");
		child_fail(sock, &err);
	}
	if (init_root >= 0)
		close(init_root);
	int gpidfd = -1;
	struct clone_args ca = { .flags = CLONE_PARENT | CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)&gpidfd };
	pid_t g = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (g < 0) {
		cerr_sys(&err, errno, "clone3 in the container");
		child_fail(sock, &err);
	}
	if (g == 0)
		exec_process(x, o, sc, sock);
	sync_send(sock, SYNC_PID, (int)g, NULL, gpidfd);
	_exit(0);
}

/* P's side of the handshake: G's pid and pidfd from C, G's pty, or the
 * first error; EOF once C has exited and G has exec'd. */
static int collect(int sock, const struct oci_seccomp *sc, const char *state_json, pid_t *g, int *gpidfd, int *pty,
		   cerr *err)
{
	int r = 0;
	for (;;) {
		struct sync_msg m;
		int fd = -1;
		int rr = sync_recv(sock, &m, &fd);
		if (rr == -EPIPE)
			break;
		if (rr < 0)
			return r < 0 ? r : cerr_sys(err, -rr, "exec: sync");
		if (m.type == SYNC_PID && *g < 0) {
			*g = (pid_t)m.code;
			*gpidfd = fd;
		} else if (m.type == SYNC_PTY && *pty < 0) {
			*pty = fd;
		} else if (m.type == SYNC_SECCOMP_FD && fd >= 0 && sc) {
			/* at once: the process may already wait on the listener */
			_cleanup_cerr_ cerr e2 = { 0 };
			if (seccomp_send_notify(sc, fd, state_json, &e2) < 0 && r == 0)
				r = cerr_set(err, e2.code, "%s", cerr_msg(&e2));
			close(fd);
		} else {
			if (fd >= 0)
				close(fd);
			if (m.type == SYNC_ERROR && r == 0)
				r = cerr_set(err, m.code > 0 ? m.code : EINVAL, "%s", m.text);
		}
	}
	return r;
}

static int check_status(const char *root, const struct rt_state *s, cerr *err)
{
	enum rt_status st = state_status(root, s);
	switch (st) {
	case ST_CREATED:
	case ST_RUNNING:
		return 0;
	case ST_CREATING:
		return cerr_set(err, EBUSY, "cannot exec in a container that is being created");
	default:
		return cerr_set(err, st == ST_PAUSED ? EBUSY : ESRCH, "cannot exec in a %s container",
				rt_status_names[st]);
	}
}

int container_exec(const struct exec_opts *o, int *exit_code, cerr *err)
{
	*exit_code = 0;
	_cleanup_state_ struct rt_state *s = NULL;
	int r = state_load(o->root, o->id, &s, err);
	if (r < 0 || (r = check_status(o->root, s, err)) < 0)
		return r;
	/* the parent's pidfd cannot name a recycled pid; the state's pid is
	 * checked against its start time */
	_cleanup_close_ int init_pidfd = o->init_pidfd > 0 ? fcntl(o->init_pidfd, F_DUPFD_CLOEXEC, 3) : state_pidfd(s);
	if (init_pidfd < 0)
		return cerr_set(err, ESRCH, "cannot exec in a stopped container");
	_cleanup_spec_ struct oci_spec *oci = NULL;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/config.json", o->root, o->id);
	if ((r = spec_load(path, &oci, err)) < 0)
		return cerr_wrap(err, "container \"%s\"", o->id);
	struct exec_proc x = { .host_proc = -1 };
	int flags = 0;
	if ((r = build_process(o, oci, &x, err)) < 0 || (r = ns_flags(s->pid, &flags, err)) < 0) {
		exec_proc_release(&x);
		return r;
	}
	_cleanup_close_ int cgfd = -1;
	if (s->cgroup_path) {
		const char *leaf = o->cgroup_leaf;
		snprintf(path, sizeof(path), "%s%s%s%s", s->cgroup_mount, s->cgroup_path, leaf ? "/" : "", leaf ? leaf : "");
		int e = leaf && (strchr(leaf, '/') || leaf[0] == '.') ? EINVAL : 0;
		if (!e && leaf && mkdir(path, 0755) < 0 && errno != EEXIST)
			e = errno;
		if (!e && (cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			e = errno;
		if (e) {
			exec_proc_release(&x);
			return cerr_sys(err, e, "container cgroup %s", path);
		}
	}
	_cleanup_close_ int init_root = -1;
	if (!spec_has_namespace(oci, NS_MOUNT) || spec_namespace(oci, NS_MOUNT)->path) {
		snprintf(path, sizeof(path), "/proc/%d/root", (int)s->pid);
		if ((init_root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
			exec_proc_release(&x);
			return cerr_sys(err, errno, "the container's root %s", path);
		}
	}
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		exec_proc_release(&x);
		return cerr_sys(err, errno, "exec: socketpair");
	}
	sigset_t mask, old;
	forwarded_sigset(&mask);
	sigprocmask(SIG_BLOCK, &mask, &old);
	struct clone_args ca = { .exit_signal = SIGCHLD };
	if (cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgfd;
	}
	fflush(NULL);
	pid_t c = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (c == 0) {
		close(sp[0]);
		exec_helper(&x, o, oci->linux_.seccomp, sp[1], init_pidfd, init_root, flags);
	}
	int e = errno;
	close(sp[1]);
	exec_proc_release(&x);
	if (c < 0) {
		close(sp[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return cerr_sys(err, e, "clone3 into the container's cgroup");
	}
	pid_t g = -1;
	_cleanup_close_ int gpidfd = -1, pty = -1;
	_cleanup_free_ char *state_json = state_to_json(s, ST_RUNNING, false);
	r = collect(sp[0], oci->linux_.seccomp, state_json ? state_json : "{}", &g, &gpidfd, &pty, err);
	close(sp[0]);
	int cstatus = wait_exit_code(c);
	if (r == 0 && g < 0)
		r = cerr_set(err, ECHILD, "exec helper exited with status %d", cstatus);
	if (r == 0 && o->pid_file)
		r = state_write_pid_file(o->pid_file, g, err);
	if (r == 0 && pty >= 0 && o->console_socket)
		r = tty_send_to_socket(o->console_socket, pty, err);
	else if (r == 0 && pty >= 0 && o->console_fd > 0)
		r = tty_send_fd(o->console_fd, pty, err);
	if (r < 0) {
		if (gpidfd >= 0)
			syscall(SYS_pidfd_send_signal, gpidfd, SIGKILL, NULL, 0);
		if (g > 0)
			wait_exit_code(g);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	if (o->detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	if (pty >= 0 && !o->console_socket && o->console_fd <= 0) {
		tty_proxy(pty, gpidfd, err);
		*exit_code = wait_exit_code(g);
	} else {
		_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
		*exit_code = wait_forwarding(g, gpidfd, sfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
