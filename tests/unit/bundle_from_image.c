/* bundle/from_image.c: an image config turned into a runtime config:
 * command, env, cwd, user (bundle/image_user.c), annotations. */
#include "rootfs_fixture.h"
#include "bundle/spec_parse.h"
#include "bundle/parse_linux.h"

#include <stdlib.h>

#include "bundle/from_image.h"

static void test_spec(void **state)
{
		char *ep[] = { "/bin/ep", NULL }, *cmd[] = { "default", NULL }, *env[] = { "A=1", NULL };
	img_label labels[] = { { "k", "v" } };
	img_config cfg = { .entrypoint = ep, .cmd = cmd, .env = env, .workdir = "/work", .user = "app",
			   .stop_signal = "SIGINT", .labels = labels, .n_labels = 1 };
	struct oci_spec *sp = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(spec_from_image(&cfg, root_fd, NULL, &sp, &err), 0);
	assert_string_equal(sp->process.args[0], "/bin/ep");
	assert_string_equal(sp->process.args[1], "default");
	assert_string_equal(sp->process.env[0], "A=1");
	assert_non_null(strstr(sp->process.env[1], "PATH="));
	assert_string_equal(sp->process.cwd, "/work");
	assert_int_equal(sp->process.user.uid, 1000);
	assert_int_equal(sp->process.user.gid, 1001);
	assert_int_equal(sp->process.user.n_additional_gids, 2); /* wheel and audio list app */
	assert_true(sp->process.no_new_privileges);
	assert_int_equal(sp->process.caps.n[CAPSET_BOUNDING], 11); /* podman's default set */
	assert_true(sp->process.has_oom_score_adj);
	assert_int_equal(sp->process.oom_score_adj, 0);
	assert_string_equal(spec_annotation(sp, "k"), "v");
	assert_string_equal(spec_annotation(sp, ANNOT_STOP_SIGNAL), "SIGINT");
	assert_true(spec_has_namespace(sp, NS_NETWORK));
	spec_free(sp);
	/* CLI args replace Cmd, not Entrypoint */
	char *args[] = { "x", "y", NULL };
	assert_int_equal(spec_from_image(&cfg, root_fd, args, &sp, &err), 0);
	assert_string_equal(sp->process.args[1], "x");
	assert_string_equal(sp->process.args[2], "y");
	assert_null(sp->process.args[3]);
	spec_free(sp);
	/* a WorkingDir that is relative or names ".." */
	static const char *const bad_wd[] = { "work", "/work/../..", "/a//b" };
	for (size_t i = 0; i < sizeof(bad_wd) / sizeof(*bad_wd); i++) {
		img_config c2 = cfg;
		c2.workdir = (char *)bad_wd[i];
		assert_true(spec_from_image(&c2, root_fd, NULL, &sp, &err) < 0);
		assert_non_null(strstr(err.msg, "WorkingDir"));
		cerr_clear(&err);
	}
	/* nothing to run */
	img_config empty = { 0 };
	assert_true(spec_from_image(&empty, root_fd, NULL, &sp, &err) < 0);
	assert_non_null(strstr(err.msg, "no Entrypoint or Cmd"));
}

static void test_user_errors_name_the_field(void **state)
{
	char *cmd[] = { "true", NULL };
	img_config cfg = { .cmd = cmd, .user = "nobody" };
	struct oci_spec *sp = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(spec_from_image(&cfg, root_fd, NULL, &sp, &err) < 0);
	assert_null(sp);
	assert_string_equal(cerr_msg(&err), "image config: User: no such user \"nobody\" in the image's /etc/passwd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spec, rootfs_setup, rootfs_teardown),
		cmocka_unit_test_setup_teardown(test_user_errors_name_the_field, rootfs_setup, rootfs_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
