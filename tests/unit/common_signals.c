/* common/signals.c: signal names and numbers as kill(1), runc and Docker
 * take them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>

#include "common/signals.h"

static void test_names_and_numbers(void **state)
{
	assert_int_equal(signal_parse("SIGTERM"), SIGTERM);
	assert_int_equal(signal_parse("KILL"), SIGKILL);
	assert_int_equal(signal_parse("sigquit"), SIGQUIT); /* Docker's ParseSignal takes any case */
	assert_int_equal(signal_parse("9"), 9);
	assert_int_equal(signal_parse("64"), SIGRTMAX);
	const char *bad[] = { NULL, "", "0", "65", "999", "SIG", "NOPE", "9x", "-9", "SIGTERM " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(signal_parse(bad[i]), -EINVAL);
}

/* systemd stops on SIGRTMIN+3: images say STOPSIGNAL SIGRTMIN+3 */
static void test_real_time_signals(void **state)
{
	assert_int_equal(signal_parse("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(signal_parse("RTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(signal_parse("rtmin"), SIGRTMIN);
	assert_int_equal(signal_parse("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(signal_parse("RTMAX"), SIGRTMAX);
	const char *bad[] = { "RTMIN+", "RTMIN3", "RTMIN-1", "RTMAX+1", "RTMIN+99999999999999999999", "RTMIN+3x",
			      "RTMIN++3", "RTMAX- 1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(signal_parse(bad[i]), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_numbers),
		cmocka_unit_test(test_real_time_signals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
