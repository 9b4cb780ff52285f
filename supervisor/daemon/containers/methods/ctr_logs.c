/* The Logs method's stream (ctr_logs.h). */
#include "supervisor/daemon/containers/methods/ctr_logs.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/record/ctr_waiters.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/api/sv_errors.h"

#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

struct logs_stream {
	vl_call *call;
	el_source *timer;
	crilog_cursor cur;
	log_batch batch;
	bool follow;    /* lines to come, after the history */
	bool finishing; /* the last lines: no pause */
	size_t step_sent; /* bytes streamed in this turn of the loop */
	void (*on_free)(void *data);
	void *on_free_data;
	struct logs_stream *next, **prev; /* every stream open (logs_streams_of) */
};

static struct logs_stream *open_streams;

size_t logs_streams_of(uid_t uid)
{
	size_t n = 0;
	for (logs_stream *s = open_streams; s; s = s->next)
		n += vl_call_peer(s->call)->uid == uid;
	return n;
}

size_t logs_streams_open(void)
{
	size_t n = 0;
	for (logs_stream *s = open_streams; s; s = s->next)
		n++;
	return n;
}

/* Call fn(data) when the stream is freed (its call ended, either way). */
static void logs_stream_on_free(logs_stream *s, void (*fn)(void *data), void *data)
{
	s->on_free = fn;
	s->on_free_data = data;
}

/* Send the batch: as a streamed reply, or as the final one. */
static void flush(logs_stream *s, bool final)
{
	if (!final && s->batch.n == 0)
		return;
	_cleanup_free_ char *p = log_batch_take(&s->batch);
	if (final)
		vl_call_reply(s->call, p ? p : "{\"lines\":[]}");
	else if (p)
		vl_call_notify(s->call, p);
}

/* One LogLine into the batch. Nonzero stops the reading: the caller has
 * enough waiting for now. */
static int add_line(const crilog_line *l, void *data)
{
	logs_stream *s = data;
	int r = log_batch_add(&s->batch, l, SIZE_MAX);
	if (r || s->batch.text.len < LOGS_STREAM_BATCH)
		return r;
	s->step_sent += s->batch.text.len;
	flush(s, false);
	/* one turn of the loop sends a bounded amount, so others get theirs */
	return !s->finishing &&
	       (s->step_sent >= LOGS_STREAM_STEP || vl_call_out_pending(s->call) > LOGS_STREAM_QUEUE);
}

static void stream_free(logs_stream *s)
{
	if (s->prev) {
		*s->prev = s->next;
		if (s->next)
			s->next->prev = s->prev;
	}
	if (s->on_free)
		s->on_free(s->on_free_data);
	el_remove(s->timer);
	crilog_cursor_close(&s->cur);
	sb_release(&s->batch.text);
	free(s);
}

static void on_cancel(vl_call *call, void *data) { stream_free(data); }

/* The stream is over: the unfinished lines, the final reply, and free. */
static void finish(logs_stream *s)
{
	s->finishing = true;
	crilog_cursor_flush(&s->cur, add_line, s);
	vl_call_set_cancel(s->call, NULL, NULL);
	flush(s, true); /* ends the call */
	stream_free(s);
}

/* Read on, as far as the caller takes it: 1 while the stream goes on, 0
 * when it is over, -errno when it ended with an error (s is freed then). */
static int logs_step(logs_stream *s)
{
	cerr err = { 0 };
	int r = 0;
	s->step_sent = 0;
	if (vl_call_out_pending(s->call) <= LOGS_STREAM_QUEUE)
		r = crilog_cursor_poll(&s->cur, add_line, s, &err);
	if (r < 0) {
		vl_call *call = s->call;
		vl_call_set_cancel(call, NULL, NULL);
		stream_free(s);
		sv_internal_err(call, &err);
		return r;
	}
	bool behind = vl_call_out_pending(s->call) > LOGS_STREAM_QUEUE;
	if (s->follow && s->cur.until_ns && crilog_now_ns() > s->cur.until_ns)
		s->follow = false; /* past until: what is read is all there is to send */
	bool caught_up = r == 0 && !behind;
	el_timer_set(s->timer, caught_up ? LOGS_POLL_USEC : behind ? LOGS_BEHIND_USEC : LOGS_YIELD_USEC, true);
	if (!caught_up)
		return 1;
	flush(s, false);
	if (s->follow)
		return 1;
	finish(s);
	return 0;
}

static void on_poll(el_source *t, void *data) { logs_step(data); }

void logs_stream_end(logs_stream *s)
{
	/* the container has ended and its log is whole: send the rest as the
	 * caller takes it, then end; the container may go away meanwhile */
	if (s->on_free)
		s->on_free(s->on_free_data);
	s->on_free = NULL;
	s->follow = false;
	logs_step(s);
}

int logs_stream_start(el_loop *loop, vl_call *call, const char *path, const crilog_read_opts *o, bool follow,
		      logs_stream **out, cerr *err)
{
	*out = NULL;
	logs_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return cerr_set(err, ENOMEM, "out of memory");
	s->call = call;
	s->follow = follow;
	s->next = open_streams;
	if (s->next)
		s->next->prev = &s->next;
	s->prev = &open_streams;
	open_streams = s;
	int r = crilog_cursor_start(&s->cur, path, o, err);
	if (r == 0)
		r = el_add_timer(loop, LOGS_POLL_USEC, true, on_poll, s, &s->timer, err);
	if (r < 0) {
		stream_free(s);
		return r;
	}
	/* from here the stream owns the call, and ends it once */
	vl_call_set_cancel(call, on_cancel, s);
	if (logs_step(s) > 0 && follow)
		*out = s;
	return 0;
}

/* A stream that follows a container's log, as its waiter: told when the
 * container ends. */
typedef struct log_follow {
	ctr_done done; /* first: the record's pointer is the follow's */
	logs_stream *s;
} log_follow;

static void follow_told(ctr_done *done, const ctr *c, sv_fault *fault)
{
	(void)c, (void)fault;
	logs_stream_end(((log_follow *)done)->s); /* frees the follow (on_stream_freed) */
}

static void follow_forgotten(ctr_done *done)
{
	log_follow *f = (log_follow *)done;
	logs_stream_on_free(f->s, NULL, NULL);
	free(f);
}

static void on_stream_freed(void *data)
{
	log_follow *f = data;
	ctr_done_unhold(&f->done);
	free(f);
}

void logs_stream_follow(ctr *c, logs_stream *s)
{
	log_follow *f = calloc(1, sizeof(*f));
	if (!f)
		return logs_stream_end(s);
	*f = (log_follow){ .done = { .told = follow_told, .forgotten = follow_forgotten }, .s = s };
	ctr_add_waiter(c, &f->done, WAIT_LOG_END);
	logs_stream_on_free(s, on_stream_freed, f);
}
