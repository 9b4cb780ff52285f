/* Local calls: corrald calling its own methods as a peer would, through
 * the same handlers, checks and audit, with no connection. The handler
 * answers as ever; the answer reaches the caller from the loop, once the
 * handler (and whatever it was called from) has returned. */
#include "supervisor/varlink/server_internal.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vl_local {
	vl_server *srv;
	peer_cred peer;
	vl_local_fn done;
	void *data;
	vl_call *call;      /* while its method has it */
	char *error, *params; /* its end, until delivered */
	struct vl_local *next; /* in srv->local_ended */
};

const peer_cred *vl_local_peer(const vl_call *call) { return &call->local->peer; }

static void local_free(vl_local *l)
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
	local_free(l);
	done(data, error ? error : (params ? NULL : VL_ERR_LOCAL_HUNG_UP), params);
	if (params)
		yajl_tree_free(params);
}

static void on_local_timer(el_source *src, void *data)
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
	vl_call_finish(call, error);
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
			.error = error, .usec = el_now_usec() - call->t0,
		};
		s->cfg.on_call_done(&info, s->cfg.userdata);
	}
	vl_message_release(&call->msg);
	free(call);
	l->call = NULL;
}

int vl_local_call(vl_server *s, const peer_cred *peer, const char *method, const char *params_json, vl_local_fn done,
		  void *data, vl_local **out, cerr *err)
{
	static const char service[] = "org.varlink.service.";
	*out = NULL;
	if (!strncmp(method, service, strlen(service))) /* those answer a connection */
		return cerr_set(err, EINVAL, "local call %s: not for org.varlink.service", method);
	if (!s->local_timer && el_add_timer(s->loop, 0, false, on_local_timer, s, &s->local_timer, err) < 0)
		return -ENOMEM;
	_cleanup_strbuf_ strbuf text = STRBUF_INIT;
	vl_local *l = calloc(1, sizeof(*l));
	vl_call *call = calloc(1, sizeof(*call));
	if (!l || !call || vl_encode_call_flags(&text, method, params_json, 0) < 0) {
		free(l);
		free(call);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	int r = vl_message_parse(text.buf, text.len - 1, &call->msg, err);
	if (r < 0) {
		vl_message_release(&call->msg); /* -EILSEQ leaves it parsed */
		free(l);
		free(call);
		return r;
	}
	*l = (vl_local){ .srv = s, .peer = *peer, .done = done, .data = data, .call = call };
	call->local = l;
	call->t0 = el_now_usec();
	*out = l;
	vl_call_invoke(s, call);
	if (l->call == call && !call->cancel) {
		log_error("varlink: %s neither ended its local call nor kept it", method);
		vl_call_hang_up(call, "not answered");
	}
	return 0;
}

void vl_local_abandon(vl_local *l)
{
	if (!l)
		return;
	vl_call *call = l->call;
	if (call) { /* kept by its method: let it go, as a hang-up does */
		if (call->cancel)
			call->cancel(call, call->cancel_data);
		vl_message_release(&call->msg);
		free(call);
	} else {
		for (vl_local **p = &l->srv->local_ended; *p; p = &(*p)->next)
			if (*p == l) {
				*p = l->next;
				break;
			}
	}
	local_free(l);
}

void vl_local_drop_all(vl_server *s)
{
	while (s->local_ended) {
		vl_local *l = s->local_ended;
		s->local_ended = l->next;
		local_free(l);
	}
	el_remove(s->local_timer);
	s->local_timer = NULL;
}

char *vl_local_error_text(const char *method, const char *error, yajl_val params)
{
	const char *dot = strrchr(error, '.'), *name = dot ? dot + 1 : error;
	yajl_val reason = json_get(params, "reason"), param = json_get(params, "parameter"), what = json_get(params, "name");
	char *text = NULL;
	int r;
	if (YAJL_IS_STRING(reason) && YAJL_IS_STRING(param))
		r = asprintf(&text, "%s: %s: %s: %s", method, name, param->u.string, reason->u.string);
	else if (YAJL_IS_STRING(reason))
		r = asprintf(&text, "%s: %s: %s", method, name, reason->u.string);
	else if (YAJL_IS_STRING(what)) /* NoSuchNetwork, NoSuchSecret, ...: what was not there */
		r = asprintf(&text, "%s: %s: %s", method, name, what->u.string);
	else {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		_cleanup_free_ char *p = g && params && !jg_value(g, params) ? jg_finish(g, NULL) : NULL;
		r = asprintf(&text, "%s: %s %s", method, name, p ? p : "{}");
	}
	return r < 0 ? NULL : text;
}
