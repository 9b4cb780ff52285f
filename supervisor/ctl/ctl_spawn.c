/* corralctl's children (tar for cp, corral-sign for image sign): one end
 * of a pipe as their stdin or stdout, stderr shared, then their status. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_spawn.h"
#include "supervisor/ctl/ctl_call.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int ctl_spawn_piped(const char *what, char *const argv[], bool feed, int *fd, pid_t *pid)
{
	int p[2];
	posix_spawn_file_actions_t fa;
	if (pipe2(p, O_CLOEXEC) < 0)
		return ctl_failf("%s: pipe: %s", what, strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[feed ? 0 : 1], feed ? STDIN_FILENO : STDOUT_FILENO);
	int r = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[feed ? 0 : 1]);
	*fd = p[feed ? 1 : 0];
	if (r) {
		close(*fd);
		*fd = -1;
		return ctl_failf("%s: %s: %s", what, argv[0], strerror(r));
	}
	return 0;
}

int ctl_reap(const char *what, pid_t pid, bool says_why)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return ctl_failf("%s: %s", what, strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && says_why)
		return EXIT_CTL;
	return WIFSIGNALED(st) ? ctl_failf("%s: killed by signal %d", what, WTERMSIG(st))
			       : ctl_failf("%s failed (see above)", what);
}

int ctl_sibling(const char *name, char path[static PATH_MAX])
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return ctl_failf("/proc/self/exe: %s", strerror(errno));
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	if (snprintf(path, PATH_MAX, "%s/%s", self, name) >= PATH_MAX)
		return ctl_failf("%s/%s: path too long", self, name);
	return 0;
}
