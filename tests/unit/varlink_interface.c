/* supervisor/varlink/interface.c: the embedded interface description is the
 * one in io.corral.Supervisor.varlink (gen-interface.sh writes it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "supervisor/varlink/interface.h"

static char *read_varlink(void)
{
	/* from the repository root (make check-unit), or beside this file */
	const char *candidates[] = { "supervisor/varlink/io.corral.Supervisor.varlink",
				     "../../supervisor/varlink/io.corral.Supervisor.varlink" };
	for (size_t i = 0; i < 2; i++) {
		char *s = NULL;
		cerr err = { 0 };
		if (read_file(candidates[i], 1 << 20, &s, NULL, &err) == 0)
			return s;
		cerr_clear(&err);
	}
	return NULL;
}

static void test_embedded_description_matches_file(void **state)
{
	_cleanup_free_ char *file = read_varlink();
	assert_non_null(file);
	if (strcmp(file, corral_supervisor_interface) != 0)
		fail_msg("supervisor/varlink/interface.c is stale: run supervisor/varlink/gen-interface.sh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_description_matches_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
