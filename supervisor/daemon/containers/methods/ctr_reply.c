/* What the verbs share to answer a call about a container (ctr_reply.h). */
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/varlink/call.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "common/json.h"

#include <stdlib.h>

int reply_name_in_use(vl_call *call, const ctr *other)
{
	return sv_reply_fault(call, ctr_fault_name_in_use(other, &(sv_fault){ 0 }));
}

int reply_bad_state(vl_call *call, const ctr *c, const char *reason)
{
	return sv_reply_fault(call, ctr_fault_bad_state(c, reason, &(sv_fault){ 0 }));
}

int reply_not_found(vl_call *call, const char *id, const json_fault *f)
{
	return sv_reply_fault(call, ctr_fault_not_found(id, f, &(sv_fault){ 0 }));
}

int ctr_reply_created(vl_call *call, const ctr *c)
{
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key_str(g, "id", c->id);
	jg_key_str(g, "name", c->name);
	return sv_reply_close(call, g);
}

/* A call that finishes later, waiting for what the engine tells. */
typedef struct call_done {
	ctr_done done; /* first: the engine's pointer is the wait's */
	vl_call *call;
	ctr_reply_fn *reply;
} call_done;

static void let_go(call_done *w)
{
	vl_call_set_cancel(w->call, NULL, NULL);
	free(w);
}

static void told(ctr_done *done, const ctr *c, sv_fault *fault)
{
	(void)c;
	call_done *w = (call_done *)done;
	vl_call *call = w->call;
	ctr_reply_fn *reply = w->reply;
	let_go(w);
	if (fault)
		sv_reply_fault(call, fault);
	else if (reply)
		reply(call, c);
	else
		vl_call_reply(call, NULL);
}

static void forgotten(ctr_done *done) { let_go((call_done *)done); }

static void on_left(vl_call *call, void *data)
{
	(void)call;
	call_done *w = data;
	ctr_done_unhold(&w->done); /* what it waits for goes on */
	free(w);
}

ctr_done *reply_when_done(vl_call *call, ctr_reply_fn *reply)
{
	call_done *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	*w = (call_done){ .done = { .told = told, .forgotten = forgotten }, .call = call, .reply = reply };
	vl_call_set_cancel(call, on_left, w);
	return &w->done;
}

void reply_when_done_drop(ctr_done *done)
{
	if (done)
		forgotten(done);
}
