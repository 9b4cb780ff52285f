/* The container calls whose answer comes over time: wait (Docker clients
 * read its headers before they start the container, and its body once it
 * ends) and logs (the multiplexed frames; raw for a terminal). */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_ctr_streams.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_pump.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wait_ctx {
	char params[512];
	int done_code; /* >= 0: answer this at once, the container is down */
	bool by_event; /* params are Events': the next "die" says the code */
} wait_ctx;

/* The exit code of the container's next "die" event; -1 when the stream
 * ended first. */
static long long next_die(dk_pump *p, const char *params)
{
	_cleanup_cerr_ cerr e = { 0 };
	if (vl_client_send(p->vl, "io.corral.Supervisor.Events", params, true, false, &e) < 0)
		return -1;
	for (;;) {
		vl_reply rep = { 0 };
		if (dk_pump_await(p) < 0 || vl_client_recv(p->vl, &rep, &e) < 0)
			return -1;
		yajl_val ev = json_get(rep.params, "event");
		bool end = rep.error || !rep.continues;
		long long code = ev ? strtoll(dk_str(json_get(ev, "attributes"), "exitCode"), NULL, 10) : -1;
		vl_reply_release(&rep);
		if (ev || end)
			return code;
	}
}

static int wait_fill(dk_pump *p)
{
	wait_ctx *w = p->ctx;
	long long code = w->done_code;
	char err[600] = "null";
	if (code < 0 && w->by_event && (code = next_die(p, w->params)) < 0)
		return -1;
	if (code < 0) {
		vl_reply rep = { 0 };
		_cleanup_cerr_ cerr e = { 0 };
		if (vl_client_send(p->vl, "io.corral.Supervisor.Wait", w->params, false, false, &e) < 0 ||
		    dk_pump_await(p) < 0 || vl_client_recv(p->vl, &rep, &e) < 0)
			return -1;
		code = dk_int(rep.params, "exitCode", -1);
		if (rep.error) {
			_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
			jg_object(g, JG_STR("Message", rep.error), JG_END);
			_cleanup_free_ char *t = jg_finish(g, NULL);
			snprintf(err, sizeof(err), "%s", t ? t : "null");
		}
		vl_reply_release(&rep);
	}
	sb_addf(&p->out, "{\"StatusCode\":%lld,\"Error\":%s}\n", code < 0 ? 0 : code, err);
	p->done = true;
	return 0;
}

void dk_ctr_wait(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg), *cond = dk_query(r, "condition");
	if (!cond || !*cond)
		cond = "not-running";
	if (!streq(cond, "not-running") && !streq(cond, "next-exit") && !streq(cond, "removed")) {
		dk_error(r, 400, "invalid condition: \"%s\"", cond);
		return;
	}
	vl_reply rep;
	yajl_val c = dk_ctr_record(r, id, &rep);
	if (!c)
		return;
	yajl_val st = json_get(c, "state");
	const char *status = dk_str(st, "status");
	dk_pump *p = dk_pump_new(r, wait_fill, sizeof(wait_ctx));
	if (!p) {
		vl_reply_release(&rep);
		dk_error(r, 500, "out of memory");
		return;
	}
	wait_ctx *w = p->ctx;
	w->done_code = -1;
	/* Docker's not-running is met at once by a container that is down */
	if (streq(cond, "not-running") && (streq(status, "created") || streq(status, "exited")))
		w->done_code = (int)dk_int(st, "exitCode", 0);
	/* Docker's next-exit of one that has run: corrald's Wait would answer
	 * its last exit at once, its events wait for the next */
	w->by_event = streq(cond, "next-exit") && streq(status, "exited");
	if (w->by_event)
		snprintf(w->params, sizeof(w->params),
			 "{\"filters\":{\"type\":\"container\",\"action\":\"die\",\"id\":\"%s\"}}",
			 dk_str(c, "id"));
	else
		snprintf(w->params, sizeof(w->params), "{\"id\":\"%s\",\"condition\":\"%s\"}", dk_str(c, "id"),
			 streq(cond, "removed") ? "removed" : "stopped");
	vl_reply_release(&rep);
	bool by_event = w->by_event;
	dk_pump_answer(r, p, "application/json"); /* p is libmicrohttpd's now */
	/* the event stream stays open on the varlink connection: no other
	 * request may follow on this one */
	if (by_event && r->resp)
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

typedef struct logs_ctx {
	char *params;
	bool tty, out, err, timestamps;
} logs_ctx;

static void logs_release(dk_pump *p)
{
	logs_ctx *l = p->ctx;
	free(l->params);
}

