/* Subscriber queues (queue.h). */
#include "supervisor/daemon/broker/queue.h"

#include <stdlib.h>
#include <string.h>

bmsg *bmsg_alloc(size_t len)
{
	bmsg *m = malloc(sizeof(*m) + len + 1);
	if (!m)
		return NULL;
	m->refs = 1;
	m->len = len;
	m->body[len] = '\0';
	return m;
}

bmsg *bmsg_new(const char *body, size_t len)
{
	bmsg *m = bmsg_alloc(len);
	if (m)
		memcpy(m->body, body, len);
	return m;
}

bmsg *bmsg_ref(bmsg *m)
{
	m->refs++;
	return m;
}

void bmsg_unref(bmsg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

static void account(bqueue *q, size_t len, bool add)
{
	q->bytes = add ? q->bytes + len : q->bytes - len;
	if (q->total)
		*q->total = add ? *q->total + len : *q->total - len;
}

void bq_drop_oldest(bqueue *q, uint64_t now_usec)
{
	if (!q->n)
		return;
	bmsg *m = q->ring[q->head];
	q->head = (q->head + 1) % BQ_MAX_MSGS;
	q->n--;
	account(q, m->len, false);
	bmsg_unref(m);
	q->missed++;
	q->dropped++;
	if (!q->full_since_usec)
		q->full_since_usec = now_usec ? now_usec : 1;
}

size_t bq_push(bqueue *q, bmsg *m, uint64_t now_usec)
{
	size_t dropped = 0;
	while (q->n && (q->n >= BQ_MAX_MSGS || q->bytes + m->len > BQ_MAX_BYTES)) {
		bq_drop_oldest(q, now_usec);
		dropped++;
	}
	q->ring[(q->head + q->n) % BQ_MAX_MSGS] = bmsg_ref(m);
	q->n++;
	account(q, m->len, true);
	return dropped;
}

bmsg *bq_pop(bqueue *q, uint64_t *missed)
{
	if (!q->n)
		return NULL;
	bmsg *m = q->ring[q->head];
	q->head = (q->head + 1) % BQ_MAX_MSGS;
	q->n--;
	account(q, m->len, false);
	*missed = q->missed;
	q->missed = 0;
	q->full_since_usec = 0;
	return m;
}

void bq_clear(bqueue *q)
{
	uint64_t missed;
	bmsg *m;
	while ((m = bq_pop(q, &missed)))
		bmsg_unref(m);
}

const bmsg *bq_peek(const bqueue *q) { return q->n ? q->ring[q->head] : NULL; }

bool bq_tripped(const bqueue *q, uint64_t now_usec)
{
	return q->full_since_usec && now_usec - q->full_since_usec >= BQ_FULL_USEC;
}
