/* The parent side of create: validate everything, then clone the init into
 * its namespaces and cgroup, write its id maps, and save the state once it
 * is ready. Any failure undoes all of it. */
#include "container.h"
#include "runtime/init.h"
#include "runtime/netdevices.h"
#include "runtime/create.h"
#include "bundle/spec_parse.h"
#include "bundle/parse_linux.h"
#include "apparmor.h"
#include "cgroup_path.h"
#include "runtime/cgroup_scope.h"
#include "creds.h"
#include "hooks.h"
#include "idmap.h"
#include "netlink.h"
#include "rootfs.h"
#include "runtime/rootfs_suid.h"
#include "rootless.h"
#include "seccomp.h"
#include "runtime/seccomp_notify.h"
#include "runtime/seccomp_cache.h"
#include "selinux.h"
#include "sync.h"
#include "terminal.h"
#include "cgroups/resources.h"
#include "cgroups/cg_create.h"
#include "cgroups/systemd.h"
#include "cgroups/systemd_scope.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/log.h"
#include "common/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void container_release(struct container *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->pty_master >= 0)
		close(c->pty_master);
	free(c->cgroup_mount);
	free(c->cgroup_path);
	c->pidfd = c->pty_master = -1;
	c->cgroup_mount = c->cgroup_path = NULL;
}

/* Without a mount namespace of its own (none, or one joined by path) the
 * container is chrooted into root.path, as runc does, and nothing is
 * mounted: a mount would outlive it in a namespace it does not own. So
 * what needs a mount is refused. */
static int check_shared_mountns(const struct oci_spec *s, cerr *err)
{
	if (spec_has_namespace(s, NS_MOUNT) && !spec_namespace(s, NS_MOUNT)->path)
		return 0;
	const struct oci_linux *l = &s->linux_;
	const char *what = s->n_mounts ? "mounts" : l->masked_paths && l->masked_paths[0] ? "linux.maskedPaths"
		: l->readonly_paths && l->readonly_paths[0] ? "linux.readonlyPaths" : s->root_readonly ? "root.readonly"
		: l->n_sysctl ? "linux.sysctl" : l->rootfs_propagation ? "linux.rootfsPropagation"
		: s->process.terminal ? "process.terminal" : l->n_devices ? "linux.devices"
		: idmap_needed(s) ? "an idmapped root or mount" : NULL;
	if (!what)
		return 0;
	return cerr_set(err, EINVAL, "%s: needs a mount namespace of the container's own (linux.namespaces %s)", what,
			spec_has_namespace(s, NS_MOUNT) ? "joins one by path" : "has none");
}

/* Refuse what the config asks for but this runtime cannot do yet, before
 * anything is created. */
static int check_supported(const struct oci_spec *s, cerr *err)
{
	if (!s->process.present)
		return cerr_set(err, EINVAL, "process: is required");
	if (!s->has_root)
		return cerr_set(err, EINVAL, "root: is required");
	int r = check_shared_mountns(s, err);
	if (r < 0)
		return r;
	if (s->linux_.n_net_devices &&
	    (!spec_has_namespace(s, NS_NETWORK) || spec_namespace(s, NS_NETWORK)->path))
		return cerr_set(err, EINVAL, "linux.netDevices: needs a new network namespace in linux.namespaces");
	/* what only a parent privileged over the host can do, as features says */
	if (idmap_needed(s) && rootless_detect())
		return cerr_set(err, EPERM, "an idmapped root or mount: needs root (a rootless runtime cannot attach the "
				"mapping)");
	if (s->linux_.n_net_devices && rootless_detect())
		return cerr_set(err, EPERM, "linux.netDevices: needs root (a rootless runtime cannot move the host's devices)");
	if ((r = idmap_check(s, err)) < 0 || (r = rootfs_suid_check(s, err)) < 0 ||
	    (r = selinux_check_spec(s, err)) < 0 ||
	    (r = apparmor_check(s->process.apparmor_profile, "process.apparmorProfile", err)) < 0)
		return r;
	if (s->linux_.has_time_offsets && !spec_has_namespace(s, NS_TIME))
		return cerr_set(err, EINVAL, "linux.timeOffsets: needs a time namespace in linux.namespaces");
	if (s->linux_.has_time_offsets && spec_namespace(s, NS_TIME)->path)
		return cerr_set(err, EINVAL, "linux.timeOffsets: cannot be set on a time namespace that is joined");
	return 0;
}

