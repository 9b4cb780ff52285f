/* The benchmark's floor: what a runtime must do at least to run /bin/true
 * in a container, with no runtime around it. New mount, pid, uts, ipc and
 * network namespaces; the rootfs bound and pivot_root'ed; proc, a tmpfs
 * /dev with devpts, /dev/shm and mqueue, and sysfs mounted; then exec.
 *   floor ROOTFS [ARGS...]   (default /bin/true); exits with its status */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	_exit(127);
}

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, data) < 0)
		die(dst);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: floor ROOTFS [COMMAND...]\n");
		return 2;
	}
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
						      SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		die("clone");
	if (pid == 0) {
		if (mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0 ||
		    mount(argv[1], argv[1], NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(argv[1]) < 0)
			die("rootfs");
		const unsigned long ns = MS_NOSUID | MS_NOEXEC | MS_NODEV;
		mnt("proc", "proc", "proc", ns, NULL);
		mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
		mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
		mnt("shm", "dev/shm", "tmpfs", ns, "mode=1777,size=65536k");
		mnt("mqueue", "dev/mqueue", "mqueue", ns, NULL);
		mnt("sysfs", "sys", "sysfs", ns | MS_RDONLY, NULL);
		if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
			die("pivot_root");
		char *def[] = { "/bin/true", NULL };
		execv(argc > 2 ? argv[2] : def[0], argc > 2 ? argv + 2 : def);
		die("exec");
	}
	int st;
	if (waitpid(pid, &st, 0) < 0)
		die("wait");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
