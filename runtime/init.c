/* The container's init, from clone3 to execve. Each step that fails sends
 * one line to the parent, which rolls back and reports it. */
#include "container.h"
#include "runtime/init.h"
#include "bundle/spec_parse.h"
#include "bundle/parse_linux.h"
#include "apparmor.h"
#include "creds.h"
#include "exec_path.h"
#include "home_env.h"
#include "preserved_fds.h"
#include "procwait.h"
#include "hooks.h"
#include "idmap.h"
#include "rootless.h"
#include "netlink.h"
#include "rootfs.h"
#include "runtime/devfs.h"
#include "runtime/rootfs_finish.h"
#include "runtime/mounts.h"
#include "seccomp.h"
#include "runtime/seccomp_cache.h"
#include "selinux.h"
#include "sync.h"
#include "terminal.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static _Noreturn void fail(struct init_args *a, cerr *err)
{
	sync_send(a->sync, SYNC_ERROR, err->code, cerr_msg(err), -1);
	_exit(1);
}

static int expect(struct init_args *a, enum sync_type t, cerr *err)
{
	struct sync_msg m;
	int r = sync_recv(a->sync, &m, NULL);
	if (r < 0)
		return cerr_sys(err, -r, "sync with parent");
	if (m.type != t)
		return cerr_set(err, EPROTO, "sync with parent: unexpected message %u", m.type);
	return 0;
}

static int join_namespaces(struct init_args *a, cerr *err)
{
	/* the user namespace first: it grants the rights to join the others */
	static const enum oci_ns_type order[] = { NS_USER, NS_IPC, NS_UTS, NS_NETWORK, NS_CGROUP, NS_TIME, NS_MOUNT };
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		int fd = a->join_fds[order[i]];
		if (fd < 0)
			continue;
		if (setns(fd, oci_ns_clone_flag(order[i])) < 0)
			return cerr_sys(err, errno, "linux.namespaces: join %s namespace %s", oci_ns_names[order[i]],
					spec_namespace(a->spec, order[i])->path);
		close(fd);
		a->join_fds[order[i]] = -1;
	}
	return 0;
}

/* Until the parent says the maps are written, it may send idmapped mounts
 * (detached trees) to move into place. */
static int await_maps(struct init_args *a, int *rootfs_tree, int *trees, cerr *err)
{
	for (;;) {
		struct sync_msg m;
		int fd = -1;
		int r = sync_recv(a->sync, &m, &fd);
		if (r < 0)
			return cerr_sys(err, -r, "sync with parent");
		if (m.type == SYNC_MAPS_DONE) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		if (m.type != SYNC_MOUNT_FD || fd < 0 || m.code < IDMAP_ROOTFS_INDEX ||
		    m.code >= (int)a->spec->n_mounts) {
			if (fd >= 0)
				close(fd);
			return cerr_set(err, EPROTO, "sync with parent: unexpected message %u", m.type);
		}
		int *slot = m.code == IDMAP_ROOTFS_INDEX ? rootfs_tree : &trees[m.code];
		if (*slot >= 0)
			close(*slot);
		*slot = fd;
	}
}

/* Ask the parent to run prestart and createRuntime, then run createContainer
 * here: in the container's namespaces, before pivot_root, so its path is
 * the host's. The parent sends the states (creating, created) in a memfd. */
static int create_hooks(struct init_args *a, char **states, size_t *len, cerr *err)
{
	if (sync_send(a->sync, SYNC_HOOKS, 0, NULL, -1) < 0)
		return cerr_sys(err, errno, "sync with parent");
	struct sync_msg m;
	int fd = -1;
	int r = sync_recv(a->sync, &m, &fd);
	if (r < 0)
		return cerr_sys(err, -r, "sync with parent");
	if (m.type != SYNC_HOOKS_DONE || fd < 0) {
		if (fd >= 0)
			close(fd);
		return cerr_set(err, EPROTO, "sync with parent: unexpected message %u", m.type);
	}
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = read_file(path, 1 << 20, states, len, err);
	close(fd);
	if (r < 0)
		return r;
	return hooks_run(a->spec, HOOK_CREATE_CONTAINER, *states, err);
}

