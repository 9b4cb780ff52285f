/* Calls: from a message to its method, and from the method's one reply (or
 * error) back onto the connection.
 * A pair with service_iface.c: the varlink service interface every server
 * has is found here, and answers through the calls here. */
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/local_end.h"
#include "supervisor/varlink/conn_out.h"
#include "supervisor/varlink/call.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_scan.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *vl_json_obj1(const char *key, const char *value)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, key, value) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}

const char *vl_call_method(const vl_call *c) { return c->msg.method; }
const peer_cred *vl_call_peer(const vl_call *c) { return c->local ? vl_local_peer(c) : &c->conn->peer; }
void *vl_call_listener_tag(const vl_call *c) { return c->local ? NULL : c->conn->tag; }
bool vl_call_is_local(const vl_call *c) { return c->local != NULL; }
yajl_val vl_call_params(const vl_call *c) { return c->msg.params; }
bool vl_call_wants_more(const vl_call *c) { return c->msg.more; }
const char *vl_call_text(const vl_call *c, size_t *len)
{
	*len = c->text ? c->text_len : 0;
	return c->text;
}
bool vl_call_is_oneway(const vl_call *c) { return c->msg.oneway; }
bool vl_call_wants_upgrade(const vl_call *c) { return c->msg.upgrade; }
size_t vl_call_out_pending(const vl_call *c) { return c->local ? 0 : c->conn->out.len - c->conn->out_off; }

void vl_call_set_cancel(vl_call *c, void (*fn)(vl_call *, void *), void *data)
{
	c->cancel = fn;
	c->cancel_data = data;
}

void vl_call_finish(vl_call *call, const char *error)
{
	if (call->local)
		return vl_local_finish(call, error);
	vl_conn *c = call->conn;
	vl_server *s = c->srv;
	if (s->cfg.on_call_done) {
		vl_call_info info = {
			.method = call->msg.method, .peer = &c->peer, .params = call->msg.params,
			.error = error, .usec = mono_usec() - call->t0,
		};
		s->cfg.on_call_done(&info, s->cfg.userdata);
	}
	vl_message_release(&call->msg);
#ifndef __SANITIZE_ADDRESS__ /* where a use after the end must be caught */
	if (!c->spare) {
		c->spare = call;
		call = NULL;
	}
#endif
	free(call);
	c->call = NULL;
	if (c->one_call) /* adopted for this call alone */
		c->closing = true;
	/* the next pipelined call, or a close, happens at top level */
	if (!c->in_process)
		vl_conn_kick(c);
}

static int call_send(vl_call *call, int r)
{
	vl_conn *c = call->conn;
	if (r < 0) {
		c->broken = true; /* out of memory: drop the peer, not the daemon */
		return r;
	}
	vl_conn_flush(c);
	/* sent from outside the connection's own events (a timer's stream):
	 * what the socket did not take yet waits for EPOLLOUT */
	if (!c->in_process && c->out_off < c->out.len)
		vl_conn_update(c);
	return 0;
}

/* A reply may quote what came from outside, cut short (an image's field,
 * a reason naming a command): its bytes that are not UTF-8 go as U+FFFD,
 * so that the client reads it rather than a broken message. *params and *n
 * are the mended copy's where one was needed; -ENOMEM. */
static int mend(const char **params, size_t *n, char **mended)
{
	/* the common case, 16 bytes at a time (the text a generator made holds
	 * no NUL, so that is not looked for) */
	if (json_utf8_valid(*params, *n))
		return 0;
	int r = utf8_mend(*params, *n, mended, n);
	if (r > 0)
		*params = *mended;
	return r < 0 ? r : 0;
}

int vl_call_reply(vl_call *call, const char *params_json)
{
	int r = 0;
	_cleanup_free_ char *mended = NULL;
	size_t n = params_json ? strlen(params_json) : 0;
	if (params_json && mend(&params_json, &n, &mended) < 0) {
		vl_call_hang_up(call, "out of memory");
		return -ENOMEM;
	}
	if (call->local)
		return vl_local_end(call, NULL, params_json);
	if (!call->msg.oneway)
		r = call_send(call, params_json ? vl_encode_reply_n(&call->conn->out, params_json, n, false)
						: vl_encode_reply(&call->conn->out, NULL, false));
	vl_call_finish(call, NULL);
	return r;
}

int vl_call_reply_gen(vl_call *call, yajl_gen g)
{
	const unsigned char *buf;
	size_t n;
	if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok)
		return vl_call_error(call, VL_ERR_INVALID_PARAMETER, NULL);
	/* the generator's buffer is not NUL-terminated */
	_cleanup_free_ char *s = strndup((const char *)buf, n);
	if (!s) {
		vl_call_hang_up(call, "out of memory");
		return -ENOMEM;
	}
	return vl_call_reply(call, s);
}

/* A stream's replies go out together: a burst of them (a broker
 * subscriber's messages, a follower's log lines) is one write once the
 * loop turns (EPOLLOUT), not a write each; past this much, one now. */
#define NOTIFY_BATCH (64 * 1024)

int vl_call_notify(vl_call *call, const char *params_json)
{
	return vl_call_notify_n(call, params_json, strlen(params_json));
}

int vl_call_notify_n(vl_call *call, const char *params_json, size_t len)
{
	if (!call->msg.more)
		return -EINVAL;
	vl_conn *c = call->conn;
	_cleanup_free_ char *mended = NULL;
	if (mend(&params_json, &len, &mended) < 0 || vl_encode_reply_n(&c->out, params_json, len, true) < 0) {
		c->broken = true; /* out of memory: drop the peer, not the daemon */
		return -ENOMEM;
	}
	if (c->out.len - c->out_off >= NOTIFY_BATCH)
		vl_conn_flush(c);
	if (!c->in_process) /* else its settling arms EPOLLOUT */
		vl_conn_post_flush(c);
	return 0;
}

