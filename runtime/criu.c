#include "criu.h"
#include "exec_path.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/spawn.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

void criu_last_error(const char *text, char *out, size_t len)
{
	out[0] = '\0';
	char first[256] = "";
	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *e = memmem(p, n, "Error (", 7);
		if (e) {
			/* "Error (criu/vdso.c:613): vdso: ..." without the source place */
			const char *text_at = memmem(e, n - (size_t)(e - p), "): ", 3);
			const char *from = text_at ? text_at + 3 : e;
			size_t k = n - (size_t)(from - p);
			snprintf(out, len, "%.*s", (int)k, from);
			if (!first[0])
				snprintf(first, sizeof(first), "%s", out);
		}
		p = end ? end + 1 : NULL;
	}
	/* the first is the cause, the last what criu made of it */
	if (first[0] && strcmp(first, out) != 0) {
		char last[256];
		snprintf(last, sizeof(last), "%s", out);
		snprintf(out, len, "%s (%s)", first, last);
	}
}

int criu_open(const char *name, struct criu *c, cerr *err)
{
	_cleanup_free_ char *path = NULL;
	name = name ? name : CRIU_DEFAULT;
	if (exec_find(name, environ, &path, NULL) < 0)
		return cerr_set(err, ENOENT, "criu: %s is not installed (Debian's criu package)", name);
	snprintf(c->path, sizeof(c->path), "%s", path);
	char out[512];
	char *argv[] = { c->path, "--version", NULL };
	int r = spawn_output(c->path, argv, true, out, sizeof(out));
	if (r < 0)
		return cerr_sys(err, -r, "criu: %s", c->path);
	const char *v = strstr(out, "Version: ");
	unsigned a = 0, b = 0, d = 0;
	if (r != 0 || !v || sscanf(v + 9, "%u.%u.%u", &a, &b, &d) < 2)
		return cerr_set(err, EINVAL, "criu: %s --version: no version in \"%.100s\"", c->path, out);
	c->version = (int)(a * 10000 + b * 100 + d);
	snprintf(c->text, sizeof(c->text), d ? "%u.%u.%u" : "%u.%u", a, b, d);
	if (c->version < CRIU_MIN_VERSION)
		return cerr_set(err, ENOTSUP, "criu %s is too old: corral needs 3.0 or later", c->text);
	return 0;
}

int criu_check(const struct criu *c, cerr *err)
{
	char out[4096], why[512];
	char *argv[] = { (char *)c->path, "check", NULL };
	int r = spawn_output(c->path, argv, true, out, sizeof(out));
	if (r < 0)
		return cerr_sys(err, -r, "criu: %s", c->path);
	if (r == 0)
		return 0;
	criu_last_error(out, why, sizeof(why));
	return cerr_set(err, ENOTSUP, "criu %s cannot checkpoint on this host: `criu check` says: %s", c->text,
			why[0] ? why : "it failed");
}

/* criu with our own stdio: what --inherit-fd gives the restored tree */
static int run_with_stdio(const char *path, char **argv, int in, int fd3)
{
	spawn_fds fds = { .in = in < 0 ? SPAWN_INHERIT : in, .out = SPAWN_INHERIT, .err = SPAWN_INHERIT, .fd3 = fd3 < 0 ? SPAWN_NULL : fd3 };
	pid_t pid;
	int r = spawn_clean(path, argv, &fds, false, &pid);
	if (r < 0)
		return r;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int criu_run(const struct criu *c, char *const *args, bool pass_stdio, int in, int fd3, const char *log, cerr *err)
{
	_cleanup_(strv_freep) char **argv = NULL;
	int r = strv_push(&argv, strdup(c->path));
	for (size_t i = 0; r == 0 && args[i]; i++)
		r = strv_push(&argv, strdup(args[i]));
	if (r < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	char out[4096] = "", why[512];
	/* a restored process that got criu's stdout would hold a capture pipe open */
	int rc = pass_stdio ? run_with_stdio(c->path, argv, in, fd3) : spawn_output(c->path, argv, true, out, sizeof(out));
	if (rc < 0)
		return cerr_sys(err, -rc, "criu: %s", c->path);
	if (rc == 0)
		return 0;
	_cleanup_free_ char *text = NULL;
	if (read_file(log, 1 << 24, &text, NULL, NULL) == 0)
		criu_last_error(text, why, sizeof(why));
	else
		criu_last_error(out, why, sizeof(why));
	if (!why[0])
		snprintf(why, sizeof(why), "it exited with status %d", rc);
	return cerr_set(err, EIO, "criu %s failed: %s (its log: %s)", args[0], why, log);
}
