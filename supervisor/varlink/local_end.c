/* A local call's end: its reply or error kept, and delivered to its caller
 * from the loop, once the handler (and whatever it was called from) has
 * returned. Calls (call.c) end here; local_call.c starts them. */
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/local_end.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const peer_cred *vl_local_peer(const vl_call *call) { return &call->local->peer; }

void vl_local_free(vl_local *l)
{
	free(l->error);
	free(l->params);
	free(l);
}

/* One end to its caller: l is gone before done runs, which may call again. */
static void deliver(vl_local *l)
{
	cerr err = { 0 };
	yajl_val params = NULL;
	_cleanup_free_ char *error = TAKE_PTR(l->error);
	if (json_parse(l->params ? l->params : "{}", "a local reply", &params, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "varlink: local call");
		if (!error)
			error = strdup(VL_ERR_LOCAL_HUNG_UP);
	}
	vl_local_fn done = l->done;
	void *data = l->data;
	vl_local_free(l);
	done(data, error ? error : (params ? NULL : VL_ERR_LOCAL_HUNG_UP), params);
	if (params)
		yajl_tree_free(params);
}

void vl_local_on_timer(el_source *src, void *data)
{
	vl_server *s = data;
	/* those that were waiting; ends that come meanwhile wait a turn (an
	 * abandon may take any of them off the list meanwhile) */
	size_t n = 0;
	for (vl_local *l = s->local_ended; l; l = l->next)
		n++;
	while (n-- && s->local_ended) {
		vl_local *l = s->local_ended;
		s->local_ended = l->next;
		deliver(l);
	}
	if (s->local_ended)
		el_timer_set(s->local_timer, 1, false);
}

int vl_local_end(vl_call *call, const char *error, const char *params_json)
{
	vl_local *l = call->local;
	vl_server *s = l->srv;
	int r = 0;
	if ((error && !(l->error = strdup(error))) || (params_json && !(l->params = strdup(params_json))))
		r = -ENOMEM; /* delivered as a hang-up */
	vl_local_finish(call, error);
	vl_local **p = &s->local_ended;
	while (*p) /* in the order they ended */
		p = &(*p)->next;
	*p = l;
	el_timer_set(s->local_timer, 1, false);
	return r;
}

void vl_local_finish(vl_call *call, const char *error)
{
	vl_local *l = call->local;
	vl_server *s = l->srv;
	if (s->cfg.on_call_done) {
		vl_call_info info = {
			.method = call->msg.method, .peer = &l->peer, .params = call->msg.params,
			.error = error, .usec = mono_usec() - call->t0,
		};
		s->cfg.on_call_done(&info, s->cfg.userdata);
	}
	vl_message_release(&call->msg);
	free(call);
	l->call = NULL;
}

void vl_local_drop_all(vl_server *s)
{
	while (s->local_ended) {
		vl_local *l = s->local_ended;
		s->local_ended = l->next;
		vl_local_free(l);
	}
	el_remove(s->local_timer);
	s->local_timer = NULL;
}
