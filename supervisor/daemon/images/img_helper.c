#include "supervisor/daemon/images/images.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/loop/child.h"
#include "common/cleanup.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define IMGJOB_MAX_OUTPUT (64u << 10)

typedef struct imghelper {
	struct imghelper *next; /* d->imghelpers */
	corrald *d;
	vl_call *call;
	imghelper_done_fn done;
	void *ctx;
	el_child *child;
	bool ends_with_caller;
	bool (*on_line)(vl_call *call, const char *line, size_t n, void *ctx);
} imghelper;

static bool on_line(const char *line, size_t n, void *data)
{
	imghelper *j = data;
	return j->on_line(j->call, line, n, j->ctx);
}

static void on_cancel(vl_call *call, void *data)
{
	imghelper *j = data;
	j->call = NULL;
	/* corral-images leaves the store whole either way: a SIGTERM ends it
	 * before its commit, or after the image is recorded */
	if (j->ends_with_caller)
		el_child_signal(j->child, SIGTERM);
}

static void unlink_helper(imghelper *j)
{
	for (imghelper **p = &j->d->imghelpers; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			return;
		}
}

static void on_done(const el_child_result *r, void *data)
{
	imghelper *j = data;
	unlink_helper(j);
	if (j->call)
		vl_call_set_cancel(j->call, NULL, NULL);
	j->done(j->d, j->call, r->code, &r->out[0], &r->out[1], j->ctx);
	free(j);
}

int imghelper_run(corrald *d, vl_call *call, char *const *args, int fd3, const imghelper_io *io, imghelper_done_fn done,
	       void *ctx, cerr *err)
{
	size_t n = 0;
	while (args[n])
		n++;
	_cleanup_free_ char **argv = calloc(n + 2, sizeof(char *));
	imghelper *j = calloc(1, sizeof(*j));
	if (!argv || !j) {
		free(j);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	argv[0] = d->images_bin;
	memcpy(argv + 1, args, n * sizeof(char *));
	*j = (imghelper){ .d = d, .call = call, .done = done, .ctx = ctx, .on_line = io ? io->on_line : NULL,
		       .ends_with_caller = io && io->ends_with_caller };
	el_child_opts o = { .path = d->images_bin, .argv = argv, .fd3 = fd3, .max_output = IMGJOB_MAX_OUTPUT,
			    .input = io ? io->input : NULL, .input_len = io ? io->input_len : 0,
			    .on_line = j->on_line ? on_line : NULL, .member = call && !(io && io->bounded_apart) ? vl_call_peer(call)->uid : 0 };
	int r = el_child_run(d->loop, &o, on_done, j, &j->child, err);
	if (r < 0) {
		free(j);
		return r;
	}
	if (call)
		vl_call_set_cancel(call, on_cancel, j);
	j->next = d->imghelpers;
	d->imghelpers = j;
	return 0;
}

void imghelper_shutdown(corrald *d)
{
	while (d->imghelpers) {
		imghelper *j = d->imghelpers;
		d->imghelpers = j->next;
		if (j->call)
			vl_call_set_cancel(j->call, NULL, NULL);
		el_child_abandon(j->child);
		free(j);
	}
}

char *imghelper_last_line(const strbuf *e, const char *prefix)
{
	const char *buf = e->buf ? e->buf : "";
	size_t len = e->len;
	while (len && buf[len - 1] == '\n')
		len--;
	const char *line = buf + len;
	while (line > buf && line[-1] != '\n')
		line--;
	if (!strncmp(line, prefix, strlen(prefix)))
		line += strlen(prefix);
	size_t n = (size_t)(buf + len - line);
	return n ? strndup(line, n) : strdup("corral-images failed without a message");
}
