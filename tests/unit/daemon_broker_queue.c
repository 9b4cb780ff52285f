/* supervisor/daemon/broker/queue.c: bounds, drops, "missed", the breaker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "supervisor/daemon/broker/queue.h"

static bmsg *msg(int i, size_t len)
{
	char *b = malloc(len + 1);
	memset(b, 'x', len);
	snprintf(b, len + 1, "%d", i);
	b[strlen(b)] = len > strlen(b) ? 'x' : b[strlen(b)];
	bmsg *m = bmsg_new(b, len);
	free(b);
	return m;
}

static void test_count_bound_drops_oldest(void **state)
{
	bqueue *q = calloc(1, sizeof(*q));
	for (int i = 0; i < BQ_MAX_MSGS + 10; i++) {
		bmsg *m = msg(i, 16);
		size_t dropped = bq_push(q, m, 5);
		bmsg_unref(m);
		assert_int_equal(dropped, i < BQ_MAX_MSGS ? 0 : 1);
	}
	assert_int_equal(q->n, BQ_MAX_MSGS);
	assert_int_equal(q->dropped, 10);
	uint64_t missed;
	bmsg *m = bq_pop(q, &missed);
	assert_int_equal(missed, 10);
	assert_int_equal(atoi(m->body), 10); /* 0..9 went */
	bmsg_unref(m);
	m = bq_pop(q, &missed);
	assert_int_equal(missed, 0); /* told once */
	bmsg_unref(m);
	bq_clear(q);
	assert_int_equal(q->n, 0);
	assert_int_equal(q->bytes, 0);
	free(q);
}

static void test_byte_bound(void **state)
{
	bqueue *q = calloc(1, sizeof(*q));
	size_t big = 64 * 1024;
	for (int i = 0; i < 100; i++) {
		bmsg *m = msg(i, big);
		bq_push(q, m, 5);
		bmsg_unref(m);
		assert_true(q->bytes <= BQ_MAX_BYTES);
	}
	assert_int_equal(q->n, BQ_MAX_BYTES / big);
	assert_int_equal(q->dropped, 100 - BQ_MAX_BYTES / big);
	bq_clear(q);
	free(q);
}

static void test_shared_message_and_breaker(void **state)
{
	bqueue *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	bmsg *m = msg(1, 8);
	bq_push(a, m, 1);
	bq_push(b, m, 1);
	assert_int_equal(m->refs, 3);
	bmsg_unref(m);
	assert_false(bq_tripped(a, 100 * BQ_FULL_USEC)); /* never dropped */
	for (int i = 0; i < BQ_MAX_MSGS; i++) {
		bmsg *n = msg(i, 8);
		bq_push(a, n, 1000);
		bmsg_unref(n);
	}
	assert_false(bq_tripped(a, 1000 + BQ_FULL_USEC - 1));
	assert_true(bq_tripped(a, 1000 + BQ_FULL_USEC));
	uint64_t missed;
	bmsg_unref(bq_pop(a, &missed)); /* it read: the clock stops */
	assert_false(bq_tripped(a, 1000 + 2 * BQ_FULL_USEC));
	bq_clear(a);
	bq_clear(b); /* the last reference of m */
	free(a);
	free(b);
}

/* queues that share a total keep it exact through push, pop, drops and
 * clear; a drop for the total is counted as missed */
static void test_shared_total(void **state)
{
	size_t total = 0;
	bqueue *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	a->total = b->total = &total;
	for (int i = 0; i < 10; i++) {
		bmsg *m = msg(i, 1000);
		bq_push(a, m, 1);
		bq_push(b, m, 1);
		bmsg_unref(m);
	}
	assert_int_equal(total, a->bytes + b->bytes);
	assert_int_equal(bq_peek(a)->len, a->ring[a->head]->len);
	bq_drop_oldest(a, 7);
	assert_int_equal(a->missed, 1);
	assert_int_equal(total, a->bytes + b->bytes);
	uint64_t missed;
	bmsg_unref(bq_pop(a, &missed));
	assert_int_equal(missed, 1);
	assert_int_equal(total, a->bytes + b->bytes);
	bq_clear(a);
	bq_clear(b);
	assert_int_equal(total, 0);
	assert_null(bq_peek(a));
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_bound_drops_oldest),
		cmocka_unit_test(test_byte_bound),
		cmocka_unit_test(test_shared_message_and_breaker),
		cmocka_unit_test(test_shared_total),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
