/* An image's rootfs for the bundle tests: rootfs, a directory in tmpdir
 * holding etc_fixture's /etc/passwd and /etc/group, and root_fd, an O_PATH
 * descriptor of it (rootfs_setup and rootfs_teardown around each test). */
#pragma once
#include "etc_fixture.h"
#include "tmpdir.h"

#include <fcntl.h>

static char rootfs[80];
static int root_fd = -1;

static inline int rootfs_setup(void **state)
{
	tmpdir_setup(state);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmpdir);
	assert_int_equal(mkdir(rootfs, 0755), 0);
	etc_fixture(rootfs);
	root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root_fd >= 0);
	return 0;
}

static inline int rootfs_teardown(void **state)
{
	close(root_fd);
	return tmpdir_teardown(state);
}
