/* supervisor/daemon/policy/policy.c and policy_gen.c: the policy file,
 * strict, its defaults and the unprivileged tier; policy_binds.c's prefix
 * rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/containers/record/pins.h"
#include "supervisor/daemon/policy/policy_check.h"

static int parse(policy *p, const char *text, cerr *err)
{
	int r = policy_init_default(p, err);
	return r < 0 ? r : policy_parse(p, "policy.json", text, strlen(text), err);
}

static void parse_ok(policy *p, const char *text)
{
	cerr err = { 0 };
	if (parse(p, text, &err) < 0)
		fail_msg("%s: %s", text, cerr_msg(&err));
}

static void expect_error(const char *text, const char *msg)
{
	policy p;
	_cleanup_cerr_ cerr err = { 0 };
	int r = parse(&p, text, &err);
	if (r == 0 || !strstr(cerr_msg(&err), msg))
		fail_msg("%s: got %d \"%s\", wanted \"%s\"", text, r, cerr_msg(&err), msg);
	policy_release(&p);
}

static void test_policy_builtin(void **state)
{
	policy p;
	cerr err = { 0 };
	assert_int_equal(policy_init_default(&p, &err), 0);
	/* root keeps what it had */
	assert_int_equal(p.root.max_containers, 0);
	assert_null(p.root.bind_allowed);
	assert_true(p.root.allow_privileged && p.root.allow_directory_images && p.root.any_capability);
	assert_true(p.root.memory_max < 0 && p.root.pids_max < 0 && p.root.cpu_max == 0);
	/* a member gets the unprivileged defaults */
	assert_int_equal(p.unpriv.max_containers, POLICY_UNPRIV_MAX_CONTAINERS);
	assert_non_null(p.unpriv.bind_allowed);
	assert_null(p.unpriv.bind_allowed[0]);
	assert_false(p.unpriv.allow_privileged || p.unpriv.allow_directory_images || p.unpriv.any_capability);
	assert_int_equal(p.unpriv.allowed_caps, 0);
	/* its quotas of jobs, sessions, secrets and workloads; root has none */
	assert_int_equal(p.unpriv.quota[PQ_JOBS], 100);
	assert_int_equal(p.unpriv.quota[PQ_SESSIONS], 16);
	assert_int_equal(p.unpriv.quota[PQ_SECRETS], 64);
	assert_int_equal(p.unpriv.quota[PQ_WORKLOADS], 64);
	assert_int_equal(p.root.quota[PQ_SESSIONS], 0);
	/* and never runs without memory and pids limits: default = ceiling */
	assert_int_equal(p.unpriv.memory_max, POLICY_UNPRIV_MEMORY);
	assert_int_equal(p.unpriv.memory_default, POLICY_UNPRIV_MEMORY);
	assert_int_equal(p.unpriv.pids_max, POLICY_UNPRIV_PIDS);
	assert_int_equal(p.unpriv.pids_default, POLICY_UNPRIV_PIDS);
	assert_ptr_equal(policy_tier_of(&p, 0), &p.root);
	assert_ptr_equal(policy_tier_of(&p, 1000), &p.unpriv);
	policy_release(&p);
}

static void test_policy_file_and_inheritance(void **state)
{
	policy p;
	parse_ok(&p,
			       "{\"max_containers\": 20,"
			       " \"memory\": {\"default\": \"64M\", \"max\": \"1G\"}, \"pids\": {\"default\": 256, \"max\": 4096},"
			       " \"cpu\": {\"default\": 1.0, \"max\": 4.0}, \"apparmor_profile\": \"site-default\","
			       " \"bind_mounts\": {\"allowed\": [\"/nonexistent/data\"], \"read_only\": true},"
			       " \"privileges\": {\"allow_host_network\": false, \"allowed_capabilities\": [\"NET_RAW\", \"CAP_NET_ADMIN\"]},"
			       " \"images\": {\"allow\": [\"tools/*\"], \"require_signature\": true, \"trusted_keys\": \"/k\"},"
			       " \"unprivileged\": {\"bind_mounts\": {\"allowed\": []}, \"max_containers\": 5, \"pids\": {\"max\": 100}}}");
	assert_string_equal(p.path, "policy.json");
	assert_string_equal(p.apparmor_profile, "site-default");
	assert_int_equal(p.root.max_containers, 20);
	assert_int_equal(p.root.memory_default, 64 << 20);
	assert_int_equal(p.root.memory_max, 1 << 30);
	assert_int_equal(p.root.pids_default, 256);
	assert_true(p.root.cpu_max == 4.0);
	assert_string_equal(p.root.bind_allowed[0], "/nonexistent/data");
	assert_true(p.root.bind_read_only);
	/* a privileges section grants what it names and nothing else */
	assert_false(p.root.allow_privileged || p.root.allow_directory_images || p.root.any_capability);
	assert_int_equal(p.root.allowed_caps, (1ull << 13) | (1ull << 12));
	assert_true(p.root.require_signature);
	assert_string_equal(p.root.trusted_keys, "/k");
	/* the member: resources and images inherited, its own count and binds */
	assert_int_equal(p.unpriv.max_containers, 5);
	assert_int_equal(p.unpriv.memory_max, 1 << 30);
	assert_int_equal(p.unpriv.pids_max, 100);
	assert_int_equal(p.unpriv.pids_default, 100); /* the inherited 256 yields to its own max */
	assert_int_equal(p.unpriv.memory_default, 64 << 20); /* the top's, under its max */
	assert_null(p.unpriv.bind_allowed[0]);
	assert_string_equal(p.unpriv.image_allow[0], "tools/*");
	assert_true(p.unpriv.require_signature);
	assert_int_equal(p.unpriv.allowed_caps, 0);

	/* policy show: every key, and it parses back as the same policy */
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	assert_int_equal(policy_gen(g, &p), 0);
	_cleanup_free_ char *text = jg_finish(g, NULL);
	assert_non_null(strstr(text, "\"allowed_capabilities\":[\"NET_ADMIN\",\"NET_RAW\"]"));
	assert_non_null(strstr(text, "\"cpu\":{\"default\":1.0,\"max\":4.0}"));
	policy q;
	parse_ok(&q, text);
	assert_int_equal(q.unpriv.max_containers, 5);
	assert_int_equal(q.root.memory_max, 1 << 30);
	assert_int_equal(q.root.allowed_caps, p.root.allowed_caps);
	assert_string_equal(q.apparmor_profile, "site-default");
	policy_release(&q);
	policy_release(&p);
}

