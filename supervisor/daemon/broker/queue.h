/* A subscriber's queue: messages corrald has routed to it and not yet
 * handed to its connection. At most BQ_MAX_MSGS messages or BQ_MAX_BYTES;
 * past that the oldest are dropped and counted, and the next message taken
 * says how many were missed. A queue that drops and is not read from for
 * BQ_FULL_USEC trips the circuit breaker. Messages are shared (refcounted)
 * between the queues of one publish. Queues may share a total of their bytes
 * (total), which their owner bounds by dropping from the fullest. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BQ_MAX_MSGS 1024
#define BQ_MAX_BYTES (1u << 20)
#define BQ_FULL_USEC (30ull * 1000000)

typedef struct bmsg {
	unsigned refs;
	size_t len;
	char body[]; /* the Message's keys as JSON text, without braces or "missed" */
} bmsg;

/* One reference, to the caller; NULL when out of memory. */
bmsg *bmsg_new(const char *body, size_t len);
/* The same with its body (len bytes, then a NUL) left to the caller. */
bmsg *bmsg_alloc(size_t len);
bmsg *bmsg_ref(bmsg *m);
void bmsg_unref(bmsg *m);

typedef struct bqueue {
	bmsg *ring[BQ_MAX_MSGS];
	size_t head, n, bytes;
	uint64_t missed;          /* dropped since the last message taken */
	uint64_t dropped;         /* dropped in all */
	uint64_t full_since_usec; /* first drop not followed by a take; 0: none */
	size_t *total;            /* of all queues, kept with bytes; NULL: none */
} bqueue;

/* Queue m (taking a reference); returns how many old messages it dropped. */
size_t bq_push(bqueue *q, bmsg *m, uint64_t now_usec);
/* The oldest message (the caller's reference), *missed the drops before
 * it; NULL when empty. */
bmsg *bq_pop(bqueue *q, uint64_t *missed);
void bq_clear(bqueue *q);
/* The oldest message, left queued; NULL when empty. */
const bmsg *bq_peek(const bqueue *q);
/* Drop the oldest message, counted as missed (the global bound). */
void bq_drop_oldest(bqueue *q, uint64_t now_usec);
/* The circuit breaker: dropping, and not read from, for BQ_FULL_USEC. */
bool bq_tripped(const bqueue *q, uint64_t now_usec);
