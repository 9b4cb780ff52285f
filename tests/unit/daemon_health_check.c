/* supervisor/daemon/health/check.c: spec.healthcheck, the image config's
 * Healthcheck, and the form written back to the record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "supervisor/daemon/spec/healthcheck.h"
#include "common/cleanup.h"
#include "common/json.h"

static health_check *parse(const char *text, json_fault *f)
{
	_cleanup_(json_freep) yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(text, "test", &v, &err), 0);
	health_check *h = NULL;
	memset(f, 0, sizeof(*f));
	int r = health_check_parse(v, "spec.healthcheck", &h, f);
	assert_true(r == 0 ? h != NULL : h == NULL);
	return h;
}

static void test_defaults(void **state)
{
	json_fault f;
	health_check *h = parse("{\"command\": [\"true\"]}", &f);
	assert_non_null(h);
	assert_string_equal(h->command[0], "true");
	assert_null(h->command[1]);
	assert_int_equal(h->interval_us, 30000000);
	assert_int_equal(h->timeout_us, 30000000);
	assert_int_equal(h->start_period_us, 0);
	assert_int_equal(h->retries, 3);
	assert_int_equal(h->on_failure, HEALTH_ON_FAILURE_NONE);
	health_check_free(h);
}

static void test_every_field(void **state)
{
	json_fault f;
	health_check *h = parse("{\"command\": [\"/bin/sh\", \"-c\", \"x\"], \"interval\": \"1m30s\", \"timeout\": "
				"\"500ms\", \"retries\": 7, \"startPeriod\": \"2s\", \"onFailure\": \"restart\"}",
				&f);
	assert_non_null(h);
	assert_int_equal(h->interval_us, 90000000);
	assert_int_equal(h->timeout_us, 500000);
	assert_int_equal(h->start_period_us, 2000000);
	assert_int_equal(h->retries, 7);
	assert_int_equal(h->on_failure, HEALTH_ON_FAILURE_RESTART);
	/* written back, it parses to the same */
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	assert_int_equal(health_check_gen(g, h), 0);
	_cleanup_free_ char *text = jg_finish(g, NULL);
	assert_string_equal(text, "{\"command\":[\"/bin/sh\",\"-c\",\"x\"],\"interval\":\"90s\",\"timeout\":\"500ms\","
				  "\"retries\":7,\"startPeriod\":\"2s\",\"onFailure\":\"restart\"}");
	health_check *again = parse(text, &f);
	assert_non_null(again);
	assert_int_equal(again->interval_us, h->interval_us);
	assert_int_equal(again->timeout_us, h->timeout_us);
	health_check_free(again);
	health_check_free(h);
}

