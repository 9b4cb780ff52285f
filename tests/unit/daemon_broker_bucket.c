/* supervisor/daemon/broker/bucket.c: the token bucket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "supervisor/daemon/core/bucket.h"

static void test_burst_then_rate(void **state)
{
	bucket b;
	bucket_init(&b, 10, 5, 1000000);
	for (int i = 0; i < 5; i++)
		assert_true(bucket_take(&b, 1, 1000000) == 0);
	double wait = bucket_take(&b, 1, 1000000);
	assert_true(wait > 0.099 && wait < 0.101); /* one token at 10/s */
	assert_true(bucket_take(&b, 1, 1050000) > 0); /* half a token */
	assert_true(bucket_take(&b, 1, 1100000) == 0);
	/* a long pause saves up only the burst */
	assert_true(bucket_take(&b, 5, 100000000) == 0);
	assert_true(bucket_take(&b, 1, 100000000) > 0);
}

static void test_unlimited_and_large(void **state)
{
	bucket b;
	bucket_init(&b, 0, 0, 0);
	for (int i = 0; i < 100000; i++)
		assert_true(bucket_take(&b, 1e9, 0) == 0);
	bucket_init(&b, 1000, 0, 0); /* burst: one second's worth */
	assert_true(b.burst == 1000);
	assert_true(bucket_take(&b, 5000, 0) == 0); /* above the burst: taken as the burst */
	double wait = bucket_take(&b, 5000, 0);
	assert_true(wait > 0.99 && wait < 1.01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_unlimited_and_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
