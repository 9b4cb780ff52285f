/* common/libcrypto.c: one table, loaded once, whole, for every user. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "common/libcrypto.h"

static void test_loaded_once_and_whole(void **state)
{
	cerr err = { 0 };
	const struct libcrypto *a = libcrypto(&err), *b = libcrypto(NULL);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_null(err.msg);
	/* every slot is filled: a missing symbol fails the load instead */
	const void *const *slot = (const void *const *)a;
	for (size_t i = 0; i < sizeof(*a) / sizeof(void *); i++)
		assert_non_null(slot[i]);
}

static void test_sha256_through_the_table(void **state)
{
	const struct libcrypto *ssl = libcrypto(NULL);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	assert_int_equal(ssl->digest("abc", 3, md, &n, ssl->sha256(), NULL), 1);
	assert_int_equal(n, 32);
	/* FIPS 180-2's first example */
	static const unsigned char want[4] = { 0xba, 0x78, 0x16, 0xbf };
	assert_memory_equal(md, want, sizeof(want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loaded_once_and_whole),
		cmocka_unit_test(test_sha256_through_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
