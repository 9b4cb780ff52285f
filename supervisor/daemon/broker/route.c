/* Routing inside a session: Publish to the matching streams, each stream's
 * queue, and handing queued messages to its connection only as fast as the
 * peer reads (corrald never blocks on, nor buffers without bound for, a slow
 * subscriber). */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/broker/gate.h"
#include "supervisor/daemon/broker/broker_methods.h"
#include "supervisor/daemon/broker/route.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/sessions/session_kv.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Backlogged streams are retried from the broker's pump timer (broker_server.c). */
static void pump_arm(broker *b) { el_timer_set(b->pump, BROKER_PUMP_USEC, false); }

/* v in decimal at out (room for 20 digits); its length. */
static size_t put_u64(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* Put n bytes of s at *p and move past them. */
static void put(char **p, const char *s, size_t n)
{
	memcpy(*p, s, n);
	*p += n;
}

/* Built in one allocation and no printf: this is every message's path. */
bmsg *broker_message(broker_session *bs, const char *topic, const char *from, const char *data, size_t nd)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char seq[20], sent[20];
	size_t nseq = put_u64(seq, ++bs->seq);
	size_t nsent = put_u64(sent, (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec);
	/* topics and party names are plain [A-Za-z0-9_.:/-]: nothing to escape */
	static const char a[] = "{\"topic\":\"", b[] = "\",\"from\":\"", c[] = "\",\"data\":", d[] = ",\"seq\":",
			  e[] = ",\"sent\":";
	size_t nt = strlen(topic), nf = strlen(from);
	bmsg *m = bmsg_alloc(sizeof(a) - 1 + nt + sizeof(b) - 1 + nf + sizeof(c) - 1 + nd + sizeof(d) - 1 + nseq +
			     sizeof(e) - 1 + nsent + 1);
	if (!m)
		return NULL;
	char *p = m->body;
	put(&p, a, sizeof(a) - 1);
	put(&p, topic, nt);
	put(&p, b, sizeof(b) - 1);
	put(&p, from, nf);
	put(&p, c, sizeof(c) - 1);
	put(&p, data, nd);
	put(&p, d, sizeof(d) - 1);
	put(&p, seq, nseq);
	put(&p, e, sizeof(e) - 1);
	put(&p, sent, nsent);
	put(&p, "}", 1);
	bs->routed++;
	return m;
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
		kv_watch_remove(st->watch);
	bs->b->out_total -= st->out_seen;
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

void bstream_out_seen(bstream *st)
{
	size_t now = vl_call_out_pending(st->call);
	st->bs->b->out_total = st->bs->b->out_total - st->out_seen + now;
	st->out_seen = now;
}

#define RENDER_SLACK 64 /* what render adds to a message's body, at most */

/* May st's connection take m? Up to BROKER_OUT_HIGH, or m alone. */
static bool out_room(const bstream *st, const bmsg *m)
{
	return !st->out_seen || st->out_seen + m->len + RENDER_SLACK <= BROKER_OUT_HIGH;
}

void bstream_pump(bstream *st)
{
	broker *b = st->bs->b;
	bstream_out_seen(st);
	const bmsg *next;
	while ((next = bq_peek(st->q)) && out_room(st, next)) {
		uint64_t missed;
		bmsg *m = bq_pop(st->q, &missed);
		strbuf *sb = &b->render; /* kept: no allocation per message */
		sb_reset(sb);
		int r = render(sb, st, m, missed);
		bmsg_unref(m);
		if (r < 0 || vl_call_notify_n(st->call, sb->buf, sb->len) < 0)
			return; /* the connection is dropped: the cancel hook frees st */
		bstream_out_seen(st);
	}
	st->backlogged = st->q->n > 0;
	if (b->out_total > BROKER_OUT_TOTAL)
		el_timer_set(b->pump, 1, false); /* the pump cuts the slowest off, now */
	else if (st->backlogged)
		pump_arm(b);
}

/* The fullest queue of all sessions'; NULL when all are empty. */
static bstream *fullest(broker *b)
{
	bstream *best = NULL;
	for (session *s = b->d->sessions; s; s = s->next)
		for (bstream *st = s->broker ? s->broker->streams : NULL; st; st = st->next)
			if (st->q->bytes && (!best || st->q->bytes > best->q->bytes))
				best = st;
	return best;
}

void bstream_push(bstream *st, bmsg *msg)
{
	uint64_t now = el_now_usec();
	broker *b = st->bs->b;
	st->bs->dropped += bq_push(st->q, msg, now);
	/* all queues' bound: the fullest pay, oldest first */
	while (b->queued > BROKER_QUEUED_MAX) {
		bstream *f = fullest(b);
		if (!f)
			break;
		bq_drop_oldest(f->q, now);
		f->bs->dropped++;
		if (!f->backlogged) { /* the breaker's clock runs while backlogged */
			f->backlogged = true;
			pump_arm(b);
		}
	}
	bstream_pump(st);
}

int broker_stream(bparty *m, vl_call *call, enum bstream_kind kind, char **patterns)
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
	st->q->total = &bs->b->queued;
	pats = NULL;
	st->next = bs->streams;
	if (bs->streams)
		bs->streams->prev = st;
	bs->streams = st;
	vl_call_set_cancel(call, on_stream_cancel, st);
	return 0;
}

int broker_do_publish(bparty *m, vl_call *call, broker_args *a)
{
	broker_session *bs = m->bs;
	broker_fault no = { 0 };
	if (broker_gate(m, vl_call_peer(call), BROKER_PUBLISH, a->topic, a->data_len, &no) < 0)
		return broker_reply_fault(call, &no);
	bmsg *msg = broker_message(bs, a->topic, m->name, a->data, a->data_len);
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
	if (vl_call_is_oneway(call)) /* nobody reads the count */
		return vl_call_reply(call, NULL);
	char p[48];
	snprintf(p, sizeof(p), "{\"delivered\":%lld}", delivered);
	return vl_call_reply(call, p);
}

int broker_do_subscribe(bparty *m, vl_call *call, broker_args *a, enum bstream_kind kind)
{
	enum broker_action act = kind == BSTREAM_SERVE ? BROKER_SERVE : BROKER_SUBSCRIBE;
	broker_fault no = { 0 };
	for (size_t i = 0; a->patterns[i]; i++)
		if (broker_gate(m, vl_call_peer(call), act, a->patterns[i], 0, &no) < 0)
			return broker_reply_fault(call, &no);
	char **pats = a->patterns;
	a->patterns = NULL;
	return broker_stream(m, call, kind, pats);
}
