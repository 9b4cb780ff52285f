/* Local calls: corrald calling its own methods as a peer would, through
 * the same handlers, checks and audit, with no connection. The handler
 * answers as ever; local_end.c brings the answer to the caller. */
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/local_end.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/local_call.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vl_local_call(vl_server *s, const peer_cred *peer, const char *method, const char *params_json, vl_local_fn done,
		  void *data, vl_local **out, cerr *err)
{
	static const char service[] = "org.varlink.service.";
	*out = NULL;
	if (!strncmp(method, service, strlen(service))) /* those answer a connection */
		return cerr_set(err, EINVAL, "local call %s: not for org.varlink.service", method);
	if (!s->local_timer && el_add_timer(s->loop, 0, false, vl_local_on_timer, s, &s->local_timer, err) < 0)
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
	call->t0 = mono_usec();
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
	vl_local_free(l);
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
