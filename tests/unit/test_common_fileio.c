#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"

static char dir[] = "/tmp/corral-fileio-XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf(dir);
}

static size_t entries(void)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	char *text = NULL;
	cerr err = { 0 };
	if (read_file(path, 1 << 20, &text, NULL, &err) < 0)
		cerr_clear(&err);
	return text;
}

/* begin leaves the old file in place; commit replaces it, leaving nothing else */
static void test_pending_commit_replaces(void **state)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/f.json", dir);
	assert_int_equal(write_file_atomic(path, "old", 3, 0600, NULL), 0);
	wfa_pending p;
	cerr err = { 0 };
	assert_int_equal(wfa_begin(&p, path, "new", 3, 0600, &err), 0);
	_cleanup_free_ char *mid = slurp(path);
	assert_string_equal(mid, "old");
	assert_int_equal(entries(), 2); /* the file and its temporary */
	assert_int_equal(wfa_commit(&p, &err), 0);
	_cleanup_free_ char *after = slurp(path);
	assert_string_equal(after, "new");
	assert_int_equal(entries(), 1);
	wfa_abort(&p); /* after a commit: nothing to do */
	assert_int_equal(entries(), 1);
	unlink(path);
}

static void test_pending_abort_leaves_nothing(void **state)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/g.json", dir);
	wfa_pending p;
	cerr err = { 0 };
	assert_int_equal(wfa_begin(&p, path, "x", 1, 0600, &err), 0);
	wfa_abort(&p);
	assert_int_equal(entries(), 0);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_pending_begin_fails_cleanly(void **state)
{
	wfa_pending p;
	cerr err = { 0 };
	assert_true(wfa_begin(&p, "/nonexistent-corral-dir/f.json", "x", 1, 0600, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "/nonexistent-corral-dir/f.json.tmp."));
	cerr_clear(&err);
	assert_int_equal(p.fd, -1);
	assert_null(p.tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_commit_replaces),
		cmocka_unit_test(test_pending_abort_leaves_nothing),
		cmocka_unit_test(test_pending_begin_fails_cleanly),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
