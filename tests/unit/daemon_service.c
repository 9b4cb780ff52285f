/* supervisor/daemon/service.c: the methods corrald serves are those the
 * interface declares, and which of them change state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "supervisor/api/interface.h"
#include "supervisor/daemon/service.h"

/* Every method the description declares has a handler, and no handler lacks
 * a declaration. */
static void test_methods_match_description(void **state)
{
	const char *d = corral_supervisor_interface;
	size_t declared = 0;
	for (const char *p = d; (p = strstr(p, "\nmethod ")); p++) {
		char name[64];
		assert_int_equal(sscanf(p, "\nmethod %63[A-Za-z0-9]", name), 1);
		bool found = false;
		for (size_t i = 0; i < corral_supervisor_iface.n_methods; i++)
			found |= streq(corral_supervisor_iface.methods[i].name, name);
		if (!found)
			fail_msg("no handler for declared method %s", name);
		declared++;
	}
	assert_int_equal(declared, corral_supervisor_iface.n_methods);
	assert_true(declared >= 20);
	const char *errors[] = { "NoSuchContainer", "NoSuchImage", "NameInUse", "InvalidParameter",
				 "InvalidState", "PermissionDenied" };
	for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
		char needle[64];
		snprintf(needle, sizeof(needle), "\nerror %s (", errors[i]);
		assert_non_null(strstr(d, needle));
	}
	assert_non_null(strstr(d, "\ninterface io.corral.Supervisor\n"));
}

static void test_mutating_methods(void **state)
{
	assert_true(corrald_method_mutates("io.corral.Supervisor.CreateContainer"));
	assert_true(corrald_method_mutates("io.corral.Supervisor.Remove"));
	assert_false(corrald_method_mutates("io.corral.Supervisor.Ping"));
	assert_false(corrald_method_mutates("io.corral.Supervisor.List"));
	assert_false(corrald_method_mutates("org.other.Remove"));
	assert_false(corrald_method_mutates("io.corral.SupervisorX.Remove"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_methods_match_description),
		cmocka_unit_test(test_mutating_methods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
