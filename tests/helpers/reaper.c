/* Test helper: run a command as a child subreaper and reap every orphan
 * under it, as engines (conmon, containerd-shim) do for the containers
 * their runtime creates. Exits with the command's status.
 *
 * Once the command has ended, what it left has REAPER_GRACE seconds (15
 * by default) to end too; then each process still under the reaper is
 * named on stderr ("reaper: left behind: PID COMMAND") and killed, and
 * the reaper exits 125. A test file's leftover holds its output pipe: the
 * run would otherwise wait out the leftover's whole life. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t overdue;

static void on_alarm(int sig)
{
	(void)sig;
	overdue = 1;
}

/* PID's parent, from /proc/PID/stat (the command may hold ')' and spaces) */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *end = strrchr(buf, ')');
	int ppid;
	return end && sscanf(end + 1, " %*c %d", &ppid) == 1 ? ppid : -1;
}

static void name_it(const char *pid)
{
	char path[64], cmd[256] = "";
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
	if (f)
		fclose(f);
	for (size_t i = 0; i + 1 < n; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	cmd[n] = '\0';
	fprintf(stderr, "reaper: left behind: %s %s\n", pid, cmd);
}

/* Kill the reaper's children: their own children come to it next, and are
 * found on the next pass. 1 if there was one. */
static int kill_children(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	int found = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || parent_of(e->d_name) != getpid())
			continue;
		name_it(e->d_name);
		kill(atoi(e->d_name), SIGKILL);
		found = 1;
	}
	closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: reaper COMMAND [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("reaper: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	const char *g = getenv("REAPER_GRACE");
	unsigned grace = g && *g ? (unsigned)atoi(g) : 15;
	/* no SA_RESTART: the alarm interrupts wait() */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	pid_t child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		execvp(argv[1], argv + 1);
		perror("reaper: exec");
		_exit(127);
	}
	int code = 0, killed = 0;
	for (;;) {
		int status;
		pid_t p = wait(&status);
		if (p < 0) {
			if (errno != EINTR)
				break; /* ECHILD: every descendant is reaped */
			if (overdue) {
				overdue = 0;
				killed |= kill_children();
				alarm(1); /* their children, reparented here */
			}
			continue;
		}
		if (p == child) {
			code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			alarm(grace ? grace : 1);
		}
	}
	return killed ? 125 : code;
}
