#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/copytree.h"

#define INODES 300 /* more than a table of 256 held */

static char dir[] = "/tmp/corral-copytree-XXXXXX";

static int setup(void **state)
{
	strcpy(dir, "/tmp/corral-copytree-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/src", dir);
	if (mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dst", dir);
	return mkdir(p, 0755);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void make_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static ino_t ino_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st.st_ino;
}

/* Every inode with links stays one inode in the copy, however many there
 * are: past the first 256 too (an image's links were copies once each) */
static void test_hardlinks_stay_links_past_256_inodes(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];
	for (int i = 0; i < INODES; i++) {
		snprintf(a, sizeof(a), "%s/src/f%d", dir, i);
		make_file(a, "x");
	}
	snprintf(a, sizeof(a), "%s/src/sub", dir);
	assert_int_equal(mkdir(a, 0755), 0);
	for (int i = 0; i < INODES; i++) {
		snprintf(a, sizeof(a), "%s/src/f%d", dir, i);
		snprintf(b, sizeof(b), "%s/src/sub/g%d", dir, i);
		assert_int_equal(link(a, b), 0);
	}
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/src", dir);
	_cleanup_close_ int src = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/dst", dir);
	_cleanup_close_ int dst = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cerr err = { 0 };
	assert_int_equal(copy_tree(src, dst, NULL, &err), 0);
	for (int i = 0; i < INODES; i++) {
		snprintf(a, sizeof(a), "%s/dst/f%d", dir, i);
		snprintf(b, sizeof(b), "%s/dst/sub/g%d", dir, i);
		assert_true(ino_of(a) == ino_of(b));
	}
	snprintf(a, sizeof(a), "%s/dst/f0", dir);
	snprintf(b, sizeof(b), "%s/dst/f1", dir);
	assert_true(ino_of(a) != ino_of(b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hardlinks_stay_links_past_256_inodes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
