/* images/cfg_edit.c and cfg_instr.c: Dockerfile instructions applied to an
 * image's run defaults, as a build's stage and a commit's changes apply
 * them, and the patch they make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "images/cfg_edit.h"
#include "images/cfg_instr.h"

static const char *env_of(const char *name, void *ctx)
{
	return cfg_env_get(ctx, name);
}

/* Apply each line (one instruction) to c; the last one's result. */
static int apply(cfg_edit *c, const char *line, cerr *err)
{
	char text[1024];
	snprintf(text, sizeof(text), "FROM scratch\n%s\n", line);
	dockerfile df = { 0 };
	int r = dockerfile_parse(text, strlen(text), NULL, &df, err);
	if (r == 0)
		r = cfg_edit_apply(c, &df.instrs[1], df.escape, env_of, c, err);
	dockerfile_release(&df);
	return r;
}

static yajl_val patch_of(const cfg_edit *c)
{
	_cleanup_free_ char *text = cfg_edit_patch(c);
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_non_null(text);
	if (json_parse(text, "patch", &v, &err) < 0)
		fail_msg("%s: %s", text, cerr_msg(&err));
	return v;
}

static yajl_val image_config(const char *text)
{
	yajl_val v = NULL;
	cerr err = { 0 };
	if (json_parse(text, "config", &v, &err) < 0)
		fail_msg("%s", cerr_msg(&err));
	return v;
}

static void test_env_expands_with_the_image_env(void **state)
{
	_cleanup_json_ yajl_val img = image_config("{\"Env\":[\"PATH=/bin\",\"HOME=/root\"],\"WorkingDir\":\"/srv\"}");
	cfg_edit c = { 0 };
	cerr err = { 0 };
	assert_int_equal(cfg_edit_from_image(&c, img, false), 0);
	assert_string_equal(c.workdir, "/srv");
	assert_int_equal(apply(&c, "ENV APP=$HOME/app QUOTED=\"a b\" PATH=/opt:${PATH}", &err), 0);
	assert_string_equal(cfg_env_get(&c, "APP"), "/root/app");
	assert_string_equal(cfg_env_get(&c, "QUOTED"), "a b");
	assert_string_equal(cfg_env_get(&c, "PATH"), "/opt:/bin");
	_cleanup_json_ yajl_val p = patch_of(&c);
	yajl_val env = json_get(p, "Env");
	assert_true(YAJL_IS_ARRAY(env));
	assert_int_equal(env->u.array.len, 4); /* PATH replaced in place, two added */
	assert_string_equal(env->u.array.values[0]->u.string, "PATH=/opt:/bin");
	assert_true(c.dirty);
	cfg_edit_release(&c);
}

static void test_object_keys_merge_and_entrypoint_drops_cmd(void **state)
{
	cfg_edit c = { 0 };
	cerr err = { 0 };
	assert_int_equal(cfg_edit_from_image(&c, NULL, false), 0);
	assert_string_equal(c.shell[0], "/bin/sh"); /* RUN's shell, unless an image says */
	assert_int_equal(apply(&c, "LABEL a=1 b=\"two words\"", &err), 0);
	assert_int_equal(apply(&c, "LABEL a=3", &err), 0);
	assert_int_equal(apply(&c, "EXPOSE 80 53/UDP", &err), 0);
	assert_int_equal(apply(&c, "VOLUME [\"/data\", \"/logs\"]", &err), 0);
	assert_int_equal(apply(&c, "ENTRYPOINT [\"/init\"]", &err), 0);
	assert_int_equal(apply(&c, "STOPSIGNAL SIGINT", &err), 0);
	_cleanup_json_ yajl_val p = patch_of(&c);
	assert_string_equal(json_get(json_get(p, "Labels"), "a")->u.string, "3");
	assert_string_equal(json_get(json_get(p, "Labels"), "b")->u.string, "two words");
	assert_non_null(json_get(json_get(p, "ExposedPorts"), "80/tcp"));
	assert_non_null(json_get(json_get(p, "ExposedPorts"), "53/udp"));
	assert_non_null(json_get(json_get(p, "Volumes"), "/logs"));
	assert_true(YAJL_IS_NULL(json_get(p, "Cmd")));
	assert_string_equal(json_get(p, "Entrypoint")->u.array.values[0]->u.string, "/init");
	assert_string_equal(json_get(p, "StopSignal")->u.string, "SIGINT");
	cfg_edit_release(&c);
}

static void test_shell_workdir_cmd_and_healthcheck(void **state)
{
	cfg_edit c = { 0 };
	cerr err = { 0 };
	assert_int_equal(cfg_edit_from_image(&c, NULL, false), 0);
	assert_int_equal(apply(&c, "SHELL [\"/bin/bash\", \"-ec\"]", &err), 0);
	assert_int_equal(apply(&c, "CMD echo hi", &err), 0);
	assert_int_equal(apply(&c, "WORKDIR /a", &err), 0);
	assert_int_equal(apply(&c, "WORKDIR b", &err), 0);
	assert_int_equal(apply(&c, "HEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD [\"true\"]", &err), 0);
	_cleanup_json_ yajl_val p = patch_of(&c);
	yajl_val cmd = json_get(p, "Cmd");
	assert_int_equal(cmd->u.array.len, 3);
	assert_string_equal(cmd->u.array.values[0]->u.string, "/bin/bash"); /* the SHELL given */
	assert_string_equal(cmd->u.array.values[2]->u.string, "echo hi");
	assert_string_equal(c.workdir, "/a/b");
	yajl_val hc = json_get(p, "Healthcheck");
	assert_string_equal(json_get(hc, "Test")->u.array.values[0]->u.string, "CMD");
	assert_int_equal(YAJL_GET_INTEGER(json_get(hc, "Interval")), 90000000000LL);
	assert_int_equal(YAJL_GET_INTEGER(json_get(hc, "Timeout")), 500000000LL);
	assert_int_equal(YAJL_GET_INTEGER(json_get(hc, "Retries")), 3);
	cfg_edit_release(&c);
}

static void test_what_is_refused(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "EXPOSE 70000", "EXPOSE 70000: not PORT[/tcp|/udp|/sctp]" },
		{ "EXPOSE 80/xyz", "EXPOSE 80/xyz: not PORT[/tcp|/udp|/sctp]" },
		{ "SHELL /bin/sh -c", "SHELL requires the arguments to be in JSON form" },
		{ "HEALTHCHECK --interval=soon CMD true", "HEALTHCHECK --interval=soon: not a duration" },
		{ "RUN true", "RUN changes files, not the config" },
		{ "ENV A=${B", "syntax error: missing '}'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg_edit c = { 0 };
		cerr err = { 0 };
		assert_int_equal(cfg_edit_from_image(&c, NULL, false), 0);
		assert_true(apply(&c, bad[i].line, &err) < 0);
		if (!strstr(cerr_msg(&err), bad[i].msg))
			fail_msg("%s: %s, not %s", bad[i].line, cerr_msg(&err), bad[i].msg);
		cerr_clear(&err);
		cfg_edit_release(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_expands_with_the_image_env),
		cmocka_unit_test(test_object_keys_merge_and_entrypoint_drops_cmd),
		cmocka_unit_test(test_shell_workdir_cmd_and_healthcheck),
		cmocka_unit_test(test_what_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
