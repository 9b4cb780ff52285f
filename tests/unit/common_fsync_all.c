/* common/fsync_all.c: every descriptor and directory synced, and the first
 * error reported. */
#include "tmpdir.h"
#include "common/fsync_all.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

static void test_fsync_all_reports_errors(void **state)
{
	char a[PATH_MAX];
	snprintf(a, sizeof(a), "%s/s", tmpdir);
	assert_int_equal(write_file_atomic(a, "s", 1, 0600, NULL), 0);
	int fd = open(a, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fsync_all((int[]){ fd, fd, fd }, 3), 0);
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	/* a pipe cannot be synced, nor a closed descriptor */
	assert_int_equal(fsync_all((int[]){ fd, pipefd[0] }, 2), -EINVAL);
	close(pipefd[0]), close(pipefd[1]);
	assert_int_equal(fsync_all((int[]){ fd, pipefd[0] }, 2), -EBADF);
	close(fd);
	unlink(a);
	assert_int_equal(fsync_dirs((const char *const[]){ tmpdir, "/" }, 2), 0);
	assert_int_equal(fsync_dirs((const char *const[]){ tmpdir, "/nonexistent-corral-tmpdir" }, 2), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fsync_all_reports_errors, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
