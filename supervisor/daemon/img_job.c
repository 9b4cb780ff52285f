#include "supervisor/daemon/img_job.h"
#include "supervisor/loop/capture.h"
#include "supervisor/daemon/service.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMGJOB_MAX_OUTPUT (64u << 10)

extern char **environ;

typedef struct imgjob {
	corrald *d;
	vl_call *call;
	el_source *io[2], *child;
	int fd[2];
	strbuf out[2];
	bool exited;
	int code;
	imgjob_done_fn done;
	void *ctx;
} imgjob;

static void job_free(imgjob *j)
{
	for (int i = 0; i < 2; i++) {
		el_remove(j->io[i]);
		if (j->fd[i] >= 0)
			close(j->fd[i]);
		sb_release(&j->out[i]);
	}
	el_remove(j->child);
	free(j);
}

static void on_cancel(vl_call *call, void *data)
{
	((imgjob *)data)->call = NULL; /* the import still finishes: the store stays whole */
}

static void maybe_done(imgjob *j)
{
	if (!j->exited || j->fd[0] >= 0 || j->fd[1] >= 0)
		return;
	if (j->call)
		vl_call_set_cancel(j->call, NULL, NULL);
	j->done(j->d, j->call, j->code, &j->out[0], &j->out[1], j->ctx);
	job_free(j);
}

static void on_out(el_source *s, int fd, uint32_t events, void *data)
{
	imgjob *j = data;
	int i = fd == j->fd[0] ? 0 : 1;
	if (!capture_read(fd, &j->out[i], IMGJOB_MAX_OUTPUT, NULL))
		return;
	el_remove(s);
	j->io[i] = NULL;
	close(fd);
	j->fd[i] = -1;
	maybe_done(j);
}

static void on_exit_(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	imgjob *j = data;
	el_remove(s); /* its pidfd too */
	j->child = NULL;
	j->exited = true;
	j->code = si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
	maybe_done(j);
}

int imgjob_run(corrald *d, vl_call *call, char *const *args, imgjob_done_fn done, void *ctx, cerr *err)
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = calloc(n + 2, sizeof(char *));
	imgjob *j = calloc(1, sizeof(*j));
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, r = 0;
	posix_spawn_file_actions_t fa;
	bool fa_ok = false;
	if (!argv || !j) {
		r = cerr_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	argv[0] = d->images_bin;
	memcpy(argv + 1, args, n * sizeof(char *));
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		r = cerr_sys(err, errno, "pipe");
		goto fail;
	}
	if ((r = -posix_spawn_file_actions_init(&fa)) < 0)
		goto fail_spawn;
	fa_ok = true;
	if ((r = -posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) < 0 ||
	    (r = -posix_spawn_file_actions_adddup2(&fa, po[1], 1)) < 0 ||
	    (r = -posix_spawn_file_actions_adddup2(&fa, pe[1], 2)) < 0)
		goto fail_spawn;
	pid_t pid;
	/* corrald's signal mask (signalfd) must not reach the child */
	posix_spawnattr_t at;
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	r = -posix_spawn(&pid, d->images_bin, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	if (r < 0)
		goto fail_spawn;
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	j->d = d;
	j->call = call;
	j->done = done;
	j->ctx = ctx;
	j->fd[0] = po[0];
	j->fd[1] = pe[0];
	free(argv);
	for (int i = 0; i < 2; i++)
		fcntl(j->fd[i], F_SETFL, O_NONBLOCK);
	/* from here on the job ends through the loop, even if a watch fails */
	if (el_add_io(d->loop, j->fd[0], EPOLLIN, on_out, j, &j->io[0], err) < 0 ||
	    el_add_io(d->loop, j->fd[1], EPOLLIN, on_out, j, &j->io[1], err) < 0 ||
	    el_add_child(d->loop, pid, on_exit_, j, &j->child, err) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		j->done = NULL;
		job_free(j);
		return err->code ? -err->code : -EIO;
	}
	if (call)
		vl_call_set_cancel(call, on_cancel, j);
	return 0;
fail_spawn:
	cerr_sys(err, -r, "%s", d->images_bin);
fail:
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	free(argv);
	free(j);
	return r;
}
