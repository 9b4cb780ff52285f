/* supervisor/daemon/broker/uid_rate.c: the control socket's bucket per uid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include "supervisor/daemon/core/uid_rate.h"

static void test_each_uid_its_own_bucket(void **state)
{
	uid_rates *u = calloc(1, sizeof(*u));
	uid_rates_init(u, 2, 3);
	for (int i = 0; i < 3; i++)
		assert_true(uid_rates_take(u, 1000, 0) == 0);
	double wait = uid_rates_take(u, 1000, 0);
	assert_true(wait > 0.49 && wait < 0.51); /* one call at 2/s */
	assert_true(uid_rates_take(u, 1001, 0) == 0); /* another uid is not held back */
	assert_true(uid_rates_take(u, 1000, 500000) == 0);
	free(u);
}

static void test_off_and_forgetting(void **state)
{
	uid_rates *u = calloc(1, sizeof(*u));
	uid_rates_init(u, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(uid_rates_take(u, 0, 0) == 0);
	uid_rates_init(u, 1, 1);
	assert_true(uid_rates_take(u, 5, 0) == 0);
	assert_true(uid_rates_take(u, 5, 0) > 0);
	/* more uids than slots: the table stays bounded, the idlest goes */
	for (uid_t id = 100; id < 100 + 2 * UID_RATE_SLOTS; id++)
		assert_true(uid_rates_take(u, id, 10) == 0);
	assert_int_equal(u->n, UID_RATE_SLOTS);
	assert_true(uid_rates_take(u, 5, 20) == 0); /* forgotten: a full bucket again */
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_uid_its_own_bucket),
		cmocka_unit_test(test_off_and_forgetting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
