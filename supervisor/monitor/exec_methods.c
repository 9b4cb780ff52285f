#include "supervisor/monitor/exec_methods.h"
#include "supervisor/monitor/exec_client.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The client's call, until its answer or its hang-up. */
typedef struct exec_call {
	vl_call *call;           /* NULL once answered, or gone */
	exec_mode mode;
	size_t output_max;       /* EXEC_REPLY: bytes kept of each stream */
	strbuf kept[2];          /* EXEC_REPLY: stdout, stderr */
	bool truncated;
	char carry[2][4];        /* EXEC_MORE: a UTF-8 sequence cut at a chunk's end */
	size_t n_carry[2];
	void (*gone)(void *client);
	void *client;
} exec_call;

/* The call, for its answer: its hang-up is no longer ours to hear. */
static vl_call *take(exec_call *ec)
{
	vl_call *call = TAKE_PTR(ec->call);
	vl_call_set_cancel(call, NULL, NULL);
	return call;
}

static void on_cancel(vl_call *call, void *data)
{
	exec_call *ec = data;
	ec->call = NULL; /* freed once this returns */
	if (ec->gone)
		ec->gone(ec->client);
}

static void call_watch(void *data, void (*gone)(void *client), void *client)
{
	exec_call *ec = data;
	ec->gone = gone;
	ec->client = client;
}

/* The length of an unfinished UTF-8 sequence at the end of buf: it waits
 * for the next chunk rather than become two U+FFFD. */
static size_t utf8_tail(const char *buf, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		unsigned char b = (unsigned char)buf[n - k];
		if ((b & 0xc0) == 0x80)
			continue; /* a continuation byte: look further back */
		size_t need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		return need > k ? k : 0;
	}
	return 0;
}

static void notify_chunk(exec_call *ec, int stream, const char *buf, size_t n, bool ended)
{
	_cleanup_free_ char *joined = malloc(ec->n_carry[stream] + n);
	if (!joined)
		return;
	memcpy(joined, ec->carry[stream], ec->n_carry[stream]);
	memcpy(joined + ec->n_carry[stream], buf, n);
	n += ec->n_carry[stream];
	size_t tail = ended ? 0 : utf8_tail(joined, n);
	memcpy(ec->carry[stream], joined + n - tail, tail);
	ec->n_carry[stream] = tail;
	if (n == tail)
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return;
	yajl_gen_map_open(g);
	jg_key(g, stream ? "stderr" : "stdout");
	jg_text(g, joined, n - tail);
	yajl_gen_map_close(g);
	_cleanup_free_ char *json = jg_finish(g, NULL);
	if (json)
		vl_call_notify(ec->call, json);
}

static void call_output(void *data, int stream, const char *buf, size_t n, bool ended)
{
	exec_call *ec = data;
	if (ec->mode == EXEC_MORE)
		return notify_chunk(ec, stream, buf, n, ended);
	size_t room = ec->output_max > ec->kept[stream].len ? ec->output_max - ec->kept[stream].len : 0;
	if (n > room)
		ec->truncated = true;
	sb_add(&ec->kept[stream], buf, n < room ? n : room);
}

static size_t call_unread(void *data)
{
	exec_call *ec = data;
	return ec->call ? vl_call_out_pending(ec->call) : 0;
}

static void call_exited(void *data, int code, bool timed_out)
{
	exec_call *ec = data;
	for (int i = 0; i < 2; i++)
		if (ec->n_carry[i]) /* what waited for the rest of a sequence */
			notify_chunk(ec, i, "", 0, true);
	vl_call *call = take(ec);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g) {
		sv_internal(call, "out of memory");
		return;
	}
	yajl_gen_map_open(g);
	jg_key_int(g, "exitCode", code);
	for (int i = 0; i < 2 && ec->mode == EXEC_REPLY; i++) {
		jg_key(g, i ? "stderr" : "stdout");
		jg_text(g, ec->kept[i].buf ? ec->kept[i].buf : "", ec->kept[i].len);
	}
	jg_key_bool(g, "truncated", ec->truncated || timed_out);
	jg_key_bool(g, "timedOut", timed_out);
	yajl_gen_map_close(g);
	vl_call_reply_gen(call, g);
}

static void call_detached(void *data, const char *id)
{
	vl_call *call = take(data);
	_cleanup_free_ char *p = vl_json_obj1("id", id);
	vl_call_reply(call, p);
}

static void call_failed(void *data, sv_fault *f) { sv_reply_fault(take(data), f); }

static void call_release(void *data)
{
	exec_call *ec = data;
	if (ec->call) /* the exec ended before its answer: the client hears nothing more */
		sv_internal(take(ec), "the exec ended unanswered");
	for (int i = 0; i < 2; i++)
		sb_release(&ec->kept[i]);
	free(ec);
}

static const exec_call_ops call_ops = { .watch = call_watch, .output = call_output, .unread = call_unread,
					.exited = call_exited, .detached = call_detached, .failed = call_failed,
					.release = call_release };

int exec_serve(exec_session **list, el_loop *loop, vl_server *srv, const monitor_steady_opts *o, bool exited, int fd,
	       const exec_request *req, const crilog_mask *mask)
{
	_cleanup_close_ int client = fd;
	_cleanup_cerr_ cerr err = { 0 };
	exec_channel to = { .fd = -1 };
	exec_call *ec = NULL;
	int r;
	if (req->mode == EXEC_STREAMS) {
		to.fd = TAKE_FD(client);
	} else {
		ec = calloc(1, sizeof(*ec));
		if (!ec)
			return -ENOMEM;
		*ec = (exec_call){ .mode = req->mode, .output_max = (size_t)req->output_max };
		if (!ec->output_max || ec->output_max > EXEC_MAX_OUTPUT)
			ec->output_max = EXEC_MAX_OUTPUT;
		if ((r = vl_server_adopt_call(srv, TAKE_FD(client), NULL, SV_ERR("Exec"), NULL,
					      req->mode == EXEC_MORE ? VL_CALL_MORE : 0, &ec->call, &err)) < 0) {
			log_cerr(LOG_LVL_WARN, &err, "%s: exec", o->id);
			free(ec);
			return r;
		}
		vl_call_set_cancel(ec->call, on_cancel, ec);
		to.call_ops = &call_ops;
		to.call = ec;
	}
	if ((r = exec_session_start(list, loop, o, exited, req, mask, &to, &err)) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "%s: exec", o->id);
		if (ec) {
			sv_internal(take(ec), "out of memory");
			call_release(ec);
		}
		return r;
	}
	return 0;
}
