/* Test helper, linked statically so it runs in any rootfs: try each named
 * syscall with harmless arguments and print "NAME: ok" or "NAME: ERRNO". */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	default: return strerror(e);
	}
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		long r = -1;
		errno = 0;
		if (!strcmp(argv[i], "keyctl"))
			r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
		else if (!strcmp(argv[i], "add_key"))
			r = syscall(SYS_add_key, "user", "corral", "x", 1, -3);
		else if (!strcmp(argv[i], "unshare"))
			r = unshare(CLONE_NEWUTS);
		else if (!strcmp(argv[i], "mount"))
			r = mount("none", "/tmp", "tmpfs", 0, NULL);
		else if (!strcmp(argv[i], "clone3"))
			r = syscall(SYS_clone3, NULL, 0);
		else if (!strcmp(argv[i], "getpid"))
			r = getpid();
		else if (!strcmp(argv[i], "icmp")) /* ping's ICMP socket: net.ipv4.ping_group_range */
			r = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
		else {
			printf("%s: unknown probe\n", argv[i]);
			continue;
		}
		printf("%s: %s\n", argv[i], r >= 0 ? "ok" : errname(errno));
	}
	return 0;
}