/* From /etc/passwd itself, as runc does: the runtime links statically,
 * and glibc's NSS would load shared libraries for getpwuid. */
static char *owner_name(void)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
	uid_t uid = geteuid();
	for (struct passwd *pw; f && (pw = fgetpwent(f));)
		if (pw->pw_uid == uid)
			return strdup(pw->pw_name);
	return strdup("");
}

/* What the hooks of a container being created are told. */
struct create_hooks {
	const struct oci_spec *spec;
	char *creating, *created, *stopped; /* state JSON in each status */
};

/* The init has built the container's environment: run prestart and
 * createRuntime here, in the runtime's namespaces, then hand the init the
 * states its own hooks need (creating, then created, NUL-separated). */
static int run_runtime_hooks(int sock, const struct create_hooks *h, cerr *err)
{
	int r;
	if ((r = hooks_run(h->spec, HOOK_PRESTART, h->creating, err)) < 0 ||
	    (r = hooks_run(h->spec, HOOK_CREATE_RUNTIME, h->creating, err)) < 0)
		return r;
	_cleanup_close_ int fd = memfd_create("corral-states", MFD_CLOEXEC);
	size_t a = strlen(h->creating) + 1, b = strlen(h->created) + 1;
	if (fd < 0 || write(fd, h->creating, a) != (ssize_t)a || write(fd, h->created, b) != (ssize_t)b)
		return cerr_sys(err, errno, "hooks: pass the state to the container init");
	if (sync_send(sock, SYNC_HOOKS_DONE, 0, NULL, fd) < 0)
		return cerr_sys(err, errno, "sync with container init");
	return 0;
}

