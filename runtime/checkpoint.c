/* corral checkpoint: criu dumps the container's process tree, as runc has
 * it dumped: its root, its cgroup frozen, every bind and masked file an
 * external mount, and its stdio recorded for restore. */
#include "checkpoint.h"
#include "runtime/lifecycle.h"
#include "bundle/parse_linux.h"
#include "bundle/spec_parse.h"
#include "criu.h"
#include "ckpt_args.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The init's terminal, as criu names it external (tty[RDEV:DEV]), and
 * beside the images for restore to give it a new one in its place, as
 * runc's orphan-pts-master does over criu's RPC. */
static int save_terminal(pid_t pid, const char *image_path, char *id, size_t n, cerr *err)
{
	char link[64];
	struct stat st;
	snprintf(link, sizeof(link), "/proc/%d/fd/0", (int)pid);
	if (stat(link, &st) < 0 || !S_ISCHR(st.st_mode))
		return cerr_set(err, ENOTSUP, "process.terminal: the init's stdin is no terminal: it cannot be checkpointed");
	int len = snprintf(id, n, "tty[%llx:%llx]", (unsigned long long)st.st_rdev, (unsigned long long)st.st_dev);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" CKPT_TERMINAL, image_path);
	return write_file_atomic(path, id, (size_t)len, 0600, err);
}

/* Whether mount mnt is one of pid's mount namespace. */
static bool mount_of(pid_t pid, unsigned long mnt)
{
	char path[64], id[32];
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	_cleanup_free_ char *text = NULL;
	if (read_file(path, 1 << 24, &text, NULL, NULL) < 0)
		return true; /* unknown: criu's own lookup decides */
	/* each line starts with its mount's id */
	int n = snprintf(id, sizeof(id), "\n%lu ", mnt);
	return strncmp(text, id + 1, (size_t)n - 1) == 0 || strstr(text, id);
}

/* A terminal: criu takes one as a tty (tty[RDEV:DEV]), never as a file. */
static bool tty_device(const struct stat *st)
{
	unsigned m = major(st->st_rdev);
	return S_ISCHR(st->st_mode) && (m == 4 || m == 5 || (m >= 136 && m <= 143));
}

/* An init's stdio that is a file of no mount of the container's (corral
 * run -d >log): criu names it external, file[MNT:INODE], and restore hands
 * its own stdio in its place, as for a pipe. Else key is "". */
static void external_stdio(pid_t pid, int fd, char key[CKPT_KEY_MAX])
{
	char path[64];
	struct stat st;
	key[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if (stat(path, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)) || tty_device(&st))
		return;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	_cleanup_free_ char *info = NULL;
	const char *m = read_file(path, 4096, &info, NULL, NULL) == 0 ? strstr(info, "mnt_id:") : NULL;
	unsigned long mnt;
	if (m && sscanf(m + 7, "%lu", &mnt) == 1 && !mount_of(pid, mnt))
		snprintf(key, CKPT_KEY_MAX, "file[%lx:%llx]", mnt, (unsigned long long)st.st_ino);
}

/* What the init's stdio is, for restore to hand it back (runc's
 * descriptors.json): "pipe:[N]", "/dev/null", ..., or an external file's
 * key. */
static int save_descriptors(pid_t pid, const char *image_path, char keys[3][CKPT_KEY_MAX], cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_array_open(g);
	for (int fd = 0; !r && fd < 3; fd++) {
		char link[64], target[PATH_MAX] = "";
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		r = jg_str(g, keys[fd][0] ? keys[fd] : target);
	}
	size_t len = 0;
	_cleanup_free_ char *json = r || yajl_gen_array_close(g) ? NULL : jg_finish(g, &len);
	if (!json)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" CKPT_DESCRIPTORS, image_path);
	return write_file_atomic(path, json, len, 0600, err);
}

