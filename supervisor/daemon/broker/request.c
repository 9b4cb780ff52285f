/* Request, Serve's other side, and Reply: a request goes to one server (the
 * party asked for, or whichever serves the topic, in turn), and waits for
 * its Reply at most its timeout. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/gate.h"
#include "supervisor/daemon/broker/request.h"
#include "supervisor/daemon/broker/route.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* By name ("host": the operator); NULL when the session has none. */
static bparty *party_named(broker_session *bs, const char *name)
{
	if (strcmp(name, BROKER_HOST) == 0)
		return &bs->host;
	for (bparty *m = bs->parties; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

const double broker_lat_bounds[BROKER_LAT_BUCKETS] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
						       0.01,   0.05,    0.1,    0.5,   1,      5 };

void breq_cancel(breq *q)
{
	for (breq **p = &q->bs->reqs; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			break;
		}
	el_remove(q->timer);
	free(q->topic);
	free(q);
}

/* q ends, told to its requester's method: the fault f (answer NULL), or the answer. */
static void breq_end(breq *q, broker_fault *f, const char *answer)
{
	breq_done_fn *done = q->done;
	void *end = q->end;
	breq_cancel(q);
	done(end, f, answer);
}

/* q, with no answer, ends with error{topic}. */
static void breq_fail(breq *q, const char *error)
{
	_cleanup_broker_fault_ broker_fault f = { 0 };
	broker_fault_named(&f, error, "topic", q->topic);
	breq_end(q, &f, NULL);
}

static void on_timeout(el_source *src, void *data) { breq_fail(data, BROKER_ERR("Timeout")); }

void breq_end_all(broker_session *bs)
{
	while (bs->reqs)
		breq_fail(bs->reqs, BROKER_ERR("NoServer"));
}

void breq_forget_party(broker_session *bs, bparty *m)
{
	for (breq *q = bs->reqs; q; q = q->next)
		if (q->server == m)
			q->server = NULL;
}

/* A Serve stream for topic (of party to, when given), taken in turn. */
static bstream *pick_server(broker_session *bs, bparty *to, const char *topic)
{
	for (bstream *st = bs->streams; st; st = st->next) {
		if (st->kind != BSTREAM_SERVE || (to && st->m != to) || !topic_match_any(st->patterns, topic))
			continue;
		/* to the end of the list: the next request goes to the next server */
		if (st->next) {
			if (st->prev)
				st->prev->next = st->next;
			else
				bs->streams = st->next;
			st->next->prev = st->prev;
			bstream *last = st->next;
			while (last->next)
				last = last->next;
			last->next = st;
			st->prev = last;
			st->next = NULL;
		}
		return st;
	}
	return NULL;
}

breq *breq_open(bparty *m, const peer_cred *peer, const broker_args *a, breq_done_fn *done, void *end,
		broker_fault *f)
{
	broker_session *bs = m->bs;
	const char *to = a->to, *topic = a->topic, *text = a->data;
	double timeout = a->timeout;
	if (broker_gate(m, peer, BROKER_PUBLISH, topic, a->data_len, f) < 0)
		return NULL;
	bparty *tm = NULL;
	if (to && !(tm = party_named(bs, to))) {
		broker_fault_named(f, BROKER_ERR("NoSuchMember"), "member", to);
		return NULL;
	}
	bstream *st = pick_server(bs, tm, topic);
	if (!st) {
		broker_fault_named(f, BROKER_ERR("NoServer"), "topic", topic);
		return NULL;
	}
	breq *q = calloc(1, sizeof(*q));
	_cleanup_cerr_ cerr err = { 0 };
	if (!q || !(q->topic = strdup(topic)) ||
	    el_add_timer(bs->b->d->loop, (uint64_t)(timeout * 1e6), false, on_timeout, q, &q->timer, &err) < 0) {
		if (q)
			free(q->topic);
		free(q);
		broker_fault_oom(f);
		return NULL;
	}
	*q = (breq){ .bs = bs, .done = done, .end = end, .from = m, .server = st->m, .topic = q->topic,
		     .timer = q->timer, .t0 = mono_usec() };
	snprintf(q->id, sizeof(q->id), "%llx", (unsigned long long)++bs->b->next_id);
	bmsg *body = broker_message(bs, topic, m->name, text, a->data_len);
	_cleanup_strbuf_ strbuf sb = { 0 };
	bmsg *msg = body && !sb_addf(&sb, "{\"id\":\"%s\",\"message\":%s}", q->id, body->body)
			    ? bmsg_new(sb.buf, sb.len)
			    : NULL;
	bmsg_unref(body);
	if (!msg) {
		el_remove(q->timer);
		free(q->topic);
		free(q);
		broker_fault_oom(f);
		return NULL;
	}
	q->next = bs->reqs;
	bs->reqs = q;
	session_touch(bs->b->d, bs->s);
	bstream_push(st, msg); /* may drop st (its peer gone): q then times out */
	bmsg_unref(msg);
	return q;
}

static void record_latency(broker_session *bs, uint64_t usec)
{
	double s = (double)usec / 1e6;
	size_t i = 0;
	while (i < BROKER_LAT_BUCKETS && s > broker_lat_bounds[i])
		i++;
	bs->lat[i]++;
	bs->lat_count++;
	bs->lat_sum += s;
}

int breq_answer(bparty *m, const char *id, const char *text, broker_fault *f)
{
	broker_session *bs = m->bs;
	breq *q = bs->reqs;
	while (q && (strcmp(q->id, id) != 0 || q->server != m))
		q = q->next;
	if (!q) {
		char why[128];
		snprintf(why, sizeof(why), "no request %.40s waits for an answer from %s", id, m->name);
		return broker_fault_invalid(f, why);
	}
	if (broker_rate(m, strlen(text), f) < 0)
		return -1;
	_cleanup_strbuf_ strbuf sb = { 0 };
	if (sb_addf(&sb, "{\"from\":\"%s\",\"data\":%s}", m->name, text) < 0)
		return broker_fault_oom(f);
	record_latency(bs, mono_usec() - q->t0);
	bs->routed++;
	session_touch(bs->b->d, bs->s);
	breq_end(q, NULL, sb.buf);
	return 0;
}
