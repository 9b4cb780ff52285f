#include "tmpdir.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/daemon/containers/engine/ctr_apparmor.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"

/* podman's confinement, under corral's name: what the container may not do */
static void default_profile_denies_what_podmans_does(void **state)
{
	_cleanup_free_ char *t = ctr_apparmor_profile_text("corral-default");
	assert_non_null(t);
	const char *want[] = {
		"profile corral-default flags=(attach_disconnected,mediate_deleted) {\n",
		"  deny mount,\n",
		"  deny @{PROC}/sysrq-trigger rwklx,\n",
		"  deny /sys/kernel/security/** rwklx,\n",
		"  signal (send,receive) peer=corral-default,\n",
		"  ptrace (trace,read,tracedby,readby) peer=corral-default,\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(strstr(t, want[i]));
}

/* the text is what Debian's apparmor_parser compiles (no kernel needed) */
static void default_profile_compiles(void **state)
{
	const char *parser = access("/sbin/apparmor_parser", X_OK) == 0 ? "/sbin/apparmor_parser" : NULL;
	if (!parser) {
		skip();
		return;
	}
	_cleanup_free_ char *t = ctr_apparmor_profile_text("corral-default");
	char path[128], cmd[256];
	snprintf(path, sizeof(path), "%s/profile", tmpdir);
	assert_int_equal(write_file_atomic(path, t, strlen(t), 0644, NULL), 0);
	snprintf(cmd, sizeof(cmd), "%s -Q -K '%s' 2>/dev/null", parser, path);
	int st = system(cmd);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void profile_of_a_container(void **state)
{
	corrald d = { 0 };
	ctr_spec s = { 0 };
	assert_null(ctr_apparmor_of(&d, &s)); /* AppArmor off, or no default loaded */
	d.apparmor_default = CTR_APPARMOR_DEFAULT;
	assert_string_equal(ctr_apparmor_of(&d, &s), "corral-default");
	s.privileged = true;
	assert_null(ctr_apparmor_of(&d, &s)); /* as podman --privileged: unconfined */
	s.apparmor = "unconfined";
	assert_string_equal(ctr_apparmor_of(&d, &s), "unconfined");
	s.privileged = false;
	s.apparmor = "web";
	assert_string_equal(ctr_apparmor_of(&d, &s), "web");
	s.apparmor = "";
	assert_string_equal(ctr_apparmor_of(&d, &s), "corral-default");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_profile_denies_what_podmans_does),
		cmocka_unit_test_setup_teardown(default_profile_compiles, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(profile_of_a_container),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
