/* bundle/command.c: ENTRYPOINT and CMD composed as Docker does, for
 * CreateContainer and `corral bundle create` alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bundle/command.h"
#include "common/strv.h"

static char *ep[] = { "echo", "ENTRY", NULL };
static char *cmd[] = { "default-arg", NULL };

/* The composition, as one space-separated line. */
static char *composed(char *const *img_ep, char *const *img_cmd, char *const *entrypoint, char *const *command)
{
	char **args = NULL;
	assert_int_equal(command_compose(img_ep, img_cmd, entrypoint, command, &args), 0);
	assert_non_null(args);
	static char line[256];
	line[0] = '\0';
	for (char **a = args; *a; a++) {
		if (a != args)
			strcat(line, " ");
		strcat(line, *a);
	}
	strv_free(args);
	return line;
}

static void test_the_image_alone(void **state)
{
	assert_string_equal(composed(ep, cmd, NULL, NULL), "echo ENTRY default-arg");
	assert_string_equal(composed(NULL, cmd, NULL, NULL), "default-arg");
	assert_string_equal(composed(ep, NULL, NULL, NULL), "echo ENTRY");
	assert_string_equal(composed(NULL, NULL, NULL, NULL), "");
}

static void test_the_command_replaces_cmd_after_the_entrypoint(void **state)
{
	char *mine[] = { "myarg", NULL };
	assert_string_equal(composed(ep, cmd, NULL, mine), "echo ENTRY myarg");
	char *full[] = { "sh", "-c", "true", NULL };
	assert_string_equal(composed(NULL, cmd, NULL, full), "sh -c true");
}

static void test_an_entrypoint_replaces_it_and_drops_cmd(void **state)
{
	char *other[] = { "printf", "%s\\n", NULL };
	assert_string_equal(composed(ep, cmd, other, NULL), "printf %s\\n");
	char *mine[] = { "x", NULL };
	assert_string_equal(composed(ep, cmd, other, mine), "printf %s\\n x");
	char *none[] = { NULL };
	assert_string_equal(composed(ep, cmd, none, mine), "x");
	assert_string_equal(composed(ep, cmd, none, NULL), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_image_alone),
		cmocka_unit_test(test_the_command_replaces_cmd_after_the_entrypoint),
		cmocka_unit_test(test_an_entrypoint_replaces_it_and_drops_cmd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
