/* images/df_ignore.c: a .dockerignore read as Docker reads it, and which
 * context paths it leaves out (df_match.c's df_ignore_excluded) or still
 * searches (df_ignore_searched). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "common/cleanup.h"
#include "images/df_ignore.h"

static int ignore_text(const char *text, df_ignore *ig, cerr *err)
{
	return df_ignore_parse(text, strlen(text), ig, err);
}

static void test_dockerignore(void **state)
{
	const char text[] = "\xef\xbb\xbf# comment\n*.log\n!keep.log\n/build/\r\n"
			    "./docs//api/../api\ntmp/**\n**/node_modules\n  spaced.txt  \n\n"
			    "**.go\n! src/main.go\n # not a comment\na/**/z\ndir\n!dir/keep\n";
	df_ignore ig;
	_cleanup_cerr_ cerr err = { 0 };
	if (df_ignore_parse(text, sizeof(text) - 1, &ig, &err) < 0)
		fail_msg("%s", cerr_msg(&err));
	static const char *const patterns[] = { "*.log", "keep.log", "build", "docs/api", "tmp/**", "**/node_modules",
						"spaced.txt", "**/*.go", "src/main.go", "# not a comment", "a/**/z", "dir",
						"dir/keep" };
	assert_int_equal(ig.n, ARRAY_SIZE(patterns));
	for (size_t i = 0; i < ig.n; i++)
		assert_string_equal(ig.patterns[i], patterns[i]);
	assert_null(ig.patterns[ig.n]);
	static const bool negate[] = { 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1 };
	for (size_t i = 0; i < ig.n; i++)
		assert_int_equal(ig.negate[i], negate[i]);
	static const struct {
		const char *path;
		bool excluded;
	} cases[] = {
		{ "x.log", true }, { "keep.log", false }, { "d/x.log", false }, { "build", true }, { "build/a/b", true },
		{ "buildx", false }, { "docs/api/x.md", true }, { "docs/other", false }, { "tmp", false },
		{ "tmp/a", true }, { "tmp/a/b", true }, { "node_modules", true }, { "a/b/node_modules/x/y", true },
		{ "spaced.txt", true }, { "x/y.go", true }, { "main.go", true }, { "src/main.go", false },
		{ "src/other.go", true }, { "a/z", true }, { "a/b/c/z", true }, { "a/z2", false }, { "b/a/z", false },
		{ "# not a comment", true }, { "dir", true }, { "dir/x", true }, { "dir/keep", false },
		{ "dir/keep/sub", false }, { "README.md", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (df_ignore_excluded(&ig, cases[i].path) != cases[i].excluded)
			fail_msg("%s: want excluded=%d", cases[i].path, cases[i].excluded);
	df_ignore_release(&ig);
	/* everything but the docs; "**" alone is everything */
	assert_int_equal(ignore_text("*\n!*.md\n!docs\n", &ig, &err), 0);
	assert_true(df_ignore_excluded(&ig, "main.c"));
	assert_true(df_ignore_excluded(&ig, "src/main.c")); /* under src, which "*" matches */
	assert_false(df_ignore_excluded(&ig, "README.md"));
	assert_false(df_ignore_excluded(&ig, "docs/a/b.txt"));
	df_ignore_release(&ig);
	assert_int_equal(ignore_text("**\n", &ig, &err), 0);
	assert_true(df_ignore_excluded(&ig, "a"));
	assert_true(df_ignore_excluded(&ig, "a/b/c"));
	df_ignore_release(&ig);
	assert_int_equal(ignore_text("../x\n/\n.\n", &ig, &err), 0);
	assert_int_equal(ig.n, 3);
	assert_string_equal(ig.patterns[0], "../x");
	assert_string_equal(ig.patterns[1], "/");
	assert_string_equal(ig.patterns[2], ".");
	assert_false(df_ignore_excluded(&ig, "x"));
	df_ignore_release(&ig);
	assert_int_equal(ignore_text("", &ig, &err), 0);
	assert_int_equal(ig.n, 0);
	assert_false(df_ignore_excluded(&ig, "a"));
	df_ignore_release(&ig);
	/* many "**" and a deep path stay fast: one backtrack point at a time */
	assert_int_equal(ignore_text("**/a/**/a/**/a/**/a/**/a/**/b\n", &ig, &err), 0);
	assert_false(df_ignore_excluded(&ig, "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c"));
	assert_true(df_ignore_excluded(&ig, "a/a/x/a/a/a/b"));
	df_ignore_release(&ig);
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "a\n!\n", ".dockerignore:2: illegal exclusion pattern: \"!\"" },
		{ "ok\n\n[a\n", ".dockerignore:3: bad pattern \"[a\"" },
		{ "x\\", ".dockerignore:1: bad pattern \"x\\\"" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cerr_clear(&err);
		assert_true(df_ignore_parse(bad[i].text, strlen(bad[i].text), &ig, &err) < 0);
		assert_string_equal(cerr_msg(&err), bad[i].msg);
		assert_int_equal(ig.n, 0);
		assert_null(ig.patterns);
	}
	cerr_clear(&err);
	assert_true(df_ignore_parse("a\0b", 3, &ig, &err) < 0);
	assert_string_equal(cerr_msg(&err), ".dockerignore: holds a NUL byte");
}

/* Docker's context walk goes into an excluded directory when an exception
 * begins with it and a '/', as a string: "!d/keep" for d; a wildcard
 * before the '/' searches nothing */
static void test_searched(void **state)
{
	df_ignore ig;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(ignore_text("a\n!a/b/keep\nlogs\n!*/keep.log\nd\n!d\n", &ig, &err), 0);
	static const struct {
		const char *dir;
		bool searched;
	} cases[] = {
		{ "a", true }, { "a/b", true }, { "a/c", false }, { "ab", false }, { "logs", false }, { "d", true },
		{ "a/b/keep/x", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (df_ignore_searched(&ig, cases[i].dir) != cases[i].searched)
			fail_msg("%s: want searched=%d", cases[i].dir, cases[i].searched);
	/* what it keeps there: the exception's file, not its neighbours */
	assert_true(df_ignore_excluded(&ig, "a/b"));
	assert_false(df_ignore_excluded(&ig, "a/b/keep"));
	assert_true(df_ignore_excluded(&ig, "a/b/other"));
	/* the exception matches it, but logs is not searched: the walk never
	 * reaches it (bld_copy_walk.c asks for each directory above a path) */
	assert_false(df_ignore_excluded(&ig, "logs/keep.log"));
	df_ignore_release(&ig);
	assert_int_equal(ignore_text("a\n", &ig, &err), 0);
	assert_false(df_ignore_searched(&ig, "a")); /* no exception at all */
	df_ignore_release(&ig);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dockerignore),
		cmocka_unit_test(test_searched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