static void test_faults_name_the_field(void **state)
{
	static const struct { const char *json, *field; } bad[] = {
		{ "[]", "spec.healthcheck" },
		{ "{}", "spec.healthcheck.command" },
		{ "{\"command\": []}", "spec.healthcheck.command" },
		{ "{\"command\": [\"\"]}", "spec.healthcheck.command[0]" },
		{ "{\"command\": [1]}", "spec.healthcheck.command[0]" },
		{ "{\"command\": [\"t\"], \"interval\": \"soon\"}", "spec.healthcheck.interval" },
		{ "{\"command\": [\"t\"], \"interval\": \"0s\"}", "spec.healthcheck.interval" },
		{ "{\"command\": [\"t\"], \"timeout\": 5}", "spec.healthcheck.timeout" },
		{ "{\"command\": [\"t\"], \"startPeriod\": \"48h\"}", "spec.healthcheck.startPeriod" },
		{ "{\"command\": [\"t\"], \"retries\": 0}", "spec.healthcheck.retries" },
		{ "{\"command\": [\"t\"], \"retries\": \"3\"}", "spec.healthcheck.retries" },
		{ "{\"command\": [\"t\"], \"onFailure\": \"reboot\"}", "spec.healthcheck.onFailure" },
		{ "{\"command\": [\"t\"], \"every\": \"1s\"}", "spec.healthcheck.every" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_fault f;
		assert_null(parse(bad[i].json, &f));
		if (strcmp(f.field, bad[i].field))
			fail_msg("%s: field %s, want %s (%s)", bad[i].json, f.field, bad[i].field, f.reason);
		assert_true(f.reason[0]);
	}
}

static void test_image_cmd_shell(void **state)
{
	health_check *h = NULL;
	cerr err = { 0 };
	assert_int_equal(health_check_from_image("{\"Test\": [\"CMD-SHELL\", \"curl -f localhost\"], \"Interval\": "
						 "5000000000, \"Timeout\": 0, \"StartPeriod\": 1500000000, \"Retries\": 2}",
						 &h, &err),
			 0);
	assert_non_null(h);
	assert_string_equal(h->command[0], "/bin/sh");
	assert_string_equal(h->command[1], "-c");
	assert_string_equal(h->command[2], "curl -f localhost");
	assert_null(h->command[3]);
	assert_int_equal(h->interval_us, 5000000);
	assert_int_equal(h->timeout_us, 30000000); /* 0: the default */
	assert_int_equal(h->start_period_us, 1500000);
	assert_int_equal(h->retries, 2);
	health_check_free(h);
}

/* an image's interval under 1 s is raised to 1 s (root's runs too) */
static void test_image_interval_floor(void **state)
{
	health_check *h = NULL;
	cerr err = { 0 };
	assert_int_equal(health_check_from_image("{\"Test\": [\"CMD\", \"x\"], \"Interval\": 1000000}", &h, &err), 0);
	assert_int_equal(h->interval_us, HEALTH_IMAGE_MIN_INTERVAL_USEC);
	health_check_free(h);
	h = NULL;
	assert_int_equal(health_check_from_image("{\"Test\": [\"CMD\", \"x\"], \"Interval\": 999999999}", &h, &err), 0);
	assert_int_equal(h->interval_us, 1000000);
	health_check_free(h);
	h = NULL;
	assert_int_equal(health_check_from_image("{\"Test\": [\"CMD\", \"x\"], \"Interval\": 1500000000}", &h, &err), 0);
	assert_int_equal(h->interval_us, 1500000);
	health_check_free(h);
}

static void test_image_cmd_none_and_bad(void **state)
{
	health_check *h = NULL;
	cerr err = { 0 };
	assert_int_equal(health_check_from_image("{\"Test\": [\"CMD\", \"/check\", \"--quick\"]}", &h, &err), 0);
	assert_string_equal(h->command[0], "/check");
	assert_string_equal(h->command[1], "--quick");
	assert_null(h->command[2]);
	assert_int_equal(h->retries, 3);
	health_check_free(h);
	h = NULL;
	assert_int_equal(health_check_from_image("{\"Test\": [\"NONE\"]}", &h, &err), 0);
	assert_null(h);
	assert_int_equal(health_check_from_image("{}", &h, &err), 0);
	assert_null(h);
	assert_int_equal(health_check_from_image(NULL, &h, &err), 0);
	assert_null(h);
	static const char *const bad[] = {
		"{\"Test\": [\"CMD\"]}", "{\"Test\": [\"CMD-SHELL\", \"a\", \"b\"]}", "{\"Test\": [\"RUN\", \"x\"]}",
		"{\"Test\": \"CMD true\"}", "{\"Test\": [\"CMD\", \"x\"], \"Interval\": -1}",
		"{\"Test\": [\"CMD\", \"x\"], \"Retries\": \"3\"}",
		/* under 1 ms: a timer of 0 never fires, one of 500 us spins the loop */
		"{\"Test\": [\"CMD\", \"x\"], \"Interval\": 999}", "{\"Test\": [\"CMD\", \"x\"], \"Timeout\": 999999}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(health_check_from_image(bad[i], &h, &err), -EINVAL);
		assert_null(h);
		assert_non_null(strstr(cerr_msg(&err), "Healthcheck"));
		cerr_clear(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_faults_name_the_field),
		cmocka_unit_test(test_image_cmd_shell),
		cmocka_unit_test(test_image_interval_floor),
		cmocka_unit_test(test_image_cmd_none_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
