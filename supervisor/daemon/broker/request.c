/* Request, Serve's other side, and Reply: a request goes to one server (the
 * party asked for, or whichever serves the topic, in turn), and waits for
 * its Reply at most its timeout. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/broker/gate.h"
#include "supervisor/daemon/broker/broker_methods.h"
#include "supervisor/daemon/broker/request.h"
#include "supervisor/daemon/broker/route.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

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

static void breq_free(breq *q)
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

static void on_requester_gone(vl_call *call, void *data) { breq_free(data); }

/* End the requester's call: its error (reply NULL) or the answer. */
static void breq_end(breq *q, const char *error, const char *params)
{
	vl_call *call = q->call;
	vl_call_set_cancel(call, NULL, NULL);
	breq_free(q);
	if (error)
		vl_call_error(call, error, params);
	else
		vl_call_reply(call, params);
}

static void on_timeout(el_source *src, void *data)
{
	breq *q = data;
	_cleanup_free_ char *p = vl_json_obj1("topic", q->topic);
	breq_end(q, BROKER_ERR("Timeout"), p);
}

void breq_end_all(broker_session *bs)
{
	while (bs->reqs) {
		_cleanup_free_ char *p = vl_json_obj1("topic", bs->reqs->topic);
		breq_end(bs->reqs, BROKER_ERR("NoServer"), p);
	}
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

int broker_do_request(bparty *m, vl_call *call, broker_args *a)
{
	broker_session *bs = m->bs;
	const char *to = a->to, *topic = a->topic, *text = a->data;
	double timeout = a->timeout;
	broker_fault no = { 0 };
	if (broker_gate(m, vl_call_peer(call), BROKER_PUBLISH, topic, a->data_len, &no) < 0)
		return broker_reply_fault(call, &no);
	bparty *tm = NULL;
	if (to && !(tm = party_named(bs, to))) {
		_cleanup_free_ char *p = vl_json_obj1("member", to);
		return vl_call_error(call, BROKER_ERR("NoSuchMember"), p);
	}
	bstream *st = pick_server(bs, tm, topic);
	if (!st) {
		_cleanup_free_ char *p = vl_json_obj1("topic", topic);
		return vl_call_error(call, BROKER_ERR("NoServer"), p);
	}
	breq *q = calloc(1, sizeof(*q));
	_cleanup_cerr_ cerr err = { 0 };
	if (!q || !(q->topic = strdup(topic)) ||
	    el_add_timer(bs->b->d->loop, (uint64_t)(timeout * 1e6), false, on_timeout, q, &q->timer, &err) < 0) {
		if (q)
			free(q->topic);
		free(q);
		return vl_call_disconnect(call, "out of memory"), 0;
	}
	*q = (breq){ .bs = bs, .call = call, .from = m, .server = st->m, .topic = q->topic, .timer = q->timer,
		     .t0 = el_now_usec() };
	snprintf(q->id, sizeof(q->id), "%llx", (unsigned long long)++bs->b->next_id);
	bmsg *body = broker_message(bs, topic, m->name, text, a->data_len);
	_cleanup_strbuf_ strbuf sb = { 0 };
	bmsg *msg = body && !sb_addf(&sb, "{\"id\":\"%s\",\"message\":%s}", q->id, body->body)
			    ? bmsg_new(sb.buf, sb.len)
			    : NULL;
	bmsg_unref(body);
	if (!msg) {
		q->bs = bs;
		el_remove(q->timer);
		free(q->topic);
		free(q);
		return vl_call_disconnect(call, "out of memory"), 0;
	}
	q->next = bs->reqs;
	bs->reqs = q;
	vl_call_set_cancel(call, on_requester_gone, q);
	session_touch(bs->b->d, bs->s);
	bstream_push(st, msg); /* may drop st (its peer gone): q then times out */
	bmsg_unref(msg);
	return 0;
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

int broker_reply(bparty *m, vl_call *call, const char *id, const char *text)
{
	broker_session *bs = m->bs;
	breq *q = bs->reqs;
	while (q && (strcmp(q->id, id) != 0 || q->server != m))
		q = q->next;
	if (!q) {
		char why[128];
		snprintf(why, sizeof(why), "no request %.40s waits for an answer from %s", id, m->name);
		return broker_error_invalid(call, why);
	}
	broker_fault no = { 0 };
	if (broker_rate(m, strlen(text), &no) < 0)
		return broker_reply_fault(call, &no);
	_cleanup_strbuf_ strbuf sb = { 0 };
	if (sb_addf(&sb, "{\"from\":\"%s\",\"data\":%s}", m->name, text) < 0)
		return vl_call_disconnect(call, "out of memory"), 0;
	record_latency(bs, el_now_usec() - q->t0);
	bs->routed++;
	session_touch(bs->b->d, bs->s);
	breq_end(q, NULL, sb.buf);
	return vl_call_reply(call, NULL);
}
