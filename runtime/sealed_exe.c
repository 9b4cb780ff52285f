#include "sealed_exe.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/safepath.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ORIGIN_ENV "_CORRAL_SEALED_ORIGIN"
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static char origin[PATH_MAX];

const char *sealed_exe_origin(void)
{
	if (!origin[0]) {
		const char *o = getenv(ORIGIN_ENV);
		if (o && strlen(o) < sizeof(origin)) {
			strcpy(origin, o);
		} else {
			ssize_t n = readlink("/proc/self/exe", origin, sizeof(origin) - 1);
			origin[n > 0 ? n : 0] = '\0';
		}
	}
	return origin;
}

/* What the kernel says of our binary decides, not the environment: a
 * read-only overlayfs (the view below, which cannot be made writable) or a
 * sealed memfd. */
static bool running_sealed(int exe)
{
	struct statfs sf;
	if (fstatfs(exe, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC && (sf.f_flags & ST_RDONLY))
		return true;
	int seals = fcntl(exe, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* Our binary's directory seen through a detached overlayfs whose layers are
 * only lower ones: overlayfs refuses every write to such a mount and, unlike
 * a read-only bind mount, it cannot be remounted writable. No copy: the
 * pages are the original's. It needs two layers that do not nest: the
 * directory on top of /dev, where the binary's name is not looked for.
 * Needs CAP_SYS_ADMIN and a path overlayfs takes; -1 otherwise. *base is
 * the binary's name in the view. */
static int overlay_mount(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path || strpbrk(path, ":\\,") || strstr(path, " (deleted)")) {
		errno = EINVAL;
		return -1;
	}
	char lower[PATH_MAX + 8];
	snprintf(lower, sizeof(lower), "%.*s:/dev", (int)(slash - path), path);
	_cleanup_close_ int ctx = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (ctx < 0 || syscall(SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
	    syscall(SYS_fsconfig, ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	*base = slash + 1;
	return (int)syscall(SYS_fsmount, ctx, FSMOUNT_CLOEXEC,
			    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
}

/* The binary itself in that view, for this call only: the O_PATH fd keeps
 * the detached mount alive until the exec. */
static int overlay_view(const char *path)
{
	const char *base;
	_cleanup_close_ int mnt = overlay_mount(path, &base);
	return mnt < 0 ? -1 : openat(mnt, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/* What execve and the dynamic loader read of an ELF file: the headers and
 * what its program headers cover. The rest (debug info, the section
 * headers) is most of a -g build, and copying it costs time for nothing.
 * A sanitizer build symbolizes from /proc/self/exe: it gets everything. */
static off_t loaded_size(int fd, off_t size)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
	return size;
#else
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 64)
		return size;
	Elf64_Phdr ph[64];
	size_t len = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (pread(fd, ph, len, (off_t)eh.e_phoff) != (ssize_t)len)
		return size;
	uint64_t end = eh.e_phoff + len;
	for (size_t i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_offset + ph[i].p_filesz > end)
			end = ph[i].p_offset + ph[i].p_filesz;
	return end < (uint64_t)size ? (off_t)end : size;
#endif
}

/* Where there is no overlayfs to be had (no privilege, an odd path): a
 * sealed memfd copy of the binary. */
static int sealed_copy(int exe, cerr *err)
{
	struct stat st;
	if (fstat(exe, &st) < 0)
		return cerr_sys(err, errno, "stat /proc/self/exe");
	off_t size = loaded_size(exe, st.st_size);
	_cleanup_close_ int copy = memfd_create("corral", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		return cerr_sys(err, errno, "sealed copy of the runtime: memfd_create");
	for (off_t done = 0; done < size;) {
		ssize_t n = sendfile(copy, exe, NULL, (size_t)(size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cerr_sys(err, n < 0 ? errno : EIO, "sealed copy of the runtime: copy");
		done += n;
	}
	if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
		return cerr_sys(err, errno, "sealed copy of the runtime: seal");
	return TAKE_FD(copy);
}

int sealed_exe_ensure(char **argv, cerr *err)
{
	_cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return cerr_sys(err, errno, "open /proc/self/exe");
	if (running_sealed(exe)) {
		sealed_exe_origin();
		unsetenv(ORIGIN_ENV);
		return 0;
	}
	/* the binary we run, whatever the environment says of our origin */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	_cleanup_close_ int sealed = overlay_view(self);
	log_debug("sealed runtime: %s", sealed >= 0 ? "a read-only overlayfs view" : "a sealed memfd copy");
	if (sealed < 0 && (sealed = sealed_copy(exe, err)) < 0)
		return sealed;
	if (setenv(ORIGIN_ENV, sealed_exe_origin(), 1) < 0)
		return cerr_sys(err, errno, "setenv");
	syscall(SYS_execveat, sealed, "", argv, environ, AT_EMPTY_PATH);
	int e = errno;
	unsetenv(ORIGIN_ENV);
	return cerr_sys(err, e, "sealed copy of the runtime: exec");
}

/* The view of overlay_mount bound over path itself, for good: every later
 * call from path runs sealed already and skips the copy and the second
 * exec. A detached mount cannot be bound from (on 6.1), so the view is
 * attached at a private directory for the bind, and detached again. Both
 * ends of the bind are named by fd: no symlink put in either's place
 * meanwhile is followed. */
int sealed_exe_install(const char *path, cerr *err)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		return cerr_sys(err, errno, "%s", path);
	_cleanup_close_ int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return cerr_sys(err, errno, "%s", real);
	if (!S_ISREG(st.st_mode))
		return cerr_set(err, EINVAL, "%s: not a regular file", real);
	if (running_sealed(fd))
		return 1;
	const char *base;
	_cleanup_close_ int mnt = overlay_mount(real, &base);
	if (mnt < 0)
		return cerr_sys(err, errno,
				"%s: a read-only overlayfs view of its directory (needs CAP_SYS_ADMIN, and no ':' or ',' in the path)",
				real);
	_cleanup_close_ int view = openat(mnt, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (view < 0 || fstat(view, &st) < 0 || !S_ISREG(st.st_mode))
		return cerr_set(err, view < 0 ? errno : EINVAL, "%s: not a regular file in the view", real);
	char at[] = "/run/corral-seal.XXXXXX";
	if (!mkdtemp(at))
		return cerr_sys(err, errno, "%s", at);
	char from[32], to[32];
	int r = 0;
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, at, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		r = cerr_sys(err, errno, "%s: attach the view at %s", real, at);
	else if (mount(fd_path(view, from), fd_path(fd, to), NULL, MS_BIND, NULL) < 0)
		r = cerr_sys(err, errno, "%s: bind the view over it", real);
	umount2(at, MNT_DETACH);
	rmdir(at);
	return r;
}

int sealed_exe_remove(const char *path, cerr *err)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		return cerr_sys(err, errno, "%s", path);
	struct statx sx;
	struct statfs sf;
	if (statx(AT_FDCWD, real, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0 || statfs(real, &sf) < 0)
		return cerr_sys(err, errno, "%s", real);
	/* only a view that seal put there: a file bound over, on overlayfs */
	if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) || !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ||
	    sf.f_type != OVERLAYFS_SUPER_MAGIC || !S_ISREG(sx.stx_mode))
		return 1;
	if (umount2(real, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		return cerr_sys(err, errno, "%s: unmount the sealed view", real);
	return 0;
}