/* startContainer runs after `start`, inside the container. A failure goes
 * back to `start` through the exec fifo, which stays open until execve. */
static void start_hooks(struct init_args *a, int fifo_w, const char *states, size_t len)
{
	size_t first = strnlen(states, len);
	if (!a->spec->n_hooks[HOOK_START_CONTAINER] || first + 1 >= len)
		return;
	cerr err = { 0 };
	if (hooks_run(a->spec, HOOK_START_CONTAINER, states + first + 1, &err) < 0) {
		const char *msg = cerr_msg(&err);
		if (write(fifo_w, msg, strlen(msg)) < 0)
			fprintf(stderr, "corral: %s\n", msg);
		_exit(1);
	}
}

/* A new time namespace takes effect for our children and at execve; its
 * offsets can only be written before any process is in it, so unshare and
 * write them before anything is forked (createContainer hooks). */
static int time_namespace(const struct oci_spec *s, cerr *err)
{
	const struct oci_namespace *ns = spec_namespace(s, NS_TIME);
	if (!ns || ns->path)
		return 0;
	if (unshare(CLONE_NEWTIME) < 0)
		return cerr_sys(err, errno, "linux.namespaces: new time namespace");
	if (!s->linux_.has_time_offsets)
		return 0;
	static const char *const clocks[] = { "monotonic", "boottime" };
	for (int c = 0; c < 2; c++) {
		char line[96];
		snprintf(line, sizeof(line), "%s %lld %lld\n", clocks[c], (long long)s->linux_.time_offsets[c][0],
			 (long long)s->linux_.time_offsets[c][1]);
		int r = write_file_str("/proc/self/timens_offsets", line);
		if (r < 0)
			return cerr_sys(err, -r, "linux.timeOffsets.%s: write /proc/self/timens_offsets", clocks[c]);
	}
	return 0;
}

/* A uts namespace joined from a new user namespace is not the init's to
 * change: a name it already has is left as it is. */
