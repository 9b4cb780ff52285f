/* SELinux, written to the kernel's files directly as runc's go-selinux
 * does: three small writes do not need libselinux and its pcre2 in a
 * static binary. */
#include "selinux.h"
#include "common/cleanup.h"
#include "lsm_attr.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

bool selinux_enabled(void)
{
	struct statfs sf;
	if (statfs("/sys/fs/selinux", &sf) < 0 || sf.f_type != SELINUX_MAGIC || (sf.f_flags & ST_RDONLY))
		return false;
	_cleanup_close_ int fd = open("/proc/self/attr/current", O_RDONLY | O_CLOEXEC);
	char cur[64] = "";
	ssize_t n = fd < 0 ? -1 : read(fd, cur, sizeof(cur) - 1);
	if (n < 0)
		return false;
	cur[n] = '\0';
	cur[strcspn(cur, "\n")] = '\0';
	/* selinuxfs is there before a policy is: until then every task is "kernel" */
	return strcmp(cur, "kernel") != 0;
}

int selinux_check_label(const char *label, const char *what, cerr *err)
{
	if (!label || !label[0])
		return 0;
	for (const char *c = label; *c; c++)
		if (*c == '"' || (unsigned char)*c < 0x20 || *c == 0x7f)
			return cerr_set(err, EINVAL, "%s: \"%s\" is not an SELinux label", what, label);
	if (!selinux_enabled())
		return cerr_set(err, ENOTSUP, "%s: SELinux is disabled or not supported on this host", what);
	return 0;
}

bool selinux_context_known(const char *label)
{
	/* the kernel checks it against the loaded policy: libselinux's
	 * security_check_context writes it, its NUL included */
	_cleanup_close_ int fd = open("/sys/fs/selinux/context", O_RDWR | O_CLOEXEC);
	size_t n = strlen(label) + 1;
	return fd >= 0 && write(fd, label, n) == (ssize_t)n;
}

int selinux_check_spec(const struct oci_spec *s, cerr *err)
{
	int r = selinux_check_label(s->process.selinux_label, "process.selinuxLabel", err);
	return r < 0 ? r : selinux_check_label(s->linux_.mount_label, "linux.mountLabel", err);
}

int selinux_open_exec_attr(int proc_dir, const char *label, int min_fd, cerr *err)
{
	if (!label || !label[0])
		return -1;
	return lsm_open_exec_attr(proc_dir, "selinux", min_fd, "process.selinuxLabel", err);
}

int selinux_set_exec_label(int fd, const char *label, cerr *err)
{
	if (fd < 0)
		return 0;
	ssize_t n = write(fd, label, strlen(label));
	int e = errno;
	close(fd);
	if (n != (ssize_t)strlen(label))
		return cerr_sys(err, n < 0 ? e : EIO, "process.selinuxLabel: set \"%s\" for exec", label);
	return 0;
}

int selinux_mount_data(const char *data, const char *label, char *out, size_t len)
{
	bool has = data && data[0];
	int n = snprintf(out, len, "%s%scontext=\"%s\"", has ? data : "", has ? "," : "", label);
	return n < 0 || (size_t)n >= len ? -E2BIG : 0;
}

int selinux_label_path(const char *path, const char *label)
{
	return setxattr(path, "security.selinux", label, strlen(label), 0) < 0 ? -errno : 0;
}