static void test_policy_errors_name_the_field(void **state)
{
	expect_error("{\"memory\": {\"max\": \"1Q\"}}", "policy.json: memory.max: unknown unit \"1Q\"");
	expect_error("{\"apparmor_profile\": 1}", "policy.json: apparmor_profile:");
	expect_error("{\"memory\": {\"max\": true}}", "policy.json: memory.max: must be a size like \"64M\", not boolean");
	expect_error("{\"memory\": {\"default\": \"2G\", \"max\": \"1G\"}}", "policy.json: memory.default: is above the max");
	expect_error("{\"memory\": {\"maximum\": \"1G\"}}", "policy.json: memory.maximum: unknown key");
	expect_error("{\"pids\": {\"max\": 0}}", "policy.json: pids.max:");
	expect_error("{\"cpu\": {\"max\": \"4\"}}", "policy.json: cpu.max: must be a number of CPUs");
	expect_error("{\"max_containers\": 0}", "policy.json: max_containers: must be an integer from 1");
	expect_error("{\"max_containers\": 1.5}", "policy.json: max_containers:");
	expect_error("{\"bind_mounts\": {\"allowed\": [\"/a/../b\"]}}", "policy.json: bind_mounts.allowed[0]: must be an absolute");
	expect_error("{\"bind_mounts\": {\"allowed\": [\"/a\", 3]}}", "policy.json: bind_mounts.allowed");
	expect_error("{\"privileges\": {\"allow_privileged\": 1}}", "policy.json: privileges.allow_privileged: must be a boolean");
	expect_error("{\"privileges\": {\"allowed_capabilities\": [\"ALL\"]}}",
		     "privileges.allowed_capabilities[0]: unknown capability \"ALL\"");
	expect_error("{\"images\": {\"allow\": [\"sha256:12\"]}}", "policy.json: images.allow[0]: must be a name pattern");
	expect_error("{\"images\": {\"trusted_keys\": \"keys\"}}", "policy.json: images.trusted_keys: must be an absolute");
	expect_error("{\"unprivileged\": {\"privileges\": {\"allow_privileged\": true}}}",
		     "policy.json: unprivileged.privileges: must grant nothing: a group member has no privileges");
	expect_error("{\"unprivileged\": {\"privileges\": {\"allowed_capabilities\": [\"NOPE\"]}}}",
		     "policy.json: unprivileged.privileges.allowed_capabilities[0]: unknown capability");
	expect_error("{\"unprivileged\": {\"memory\": {\"max\": \"9X\"}}}", "policy.json: unprivileged.memory.max: unknown unit");
	expect_error("{\"unprivileged\": 5}", "policy.json: unprivileged: must be an object");
	expect_error("{\"secrets\": {}}", "policy.json: secrets: unknown key");
	expect_error("[]", "policy.json: (top): must be an object");
	expect_error("{\"max_containers\": ", "policy.json");
}

static void test_policy_bind_prefixes(void **state)
{
	char *allowed[] = { "/srv/data", "/var/cache/tools", NULL };
	assert_true(policy_path_allowed("/srv/data", allowed));
	assert_true(policy_path_allowed("/srv/data/x/y", allowed));
	assert_false(policy_path_allowed("/srv/database", allowed));
	assert_false(policy_path_allowed("/srv", allowed));
	assert_false(policy_path_allowed("/", allowed));
	char *none[] = { NULL };
	assert_false(policy_path_allowed("/srv/data", none));
	assert_true(policy_path_allowed("/etc", NULL));
	char *root[] = { "/", NULL };
	assert_true(policy_path_allowed("/etc/shadow", root));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_builtin),
		cmocka_unit_test(test_policy_file_and_inheritance),
		cmocka_unit_test(test_policy_errors_name_the_field),
		cmocka_unit_test(test_policy_bind_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
