/* acl_dir_pass_only: the xattr the kernel reads back, and the mode it
 * makes of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/acl.h"
#include "common/cleanup.h"

static void test_pass_only(void **state)
{
	(void)state;
	char dir[] = "/tmp/corral-acl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	int r = acl_dir_pass_only(fd, 4242);
	if (r == -EOPNOTSUPP) {
		rmdir(dir);
		skip(); /* /tmp without ACLs */
	}
	assert_int_equal(r, 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0710); /* the mask as the group's bits */
	uint8_t buf[128];
	ssize_t n = fgetxattr(fd, "system.posix_acl_access", buf, sizeof(buf));
	assert_int_equal(n, 4 + 5 * 8);
	static const uint8_t want[] = {
		2, 0, 0, 0,                                     /* version */
		0x01, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,          /* user::rwx */
		0x02, 0, 1, 0, 0x92, 0x10, 0, 0,                /* user:4242:--x */
		0x04, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,          /* group::--- */
		0x10, 0, 1, 0, 0xff, 0xff, 0xff, 0xff,          /* mask::--x */
		0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,          /* other::--- */
	};
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