int vl_call_error(vl_call *call, const char *error, const char *params_json)
{
	int r = 0;
	_cleanup_free_ char *mended = NULL;
	size_t n = params_json ? strlen(params_json) : 0;
	if (params_json && mend(&params_json, &n, &mended) < 0)
		params_json = NULL; /* out of memory: the error alone */
	if (call->local)
		return vl_local_end(call, error, params_json);
	if (!call->msg.oneway)
		r = call_send(call, vl_encode_error(&call->conn->out, error, params_json));
	vl_call_finish(call, error);
	return r;
}

int vl_call_invalid_parameter(vl_call *call, const char *parameter)
{
	_cleanup_free_ char *p = vl_json_obj1("parameter", parameter);
	return vl_call_error(call, VL_ERR_INVALID_PARAMETER, p);
}

void vl_call_hang_up(vl_call *call, const char *why)
{
	if (call->local) {
		vl_local_end(call, VL_ERR_LOCAL_HUNG_UP, NULL);
		return;
	}
	call->conn->broken = true;
	vl_call_finish(call, why);
}

void vl_call_disconnect(vl_call *call, const char *why)
{
	vl_conn *c = call->conn;
	vl_call_set_cancel(call, NULL, NULL);
	vl_call_hang_up(call, why);
	if (c)
		vl_conn_kick(c); /* closed from the loop, even if the peer never stirs */
}

/* A call one of whose parameters holds a NUL (vl_message_parse): refused
 * with the server's invalid_error, which names the parameter. */
static void refuse_nul_param(vl_server *s, vl_call *call)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	bool reason = !streq(s->cfg.invalid_error, VL_ERR_INVALID_PARAMETER); /* the standard one has none */
	_cleanup_free_ char *p = NULL;
	if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "parameter", call->msg.nul_param) &&
	    (!reason || !jg_key_str(g, "reason", "holds a NUL (\\u0000)")) && !yajl_gen_map_close(g))
		p = jg_finish(g, NULL);
	vl_call_error(call, s->cfg.invalid_error, p);
}

static const vl_interface *find_iface(vl_server *s, const char *name, size_t len)
{
	if (len == strlen(vl_service_iface.name) && !memcmp(name, vl_service_iface.name, len))
		return &vl_service_iface;
	for (size_t i = 0; i < s->n_ifaces; i++)
		if (strlen(s->ifaces[i]->name) == len && !memcmp(s->ifaces[i]->name, name, len))
			return s->ifaces[i];
	return NULL;
}

int vl_call_invoke(vl_server *s, vl_call *call)
{
	const char *m = call->msg.method;
	const char *dot = strrchr(m, '.');
	const vl_interface *iface = dot ? find_iface(s, m, (size_t)(dot - m)) : NULL;
	if (!iface) {
		_cleanup_free_ char *ifname = dot ? strndup(m, (size_t)(dot - m)) : strdup(m);
		_cleanup_free_ char *p = vl_json_obj1("interface", ifname ? ifname : "");
		return vl_call_error(call, VL_ERR_INTERFACE_NOT_FOUND, p);
	}
	for (size_t i = 0; i < iface->n_methods; i++)
		if (streq(iface->methods[i].name, dot + 1))
			return iface->methods[i].fn(call, call->msg.params, s->cfg.userdata);
	_cleanup_free_ char *p = vl_json_obj1("method", m);
	return vl_call_error(call, VL_ERR_METHOD_NOT_FOUND, p);
}

/* The method ended the call, or kept it with a cancel hook to end it
 * later; one that did neither would leave its client waiting forever. */
static void check_answered(vl_conn *c, vl_call *call)
{
	if (c->call == call && !call->cancel) {
		log_error("varlink: %s neither ended its call nor kept it; hanging up", call->msg.method);
		vl_call_hang_up(call, "not answered");
	}
}

bool vl_call_dispatch_text(vl_conn *c, vl_call *call)
{
	vl_server *s = c->srv;
	vl_message_text mt;
	/* a peer to refuse, or to admit first, goes the one way that does it */
	if (!s->n_raw || !c->allowed || s->cfg.admit || !vl_message_scan(call->text, call->text_len, &mt) ||
	    mt.upgrade)
		return false;
	const struct vl_raw *raw = NULL;
	for (size_t i = 0; i < s->n_raw && !raw; i++)
		if (strlen(s->raw[i].method) == mt.method_len && !memcmp(s->raw[i].method, mt.method, mt.method_len))
			raw = &s->raw[i];
	if (!raw)
		return false;
	call->msg = (vl_message){ .method = raw->method, .more = mt.more, .oneway = mt.oneway };
	if (raw->fn(call, mt.params, mt.params_len, s->cfg.userdata) == VL_RAW_DECLINED) {
		call->msg = (vl_message){ 0 };
		return false;
	}
	check_answered(c, call);
	return true;
}

void vl_call_dispatch(vl_conn *c, vl_call *call)
{
	if (!c->allowed) {
		c->closing = true;
		vl_call_error(call, c->srv->cfg.denied_error, NULL);
		return;
	}
	if (c->srv->cfg.admit) {
		char p[256] = "";
		const char *e = c->srv->cfg.admit(call, p, sizeof(p), c->srv->cfg.userdata);
		if (e) {
			vl_call_error(call, e, p[0] ? p : NULL);
			return;
		}
	}
	if (call->msg.nul_param[0]) {
		refuse_nul_param(c->srv, call);
		return;
	}
	vl_call_invoke(c->srv, call);
	check_answered(c, call);
}
