#include "spawn.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void spawn_attr_freep(posix_spawnattr_t **a) { if (*a) posix_spawnattr_destroy(*a); }
static void spawn_actions_freep(posix_spawn_file_actions_t **f) { if (*f) posix_spawn_file_actions_destroy(*f); }

/* fd (or /dev/null, or nothing for SPAWN_INHERIT) as the child's fd to */
static int add_fd(posix_spawn_file_actions_t *fa, int fd, int to)
{
	if (fd == SPAWN_INHERIT)
		return 0;
	if (fd == SPAWN_NULL)
		return posix_spawn_file_actions_addopen(fa, to, "/dev/null", O_RDWR, 0);
	return posix_spawn_file_actions_adddup2(fa, fd, to);
}

int spawn_clean(const char *path, char *const *argv, const spawn_fds *fds, bool new_session, pid_t *pid)
{
	return spawn_clean_env(path, argv, NULL, fds, new_session, pid);
}

int spawn_clean_env(const char *path, char *const *argv, char *const *envp, const spawn_fds *fds, bool new_session,
		    pid_t *pid)
{
	posix_spawnattr_t attr, *a = NULL;
	posix_spawn_file_actions_t actions, *fa = NULL;
	_cleanup_(spawn_attr_freep) posix_spawnattr_t *a_owned = NULL;
	_cleanup_(spawn_actions_freep) posix_spawn_file_actions_t *fa_owned = NULL;
	int r;
	if ((r = posix_spawnattr_init(&attr)))
		return -r;
	a_owned = a = &attr;
	if ((r = posix_spawn_file_actions_init(&actions)))
		return -r;
	fa_owned = fa = &actions;
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (new_session ? POSIX_SPAWN_SETSID : 0);
	if ((r = posix_spawnattr_setflags(a, flags)) || (r = posix_spawnattr_setsigdefault(a, &all)) ||
	    (r = posix_spawnattr_setsigmask(a, &none)) || (r = add_fd(fa, fds->in, 0)) ||
	    (r = add_fd(fa, fds->out, 1)) || (r = add_fd(fa, fds->err, 2)) ||
	    (fds->fd3 >= 0 && (r = posix_spawn_file_actions_adddup2(fa, fds->fd3, 3))) ||
	    (r = posix_spawn_file_actions_addclosefrom_np(fa, 4)))
		return -r;
	return -posix_spawn(pid, path, fa, a, argv, envp ? envp : environ);
}

int spawn_output(const char *path, char *const *argv, bool with_stdout, char *out, size_t len)
{
	int p[2];
	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	spawn_fds fds = { .in = SPAWN_NULL, .out = with_stdout ? p[1] : SPAWN_NULL, .err = p[1], .fd3 = SPAWN_NULL };
	pid_t pid;
	int r = spawn_clean(path, argv, &fds, false, &pid);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return r;
	}
	size_t have = 0;
	for (ssize_t n; (n = read(p[0], out + have, len - 1 - have)) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		have += (size_t)n;
		if (have == len - 1) { /* keep the tail */
			memmove(out, out + have / 2, have - have / 2);
			have -= have / 2;
		}
	}
	close(p[0]);
	out[have] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int spawn_wait(const char *path, char *const *argv, char *why, size_t len)
{
	char buf[4096];
	int r = spawn_output(path, argv, false, buf, sizeof(buf));
	size_t have = strlen(buf);
	while (have && (buf[have - 1] == '\n' || buf[have - 1] == ' '))
		buf[--have] = '\0';
	const char *last = strrchr(buf, '\n');
	snprintf(why, len, "%s", last ? last + 1 : buf);
	return r;
}
