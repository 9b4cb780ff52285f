/* supervisor/daemon/broker/broker_policy.c: the broker policy's parser and its answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/broker/broker_policy.h"

static int parse(const char *text, broker_policy **p, char *why, size_t n)
{
	cerr err = { 0 };
	yajl_val v = NULL;
	assert_int_equal(json_parse(text, "policy", &v, &err), 0);
	json_fault f = { 0 };
	int r = broker_policy_parse(v, "", p, &f);
	snprintf(why, n, "%s: %s", f.field, f.reason);
	yajl_tree_free(v);
	return r;
}

static void test_rules(void **state)
{
	broker_policy *p = NULL;
	char why[512];
	assert_int_equal(parse("{\"members\":["
			       "{\"name\":\"web\",\"publish\":[\"jobs/*\"],\"subscribe\":[\"done/*\"],"
			       " \"rate\":{\"messages\":100,\"bytes\":\"1M\",\"burst\":20}},"
			       "{\"labels\":{\"role\":\"worker\"},\"serve\":[\"jobs/*\"],\"publish\":[\"done/x\"]}]}",
			       &p, why, sizeof(why)),
			 0);
	char *worker[] = { "role", "worker", "tier", "2", NULL };
	char *other[] = { "role", "web", NULL };
	assert_true(broker_policy_allows(p, "web", NULL, BROKER_PUBLISH, "jobs/1"));
	assert_false(broker_policy_allows(p, "web", NULL, BROKER_PUBLISH, "done/1"));
	assert_true(broker_policy_allows(p, "web", NULL, BROKER_SUBSCRIBE, "done/a*"));
	assert_false(broker_policy_allows(p, "web", NULL, BROKER_SUBSCRIBE, "*"));
	assert_false(broker_policy_allows(p, "web", NULL, BROKER_SERVE, "jobs/*")); /* left out: nothing */
	assert_true(broker_policy_allows(p, "w1", worker, BROKER_SERVE, "jobs/*"));
	assert_true(broker_policy_allows(p, "w1", worker, BROKER_PUBLISH, "done/x"));
	assert_false(broker_policy_allows(p, "w2", other, BROKER_PUBLISH, "done/x")); /* no entry: nothing */
	const broker_rule *r = broker_policy_rule(p, "web", NULL);
	assert_non_null(r);
	assert_true(r->msg_rate == 100 && r->msg_burst == 20 && r->byte_rate == 1024 * 1024);
	assert_true(broker_policy_allows(NULL, "any", NULL, BROKER_SERVE, "x")); /* no policy: everything */
	broker_policy_free(p);
	assert_int_equal(parse("{\"members\":[{\"name\":\"*\",\"publish\":[\"*\"]}]}", &p, why, sizeof(why)), 0);
	assert_true(broker_policy_allows(p, "anyone", NULL, BROKER_PUBLISH, "t"));
	broker_policy_free(p);
}

static void test_bad_policies(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "[]", ": must be an object" },
		{ "{}", "members: is required" },
		{ "{\"members\":[{\"publish\":[\"a\"]}]}", "members[0]: needs a name or labels (one of them)" },
		{ "{\"members\":[{\"name\":\"a\",\"labels\":{\"k\":\"v\"}}]}", "members[0]: needs a name" },
		{ "{\"members\":[{\"name\":\"a\",\"publish\":[\"a b\"]}]}", "members[0].publish[0]: \"a b\" is not a topic" },
		{ "{\"members\":[{\"name\":\"a\",\"serve\":\"x\"}]}", "members[0].serve: must be" },
		{ "{\"members\":[{\"name\":\"a\",\"rate\":{\"messages\":-1}}]}", "members[0].rate.messages: must be a non-negative" },
		{ "{\"members\":[{\"name\":\"a\",\"rate\":{\"bytes\":\"lots\"}}]}", "members[0].rate.bytes: \"lots\" is not a size" },
		{ "{\"members\":[{\"name\":\"a\",\"topics\":[]}]}", "members[0].topics: unknown field" },
		{ "{\"members\":[{\"labels\":{\"k\":1}}]}", "members[0].labels.k: must be a string" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		broker_policy *p = NULL;
		char why[512];
		assert_true(parse(bad[i].text, &p, why, sizeof(why)) < 0);
		assert_null(p);
		if (!strstr(why, bad[i].why))
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].text, why, bad[i].why);
	}
}

static void test_load_names_the_file(void **state)
{
	char path[] = "/tmp/corral-bpol-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"members\":[{\"name\":1}]}", 24), 24);
	close(fd);
	_cleanup_cerr_ cerr err = { 0 };
	broker_policy *p = NULL;
	assert_true(broker_policy_load(path, &p, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), path));
	assert_non_null(strstr(cerr_msg(&err), "members[0].name"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_bad_policies),
		cmocka_unit_test(test_load_names_the_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
