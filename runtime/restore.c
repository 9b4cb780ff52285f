/* corral restore: the container of a bundle made again from criu's images,
 * as runc restores it: its state directory and cgroup first, the rootfs
 * bound where criu roots the tree, the binds and masked files given back
 * as external mounts, and the restored init a child of ours. */
#include "checkpoint.h"
#include "runtime/create.h"
#include "runtime/restore.h"
#include "bundle/spec_parse.h"
#include "bundle/parse_linux.h"
#include "cgroup_path.h"
#include "runtime/cgroup_scope.h"
#include "ckpt_args.h"
#include "criu.h"
#include "hooks.h"
#include "netlink.h"
#include "rootfs.h"
#include "runtime/rootfs_suid.h"
#include "terminal.h"
#include "cgroups/systemd.h"
#include "cgroups/systemd_scope.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/safepath.h"
#include "common/strv.h"
#include "common/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void undo_root(char *croot)
{
	if (!croot[0])
		return;
	umount2(croot, MNT_DETACH);
	rmdir(croot);
	croot[0] = '\0';
}

static int read_pid(const char *path, pid_t *pid, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file(path, 64, &text, NULL, err);
	if (r < 0)
		return cerr_wrap(err, "criu restore: its pid file");
	long v = strtol(text, NULL, 10);
	if (v <= 0)
		return cerr_set(err, EPROTO, "criu restore: no pid in %s", path);
	*pid = (pid_t)v;
	return 0;
}

static int restore_checks(const struct create_prep *p, const struct ckpt_opts *k, const struct criu *criu,
			  const struct create_opts *o, cerr *err)
{
	if (p->spec->process.no_new_privileges && criu->version < CRIU_NNP_VERSION)
		return cerr_set(err, ENOTSUP, "process.noNewPrivileges: criu %s cannot restore it (criu 3.19 or later "
				"can): the container would run without it", criu->text);
	if (p->spec->process.terminal && !o->console_socket && !o->keep_pty)
		return cerr_set(err, EINVAL, "process.terminal: a container on a terminal is restored with --console-socket");
	if (!p->spec->process.terminal && o->console_socket)
		return cerr_set(err, EINVAL, "--console-socket: process.terminal is false: the container has no terminal");
	int r = ckpt_joined_ns_check(p->spec, err);
	if (r < 0)
		return r;
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/inventory.img", k->image_path);
	if (stat(path, &st) < 0)
		return cerr_sys(err, errno, "--image-path %s: no checkpoint there", k->image_path);
	return 0;
}

static bool under_tmpfs(const struct oci_spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const char *d = s->mounts[i].destination;
		size_t n = strlen(d);
		if (streq(s->mounts[i].type ? s->mounts[i].type : "", "tmpfs") && strncmp(dest, d, n) == 0 &&
		    dest[n] == '/')
			return true;
	}
	return false;
}

/* criu mounts each of the dump's mounts on its mountpoint in the rootfs: a
 * rootfs that is new (an imported checkpoint) gets them first, files for
 * binds of files, as runc makes them; inside the root, so that a link in
 * it leads nowhere else. A tmpfs's own files come from the images. */
static int make_mountpoints(const struct oci_spec *s, const char *rootfs, const char *bundle, cerr *err)
{
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return cerr_sys(err, errno, "restore: %s", rootfs);
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		const char *type = m->type ? m->type : "";
		if (streq(type, "cgroup") || streq(type, "cgroup2") || under_tmpfs(s, m->destination))
			continue;
		struct stat st;
		char src[PATH_MAX];
		snprintf(src, sizeof(src), "%s%s%s", m->source[0] == '/' ? "" : bundle, m->source[0] == '/' ? "" : "/",
			 m->source);
		bool file = m->bind && stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
		int fd = file ? mkfile_in_root(rootfd, m->destination, 0644) : mkdir_in_root(rootfd, m->destination, 0755);
		if (fd < 0)
			return cerr_sys(err, -fd, "mounts[%zu]: restore: make the mountpoint %s", i, m->destination);
		close(fd);
	}
	return 0;
}

/* The dump's terminal id (checkpoint.c), checked to be criu's form. */
static int read_terminal(const char *image_path, char *id, size_t n, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" CKPT_TERMINAL, image_path);
	_cleanup_free_ char *text = NULL;
	if (read_file(path, 64, &text, NULL, err) < 0)
		return cerr_wrap(err, "process.terminal: the checkpoint has no terminal");
	unsigned long long rdev, dev;
	char end;
	if (sscanf(text, "tty[%llx:%llx%c", &rdev, &dev, &end) != 3 || end != ']')
		return cerr_set(err, EINVAL, "%s: not a terminal of criu's", path);
	snprintf(id, n, "tty[%llx:%llx]", rdev, dev);
	return 0;
}

