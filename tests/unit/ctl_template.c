/* supervisor/ctl/template.c: the Go-template subset of --format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/ctl/template.h"

static const char ctr[] = "{\"id\":\"0123456789abcdef\",\"name\":\"web\",\"labels\":{\"app.tier\":\"front\"},"
			  "\"config\":{\"image\":\"bb\",\"command\":[\"sleep\",\"10\"],\"tty\":false},"
			  "\"state\":{\"status\":\"exited\",\"exitCode\":3,\"oom_killed\":false,\"pid\":0,"
			  "\"finishedAt\":null}}";

/* Render fmt over ctr; the text, or NULL with the error in *msg. */
static char *render(const char *fmt, bool header, char **msg)
{
	_cleanup_json_ yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(ctr, NULL, &v, &err), 0);
	strbuf out = STRBUF_INIT;
	static const tmpl_title titles[] = { { "ID", "CONTAINER ID" }, { NULL, NULL } };
	if (tmpl_render(fmt, v, header, titles, &out, &err) < 0) {
		sb_release(&out);
		*msg = err.msg;
		return NULL;
	}
	*msg = NULL;
	return sb_detach(&out);
}

static void expect(const char *fmt, const char *want)
{
	char *msg;
	_cleanup_free_ char *got = render(fmt, false, &msg);
	if (!got)
		fail_msg("%s: %s", fmt, msg);
	assert_string_equal(got, want);
}

static void expect_error(const char *fmt, const char *part)
{
	char *msg;
	_cleanup_free_ char *got = render(fmt, false, &msg);
	assert_null(got);
	assert_non_null(strstr(msg, part));
	free(msg);
}

static void test_fields(void **state)
{
	expect("{{.State.Status}}", "exited");
	expect("{{.Name}}", "web");
	/* names match whatever their case, and "_" does not count */
	expect("{{.State.ExitCode}}", "3");
	expect("{{.state.exitcode}}", "3");
	expect("{{.State.OOMKilled}}", "false");
	expect("{{.ID}} is {{ .Name }}", "0123456789abcdef is web");
	expect("{{.State.FinishedAt}}", "<no value>");
	expect("{{.Config.Command}}", "[sleep 10]");
	expect("{{.Labels}}", "map[app.tier:front]");
	expect("a\\tb\\nc", "a\tb\nc");
	expect("no actions", "no actions");
	expect("{{- .Name -}}", "web");
}

static void test_functions(void **state)
{
	expect("{{json .Config}}", "{\"image\":\"bb\",\"command\":[\"sleep\",\"10\"],\"tty\":false}");
	expect("{{json .State.Status}}", "\"exited\"");
	expect("{{index .Labels \"app.tier\"}}", "front");
	expect("{{index .Config.Command 1}}", "10");
	expect("{{join .Config.Command \" \"}}", "sleep 10");
	expect("{{upper .Name}}", "WEB");
	expect("{{lower .State.Status}}", "exited");
	char *msg;
	_cleanup_free_ char *all = render("{{json .}}", false, &msg);
	assert_non_null(all);
	assert_int_equal(all[0], '{');
}

static void test_errors(void **state)
{
	expect_error("{{.State.Nope}}", "no field Nope");
	expect_error("{{.Name", "without }}");
	expect_error("{{printf \"%s\" .Name}}", "unknown function printf");
	expect_error("{{Name}}", "unknown function");
	expect_error("{{}}", "empty");
	expect_error("{{.State.}}", "after the dot");
	expect_error("{{json}}", "one field");
	expect_error("{{index .Config.Command 9}}", "out of range");
}

static void test_table_header(void **state)
{
	const char *body;
	assert_true(tmpl_is_table("table {{.ID}}\t{{.Names}}", &body));
	assert_string_equal(body, "{{.ID}}\t{{.Names}}");
	assert_true(tmpl_is_table("table", &body));
	assert_false(tmpl_is_table("tablet {{.ID}}", &body));
	assert_false(tmpl_is_table("{{.ID}}", &body));
	char *msg;
	_cleanup_free_ char *h = render("{{.ID}}\\t{{.Names}}\\t{{.State.CreatedAt}}\\t{{json .Config}}", true, &msg);
	assert_non_null(h);
	assert_string_equal(h, "CONTAINER ID\tNAMES\tCREATED AT\tCONFIG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_table_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
