/* Routing inside a session: Publish to the matching streams, each stream's
 * queue, and handing queued messages to its connection only as fast as the
 * peer reads (corrald never blocks on, nor buffers without bound for, a slow
 * subscriber). */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/daemon/service.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/sessions/sstate.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bmsg *broker_message(broker_session *bs, const char *topic, const char *from, const char *data)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* topics and member names are plain [A-Za-z0-9_.:/-]: nothing to escape */
	_cleanup_strbuf_ strbuf sb = { 0 };
	/* data is appended, not formatted: it is most of the message */
	if (sb_addf(&sb, "{\"topic\":\"%s\",\"from\":\"%s\",\"data\":", topic, from) < 0 ||
	    sb_adds(&sb, data) < 0 ||
	    sb_addf(&sb, ",\"seq\":%llu,\"sent\":%lld}", (unsigned long long)++bs->seq,
		    (long long)ts.tv_sec * 1000000000 + ts.tv_nsec) < 0)
		return NULL;
	bs->routed++;
	return bmsg_new(sb.buf, sb.len);
}

static void stream_free(bstream *st)
{
	broker_session *bs = st->bs;
	if (st->prev)
		st->prev->next = st->next;
	else
		bs->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	if (st->watch)
		sstate_watch_remove(st->watch);
	bq_clear(st->q);
	free(st->q);
	strv_free(st->patterns);
	free(st);
}

static void on_stream_cancel(vl_call *call, void *data) { stream_free(data); }

void bstream_close(bstream *st)
{
	vl_call *call = st->call;
	stream_free(st);
	vl_call_disconnect(call, "broker stream closed");
}

/* One reply: the message, with what was missed before it. */
static int render(strbuf *sb, const bstream *st, const bmsg *m, uint64_t missed)
{
	if (st->kind == BSTREAM_WATCH)
		return sb_add(sb, m->body, m->len);
	const char *body = m->body;
	if (st->kind == BSTREAM_SERVE) {
		/* a request is queued as {"id":"...","message":{...}} already */
		return sb_add(sb, m->body, m->len);
	}
	if (sb_adds(sb, "{\"message\":") || sb_add(sb, body, m->len - 1))
		return -ENOMEM;
	return missed ? sb_addf(sb, ",\"missed\":%llu}}", (unsigned long long)missed) : sb_adds(sb, "}}");
}

void bstream_pump(bstream *st)
{
	broker *b = st->bs->b;
	while (vl_call_out_pending(st->call) < BROKER_OUT_HIGH) {
		uint64_t missed;
		bmsg *m = bq_pop(st->q, &missed);
		if (!m)
			break;
		_cleanup_strbuf_ strbuf sb = { 0 };
		int r = render(&sb, st, m, missed);
		bmsg_unref(m);
		if (r < 0 || vl_call_notify(st->call, sb.buf) < 0)
			return; /* the connection is dropped: the cancel hook frees st */
	}
	st->backlogged = st->q->n > 0;
	if (st->backlogged)
		broker_pump_arm(b);
}

void bstream_push(bstream *st, bmsg *msg)
{
	st->bs->dropped += bq_push(st->q, msg, el_now_usec());
	bstream_pump(st);
}

int broker_stream(bmember *m, vl_call *call, enum bstream_kind kind, char **patterns)
{
	_cleanup_strv_ char **pats = patterns;
	if (!vl_call_wants_more(call))
		return vl_call_error(call, VL_ERR_EXPECTED_MORE, NULL);
	bstream *st = calloc(1, sizeof(*st));
	if (!st || !(st->q = calloc(1, sizeof(*st->q)))) {
		free(st);
		return vl_call_disconnect(call, "out of memory"), 0;
	}
	broker_session *bs = m->bs;
	*st = (bstream){ .bs = bs, .m = m, .call = call, .kind = kind, .patterns = pats, .q = st->q };
	pats = NULL;
	st->next = bs->streams;
	if (bs->streams)
		bs->streams->prev = st;
	bs->streams = st;
	vl_call_set_cancel(call, on_stream_cancel, st);
	return 0;
}

int broker_do_publish(bmember *m, vl_call *call, broker_args *a)
{
	broker_session *bs = m->bs;
	if (broker_gate(m, call, BROKER_PUBLISH, a->topic, strlen(a->data)))
		return 0;
	bmsg *msg = broker_message(bs, a->topic, m->name, a->data);
	if (!msg)
		return vl_call_disconnect(call, "out of memory"), 0;
	long long delivered = 0;
	for (bstream *st = bs->streams, *next; st; st = next) {
		next = st->next;
		if (st->kind == BSTREAM_SUBSCRIBE && topic_match_any(st->patterns, a->topic)) {
			bstream_push(st, msg);
			delivered++;
		}
	}
	bmsg_unref(msg);
	session_touch(bs->b->d, bs->s);
	char p[48];
	snprintf(p, sizeof(p), "{\"delivered\":%lld}", delivered);
	return vl_call_reply(call, p);
}

int broker_do_subscribe(bmember *m, vl_call *call, broker_args *a, enum bstream_kind kind)
{
	enum broker_action act = kind == BSTREAM_SERVE ? BROKER_SERVE : BROKER_SUBSCRIBE;
	for (size_t i = 0; a->patterns[i]; i++)
		if (broker_gate(m, call, act, a->patterns[i], 0))
			return 0;
	char **pats = a->patterns;
	a->patterns = NULL;
	return broker_stream(m, call, kind, pats);
}
