/* supervisor/api/interface.c: the embedded interface description is the
 * one in io.corral.Supervisor.varlink (gen-interface.sh writes it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "supervisor/api/interface.h"

static char *read_varlink(const char *name)
{
	/* from the repository root (make check-unit), or beside this file */
	for (size_t i = 0; i < 2; i++) {
		char *s = NULL, path[256];
		_cleanup_cerr_ cerr err = { 0 };
		snprintf(path, sizeof(path), "%ssupervisor/api/%s", i ? "../../" : "", name);
		if (read_file(path, 1 << 20, &s, NULL, &err) == 0)
			return s;
	}
	return NULL;
}

static void test_embedded_description_matches_file(void **state)
{
	_cleanup_free_ char *file = read_varlink("io.corral.Supervisor.varlink");
	assert_non_null(file);
	if (strcmp(file, corral_supervisor_interface) != 0)
		fail_msg("supervisor/api/interface.c is stale: run supervisor/api/gen-interface.sh");
}

static void test_embedded_broker_description_matches_file(void **state)
{
	_cleanup_free_ char *file = read_varlink("io.corral.Broker.varlink");
	assert_non_null(file);
	if (strcmp(file, corral_broker_interface) != 0)
		fail_msg("supervisor/api/broker_interface.c is stale: run supervisor/api/gen-interface.sh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_description_matches_file),
		cmocka_unit_test(test_embedded_broker_description_matches_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
