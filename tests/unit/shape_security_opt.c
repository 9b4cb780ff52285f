/* supervisor/shape/security_opt.c: --security-opt as dockerd and podman
 * parse them, into ContainerSpec's keys; what is no option says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "supervisor/shape/security_opt.h"
#include "common/cleanup.h"
#include "common/json.h"

/* The spec's keys that opts make, as JSON ("{}" for none); NULL when
 * refused, with why */
static char *spec_of(const char *const *opts, size_t n, char *why, size_t why_n)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	if (security_opts_gen(g, opts, n, why, why_n) < 0)
		return NULL;
	yajl_gen_map_close(g);
	return jg_finish(g, NULL);
}

static void expect(const char *const *opts, size_t n, const char *want)
{
	char why[512] = "";
	_cleanup_free_ char *got = spec_of(opts, n, why, sizeof(why));
	if (!got || strcmp(got, want))
		fail_msg("%s: got [%s] (%s), want [%s]", opts[0], got ? got : "refused", why, want);
}

static void expect_refused(const char *opt, const char *want)
{
	char why[512] = "";
	_cleanup_free_ char *got = spec_of(&opt, 1, why, sizeof(why));
	if (got || !strstr(why, want))
		fail_msg("%s: got [%s] (%s), want a refusal with [%s]", opt, got ? got : "refused", why, want);
}

static void test_each_option(void **state)
{
	expect((const char *[]){ "no-new-privileges" }, 1, "{\"noNewPrivileges\":true}");
	expect((const char *[]){ "no-new-privileges=false" }, 1, "{\"noNewPrivileges\":false}");
	expect((const char *[]){ "no-new-privileges:true" }, 1, "{\"noNewPrivileges\":true}");
	expect((const char *[]){ "apparmor=unconfined" }, 1, "{\"apparmorProfile\":\"unconfined\"}");
	expect((const char *[]){ "seccomp=unconfined" }, 1, "{\"seccompProfile\":\"unconfined\"}");
	expect((const char *[]){ "seccomp=/etc/p.json" }, 1, "{\"seccompProfile\":\"/etc/p.json\"}");
	expect((const char *[]){ "systempaths=unconfined" }, 1, "{\"maskedPaths\":[],\"readonlyPaths\":[]}");
	/* a label's parts gather into one selinuxOptions, in its order */
	expect((const char *[]){ "label=level:s0:c1,c2", "label=type:svirt_lxc_net_t" }, 2,
	       "{\"selinuxOptions\":{\"type\":\"svirt_lxc_net_t\",\"level\":\"s0:c1,c2\"}}");
	expect((const char *[]){ "label=disable" }, 1, "{\"selinuxOptions\":{\"type\":\"spc_t\"}}");
}

static void test_what_is_no_option(void **state)
{
	expect_refused("bogus", "invalid --security-opt bogus: not KEY=VALUE");
	expect_refused("bogus=1", "unknown option");
	expect_refused("no-new-privileges=yes", "must be true or false");
	expect_refused("apparmor=", "names no profile");
	expect_refused("seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "a profile's JSON is not supported");
	expect_refused("label=bogus:x", "must be label=disable");
	expect_refused("label=type:", "must be label=disable");
	expect_refused("systempaths=confined", "unknown option");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_option),
		cmocka_unit_test(test_what_is_no_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