static int set_names(const struct oci_spec *s, cerr *err)
{
	struct utsname u;
	bool have = uname(&u) == 0;
	if (s->hostname && s->hostname[0] && !(have && streq(u.nodename, s->hostname)) &&
	    sethostname(s->hostname, strlen(s->hostname)) < 0)
		return cerr_sys(err, errno, "hostname: set \"%s\"", s->hostname);
	if (s->domainname && s->domainname[0] && !(have && streq(u.domainname, s->domainname)) &&
	    setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return cerr_sys(err, errno, "domainname: set \"%s\"", s->domainname);
	return 0;
}

/* The fds of systemd socket activation belong to the container's pid 1. */
static char **with_listen_fds(char **env, int n)
{
	size_t len = strv_length(env);
	char **e = calloc(len + 3, sizeof(char *));
	if (!e)
		return env;
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		if (strncmp(env[i], "LISTEN_FDS=", 11) && strncmp(env[i], "LISTEN_PID=", 11))
			e[k++] = env[i];
	if (asprintf(&e[k], "LISTEN_FDS=%d", n) >= 0)
		k++;
	e[k++] = (char *)"LISTEN_PID=1";
	return e;
}

/* Keep stdio, the fds passed on to the container, and our own channels. */
static int drop_runtime_fds(const struct init_args *a)
{
	int keep[NS_COUNT + 2] = { a->sync, a->fifo };
	for (int t = 0; t < NS_COUNT; t++)
		keep[2 + t] = a->join_fds[t];
	int r = close_other_fds(3 + a->preserve_fds, keep, ARRAY_SIZE(keep));
	return r < 0 ? (errno = -r, -1) : 0;
}

_Noreturn void container_init(struct init_args *a)
{
	cerr err = { 0 };
	const struct oci_spec *s = a->spec;
	const struct oci_process *p = &s->process;
	struct rootfs_opts ro = { .spec = s, .rootfs = a->rootfs, .bundle = a->bundle,
				  /* mknod is refused in any user namespace but the initial one */
				  .userns = spec_has_namespace(s, NS_USER) || rootless_in_userns(),
				  .no_pivot = a->no_pivot,
				  .shared_mountns = !spec_has_namespace(s, NS_MOUNT) || spec_namespace(s, NS_MOUNT)->path };
	/* the caller may have ignored or blocked signals: the container starts clean */
	reset_signals();
	/* until the state is saved, the init dies with its creator */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* nothing of the runtime's reaches the container: not its fds (such as
	 * the cgroup directory that clone3 took), and not, through /proc, its
	 * memory, fds or binary. In a user namespace it stays dumpable until its
	 * maps and time offsets are written: only their owner may write them. */
	if (drop_runtime_fds(a) < 0) {
		cerr_sys(&err, errno, "close the runtime's fds");
		fail(a, &err);
	}
	if (!spec_has_namespace(s, NS_USER))
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* a new cgroup namespace is rooted where the init is when it is made */
	if (a->await_cgroup &&
	    (expect(a, SYNC_CGROUP_DONE, &err) < 0 ||
	     (spec_has_namespace(s, NS_CGROUP) && !spec_namespace(s, NS_CGROUP)->path && unshare(CLONE_NEWCGROUP) < 0 &&
	      cerr_sys(&err, errno, "linux.namespaces: unshare cgroup namespace") < 0)))
		fail(a, &err);
	/* our /proc, to reach exec.fifo once we are in the container's root
	 * (or in a mount namespace joined by path, whose /proc is another pid
	 * namespace's); closed before execve */
	_cleanup_close_ int procfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		cerr_sys(&err, errno, "open /proc/self/fd");
		fail(a, &err);
	}
	/* the exec attributes are opened in the host's /proc, where the
	 * container's root cannot plant a file in their place */
	_cleanup_close_ int aa_attr = -1;
	int label_fd = -1;
	if ((p->apparmor_profile && p->apparmor_profile[0]) || (p->selinux_label && p->selinux_label[0])) {
		_cleanup_close_ int host_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (p->apparmor_profile && p->apparmor_profile[0] &&
		    (aa_attr = apparmor_open_exec_attr(host_proc, 3 + a->preserve_fds, &err)) < 0)
			fail(a, &err);
		if ((label_fd = selinux_open_exec_attr(host_proc, p->selinux_label, 3 + a->preserve_fds, &err)) < -1)
			fail(a, &err);
	}
	_cleanup_free_ int *trees = calloc(s->n_mounts + 1, sizeof(int));
	if (!trees) {
		cerr_set(&err, ENOMEM, "out of memory");
		fail(a, &err);
	}
	for (size_t i = 0; i < s->n_mounts; i++)
		trees[i] = -1;
	ro.rootfs_tree = -1;
	ro.mount_trees = trees;
	if ((a->userns || idmap_needed(s)) && await_maps(a, &ro.rootfs_tree, trees, &err) < 0)
		fail(a, &err);
	if (a->userns) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			cerr_sys(&err, errno, "linux.uidMappings: become root in the user namespace");
			fail(a, &err);
		}
	}
	if (join_namespaces(a, &err) < 0 || time_namespace(s, &err) < 0 || set_names(s, &err) < 0)
		fail(a, &err);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* io.corral.network=none: a new network namespace whose lo stays down */
	const char *net = spec_annotation(s, "io.corral.network");
	if (spec_has_namespace(s, NS_NETWORK) && !spec_namespace(s, NS_NETWORK)->path &&
	    !(net && streq(net, "none")) && net_loopback_up(&err) < 0)
		fail(a, &err);
	if (rootfs_prepare(&ro, &err) < 0)
		fail(a, &err);
	_cleanup_close_ int master = -1;
	if (p->terminal) {
		_cleanup_close_ int slave = -1;
		char sp[32];
		if (tty_open_in_root(a->rootfs, &master, &slave, &err) < 0 ||
		    rootfs_bind_console(&ro, fd_path(slave, sp), &err) < 0)
			fail(a, &err);
		if (p->has_console_size)
			tty_set_size(master, p->console_height, p->console_width);
	}
	_cleanup_free_ char *states = NULL;
	size_t states_len = 0;
	if (hooks_need_sync(s) && create_hooks(a, &states, &states_len, &err) < 0)
		fail(a, &err);
	if (rootfs_enter(&ro, &err) < 0 || rootfs_finish(&ro, &err) < 0)
		fail(a, &err);
	int dn = ro.shared_mountns ? 0 : rootfs_reopen_dev_null();
	if (dn < 0) {
		cerr_sys(&err, -dn, "reopen /dev/null for stdio in the container");
		fail(a, &err);
	}
	if (setsid() < 0) {
		cerr_sys(&err, errno, "setsid");
		fail(a, &err);
	}
	if (p->terminal) {
		if (tty_attach_slave(master, &err) < 0)
			fail(a, &err);
		if (sync_send(a->sync, SYNC_PTY, 0, NULL, master) < 0) {
			cerr_sys(&err, errno, "send pty to parent");
			fail(a, &err);
		}
	}
	if (enter_cwd_in_root(p->cwd, true, &err) < 0 || creds_apply_rlimits(p, &err) < 0 ||
	    creds_apply_personality(&s->linux_, &err) < 0)
		fail(a, &err);
	_cleanup_free_ char *exe = NULL;
	if (exec_find(p->args[0], p->env, &exe, &err) < 0 || preserved_fds_pass(a->preserve_fds, &err) < 0)
		fail(a, &err);
	/* read while still root, before seccomp */
	_cleanup_strv_ char **home_env = env_with_home(p->env, p->user.uid);
	/* the profile for our execve, before seccomp, as runc asks for it */
	if (aa_attr >= 0 && apparmor_exec_profile(aa_attr, p->apparmor_profile, &err) < 0)
		fail(a, &err);
	/* seccomp: loaded while CAP_SYS_ADMIN is still held unless no_new_privs
	 * allows it later; with a listener, before READY so the parent can hand
	 * the notify fd on; otherwise last, just before execve */
	const struct oci_seccomp *sc = s->linux_.seccomp;
	bool sc_early = sc && (!p->no_new_privileges || sc->listener_path);
	int notify_fd = -1;
	/* as runc: set before seccomp, so startContainer hooks run labelled too */
	if (selinux_set_exec_label(label_fd, p->selinux_label, &err) < 0)
		fail(a, &err);
	if (sc_early && seccomp_load_prog(a->seccomp, &notify_fd, &err) < 0)
		fail(a, &err);
	if (creds_apply_user_caps(p, &err) < 0)
		fail(a, &err);
	if (notify_fd >= 0) {
		if (sync_send(a->sync, SYNC_SECCOMP_FD, 0, NULL, notify_fd) < 0) {
			cerr_sys(&err, errno, "linux.seccomp: send the notify fd to the parent");
			fail(a, &err);
		}
		close(notify_fd);
	}
	/* from here the parent may exit at any time; if it dies before GO the
	 * socket reports it, so the death signal is no longer needed */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (sync_send(a->sync, SYNC_READY, 0, NULL, -1) < 0 || expect(a, SYNC_GO, &err) < 0)
		_exit(1);
	close(a->sync);
	/* block here until `start` opens the other end */
	char name[16];
	snprintf(name, sizeof(name), "%d", a->fifo);
	int w = openat(procfd, name, O_WRONLY | O_CLOEXEC);
	if (w < 0 || write(w, "0", 1) != 1) {
		fprintf(stderr, "corral: open exec fifo: %s\n", strerror(errno));
		_exit(1);
	}
	if (states)
		start_hooks(a, w, states, states_len);
	if (sc && !sc_early && seccomp_load_prog(a->seccomp, NULL, &err) < 0) {
		/* `start` is still reading the fifo: tell it */
		const char *msg = cerr_msg(&err);
		if (write(w, msg, strlen(msg)) < 0)
			fprintf(stderr, "corral: %s\n", msg);
		_exit(1);
	}
	close(a->fifo);
	close(procfd);
	procfd = -1;
	char **envp = home_env ? home_env : p->env ? p->env : (char *[]){ NULL };
	if (a->listen_fds > 0)
		envp = with_listen_fds(envp, a->listen_fds);
	execve(exe, p->args, envp);
	fprintf(stderr, "corral: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
}
