/* supervisor/template/template.c: the Go-template subset of --format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/template/template.h"

static const char ctr[] = "{\"id\":\"0123456789abcdef\",\"name\":\"web\",\"labels\":{\"app.tier\":\"front\",\"a\":\"1\"},"
			  "\"config\":{\"image\":\"bb\",\"command\":[\"sleep\",\"10\"],\"tty\":false},"
			  "\"state\":{\"status\":\"exited\",\"exitCode\":3,\"oom_killed\":false,\"pid\":0,"
			  "\"finishedAt\":null}}";

/* corralctl inspect's object: Docker's keys beside corral's */
static const char both[] = "{\"Id\":\"0123\",\"State\":{\"Status\":\"running\",\"Running\":true},"
			   "\"Config\":{\"Env\":[\"PATH=/bin\",\"K=V\"]},\"Name\":\"web\","
			   "\"id\":\"0123\",\"state\":{\"status\":\"running\",\"checkpointed\":false,\"restartCount\":2},"
			   "\"config\":{\"env\":[\"K=V\"],\"mounts\":[]},\"name\":\"web\"}";

/* Render fmt over json; the text, or NULL with the error in *msg. */
static char *render_over(const char *json, const char *fmt, bool header, char **msg)
{
	_cleanup_json_ yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(json, NULL, &v, &err), 0);
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

static char *render(const char *fmt, bool header, char **msg)
{
	return render_over(ctr, fmt, header, msg);
}

static void expect_over(const char *json, const char *fmt, const char *want)
{
	char *msg;
	_cleanup_free_ char *got = render_over(json, fmt, false, &msg);
	if (!got)
		fail_msg("%s: %s", fmt, msg);
	assert_string_equal(got, want);
}

static void expect(const char *fmt, const char *want)
{
	expect_over(ctr, fmt, want);
}

static void expect_error(const char *fmt, const char *part)
{
	char *msg;
	_cleanup_free_ char *got = render(fmt, false, &msg);
	if (got)
		fail_msg("%s: rendered [%s], not an error with %s", fmt, got, part);
	if (!strstr(msg, part))
		fail_msg("%s: [%s] does not say %s", fmt, msg, part);
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
	expect("{{.Labels}}", "map[app.tier:front a:1]");
	expect("a\\tb\\nc", "a\tb\nc");
	expect("no actions", "no actions");
	expect("{{- .Name -}}", "web");
}

/* keys that differ only in case: the one spelt as written, then the other
 * where the rest of the path is not in the first */
static void test_both_key_sets(void **state)
{
	expect_over(both, "{{.State.Running}} {{.state.status}}", "true running");
	expect_over(both, "{{json .Config.Env}} {{json .config.env}}", "[\"PATH=/bin\",\"K=V\"] [\"K=V\"]");
	expect_over(both, "{{.State.Checkpointed}} {{.State.RestartCount}}", "false 2");
	expect_over(both, "{{json .Config.Mounts}} {{.ID}}", "[] 0123");
	expect_over(both, "{{if .State.Nope}}y{{else}}n{{end}}", "n");
	expect_over(both, "{{with .State}}{{.Status}}{{end}}", "running");
	char *msg;
	assert_null(render_over(both, "{{.State.Nope}}", false, &msg));
	assert_non_null(strstr(msg, "no field Nope"));
	free(msg);
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
	expect_error("{{title .Name}}", "unknown function title");
	expect_error("{{Name}}", "unknown function");
	expect_error("{{}}", "empty");
	expect_error("{{.State.}}", "after the dot");
	expect_error("{{json}}", "json: expected 1 argument");
	expect_error("{{range .Config.Command}}x", "without {{end}}");
	expect_error("{{end}}", "without a block");
	expect_error("{{if .Name}}a{{else}}b{{else}}c{{end}}", "{{else}} after {{else}}");
	expect_error("{{$nope}}", "undefined variable $nope");
	expect_error("{{lt .Name 3}}", "do not compare");
	expect_error("{{.Name .Name}}", "cannot take arguments");
	/* nesting past a bound is an error, not a blown stack */
	char deep[4096] = "{{", blocks[8192] = "";
	for (int i = 0; i < 200; i++)
		strcat(deep, "(");
	strcat(deep, ".Name}}");
	expect_error(deep, "( deep");
	for (int i = 0; i < 200; i++)
		strcat(blocks, "{{if .Name}}");
	expect_error(blocks, "blocks more than 64 deep");
	expect_error("{{index .Config.Command 9}}", "out of range");
}

/* what monitoring scripts written for docker and podman use */
static void test_control(void **state)
{
	expect("{{range .Config.Command}}[{{.}}]{{end}}", "[sleep][10]");
	expect("{{range $i, $a := .Config.Command}}{{$i}}={{$a}} {{end}}", "0=sleep 1=10 ");
	expect("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}", "a:1;app.tier:front;");
	expect("{{range .Nothing}}x{{else}}none{{end}}", "none");
	expect("{{if eq .State.Status \"exited\"}}down{{else}}up{{end}}", "down");
	expect("{{if ne .State.ExitCode 0}}failed {{.State.ExitCode}}{{end}}", "failed 3");
	expect("{{if .State.Health}}h{{else if .Config.Tty}}t{{else}}neither{{end}}", "neither");
	expect("{{with .State}}{{.Status}}{{end}}", "exited");
	expect("{{len .Config.Command}} {{len .Labels}} {{len .Name}}", "2 2 3");
	expect("{{printf \"%-5s|%3d|%q\" .Name .State.ExitCode .Name}}", "web  |  3|\"web\"");
	expect("{{.Name | upper | printf \"<%s>\"}}", "<WEB>");
	expect("{{and .Name .State.Pid}} {{or .State.Pid .Name}} {{not .Config.Tty}}", "0 web true");
	expect("{{if and (eq .Name \"web\") (gt .State.ExitCode 2)}}yes{{end}}", "yes");
	expect("{{$.Name}}{{range .Config.Command}}-{{$.Name}}{{end}}", "web-web-web");
	expect("a {{- \" b \" -}} c", "a b c");
	expect("{{/* a comment */}}x", "x");
	expect("{{json .Labels}}", "{\"app.tier\":\"front\",\"a\":\"1\"}");
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
		cmocka_unit_test(test_both_key_sets),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_table_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
