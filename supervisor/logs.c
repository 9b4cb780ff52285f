#include "logs.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "params.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct logs_stream {
	vl_call *call;
	el_source *timer;
	crilog_cursor cur;
	strbuf batch; /* LogLine objects, comma-separated */
	size_t n;
	bool too_big;
};

static int add_line(const crilog_line *l, void *data)
{
	logs_stream *s = data;
	char ts[48];
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "time", crilog_format_time(l->ts_ns, ts, sizeof(ts))) ||
	    jg_key_str(g, "stream", crilog_stream_name(l->stream)) || jg_key(g, "line") ||
	    yajl_gen_string(g, (const unsigned char *)l->text, l->len) || jg_key_bool(g, "partial", l->partial) ||
	    yajl_gen_map_close(g))
		return -ENOMEM;
	const unsigned char *buf;
	size_t n;
	yajl_gen_get_buf(g, &buf, &n);
	if (s->batch.len + n > LOGS_MAX_REPLY) {
		/* streaming: send what we have and go on; otherwise give up */
		if (!vl_call_wants_more(s->call)) {
			s->too_big = true;
			return 1;
		}
		if (s->n) {
			_cleanup_free_ char *p = NULL;
			if (asprintf(&p, "{\"lines\":[%s]}", s->batch.buf) < 0)
				return -ENOMEM;
			vl_call_notify(s->call, p);
			sb_reset(&s->batch);
			s->n = 0;
		}
	}
	if ((s->n && sb_add(&s->batch, ",", 1)) || sb_add(&s->batch, buf, n))
		return -ENOMEM;
	s->n++;
	return 0;
}

/* Send the batch: as a streamed reply, or as the final one. */
static void flush(logs_stream *s, bool final)
{
	if (!final && s->n == 0)
		return;
	_cleanup_free_ char *p = NULL;
	if (asprintf(&p, "{\"lines\":[%s]}", s->batch.buf ? s->batch.buf : "") < 0)
		p = NULL;
	sb_reset(&s->batch);
	s->n = 0;
	if (final)
		vl_call_reply(s->call, p ? p : "{\"lines\":[]}");
	else if (p)
		vl_call_notify(s->call, p);
}

static void stream_free(logs_stream *s)
{
	el_remove(s->timer);
	crilog_cursor_close(&s->cur);
	sb_release(&s->batch);
	free(s);
}

static void on_cancel(vl_call *call, void *data) { stream_free(data); }

static void on_poll(el_source *t, void *data)
{
	logs_stream *s = data;
	/* a caller that does not read gets no more until its queue drains */
	if (vl_call_out_pending(s->call) > LOGS_MAX_REPLY)
		return;
	cerr err = { 0 };
	if (crilog_cursor_poll(&s->cur, add_line, s, &err) < 0) {
		vl_call *call = s->call;
		vl_call_set_cancel(call, NULL, NULL);
		_cleanup_free_ char *p = vl_json_obj1("reason", cerr_msg(&err));
		cerr_clear(&err);
		stream_free(s);
		vl_call_error(call, SV_ERR("InternalError"), p);
		return;
	}
	flush(s, false);
}

void logs_stream_end(logs_stream *s)
{
	cerr err = { 0 };
	crilog_cursor_poll(&s->cur, add_line, s, &err);
	cerr_clear(&err);
	crilog_cursor_flush(&s->cur, add_line, s);
	vl_call_set_cancel(s->call, NULL, NULL);
	flush(s, true); /* ends the call */
	stream_free(s);
}

int logs_serve(el_loop *loop, vl_call *call, const char *path, const crilog_read_opts *o,
	       bool follow, logs_stream **out)
{
	if (out)
		*out = NULL;
	if (follow && !vl_call_wants_more(call)) {
		vl_call_error(call, "org.varlink.service.ExpectedMore", NULL);
		return -EINVAL;
	}
	logs_stream *s = calloc(1, sizeof(*s));
	if (!s) {
		vl_call_error(call, SV_ERR("InternalError"), NULL);
		return -ENOMEM;
	}
	s->call = call;
	cerr err = { 0 };
	int r = crilog_read(path, o, add_line, s, follow ? &s->cur : NULL, &err);
	if (r < 0) {
		_cleanup_free_ char *p = vl_json_obj1("reason", cerr_msg(&err));
		cerr_clear(&err);
		if (follow)
			crilog_cursor_close(&s->cur);
		sb_release(&s->batch);
		free(s);
		vl_call_error(call, SV_ERR("InternalError"), p);
		return r;
	}
	if (s->too_big) {
		sb_release(&s->batch);
		free(s);
		return sp_invalid(call, "tail", "the log is larger than one reply: use tail, since, or more");
	}
	if (!follow) {
		flush(s, true);
		sb_release(&s->batch);
		free(s);
		return 0;
	}
	flush(s, false);
	if (el_add_timer(loop, LOGS_POLL_USEC, true, on_poll, s, &s->timer, &err) < 0) {
		cerr_clear(&err);
		crilog_cursor_close(&s->cur);
		sb_release(&s->batch);
		free(s);
		vl_call_error(call, SV_ERR("InternalError"), NULL);
		return -ENOMEM;
	}
	vl_call_set_cancel(call, on_cancel, s);
	if (out)
		*out = s;
	return 0;
}
