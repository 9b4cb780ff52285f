/* supervisor/ctl/opts.c: GNU-order parsing of a command's table, strict
 * arguments, usage counts and --help from the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "supervisor/ctl/opts.h"

static const ctl_opt stop_opts[] = {
	{ "time", 't', OPT_INT, "SECONDS", "seconds" },
	{ "force", 'f', OPT_FLAG, "", "force" },
	{ "all", 'a', OPT_FLAG, "", "all" },
	{ "quiet", 'q', OPT_FLAG, "", "quiet" },
	{ "env", 'e', OPT_LIST, "K=V", "env" },
	{ "memory", 'm', OPT_SIZE, "SIZE", "memory" },
	{ "cpus", 0, OPT_FLOAT, "N", "cpus" },
	{ "interval", 0, OPT_DURATION, "D", "interval" },
	{ "since", 0, OPT_TIME, "TIME", "since" },
	{ "name", 0, OPT_STR, "NAME", "name" },
	{ "sig-proxy", 0, OPT_FLAG, "", "proxy" },
	{ NULL },
};
static const ctl_cmd stop = { "stop", "CONTAINER...", "Stop", stop_opts, 1, -1, 0, COMPLETE_CONTAINERS, NULL };
static const ctl_cmd run = { "run", "IMAGE [CMD...]", "Run", stop_opts, 1, -1, CMD_OPTS_FIRST, COMPLETE_IMAGES,
			     NULL };
static const ctl_opt globals[] = {
	{ "json", 0, OPT_FLAG, "", "json" },
	{ "socket", 0, OPT_STR, "PATH", "socket" },
	{ "help", 'h', OPT_FLAG, "", "help" },
	{ NULL },
};

/* Parse a NULL-ended list of words; the exit code opts_parse returns. */
static int parse(const ctl_cmd *cmd, ctl_optval *g, ctl_args *a, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 0;
	va_start(ap, a);
	for (char *w; (w = va_arg(ap, char *));)
		argv[argc++] = w;
	va_end(ap);
	memset(g, 0, 3 * sizeof(*g));
	return opts_parse(cmd, globals, g, argc, argv, a);
}

static void test_options_anywhere(void **state)
{
	ctl_optval g[3];
	_cleanup_ctl_args_ ctl_args a = { 0 };
	/* stop web -t 1: the option after the argument is still an option */
	assert_int_equal(parse(&stop, g, &a, "web", "-t", "1", "db", "--json", NULL), 0);
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[0], "web");
	assert_string_equal(a.argv[1], "db");
	assert_int_equal(opt_num(&a, "time", -1), 1);
	assert_true(g[0].set);
	assert_int_equal(opts_check_count(&a), 0);
}

static void test_forms(void **state)
{
	ctl_optval g[3];
	_cleanup_ctl_args_ ctl_args a = { 0 };
	assert_int_equal(parse(&stop, g, &a, "-aq", "-t5", "--name=web", "--time=7", "-eA=1", "-e", "B", "x", NULL),
			 0);
	assert_true(opt_on(&a, "all"));
	assert_true(opt_on(&a, "quiet"));
	assert_false(opt_on(&a, "force"));
	assert_int_equal(opt_num(&a, "time", -1), 7); /* the last one wins */
	assert_string_equal(opt_str(&a, "name"), "web");
	const ctl_optval *e = opt_val(&a, "env");
	assert_int_equal(e->n, 2);
	assert_string_equal(e->list[0], "A=1");
	assert_string_equal(e->list[1], "B");
	assert_null(e->list[2]);
	opts_free(&a);
	/* a flag given =false is given, and off */
	assert_int_equal(parse(&stop, g, &a, "--sig-proxy=false", "x", NULL), 0);
	assert_true(opt_val(&a, "sig-proxy")->set);
	assert_false(opt_on(&a, "sig-proxy"));
	opts_free(&a);
	assert_int_equal(parse(&stop, g, &a, "--sig-proxy=maybe", "x", NULL), EXIT_CTL);
}

static void test_double_dash_and_opts_first(void **state)
{
	ctl_optval g[3];
	_cleanup_ctl_args_ ctl_args a = { 0 };
	assert_int_equal(parse(&stop, g, &a, "-f", "--", "-t", "--json", NULL), 0);
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[0], "-t");
	assert_false(g[0].set);
	opts_free(&a);
	/* run IMAGE ls -l: what follows the image is the command's */
	assert_int_equal(parse(&run, g, &a, "-q", "img", "ls", "-l", "--json", NULL), 0);
	assert_int_equal(a.argc, 4);
	assert_string_equal(a.argv[2], "-l");
	assert_false(g[0].set);
	/* "-" alone is an argument */
	opts_free(&a);
	assert_int_equal(parse(&stop, g, &a, "-", NULL), 0);
	assert_string_equal(a.argv[0], "-");
}

