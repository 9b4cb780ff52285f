/* supervisor/daemon/ctr_names.c: generated names are adjective_noun, valid
 * container names, and unique against what the caller says is taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/daemon/containers/record/ctr_names.h"
#include "supervisor/daemon/spec/ctr_spec.h"

/* The names handed out so far, as a registry would hold them. */
typedef struct taken {
	char names[4096][CTR_GENERATED_NAME_MAX];
	size_t n;
	size_t asked;
	bool all_pairs; /* every adjective_noun is taken: only numbered ones are free */
} taken;

static bool is_taken(const char *name, void *data)
{
	taken *t = data;
	t->asked++;
	if (t->all_pairs && !strchr(strchr(name, '_') + 1, '_'))
		return true;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->names[i], name))
			return true;
	return false;
}

static bool adjective_noun(const char *n)
{
	const char *u = strchr(n, '_');
	if (!u || u == n || !u[1])
		return false;
	for (const char *p = n; *p; p++)
		if (p != u && !islower((unsigned char)*p))
			return false;
	return true;
}

static void test_names_are_adjective_noun_and_valid(void **state)
{
	taken *t = calloc(1, sizeof(*t));
	for (int i = 0; i < 200; i++) {
		char name[CTR_GENERATED_NAME_MAX];
		assert_int_equal(ctr_name_generate(is_taken, t, name, sizeof(name)), 0);
		if (!adjective_noun(name))
			fail_msg("not adjective_noun: %s", name);
		assert_true(ctr_name_valid(name));
		strcpy(t->names[t->n++], name);
	}
	free(t);
}

static void test_names_never_repeat(void **state)
{
	taken *t = calloc(1, sizeof(*t));
	/* far more than half of the pairs: collisions are certain, and retried */
	for (int i = 0; i < 3000; i++) {
		char name[CTR_GENERATED_NAME_MAX];
		assert_int_equal(ctr_name_generate(is_taken, t, name, sizeof(name)), 0);
		assert_false(is_taken(name, t));
		strcpy(t->names[t->n++], name);
	}
	assert_true(t->asked > 3000 * 2); /* collisions happened and were retried */
	free(t);
}

static void test_a_crowded_registry_gets_a_number(void **state)
{
	taken *t = calloc(1, sizeof(*t));
	t->all_pairs = true;
	char name[CTR_GENERATED_NAME_MAX];
	assert_int_equal(ctr_name_generate(is_taken, t, name, sizeof(name)), 0);
	const char *last = strrchr(name, '_');
	assert_string_equal(last, "_2");
	assert_true(ctr_name_valid(name));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_are_adjective_noun_and_valid),
		cmocka_unit_test(test_names_never_repeat),
		cmocka_unit_test(test_a_crowded_registry_gets_a_number),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
