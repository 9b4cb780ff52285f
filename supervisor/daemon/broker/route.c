/* Routing inside a session: Publish to the matching streams, each stream's
 * queue, and handing queued messages to its connection only as fast as the
 * peer reads (corrald never blocks on, nor buffers without bound for, a slow
 * subscriber). */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/gate.h"
#include "supervisor/daemon/broker/route.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/sessions/session_kv.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/monotonic.h"

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

void bstream_free(bstream *st)
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

void bstream_close(bstream *st)
{
	const bstream_sink *sink = st->sink;
	void *end = st->end;
	bstream_free(st);
	sink->hang_up(end, "broker stream closed");
}

void bstream_out_seen(bstream *st)
{
	size_t now = st->sink->unread(st);
	st->bs->b->out_total = st->bs->b->out_total - st->out_seen + now;
	st->out_seen = now;
}

/* May st's connection take m? Up to BROKER_OUT_HIGH, or m alone. */
static bool out_room(const bstream *st, const bmsg *m)
{
	return !st->out_seen || st->out_seen + m->len + BSTREAM_SEND_SLACK <= BROKER_OUT_HIGH;
}

void bstream_pump(bstream *st)
{
	broker *b = st->bs->b;
	bstream_out_seen(st);
	const bmsg *next;
	while ((next = bq_peek(st->q)) && out_room(st, next)) {
		uint64_t missed;
		bmsg *m = bq_pop(st->q, &missed);
		int r = st->sink->send(st, m, missed);
		bmsg_unref(m);
		if (r < 0)
			return; /* the connection is dropped: its method frees st */
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
	uint64_t now = mono_usec();
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

bstream *bstream_open(bparty *m, enum bstream_kind kind, char **patterns, const bstream_sink *sink, void *end)
{
	_cleanup_strv_ char **pats = patterns;
	bstream *st = calloc(1, sizeof(*st));
	if (!st || !(st->q = calloc(1, sizeof(*st->q)))) {
		free(st);
		return NULL;
	}
	broker_session *bs = m->bs;
	*st = (bstream){ .bs = bs, .m = m, .sink = sink, .end = end, .kind = kind, .patterns = TAKE_PTR(pats),
			 .q = st->q };
	st->q->total = &bs->b->queued;
	st->next = bs->streams;
	if (bs->streams)
		bs->streams->prev = st;
	bs->streams = st;
	return st;
}

int broker_publish(bparty *m, const peer_cred *peer, const broker_args *a, long long *delivered, broker_fault *f)
{
	broker_session *bs = m->bs;
	if (broker_gate(m, peer, BROKER_PUBLISH, a->topic, a->data_len, f) < 0)
		return -1;
	bmsg *msg = broker_message(bs, a->topic, m->name, a->data, a->data_len);
	if (!msg)
		return broker_fault_oom(f);
	*delivered = 0;
	for (bstream *st = bs->streams, *next; st; st = next) {
		next = st->next;
		if (st->kind == BSTREAM_SUBSCRIBE && topic_match_any(st->patterns, a->topic)) {
			bstream_push(st, msg);
			(*delivered)++;
		}
	}
	bmsg_unref(msg);
	session_touch(bs->b->d, bs->s);
	return 0;
}

int broker_may_listen(bparty *m, const peer_cred *peer, enum bstream_kind kind, char *const *patterns,
		      broker_fault *f)
{
	enum broker_action act = kind == BSTREAM_SERVE ? BROKER_SERVE : BROKER_SUBSCRIBE;
	for (size_t i = 0; patterns[i]; i++)
		if (broker_gate(m, peer, act, patterns[i], 0, f) < 0)
			return -1;
	return 0;
}
