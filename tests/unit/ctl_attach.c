/* supervisor/ctl/ctl_attach.c: --detach-keys as podman writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "supervisor/ctl/ctl_attach.h"

static void expect_keys(const char *spec, const char *want, size_t n_want)
{
	char keys[16];
	size_t n;
	assert_int_equal(ctl_detach_keys(spec, keys, sizeof(keys), &n), 0);
	assert_int_equal(n, n_want);
	assert_memory_equal(keys, want, n_want);
}

static void expect_bad(const char *spec)
{
	char keys[16];
	size_t n;
	if (ctl_detach_keys(spec, keys, sizeof(keys), &n) != -1)
		fail_msg("--detach-keys %s was taken", spec);
}

static void test_detach_keys(void **state)
{
	expect_keys(CTL_DETACH_KEYS_DEFAULT, "\x10\x11", 2);
	expect_keys("ctrl-a", "\x01", 1);
	expect_keys("ctrl-X,q", "\x18q", 2);
	expect_keys("ctrl-@,ctrl-[,ctrl-^,ctrl-_", "\x00\x1b\x1e\x1f", 4);
	expect_keys("", "", 0); /* none: detaching is off */
	expect_keys(NULL, "", 0);
	expect_bad("ctrl-pp");
	expect_bad("ctrl-");
	expect_bad("ctrl-1");
	expect_bad("ab");
	expect_bad("ctrl-p,");
	expect_bad(",ctrl-p");
	expect_bad("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detach_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