static void test_errors(void **state)
{
	ctl_optval g[3];
	ctl_args a = { 0 };
	const char *bad[][4] = {
		{ "-9", "web" },                 /* kill -9: not an option here */
		{ "--bogus", "web" },            /* unknown */
		{ "web", "-t" },                 /* missing its argument */
		{ "-t", "1x", "web" },           /* trailing garbage */
		{ "-t", "-1", "web" },           /* negative */
		{ "--time", "", "web" },
		{ "-m", "8080:80", "web" },      /* -p 8080:80 as a size */
		{ "-m", "16q", "web" },
		{ "--cpus", "0.5x", "web" },
		{ "--cpus", "1e3", "web" },
		{ "--cpus", "nan", "web" },
		{ "--interval", "10", "web" },   /* fine: bare seconds */
		{ "--interval", "10 m", "web" },
		{ "--since", "yesterday", "web" },
		{ "--force=1", "web" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[4] = { 0 };
		int argc = 0;
		for (; argc < 4 && bad[i][argc]; argc++)
			argv[argc] = (char *)bad[i][argc];
		int r = opts_parse(&stop, globals, g, argc, argv, &a);
		assert_int_equal(r, i == 11 ? 0 : EXIT_CTL);
		opts_free(&a);
	}
}

static void test_counts(void **state)
{
	ctl_optval g[3];
	_cleanup_ctl_args_ ctl_args a = { 0 };
	/* stop with no container: a usage error, after parsing (--help needs none) */
	assert_int_equal(parse(&stop, g, &a, "-t", "1", NULL), 0);
	assert_int_equal(opts_check_count(&a), EXIT_CTL);
	opts_free(&a);
	assert_int_equal(parse(&stop, g, &a, "--help", NULL), 0);
	assert_true(g[2].set);
	static const ctl_cmd two = { "rename", "CONTAINER NAME", "Rename", NULL, 2, 2, 0, COMPLETE_NONE, NULL };
	opts_free(&a);
	assert_int_equal(parse(&two, g, &a, "a", "b", "c", NULL), 0);
	assert_int_equal(opts_check_count(&a), EXIT_CTL);
}

static void test_kinds(void **state)
{
	ctl_optval g[3];
	_cleanup_ctl_args_ ctl_args a = { 0 };
	assert_int_equal(parse(&stop, g, &a, "-m", "16m", "--cpus", "0.5", "--interval", "1m30s", "--since",
			       "2024-01-02T03:04:05Z", "x", NULL),
			 0);
	assert_int_equal(opt_num(&a, "memory", 0), 16 << 20);
	assert_true(opt_val(&a, "cpus")->real == 0.5);
	assert_int_equal(opt_num(&a, "interval", 0), 90000000000ll);
	assert_string_equal(opt_str(&a, "since"), "2024-01-02T03:04:05Z");
	opts_free(&a);
	/* a duration ago becomes an RFC 3339 time corrald reads; epoch seconds pass */
	assert_int_equal(parse(&stop, g, &a, "--since", "10m", "x", NULL), 0);
	const char *s = opt_str(&a, "since");
	assert_int_equal(strlen(s), 30);
	assert_int_equal(s[10], 'T');
	assert_int_equal(s[29], 'Z');
	opts_free(&a);
	assert_int_equal(parse(&stop, g, &a, "--since", "1700000000.5", "x", NULL), 0);
	assert_string_equal(opt_str(&a, "since"), "1700000000.5");
}

static void test_help_from_table(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	opts_help(f, &stop, globals);
	fclose(f);
	assert_non_null(strstr(buf, "Usage: corralctl stop [OPTIONS] CONTAINER..."));
	assert_non_null(strstr(buf, "-t, --time SECONDS"));
	assert_non_null(strstr(buf, "--json"));
	assert_non_null(strstr(buf, "-h, --help"));
	free(buf);
	/* a command's own short letter wins: run -h is its own, --help stays */
	static const ctl_opt host[] = { { "hostname", 'h', OPT_STR, "NAME", "hostname" }, { NULL } };
	static const ctl_cmd r = { "run", "IMAGE", "Run", host, 1, -1, 0, COMPLETE_NONE, NULL };
	f = open_memstream(&buf, &len);
	opts_help(f, &r, globals);
	fclose(f);
	assert_non_null(strstr(buf, "-h, --hostname NAME"));
	assert_null(strstr(buf, "-h, --help"));
	assert_non_null(strstr(buf, "--help"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_anywhere),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_double_dash_and_opts_first),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_help_from_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
