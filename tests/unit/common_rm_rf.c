#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"

#define DEEP 100000

static char dir[] = "/tmp/corral-rmrf-XXXXXX";
static char tree[PATH_MAX];

static int setup(void **state)
{
	strcpy(dir, "/tmp/corral-rmrf-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	return mkdir(tree, 0755);
}

static int teardown(void **state)
{
	/* the test may have failed half-way: rm(1) cleans up whatever is left */
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* n directories, each inside the last, made by moving down one descriptor:
 * their path is far longer than PATH_MAX */
static void make_chain(int top, int n, bool file_in_each)
{
	int fd = dup(top);
	assert_true(fd >= 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		if (file_in_each) {
			int f = openat(fd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			assert_true(f >= 0);
			close(f);
		}
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	close(fd);
}

struct run {
	const char *path;
	int r;
};

static void *run_rm_rf(void *p)
{
	struct run *r = p;
	r->r = rm_rf(r->path);
	return NULL;
}

/* rm_rf(path) in a child limited to 64 descriptors, on a thread with a
 * 256 KiB stack: the exit code is 0 for success, else the errno (or the
 * signal that killed it, say a stack overflow, plus 128) */
static int rm_rf_confined(const char *path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit nofile = { 64, 64 };
		if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
			_exit(100);
		pthread_attr_t a;
		pthread_t t;
		struct run r = { .path = path, .r = -EIO };
		if (pthread_attr_init(&a) || pthread_attr_setstacksize(&a, 256 << 10) ||
		    pthread_create(&t, &a, run_rm_rf, &r) || pthread_join(t, NULL))
			_exit(101);
		_exit(-r.r);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 100,000 levels: with 64 descriptors and a small stack */
static void test_deep_chain(void **state)
{
	int top = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(top >= 0);
	make_chain(top, DEEP, false);
	close(top);
	assert_int_equal(rm_rf_confined(tree), 0);
	assert_int_equal(access(tree, F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

/* deep and wide at once: a file beside every level, and many siblings */
static void test_deep_and_wide(void **state)
{
	int top = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(top >= 0);
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "c%d", i);
		assert_int_equal(mkdirat(top, name, 0755), 0);
		int c = openat(top, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(c >= 0);
		make_chain(c, 1000, true);
		close(c);
	}
	for (int i = 0; i < 2000; i++) {
		char name[16];
		snprintf(name, sizeof(name), "w%d", i);
		assert_int_equal(mkdirat(top, name, 0755), 0);
		if (i % 2) {
			snprintf(name + strlen(name), sizeof(name) - strlen(name), "/f");
			int f = openat(top, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			assert_true(f >= 0);
			close(f);
		}
	}
	/* a name the walk might pick for a subtree it moves up */
	assert_int_equal(mkdirat(top, ".rm_rf.0", 0755), 0);
	assert_int_equal(mkdirat(top, ".rm_rf.0/x", 0755), 0);
	close(top);
	assert_int_equal(rm_rf_confined(tree), 0);
	assert_int_equal(access(tree, F_OK), -1);
}

/* symlinks are removed, never followed */
static void test_symlinks_not_followed(void **state)
{
	char outside[PATH_MAX], keep[PATH_MAX + 8], link[PATH_MAX + 8];
	snprintf(outside, sizeof(outside), "%s/outside", dir);
	snprintf(keep, sizeof(keep), "%s/keep", outside);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(mkdir(keep, 0755), 0);
	snprintf(link, sizeof(link), "%s/to-outside", tree);
	assert_int_equal(symlink(outside, link), 0);
	snprintf(link, sizeof(link), "%s/keep-file", tree);
	assert_int_equal(symlink(keep, link), 0);
	assert_int_equal(rm_rf(tree), 0);
	assert_int_equal(access(tree, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0);
	/* a symlink given as the top is removed itself */
	snprintf(link, sizeof(link), "%s/top-link", dir);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(rm_rf(link), 0);
	assert_int_equal(access(keep, F_OK), 0);
	struct stat st;
	assert_int_equal(lstat(link, &st), -1);
}

/* a file, nothing at all, and rm_rf_at relative to a directory */
static void test_files_missing_and_at(void **state)
{
	char f[PATH_MAX + 8];
	snprintf(f, sizeof(f), "%s/file", dir);
	int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(rm_rf(f), 0);
	assert_int_equal(access(f, F_OK), -1);
	assert_int_equal(rm_rf(f), 0);
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(d >= 0);
	assert_int_equal(mkdirat(d, "tree/a", 0755), 0);
	assert_int_equal(mkdirat(d, "tree/a/b", 0755), 0);
	assert_int_equal(rm_rf_at(d, "tree"), 0);
	assert_int_equal(faccessat(d, "tree", F_OK, 0), -1);
	close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deep_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_and_wide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_missing_and_at, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
