/* Checkpoint: `corral-monitor --checkpoint` runs beside the container's
 * monitor, as a child of the loop (criu takes seconds), and dumps it into
 * containers/<id>/checkpoint/. Without leaveRunning criu ends the tree, its
 * monitor records the end, and the container stays down, checkpointed:
 * no restart policy brings it back. Restore starts it as Start does, with
 * a monitor that restores it from there instead of creating it, so that the
 * monitor is its parent again and holds its stdio and its exit. */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/methods/ctr_checkpoint.h"
#include "supervisor/daemon/containers/record/ctr_checkpoint_dir.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECKPOINT_MAX_OUTPUT 4096

typedef struct dump_call {
	corrald *d;
	char id[CTR_ID_LEN + 1]; /* the container may be removed meanwhile */
	vl_call *call;           /* NULL once its client has left */
	bool leave_running;
} dump_call;

static void on_dump_cancel(vl_call *call, void *data)
{
	(void)call;
	((dump_call *)data)->call = NULL; /* the client left: the dump goes on */
}

/* The last line criu's runner said: why it failed. */
static void last_line(const strbuf *e, char *out, size_t n)
{
	size_t len = e->len;
	while (len && (e->buf[len - 1] == '\n' || e->buf[len - 1] == '\0'))
		len--;
	size_t start = len;
	while (start && e->buf[start - 1] != '\n')
		start--;
	snprintf(out, n, "%.*s", (int)(len - start), e->buf ? e->buf + start : "");
}

static void on_dumped(const el_child_result *r, void *data)
{
	_cleanup_free_ dump_call *j = data;
	corrald *d = j->d;
	ctr *c = ctr_find(d, j->id);
	if (j->call)
		vl_call_set_cancel(j->call, NULL, NULL);
	if (r->code == 0 && c && !j->leave_running && ctr_alive(c)) {
		/* criu has ended it; its monitor's report of that is still on
		 * its way: answer once it has come (ctr_ended) */
		c->checkpoint_ending = true;
		ctr_done *done = j->call ? reply_when_done(j->call, NULL) : NULL;
		if (j->call && !done)
			sv_internal(j->call, "out of memory");
		ctr_done_hold(&c->checkpoint_done, done);
		return;
	}
	if (c) {
		c->checkpointing = c->dumping = false;
		ctr_save(d, c);
	}
	if (r->code != 0) {
		char why[1024];
		last_line(&r->out[1], why, sizeof(why));
		if (!why[0])
			snprintf(why, sizeof(why), "checkpoint %s: corral-monitor exited with %d", j->id, r->code);
		log_error("%s", why);
		if (j->call)
			sv_internal(j->call, why);
		return;
	}
	if (!c) {
		if (j->call)
			sv_internal(j->call, "the container was removed while it was checkpointed");
		return;
	}
	ctr_checkpoint_dumped(d, c, j->leave_running);
	if (j->call)
		vl_call_reply(j->call, NULL);
}

static const char *dump_refusal(const ctr *c, bool leave_running)
{
	if (c->dumping)
		return "it is being checkpointed";
	if (ctr_is_starting(c) || c->restart_wanted)
		return "it is starting";
	if (c->status == CS_PAUSED)
		return "it is paused: unpause it";
	if (!ctr_alive(c))
		return "it is not running";
	if (c->spec.network == CTR_NET_CONTAINER) /* a restore could not join it again */
		return "it is on another container's network namespace, which a checkpoint cannot take";
	if (c->spec.auto_remove && !leave_running)
		return "it was run with --rm: it would be removed once the checkpoint ends it";
	return NULL;
}

int sv_checkpoint(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	bool leave;
	CTR_METHOD_TARGET(c, d, call, params, f, SP_BOOL("leaveRunning", false, &leave));
	const char *why = dump_refusal(c, leave);
	if (why)
		return reply_bad_state(call, c, why);
	cerr err = { 0 };
	if (ctr_checkpoint_clear(d, c, &err) < 0)
		return sv_internal_err(call, &err);
	char images[PATH_MAX];
	ctr_checkpoint_path(d, c, images, sizeof(images));
	/* a network of its own is corrald's (its veth, its address): criu
	 * leaves it out, and a restore attaches it again as a start does */
	char *argv[9] = { "corral-monitor", "--checkpoint", images, "--root", d->runtime_root, "--id", c->id };
	size_t k = 7;
	if (leave)
		argv[k++] = "--leave-running";
	if (c->spec.network == CTR_NET_CNI)
		argv[k++] = "--empty-net";
	_cleanup_free_ dump_call *j = calloc(1, sizeof(*j));
	if (!j)
		return sv_internal(call, "out of memory");
	*j = (dump_call){ .d = d, .call = call, .leave_running = leave };
	snprintf(j->id, sizeof(j->id), "%s", c->id);
	el_child_opts o = { .path = d->monitor_bin, .argv = argv, .fd3 = SPAWN_NULL, .max_output = CHECKPOINT_MAX_OUTPUT };
	el_child *ch;
	/* its end, should criu end it, is no failure: recorded, for a corrald
	 * that starts while the dump runs (ctr_checkpoint_orphan_ended); a
	 * dump that leaves it running ends nothing */
	c->checkpointing = !leave;
	c->dumping = true;
	ctr_save(d, c);
	if (el_child_run(d->loop, &o, on_dumped, j, &ch, &err) < 0) {
		c->checkpointing = c->dumping = false;
		ctr_save(d, c);
		return sv_internal_err(call, &err);
	}
	vl_call_set_cancel(call, on_dump_cancel, TAKE_PTR(j));
	return 0; /* answered once the dump is over */
}

int sv_restore(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f);
	if (ctr_alive(c) || ctr_is_starting(c) || c->restart_wanted)
		return reply_bad_state(call, c, "only a stopped container can be restored");
	if (c->dumping)
		return reply_bad_state(call, c, "it is being checkpointed");
	if (!ctr_has_checkpoint(d, c))
		return reply_bad_state(call, c, "it has no checkpoint: checkpoint it first");
	ctr_done *done = reply_when_done(call, NULL);
	if (!done)
		return sv_internal(call, "out of memory");
	ctr_spawn_abandon(c); /* a monitor on standby would create it afresh */
	c->restoring = true;
	cerr err = { 0 };
	if (ctr_start_by_user(d, c, done, &err) < 0) {
		c->restoring = false;
		reply_when_done_drop(done);
		return sv_internal_err(call, &err);
	}
	return 0; /* answered once it runs */
}
