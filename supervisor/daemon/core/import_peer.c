#include "supervisor/daemon/core/import_peer.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/core/peer_open.h"
#include "supervisor/daemon/core/violation.h"
#include "supervisor/daemon/core/corrald.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct pending {
	struct corrald *d;
	vl_call *call; /* NULL once the caller hung up */
	char *path;
	const char *method; /* for the refusal */
	bool write;
	uid_t uid;
	import_start_fn start;
	import_free_fn free_ctx;
	void *ctx;
} pending;

static void on_cancel(vl_call *call, void *data) { ((pending *)data)->call = NULL; }

static void opened(int fd, int code, void *data)
{
	pending *p = data;
	if (p->call)
		vl_call_set_cancel(p->call, NULL, NULL);
	if (!p->call) {
		if (fd >= 0)
			close(fd);
		p->free_ctx(p->ctx);
	} else if (fd < 0) {
		_cleanup_sv_fault_ sv_fault why = { 0 };
		policy_violation v = { .field = "path" };
		snprintf(v.limit, sizeof(v.limit), "unprivileged: only a file the peer itself can %s", p->write ? "write" : "read");
		snprintf(v.reason, sizeof(v.reason), "%s: %s (opened as uid %u)", p->path,
			 code == EXDEV  ? "on a FUSE or overlay file system (a group member's file must be on another)"
			 : code != EINVAL ? strerror(code)
			 : p->write       ? "not a regular file"
					  : "not a regular file (a group member imports archive files)",
			 (unsigned)p->uid);
		p->free_ctx(p->ctx);
		if (p->uid == 0) /* root's own file: no policy of a member's */
			sv_fault_invalid(&why, "path", v.reason);
		else
			policy_fault(p->d, vl_call_peer(p->call), p->method, &v, &why);
		p->start(p->d, p->call, -1, &why, NULL);
	} else {
		p->start(p->d, p->call, fd, NULL, p->ctx);
	}
	free(p->path);
	free(p);
}

int policy_import_as_peer(struct corrald *d, vl_call *call, const char *path, import_start_fn start,
			  import_free_fn free_ctx, void *ctx)
{
	return policy_open_as_peer(d, call, "ImageImport", path, PEER_READ, start, free_ctx, ctx);
}

int policy_open_as_peer(struct corrald *d, vl_call *call, const char *method, const char *path, enum peer_access how,
			import_start_fn start, import_free_fn free_ctx, void *ctx)
{
	_cleanup_sv_fault_ sv_fault why = { 0 };
	pending *p = calloc(1, sizeof(*p));
	char *copy = strdup(path);
	if (!p || !copy) {
		free(p);
		free(copy);
		free_ctx(ctx);
		sv_fault_internal(&why, "out of memory");
		return start(d, call, -1, &why, NULL);
	}
	*p = (pending){ .d = d, .call = call, .path = copy, .method = method, .write = how != PEER_READ,
			.uid = vl_call_peer(call)->uid, .start = start, .free_ctx = free_ctx, .ctx = ctx };
	cerr err = { 0 };
	int flags = how == PEER_CREATE ? O_WRONLY | O_CREAT | O_EXCL : how == PEER_WRITE ? O_WRONLY | O_TRUNC : O_RDONLY;
	if (peer_open_flags(d->loop, vl_call_peer(call), path, flags, opened, p, &err) < 0) {
		free(p->path);
		free(p);
		free_ctx(ctx);
		sv_fault_internal_err(&why, &err);
		return start(d, call, -1, &why, NULL);
	}
	vl_call_set_cancel(call, on_cancel, p);
	return 0;
}
