/* supervisor/daemon/secrets/spec.c: ContainerSpec's secrets, references
 * with their defaults (/run/secrets/NAME, the container's user, 0400), and
 * errors that name the field at fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "supervisor/daemon/spec/ctr_spec.h"

static int parse(const char *secrets, ctr_spec *s, json_fault *f)
{
	char json[8192];
	snprintf(json, sizeof(json), "{\"image\":\"busybox\",\"secrets\":%s}", secrets);
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(json, "spec", &v, &err), 0);
	memset(f, 0, sizeof(*f));
	int r = ctr_spec_parse(v, "no", 10, s, f);
	yajl_tree_free(v);
	return r;
}

static void test_defaults_and_options(void **state)
{
	ctr_spec s;
	json_fault f;
	assert_int_equal(parse("[{\"name\":\"db\"},{\"name\":\"db\",\"target\":\"/etc/k\",\"uid\":1000,\"mode\":288,"
			       "\"mask\":true},{\"name\":\"x.y-z_1\",\"target\":\"alias\"}]", &s, &f), 0);
	assert_int_equal(s.n_secrets, 3);
	assert_string_equal(s.secrets[0].target, "/run/secrets/db");
	assert_int_equal(s.secrets[0].uid, -1);
	assert_int_equal(s.secrets[0].mode, 0400);
	assert_false(s.secrets[0].mask);
	assert_string_equal(s.secrets[1].target, "/etc/k");
	assert_int_equal(s.secrets[1].uid, 1000);
	assert_int_equal(s.secrets[1].mode, 0440);
	assert_true(s.secrets[1].mask);
	assert_string_equal(s.secrets[2].target, "/run/secrets/alias");
	ctr_spec_release(&s);
	assert_null(s.secrets);
}

static void test_errors_name_the_field(void **state)
{
	static const struct { const char *in, *field, *reason; } bad[] = {
		{ "{}", "spec.secrets", "array" },
		{ "[\"db\"]", "spec.secrets[0]", "object" },
		{ "[{}]", "spec.secrets[0].name", "required" },
		{ "[{\"name\":\"../k\"}]", "spec.secrets[0].name", "letters" },
		{ "[{\"name\":\"db\",\"value\":\"x\"}]", "spec.secrets[0].value", "unknown" },
		{ "[{\"name\":\"db\",\"target\":\"/a/../b\"}]", "spec.secrets[0].target", "absolute" },
		{ "[{\"name\":\"db\",\"target\":\"a/b\"}]", "spec.secrets[0].target", "file name" },
		{ "[{\"name\":\"db\",\"target\":\"/run/secrets\"}]", "spec.secrets[0].target", "file" },
		{ "[{\"name\":\"db\",\"target\":\"/run/secrets/a/b\"}]", "spec.secrets[0].target", "subdirectory" },
		{ "[{\"name\":\"db\",\"mode\":512}]", "spec.secrets[0].mode", "0777" },
		{ "[{\"name\":\"db\",\"uid\":-1}]", "spec.secrets[0].uid", "uid" },
		{ "[{\"name\":\"db\",\"mask\":1}]", "spec.secrets[0].mask", "boolean" },
		{ "[{\"name\":\"a\"},{\"name\":\"b\",\"target\":\"/run/secrets/a\"}]", "spec.secrets[1]", "as spec.secrets[0]" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ctr_spec s;
		json_fault f;
		if (parse(bad[i].in, &s, &f) == 0)
			fail_msg("accepted %s", bad[i].in);
		if (strcmp(f.field, bad[i].field) || !strstr(f.reason, bad[i].reason))
			fail_msg("%s: %s: %s", bad[i].in, f.field, f.reason);
	}
	/* a bound on the count */
	char many[4096] = "[";
	for (int i = 0; i < 65; i++)
		strcat(many, i ? ",{\"name\":\"a\",\"target\":\"x\"}" : "{\"name\":\"a\",\"target\":\"x\"}");
	strcat(many, "]");
	ctr_spec s;
	json_fault f;
	assert_true(parse(many, &s, &f) < 0);
	assert_string_equal(f.field, "spec.secrets");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_options),
		cmocka_unit_test(test_errors_name_the_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
