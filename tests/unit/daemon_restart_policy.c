#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "supervisor/daemon/spec/restart_policy.h"

static void test_parse_valid(void **state)
{
	restart_policy p;
	cerr err = { 0 };
	char buf[32];
	const char *in[] = { "no", "always", "unless-stopped", "on-failure", "on-failure:3", "" };
	const char *out[] = { "no", "always", "unless-stopped", "on-failure", "on-failure:3", "no" };
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(restart_policy_parse(in[i], &p, &err), 0);
		assert_string_equal(restart_policy_format(&p, buf, sizeof(buf)), out[i]);
	}
	assert_int_equal(restart_policy_parse("on-failure:7", &p, &err), 0);
	assert_int_equal(p.kind, RESTART_ON_FAILURE);
	assert_int_equal(p.max_retries, 7);
}

static void test_parse_invalid(void **state)
{
	restart_policy p;
	const char *bad[] = { "sometimes", "on-failure:", "on-failure:0", "on-failure:-1",
			      "on-failure:x", "on-failure:3x", "always:3", "on-failures", "NO",
			      "on-failure:+2", "on-failure:99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_cerr_ cerr err = { 0 };
		if (restart_policy_parse(bad[i], &p, &err) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(err.msg, bad[i]));
	}
}

static void test_should_restart(void **state)
{
	restart_policy p;
	restart_tally s;
	restart_tally_init(&s);
	cerr err = { 0 };
	restart_policy_parse("no", &p, &err);
	assert_false(restart_should(&p, &s, 1, false));
	restart_policy_parse("always", &p, &err);
	assert_true(restart_should(&p, &s, 0, false));
	assert_false(restart_should(&p, &s, 0, true)); /* stopped through the API */
	restart_policy_parse("unless-stopped", &p, &err);
	assert_true(restart_should(&p, &s, 0, false));
	assert_false(restart_on_daemon_start(&p, true));
	assert_true(restart_on_daemon_start(&p, false));
	restart_policy_parse("on-failure:2", &p, &err);
	assert_false(restart_should(&p, &s, 0, false));
	assert_true(restart_should(&p, &s, 1, false));
	restart_next_delay(&s, 0);
	assert_true(restart_should(&p, &s, 1, false));
	restart_next_delay(&s, 0);
	assert_false(restart_should(&p, &s, 1, false)); /* two retries used */
	/* a long healthy run starts the count over */
	restart_next_delay(&s, RESTART_RESET_AFTER_USEC);
	assert_int_equal(s.restarts, 1);
	assert_true(restart_should(&p, &s, 1, false));
}

static void test_backoff(void **state)
{
	restart_tally s;
	restart_tally_init(&s);
	uint64_t expect = 100000;
	for (int i = 0; i < 12; i++) {
		assert_int_equal(restart_next_delay(&s, 1000), expect);
		expect = expect * 2 > RESTART_BACKOFF_MAX_USEC ? RESTART_BACKOFF_MAX_USEC : expect * 2;
	}
	/* 100ms * 2^11 = 204.8 s; then capped at 5 min forever */
	assert_int_equal(restart_next_delay(&s, 1000), 300000000ull);
	assert_int_equal(restart_next_delay(&s, 1000), 300000000ull);
	/* 9.9 s is not long enough to reset */
	assert_int_equal(restart_next_delay(&s, 9900000), 300000000ull);
	/* 10 s is */
	assert_int_equal(restart_next_delay(&s, 10000000), 100000);
	assert_int_equal(restart_next_delay(&s, 0), 200000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_should_restart),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