/* Wait for the init to finish setting up; collect its pty on the way. */
static int await_ready(int sock, pid_t pid, int *pty, const struct create_hooks *hooks, cerr *err)
{
	for (;;) {
		struct sync_msg m;
		int fd = -1;
		int r = sync_recv(sock, &m, &fd);
		if (r < 0) {
			int status = 0;
			waitpid(pid, &status, 0);
			if (WIFSIGNALED(status))
				return cerr_set(err, ECHILD, "container init was killed by signal %d during setup",
						WTERMSIG(status));
			return cerr_set(err, ECHILD, "container init exited during setup (status %d)",
					WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		switch (m.type) {
		case SYNC_PTY:
			if (*pty >= 0)
				close(*pty);
			*pty = fd;
			break;
		case SYNC_READY:
			return 0;
		case SYNC_SECCOMP_FD:
			r = fd < 0 ? cerr_set(err, EPROTO, "seccomp: no notify fd from the container init")
				   : seccomp_send_notify(hooks->spec->linux_.seccomp, fd, hooks->creating, err);
			if (fd >= 0)
				close(fd);
			if (r < 0)
				return r;
			break;
		case SYNC_HOOKS:
			if (fd >= 0)
				close(fd);
			r = run_runtime_hooks(sock, hooks, err);
			if (r < 0)
				return r;
			break;
		case SYNC_ERROR:
			if (fd >= 0)
				close(fd);
			return cerr_set(err, m.code > 0 ? m.code : EINVAL, "%s", m.text);
		default:
			if (fd >= 0)
				close(fd);
			return cerr_set(err, EPROTO, "unexpected message %u from container init", m.type);
		}
	}
}

static int open_join_fds(const struct oci_spec *s, int fds[NS_COUNT], cerr *err)
{
	for (int t = 0; t < NS_COUNT; t++)
		fds[t] = -1;
	for (size_t i = 0; i < s->linux_.n_namespaces; i++) {
		const struct oci_namespace *ns = &s->linux_.namespaces[i];
		if (!ns->path)
			continue;
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return cerr_sys(err, errno, "linux.namespaces[%zu].path: %s", i, ns->path);
		fds[ns->type] = fd;
	}
	return 0;
}

static void close_join_fds(int fds[NS_COUNT])
{
	for (int t = 0; t < NS_COUNT; t++)
		if (fds[t] >= 0) {
			close(fds[t]);
			fds[t] = -1;
		}
}

/* The namespaces the runtime joins itself before clone (join_fds' comment
 * at the call): own gets its own of each, to go back to. */
static int join_before_clone(const struct oci_spec *s, const int join[NS_COUNT], bool userns, int own[NS_COUNT],
			     cerr *err)
{
	static const enum oci_ns_type early[] = { NS_IPC, NS_UTS, NS_NETWORK, NS_CGROUP };
	static const char *const proc_name[NS_COUNT] = { [NS_PID] = "pid", [NS_IPC] = "ipc", [NS_UTS] = "uts",
							 [NS_NETWORK] = "net", [NS_CGROUP] = "cgroup" };
	for (size_t i = 0; i <= ARRAY_SIZE(early); i++) {
		enum oci_ns_type t = i == ARRAY_SIZE(early) ? NS_PID : early[i];
		if (join[t] < 0 || (t != NS_PID && !userns))
			continue;
		char path[32];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", proc_name[t]);
		own[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (own[t] < 0 || setns(join[t], oci_ns_clone_flag(t)) < 0)
			return cerr_sys(err, errno, "linux.namespaces: join %s namespace %s", oci_ns_names[t],
					spec_namespace(s, t)->path);
	}
	return 0;
}

static int leave_after_clone(int own[NS_COUNT], cerr *err)
{
	int r = 0;
	for (int t = 0; t < NS_COUNT; t++) {
		if (own[t] < 0)
			continue;
		if (setns(own[t], oci_ns_clone_flag(t)) < 0 && r == 0)
			r = cerr_sys(err, errno, "linux.namespaces: return to the runtime's %s namespace", oci_ns_names[t]);
		close(own[t]);
		own[t] = -1;
	}
	return r;
}

/* The state as saved and as hooks see it; borrows every string. */
static struct rt_state make_state(const struct create_opts *o, const struct oci_spec *s, const char *rootfs,
				   pid_t pid, const cg *cgroup, char *created, const char *owner)
{
	struct rt_state st = {
		.id = (char *)o->id, .bundle = (char *)o->bundle, .rootfs = (char *)rootfs,
		.created = created, .owner = (char *)owner, .pid = pid, .pid_start = proc_starttime(pid),
		.cgroup_mount = cgroup ? cgroup->mount : NULL, .cgroup_path = cgroup ? cgroup->path : NULL,
		.annotations = json_get(s->tree, "annotations"), .systemd_cgroup = o->systemd_cgroup,
	};
	if (!YAJL_IS_OBJECT(st.annotations))
		st.annotations = NULL;
	return st;
}

/* Keep the config beside the state: start, exec and delete read it there,
 * whatever happens to the bundle afterwards. Neither it, the state nor the
 * pid file is synced (runc and crun do not): what they record (a process,
 * a cgroup) does not outlive the machine, and a state left by a crash is
 * told stale by its pid's start time. On a disk another writer keeps busy,
 * the syncs made a run take half as long again. */
static int copy_config(const char *bundle, const char *dir, cerr *err)
{
	char src[PATH_MAX], dst[PATH_MAX];
	snprintf(src, sizeof(src), "%s/config.json", bundle);
	snprintf(dst, sizeof(dst), "%s/config.json", dir);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file(src, 64u << 20, &text, &len, err);
	return r < 0 ? r : write_file_atomic_ex(dst, text, len, 0600, WFA_NO_SYNC, err);
}

void create_prep_release(struct create_prep *p)
{
	spec_free(p->spec);
	cg_resources_free(p->res);
	seccomp_prog_release(&p->seccomp);
	free(p->owner);
	memset(p, 0, sizeof(*p));
}

int container_prepare(const struct create_opts *o, struct create_prep *p, cerr *err)
{
	memset(p, 0, sizeof(*p));
	int r = validate_id(o->id, err);
	if (r < 0)
		return r;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", o->bundle);
	if ((r = spec_load(path, &p->spec, err)) < 0)
		return r;
	struct oci_spec *s = p->spec;
	if ((r = cg_resources_parse(s->linux_.resources, &p->res, err)) < 0 || (r = check_supported(s, err)) < 0) {
		cerr_wrap(err, "config.json");
		goto fail;
	}
	char dropped[32];
	cg_resources_drop_absent(p->res, spec_annotation(s, CG_OPTIONAL_LIMITS_ANNOTATION), dropped, sizeof(dropped));
	if (dropped[0])
		log_info("%s: no %s controller here: its default limit is not applied", o->id, dropped);
	/* compiled here, where the state root's cache is reachable; the init
	 * loads the program after pivot_root */
	char cache[PATH_MAX];
	snprintf(cache, sizeof(cache), "%s/.seccomp-cache", o->root);
	if ((r = seccomp_compile(s->linux_.seccomp, cache, &p->seccomp, err)) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s%s%s", s->root_path[0] == '/' ? "" : o->bundle,
		 s->root_path[0] == '/' ? "" : "/", s->root_path);
	struct stat st;
	if (!realpath(path, p->rootfs)) {
		r = cerr_sys(err, errno, "root.path: %s", path);
		goto fail;
	}
	if (stat(p->rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = cerr_set(err, ENOTDIR, "root.path: %s is not a directory", p->rootfs);
		goto fail;
	}
	r = -EINVAL;
	if (s->process.terminal && !o->console_socket && !o->keep_pty) {
		cerr_set(err, EINVAL, "process.terminal is true: --console-socket is required");
		goto fail;
	}
	if (!s->process.terminal && o->console_socket) {
		cerr_set(err, EINVAL, "--console-socket given but process.terminal is false");
		goto fail;
	}
	if (!(p->owner = owner_name())) {
		r = cerr_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	return 0;
fail:
	create_prep_release(p);
	return r;
}

int container_create(const struct create_opts *o, struct container *c, cerr *err)
{
	struct create_prep p;
	int r = container_prepare(o, &p, err);
	if (r < 0)
		return r;
	r = container_create_prepared(o, &p, c, err);
	create_prep_release(&p);
	return r;
}

int container_state_dir(const struct create_opts *o, char dir[PATH_MAX], cerr *err)
{
	/* rootless, the default root is $XDG_RUNTIME_DIR/corral, as runc's */
	const char *hint = o->rootless && geteuid() != 0 ? " (rootless: set XDG_RUNTIME_DIR, or give --root)" : "";
	int r = mkdir_p(o->root, 0711);
	if (r < 0)
		return cerr_sys(err, -r, "--root %s%s", o->root, hint);
	snprintf(dir, PATH_MAX, "%s/%s", o->root, o->id);
	if (mkdir(dir, 0711) < 0)
		return errno == EEXIST ? cerr_set(err, EEXIST, "container \"%s\" already exists", o->id)
				       : cerr_sys(err, errno, "state directory %s%s", dir, errno == EACCES ? hint : "");
	int lock = state_lock(dir);
	if (lock < 0) {
		rmdir(dir);
		return cerr_sys(err, -lock, "lock %s", dir);
	}
	return lock;
}

int container_record(const struct create_opts *o, const struct create_prep *p, const char *dir, pid_t pid,
		     const cg *cgroup, const char *created, cerr *err)
{
	struct rt_state st = make_state(o, p->spec, p->rootfs, pid, cgroup, (char *)created, p->owner);
	int r;
	if ((r = copy_config(o->bundle, dir, err)) < 0 || (r = state_save(dir, &st, WFA_NO_SYNC, err)) < 0)
		return r;
	return o->pid_file ? state_write_pid_file(o->pid_file, pid, err) : 0;
}

int container_record_creating(const struct create_opts *o, const struct create_prep *p, const char *dir,
			      const cg *cgroup, const char *created, cerr *err)
{
	if (!cgroup)
		return 0;
	struct rt_state pre = make_state(o, p->spec, p->rootfs, 0, cgroup, (char *)created, p->owner);
	return state_save(dir, &pre, WFA_NO_SYNC, err);
}

char *container_state_json(const struct create_opts *o, const struct create_prep *p, pid_t pid, const cg *cgroup,
			   const char *created, enum rt_status status)
{
	struct rt_state st = make_state(o, p->spec, p->rootfs, pid, cgroup, (char *)created, p->owner);
	return state_to_json(&st, status, false);
}

int container_create_prepared(const struct create_opts *o, const struct create_prep *p, struct container *c,
			      cerr *err)
{
	*c = (struct container){ .pid = -1, .pidfd = -1, .pty_master = -1 };
	const struct oci_spec *s = p->spec;
	const struct cg_resources *res = p->res;
	const char *rootfs = p->rootfs, *owner = p->owner;
	char path[PATH_MAX], dir[PATH_MAX];
	int r;

	_cleanup_close_ int lock = container_state_dir(o, dir, err);
	if (lock < 0)
		return lock;
	/* from here on, failures undo what was made */
	_cleanup_cg_ cg *cgroup = NULL;
	_cleanup_close_ int fifo = -1, sock_parent = -1, sock_child = -1;
	int join[NS_COUNT], own_ns[NS_COUNT];
	for (int t = 0; t < NS_COUNT; t++)
		join[t] = own_ns[t] = -1;
	int pty = -1;
	pid_t pid = -1;
	int pidfd = -1;
	bool wrote_pid_file = false;
	char created[RFC3339_LEN];
	rfc3339_ns(0, created, sizeof(created));
	struct create_hooks hooks = { .spec = s };

	char scope[NAME_MAX + 1] = ""; /* the systemd driver's unit, once made */
	if (!o->systemd_cgroup && (r = cgroup_make(o, s, res, &cgroup, err)) < 0)
		goto fail;
	if ((r = container_record_creating(o, p, dir, cgroup, created, err)) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/" EXEC_FIFO, dir);
	/* writable by any uid: the init opens it after switching user */
	if (mkfifo(path, 0622) < 0 || chmod(path, 0622) < 0) {
		r = cerr_sys(err, errno, "mkfifo %s", path);
		goto fail;
	}
	fifo = open(path, O_PATH | O_CLOEXEC);
	int sp[2];
	if (fifo < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		r = cerr_sys(err, errno, "create: sync channel");
		goto fail;
	}
	sock_parent = sp[0];
	sock_child = sp[1];
	if ((r = open_join_fds(s, join, err)) < 0)
		goto fail;
	bool userns = spec_has_namespace(s, NS_USER) && !spec_namespace(s, NS_USER)->path;
	/* Joined before clone, and left after, so that hooks (and a sanitizer's
	 * helpers) forked later run in the runtime's own: the pid namespace
	 * (membership applies to children), and with a new user namespace the
	 * others that are joined by path, as runc joins them before it makes the
	 * user namespace (from inside it, ones its parent owns cannot be joined) */
	if ((r = join_before_clone(s, join, userns, own_ns, err)) < 0)
		goto fail;
	uint64_t flags = CLONE_PIDFD;
	for (size_t i = 0; i < s->linux_.n_namespaces; i++)
		/* a new time namespace is unshared by the init, which sets its
		 * offsets first: a clone would freeze them at zero */
		if (!s->linux_.namespaces[i].path && s->linux_.namespaces[i].type != NS_TIME &&
		    !(o->systemd_cgroup && s->linux_.namespaces[i].type == NS_CGROUP))
			flags |= (uint64_t)oci_ns_clone_flag(s->linux_.namespaces[i].type);
	struct clone_args ca = { .flags = flags, .pidfd = (uint64_t)(uintptr_t)&pidfd, .exit_signal = SIGCHLD };
	if (cgroup) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup->dirfd;
	}
	fflush(NULL);
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0) {
		/* ENOMEM is alloc_pid's answer once a joined PID namespace's init has exited */
		r = errno == ENOMEM && join[NS_PID] >= 0
			    ? cerr_set(err, ESRCH, "clone3: linux.namespaces: pid namespace %s: its init has ended",
				       spec_namespace(s, NS_PID)->path)
			    : cerr_sys(err, errno, "clone3");
		goto fail;
	}
	if (pid == 0) {
		/* a copy of the flock'd fd would hold the state lock until exec */
		close(lock);
		close(sock_parent);
		struct init_args a = { .spec = s, .rootfs = rootfs, .bundle = o->bundle, .sync = sock_child,
				       .fifo = fifo, .preserve_fds = o->preserve_fds,
				       .listen_fds = o->listen_fds, .no_pivot = o->no_pivot,
				       .userns = userns, .seccomp = &p->seccomp, .await_cgroup = o->systemd_cgroup };
		memcpy(a.join_fds, join, sizeof(join));
		for (int t = 0; t < NS_COUNT; t++)
			if (own_ns[t] >= 0)
				a.join_fds[t] = -1; /* joined already, here */
		container_init(&a);
	}
	close(sock_child);
	sock_child = -1;
	close_join_fds(join);
	if ((r = leave_after_clone(own_ns, err)) < 0 ||
	    (o->systemd_cgroup &&
	     (r = cgroup_scope_enter(s->linux_.cgroups_path, o->id, res, pid, sock_parent, scope, &cgroup, err)) < 0))
		goto fail;
	/* written here: a non-dumpable init in a user namespace cannot write
	 * its own /proc files */
	if (s->process.has_oom_score_adj && (r = creds_set_oom_score_adj(pid, s->process.oom_score_adj, err)) < 0)
		goto fail;
	if (s->linux_.n_net_devices &&
	    ((r = netdev_pin(dir, pid, err)) < 0 || (r = net_move_devices(&s->linux_, pid, err)) < 0))
		goto fail;
	if (userns || idmap_needed(s)) {
		if (userns && (r = idmap_write(pid, s->linux_.uid_mappings, s->linux_.n_uid_mappings, s->linux_.gid_mappings,
						 s->linux_.n_gid_mappings, "linux.", err)) < 0)
			goto fail;
		/* and the bind sources, which the init in its user namespace may
		 * not reach, as runc opens them for it */
		if ((r = idmap_send_mounts(sock_parent, s, rootfs, o->bundle, pid, err)) < 0)
			goto fail;
		if (sync_send(sock_parent, SYNC_MAPS_DONE, 0, NULL, -1) < 0) {
			r = cerr_sys(err, errno, "sync with container init");
			goto fail;
		}
	}
	struct rt_state cst = make_state(o, s, rootfs, pid, cgroup, created, owner);
	hooks.creating = state_to_json(&cst, ST_CREATING, false);
	hooks.created = state_to_json(&cst, ST_CREATED, false);
	hooks.stopped = state_to_json(&cst, ST_STOPPED, false);
	if (!hooks.creating || !hooks.created || !hooks.stopped) {
		r = cerr_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	if ((r = await_ready(sock_parent, pid, &pty, &hooks, err)) < 0)
		goto fail;
	if ((r = container_record(o, p, dir, pid, cgroup, created, err)) < 0)
		goto fail;
	wrote_pid_file = o->pid_file != NULL;
	if (pty >= 0 && o->console_socket && (r = tty_send_to_socket(o->console_socket, pty, err)) < 0)
		goto fail;
	if (sync_send(sock_parent, SYNC_GO, 0, NULL, -1) < 0) {
		r = cerr_sys(err, errno, "container init died before start");
		goto fail;
	}
	c->pid = pid;
	c->pidfd = pidfd;
	if (o->keep_pty)
		c->pty_master = pty;
	else if (pty >= 0)
		close(pty);
	if (cgroup) {
		c->cgroup_mount = strdup(cgroup->mount);
		c->cgroup_path = strdup(cgroup->path);
	}
	free(hooks.creating);
	free(hooks.created);
	free(hooks.stopped);
	return 0;

fail:
	close_join_fds(join);
	_cleanup_cerr_ cerr back = { 0 };
	if (leave_after_clone(own_ns, &back) < 0) /* the runtime must not stay in them */
		log_cerr(LOG_LVL_ERROR, &back, "create");
	if (pty >= 0)
		close(pty);
	if (pid > 0) {
		if (pidfd >= 0)
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		else
			kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (scope[0])
		cg_scope_stop(scope, NULL);
	if (cgroup)
		cg_destroy(cgroup, true, NULL);
	netdev_release(dir, &s->linux_);
	if (wrote_pid_file)
		unlink(o->pid_file);
	/* the environment existed: the lifecycle goes on to poststop */
	if (pid > 0 && hooks.stopped)
		hooks_run_warn(s, HOOK_POSTSTOP, hooks.stopped);
	free(hooks.creating);
	free(hooks.created);
	free(hooks.stopped);
	rm_rf(dir);
	return r;
}
