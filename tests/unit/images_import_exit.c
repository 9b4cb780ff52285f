/* images/cli/import_exit.c: whose fault a failed import was, as corrald reads
 * it from corral-images' exit status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include "images/cli/img_cli.h"
#include "images/cli/import_exit.h"
#include "images/import.h"

static void test_the_hosts_trouble(void **state)
{
	const int host[] = { ENOSPC, EDQUOT, EROFS, EIO, ENOMEM, ELIBACC };
	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		assert_int_equal(import_exit_status(host[i]), IMPORT_EXIT_HOST);
}

static void test_the_sources_fault(void **state)
{
	/* a digest or size mismatch, a damaged archive, a missing file, a bad
	 * manifest, a refused path: all the caller's to mend */
	const int source[] = { EBADMSG, ENOENT, EINVAL, ENOTSUP, EFBIG, EACCES, ELOOP, EEXIST };
	for (size_t i = 0; i < sizeof(source) / sizeof(source[0]); i++)
		assert_int_equal(import_exit_status(source[i]), IMPORT_EXIT_SOURCE);
	/* 1, as every other verb's error, so a shell sees no change */
	assert_int_equal(IMPORT_EXIT_SOURCE, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_hosts_trouble),
		cmocka_unit_test(test_the_sources_fault),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
