/* images/save_plan.c: which images an archive of several refs holds, as
 * `docker save a b` writes it: each distinct image once, in the order
 * first asked for, with every name it was asked by, once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "images/save_plan.h"

#include <stdlib.h>

static void test_distinct(void **state)
{
	const char *ids[] = { "sha256:a", "sha256:b" }, *names[] = { "x:1", "y:1" };
	save_entry *e = NULL;
	size_t n = 0;
	assert_int_equal(save_plan(ids, names, 2, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].first, 0);
	assert_int_equal(e[1].first, 1);
	assert_string_equal(e[0].names[0], "x:1");
	assert_null(e[0].names[1]);
	assert_string_equal(e[1].names[0], "y:1");
	save_plan_free(e, n);
}

/* two tags of one image, the same name twice, and by ID: one entry */
static void test_merged(void **state)
{
	const char *ids[] = { "sha256:a", "sha256:b", "sha256:a", "sha256:a", "sha256:b" };
	const char *names[] = { "x:1", NULL, "x:2", "x:1", NULL };
	save_entry *e = NULL;
	size_t n = 0;
	assert_int_equal(save_plan(ids, names, 5, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].first, 0);
	assert_string_equal(e[0].names[0], "x:1");
	assert_string_equal(e[0].names[1], "x:2");
	assert_null(e[0].names[2]);
	assert_int_equal(e[1].first, 1);
	assert_null(e[1].names); /* by ID alone: no RepoTags */
	save_plan_free(e, n);
}

static void test_empty(void **state)
{
	save_entry *e = NULL;
	size_t n = 1;
	assert_int_equal(save_plan(NULL, NULL, 0, &e, &n), 0);
	assert_int_equal(n, 0);
	save_plan_free(e, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_merged),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