/* The systemd driver's scope: systemd makes one only of a process, so it
 * is made of a placeholder child, criu restores the tree into its cgroup
 * (--cgroup-root), and the placeholder then goes (end_holder). */
static int scope_for_restore(const struct create_opts *o, const struct create_prep *p, pid_t *holder,
			     char unit[NAME_MAX + 1], cg **out, cerr *err)
{
	*holder = fork();
	if (*holder < 0)
		return cerr_sys(err, errno, "restore: fork");
	if (*holder == 0) {
		for (;;)
			pause(); /* until SIGKILL */
	}
	return cgroup_scope_enter(p->spec->linux_.cgroups_path, o->id, p->res, *holder, -1, unit, out, err);
}

static void end_holder(pid_t *holder)
{
	if (*holder <= 0)
		return;
	kill(*holder, SIGKILL);
	while (waitpid(*holder, NULL, 0) < 0 && errno == EINTR)
		;
	*holder = -1;
}

/* What runc does at criu's setup-namespaces: the namespaces are there, and
 * no restored process runs yet. */
struct restore_ns {
	const struct create_opts *o;
	const struct create_prep *p;
	const cg *cgroup;
	const char *created;
	bool net; /* criu made the network namespace empty: lo and sysctls again */
};

static bool runtime_hooks(const struct oci_spec *s)
{
	return s->n_hooks[HOOK_PRESTART] || s->n_hooks[HOOK_CREATE_RUNTIME];
}

static int setup_namespaces(pid_t init, void *arg, cerr *err)
{
	const struct restore_ns *x = arg;
	const struct oci_spec *s = x->p->spec;
	int r;
	if (x->net && (r = net_restored_setup(init, &s->linux_, err)) < 0)
		return r;
	if (!runtime_hooks(s))
		return 0;
	_cleanup_free_ char *state = container_state_json(x->o, x->p, init, x->cgroup, x->created, ST_CREATING);
	if (!state)
		return cerr_set(err, ENOMEM, "out of memory");
	if ((r = hooks_run(s, HOOK_PRESTART, state, err)) < 0)
		return r;
	return hooks_run(s, HOOK_CREATE_RUNTIME, state, err);
}

/* Whether the dump left the network namespace out (checkpoint.c), or the
 * caller asks for it so. */
static bool empty_net(const struct ckpt_opts *k)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" CKPT_EMPTY_NET, k->image_path);
	return k->empty_net || access(path, F_OK) == 0;
}