int container_checkpoint(const char *root, const char *id, const struct ckpt_opts *o, cerr *err)
{
	_cleanup_state_ struct rt_state *st = NULL;
	int r = state_load(root, id, &st, err);
	if (r < 0)
		return r;
	enum rt_status status = state_status(root, st);
	if (status != ST_RUNNING && status != ST_PAUSED)
		return cerr_set(err, EINVAL, "container \"%s\" is %s: only a running container can be checkpointed", id,
				rt_status_names[status]);
	_cleanup_spec_ struct oci_spec *oci = NULL;
	if ((r = container_load_spec(root, id, &oci, err)) < 0)
		return r;
	struct criu criu;
	if ((r = criu_open(o->criu, &criu, err)) < 0)
		return r;
	/* never restore less confinement than the config asks for */
	if (oci->process.no_new_privileges && criu.version < CRIU_NNP_VERSION)
		return cerr_set(err, ENOTSUP, "process.noNewPrivileges: criu %s cannot restore it (criu 3.19 or later "
				"can): the container was not checkpointed", criu.text);
	if ((r = ckpt_joined_ns_check(oci, err)) < 0)
		return r;
	const char *work = o->work_path ? o->work_path : o->image_path;
	struct stat was;
	bool made = stat(o->image_path, &was) < 0;
	if ((r = mkdir_p(o->image_path, 0700)) < 0)
		return cerr_sys(err, -r, "--image-path %s", o->image_path);
	if ((r = mkdir_p(work, 0700)) < 0)
		return cerr_sys(err, -r, "--work-path %s", work);
	/* Its own network namespace is left out, as runc leaves it: criu's
	 * dump of one runs ip and iptables-save, and the runtime set up no
	 * more than lo. An established connection needs it whole. */
	struct ckpt_opts k = *o;
	const struct oci_namespace *net = spec_namespace(oci, NS_NETWORK);
	bool own_net = net && !net->path;
	k.empty_net = o->empty_net || (own_net && !o->tcp_established);
	char marker[PATH_MAX];
	snprintf(marker, sizeof(marker), "%s/" CKPT_EMPTY_NET, o->image_path);
	if (!o->pre_dump && own_net && k.empty_net) {
		if ((r = write_file_atomic(marker, "", 0, 0600, err)) < 0)
			return r;
	} else if (!o->pre_dump) {
		unlink(marker);
	}
	o = &k;
	_cleanup_strv_ char **args = NULL;
	char tty[64];
	if (oci->process.terminal && (r = save_terminal(st->pid, o->image_path, tty, sizeof(tty), err)) < 0)
		return r;
	char ext[3][CKPT_KEY_MAX] = { "", "", "" };
	for (int fd = 0; fd < 3 && !oci->process.terminal; fd++)
		external_stdio(st->pid, fd, ext[fd]);
	struct ckpt_ctx ctx = { .spec = oci, .rootfs = st->rootfs, .bundle = st->bundle, .pid = st->pid,
				.cgroup_mount = st->cgroup_mount, .cgroup_path = st->cgroup_path,
				.terminal = oci->process.terminal ? tty : NULL, .ext_stdio = { ext[0], ext[1], ext[2] } };
	if ((r = ckpt_dump_args(&criu, o, &ctx, &args, err)) < 0)
		return r;
	if (!o->pre_dump && (r = save_descriptors(st->pid, o->image_path, ext, err)) < 0)
		return r;
	char log[PATH_MAX];
	snprintf(log, sizeof(log), "%s/%s", work, o->pre_dump ? "pre-dump.log" : "dump.log");
	if ((r = criu_run(&criu, args, NULL, log, err)) < 0) {
		/* where criu cannot work at all, its own check says why better */
		_cleanup_cerr_ cerr why = { 0 };
		if (criu_check(&criu, &why) < 0) {
			if (made) /* nothing of use in it: criu could not start */
				rm_rf(o->image_path);
			return cerr_set(err, why.code, "%s", cerr_msg(&why));
		}
		return r;
	}
	if (o->leave_running || o->pre_dump)
		return 0;
	/* criu ended the tree: what is left of the container goes, as runc's
	 * does (unless the init's parent, corrald's monitor, was quicker) */
	if ((r = container_delete(root, id, true, err)) < 0 && cerr_forgive(err, ENOENT))
		r = 0;
	return r;
}
