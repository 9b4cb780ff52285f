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
#include "common/strbuf.h"
#include "images/cfg_edit.h"
#include "images/cfg_instr.h"

static const char *env_of(const char *name, void *ctx)
{
	return cfg_env_get(ctx, name);
}

/* Apply each line (one instruction) to c; the last one's result. */
static int apply(cfg_edit *c, const char *line, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	assert_true(asprintf(&text, "FROM scratch\n%s\n", line) > 0);
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
		{ "HEALTHCHECK --interval=nans CMD true", "HEALTHCHECK --interval=nans: not a duration" },
		{ "HEALTHCHECK --timeout=infs CMD true", "HEALTHCHECK --timeout=infs: not a duration" },
		{ "HEALTHCHECK --interval=1e300s CMD true", "HEALTHCHECK --interval=1e300s: not a duration" },
		{ "HEALTHCHECK --interval=20h20h CMD true", "HEALTHCHECK --interval=20h20h: not a duration" },
		{ "RUN true", "RUN changes files, not the config" },
		{ "ENV A=${B", "syntax error: missing '}'" },
		{ "VOLUME ${B", "syntax error: missing '}'" }, /* not "out of memory" */
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

/* Docker's reference: in one ENV, a pair's words see the env from before it */
static void test_env_pairs_see_the_env_before_the_instruction(void **state)
{
	cfg_edit c = { 0 };
	cerr err = { 0 };
	assert_int_equal(cfg_edit_from_image(&c, NULL, false), 0);
	assert_int_equal(apply(&c, "ENV abc=hello", &err), 0);
	assert_int_equal(apply(&c, "ENV abc=bye def=$abc", &err), 0);
	assert_int_equal(apply(&c, "ENV ghi=$abc", &err), 0);
	assert_string_equal(cfg_env_get(&c, "def"), "hello");
	assert_string_equal(cfg_env_get(&c, "ghi"), "bye");
	cfg_edit_release(&c);
}

/* A commit's changes are applied in corrald's loop: what expansions and
 * entries make is bounded, each refusal E2BIG and said, nothing half-set */
static void test_growth_is_bounded(void **state)
{
	cfg_edit c = { 0 };
	cerr err = { 0 };
	assert_int_equal(cfg_edit_from_image(&c, NULL, false), 0);
	_cleanup_free_ char *big = malloc(40000), *doubled = NULL, *many = NULL;
	memset(big, 'x', 39999), big[39999] = '\0';
	_cleanup_free_ char *line = NULL;
	assert_true(asprintf(&line, "ENV a=%s", big) > 0);
	assert_int_equal(apply(&c, line, &err), 0);
	/* 20 copies of $a in each of 2 words: 1.6 MB, past 1 MiB in one instruction */
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "ENV b=");
	for (int i = 0; i < 20; i++)
		sb_adds(&sb, "$a");
	sb_adds(&sb, " c=");
	for (int i = 0; i < 20; i++)
		sb_adds(&sb, "$a");
	doubled = sb_detach(&sb);
	assert_true(apply(&c, doubled, &err) < 0);
	assert_int_equal(err.code, E2BIG);
	if (!strstr(cerr_msg(&err), "the image's config would pass 1048576 bytes or 4096 entries"))
		fail_msg("%s", cerr_msg(&err));
	assert_null(cfg_env_get(&c, "b"));
	cerr_clear(&err);
	/* ENVs of 40 kB each, till the config (its Env, and the patch's copy
	 * of it) would pass 1 MiB: the one refused is not set */
	int r = 0, n = 0;
	char name[16];
	for (; n < 40 && r == 0; n++) {
		free(line), line = NULL;
		snprintf(name, sizeof(name), "v%d", n);
		assert_true(asprintf(&line, "ENV %s=$a", name) > 0);
		r = apply(&c, line, &err);
	}
	assert_true(r < 0);
	assert_int_equal(err.code, E2BIG);
	assert_true(n > 10);
	assert_null(cfg_env_get(&c, name));
	assert_true(c.bytes <= CFG_EDIT_MAX_BYTES);
	cerr_clear(&err);
	/* entries: 4096 at the most, labels and env together */
	cfg_edit_release(&c);
	assert_int_equal(cfg_edit_from_image(&c, NULL, false), 0);
	sb_adds(&sb, "LABEL");
	for (int i = 0; i < 5000; i++)
		sb_addf(&sb, " l%d=v", i);
	many = sb_detach(&sb);
	assert_true(apply(&c, many, &err) < 0);
	assert_int_equal(err.code, E2BIG);
	assert_int_equal(c.entries, 0); /* refused whole: more words than entries */
	assert_true(c.entries <= CFG_EDIT_MAX_ENTRIES);
	cerr_clear(&err);
	cfg_edit_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_expands_with_the_image_env),
		cmocka_unit_test(test_object_keys_merge_and_entrypoint_drops_cmd),
		cmocka_unit_test(test_shell_workdir_cmd_and_healthcheck),
		cmocka_unit_test(test_what_is_refused),
		cmocka_unit_test(test_env_pairs_see_the_env_before_the_instruction),
		cmocka_unit_test(test_growth_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