int container_restore_prepared(const struct create_opts *o, const struct create_prep *p, const struct ckpt_opts *k,
			       struct container *c, cerr *err)
{
	*c = (struct container){ .pid = -1, .pidfd = -1, .pty_master = -1 };
	int r;
	struct criu criu;
	_cleanup_free_ char *descriptors = NULL;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" CKPT_DESCRIPTORS, k->image_path);
	if ((r = criu_open(k->criu, &criu, err)) < 0 || (r = restore_checks(p, k, &criu, o, err)) < 0)
		return r;
	/* none: a checkpoint that is not corral's or runc's; criu's own fds are used */
	if (read_file(path, 1 << 16, &descriptors, NULL, NULL) < 0)
		descriptors = NULL;
	char dir[PATH_MAX], croot[PATH_MAX] = "", pidfile[PATH_MAX], created[RFC3339_LEN], log[PATH_MAX];
	_cleanup_close_ int lock = container_state_dir(o, dir, err);
	if (lock < 0)
		return lock;
	rfc3339_ns(0, created, sizeof(created));
	_cleanup_cg_ cg *cgroup = NULL;
	_cleanup_strv_ char **args = NULL;
	pid_t pid = -1;
	_cleanup_close_ int netns = -1; /* a network namespace joined by path: criu's CKPT_NETNS_FD */
	_cleanup_close_ int master = -1, slave = -1; /* a terminal's new pty */
	char tty[64];
	pid_t holder = -1;
	char scope[NAME_MAX + 1] = "";
	if ((r = o->systemd_cgroup ? scope_for_restore(o, p, &holder, scope, &cgroup, err)
				   : cgroup_make(o, p->spec, p->res, &cgroup, err)) < 0 ||
	    (r = container_record_creating(o, p, dir, cgroup, created, err)) < 0 ||
	    (r = make_mountpoints(p->spec, p->rootfs, o->bundle, err)) < 0)
		goto fail;
	/* criu's root must be a mount point: the rootfs, bound (runc's criu-root) */
	snprintf(path, sizeof(path), "%s/" CRIU_ROOT, dir);
	if (mkdir(path, 0755) < 0 || mount(p->rootfs, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		r = cerr_sys(err, errno, "restore: bind the rootfs on %s", path);
		rmdir(path);
		goto fail;
	}
	snprintf(croot, sizeof(croot), "%s", path);
	/* criu keeps its root's flags: suid back as create gives it (rootfs_suid.c) */
	if (!spec_has_namespace(p->spec, NS_USER) && rootfs_suid_wanted(p->spec, p->rootfs)) {
		_cleanup_close_ int cfd = open(croot, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if ((r = cfd < 0 ? cerr_sys(err, errno, "restore: %s", croot) : rootfs_suid_give(cfd, croot, err)) < 0)
			goto fail;
	}
	snprintf(pidfile, sizeof(pidfile), "%s/criu.pid", dir);
	struct ckpt_ctx ctx = { .spec = p->spec, .rootfs = croot, .bundle = o->bundle, .pidfile = pidfile,
				.cgroup_path = cgroup ? cgroup->path : NULL, .descriptors = descriptors };
	snprintf(log, sizeof(log), "%s/restore.log", k->work_path ? k->work_path : k->image_path);
	const struct oci_namespace *net = spec_namespace(p->spec, NS_NETWORK);
	netns = net && net->path ? open(net->path, O_RDONLY | O_CLOEXEC) : -1;
	if (net && net->path && netns < 0) {
		r = cerr_sys(err, errno, "linux.namespaces: network %s", net->path);
		goto fail;
	}
	/* a terminal: a new pty, whose peer takes the dump's place */
	if (p->spec->process.terminal && ((r = read_terminal(k->image_path, tty, sizeof(tty), err)) < 0 ||
					 (r = tty_open_in_root("/", &master, &slave, err)) < 0))
		goto fail;
	char console[PATH_MAX] = "";
	if (slave >= 0) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", slave);
		ssize_t n = readlink(link, console, sizeof(console) - 1);
		console[n > 0 ? n : 0] = '\0';
	}
	ctx.terminal = p->spec->process.terminal ? tty : NULL;
	ctx.console = console;
	struct ckpt_opts kk = *k;
	kk.empty_net = empty_net(k);
	const char *net_mode = spec_annotation(p->spec, "io.corral.network");
	struct restore_ns ns = { .o = o, .p = p, .cgroup = cgroup, .created = created,
				 .net = kk.empty_net && net && !net->path && !(net_mode && streq(net_mode, "none")) };
	struct criu_notify notify = { .dir = dir, .setup_namespaces = setup_namespaces, .arg = &ns };
	struct criu_run_opts run = { .in = slave, .fd3 = netns,
				     .notify = ns.net || runtime_hooks(p->spec) ? &notify : NULL };
	if ((r = ckpt_restore_args(&criu, &kk, &ctx, &args, err)) < 0 || (r = criu_run(&criu, args, &run, log, err)) < 0 ||
	    (r = read_pid(pidfile, &pid, err)) < 0)
		goto fail;
	if (master >= 0 && o->console_socket && (r = tty_send_to_socket(o->console_socket, master, err)) < 0)
		goto fail;

	undo_root(croot);
	unlink(pidfile);
	end_holder(&holder);
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (c->pidfd < 0) {
		r = cerr_sys(err, errno, "restore: the restored init %d", (int)pid);
		goto fail;
	}
	if ((r = container_record(o, p, dir, pid, cgroup, created, err)) < 0)
		goto fail;
	c->pid = pid;
	if (cgroup && (!(c->cgroup_mount = strdup(cgroup->mount)) || !(c->cgroup_path = strdup(cgroup->path)))) {
		container_release(c);
		r = cerr_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	if (master >= 0 && !o->console_socket)
		c->pty_master = TAKE_FD(master); /* keep_pty: the caller's */
	return 0;
fail:
	undo_root(croot);
	end_holder(&holder);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	if (scope[0])
		cg_scope_stop(scope, NULL);
	else if (cgroup)
		cg_destroy(cgroup, true, NULL);
	rm_rf(dir);
	return r;
}

int container_restore(const struct create_opts *o, const struct ckpt_opts *k, struct container *c, cerr *err)
{
	struct create_prep p;
	int r = container_prepare(o, &p, err);
	if (r < 0)
		return r;
	r = container_restore_prepared(o, &p, k, c, err);
	create_prep_release(&p);
	return r;
}