/* One line as Docker frames it; time NULL: without it */
static void log_frame(strbuf *out, bool is_err, const char *text, bool partial, const char *time, bool tty)
{
	size_t len = strlen(text) + (partial ? 0 : 1) + (time ? strlen(time) + 1 : 0);
	if (!tty) { /* Docker's stdcopy header: stream, 0, 0, 0, size (BE) */
		unsigned char h[8] = { is_err ? 2 : 1, 0, 0, 0 };
		uint32_t be = htonl((uint32_t)len);
		memcpy(h + 4, &be, 4);
		sb_add(out, h, sizeof(h));
	}
	if (time)
		sb_addf(out, "%s ", time);
	sb_adds(out, text);
	if (!partial)
		sb_adds(out, "\n");
}

void dk_log_frame(strbuf *out, yajl_val line, bool tty, bool timestamps)
{
	log_frame(out, streq(dk_str(line, "stream"), "stderr"), dk_str(line, "line"), dk_bool(line, "partial"),
		  timestamps ? dk_str(line, "time") : NULL, tty);
}

static void put_line(dk_pump *p, logs_ctx *l, yajl_val line)
{
	bool is_err = streq(dk_str(line, "stream"), "stderr");
	if (is_err ? l->err : l->out)
		dk_log_frame(&p->out, line, l->tty, l->timestamps);
}

static int logs_fill(dk_pump *p)
{
	logs_ctx *l = p->ctx;
	_cleanup_cerr_ cerr e = { 0 };
	if (!p->started) {
		p->started = true;
		if (vl_client_send(p->vl, "io.corral.Supervisor.Logs", l->params, true, false, &e) < 0)
			return -1;
	}
	vl_reply rep = { 0 };
	if (dk_pump_await(p) < 0 || vl_client_recv(p->vl, &rep, &e) < 0)
		return -1;
	yajl_val lines = json_get(rep.params, "lines");
	for (size_t i = 0; YAJL_IS_ARRAY(lines) && i < lines->u.array.len; i++)
		put_line(p, l, lines->u.array.values[i]);
	if (rep.error) { /* past the answer's head: said in the stream, as dockerd does */
		yajl_val why = json_get(rep.params, "reason");
		char text[512];
		snprintf(text, sizeof(text), "Error grabbing logs: %s", YAJL_IS_STRING(why) ? why->u.string : rep.error);
		log_frame(&p->out, true, text, false, NULL, l->tty);
	}
	p->done = rep.error || !rep.continues;
	vl_reply_release(&rep);
	return 0;
}

/* since or until as the CLI sends them ("1700000000.000000000"), whole
 * seconds; "0" or none is no bound */
static void gen_time(yajl_gen g, const char *key, const char *t)
{
	if (!t || !*t || streq(t, "0"))
		return;
	char s[32];
	snprintf(s, sizeof(s), "%.*s", (int)strcspn(t, "."), t);
	jg_key_str(g, key, s);
}

void dk_ctr_logs(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg), *tail = dk_query(r, "tail"), *since = dk_query(r, "since");
	bool out = dk_query_bool(r, "stdout", false), err = dk_query_bool(r, "stderr", false);
	if (!out && !err) {
		dk_error(r, 400, "Bad parameters: you must choose at least one stream");
		return;
	}
	vl_reply rep;
	yajl_val c = dk_ctr_record(r, id, &rep);
	if (!c)
		return;
	_cleanup_json_gen_ yajl_gen g = dk_params_id(dk_str(c, "id"));
	bool tty = dk_bool(json_get(c, "config"), "tty");
	vl_reply_release(&rep);
	jg_key_bool(g, "follow", dk_query_bool(r, "follow", false));
	/* "all", and a negative count as docker-modem sends (-1), mean all */
	if (tail && *tail && !streq(tail, "all") && tail[0] != '-') {
		long long n;
		if (dk_query_int(r, "tail", 0, &n) < 0 || n < 0) {
			dk_error(r, 400, "invalid tail: %s", tail);
			return;
		}
		jg_key_int(g, "tail", n);
	}
	gen_time(g, "since", since);
	gen_time(g, "until", dk_query(r, "until"));
	dk_pump *p = dk_pump_new(r, logs_fill, sizeof(logs_ctx));
	if (!p) {
		dk_error(r, 500, "out of memory");
		return;
	}
	logs_ctx *l = p->ctx;
	*l = (logs_ctx){ .params = dk_params_end(g), .tty = tty, .out = out, .err = err,
			 .timestamps = dk_query_bool(r, "timestamps", false) };
	p->release = logs_release;
	dk_pump_answer(r, p, "application/vnd.docker.raw-stream");
}
