/* common/fileio.c: atomic writes (temporary file, fsync, rename), pending
 * writes committed or aborted, and temporary names that cannot be planted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"

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
	_cleanup_cerr_ cerr err = { 0 };
	read_file(path, 1 << 20, &text, NULL, &err);
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
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(wfa_begin(&p, "/nonexistent-corral-dir/f.json", "x", 1, 0600, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "/nonexistent-corral-dir/f.json.tmp."));
	assert_int_equal(p.fd, -1);
	assert_null(p.tmp);
}

/* several at once: all in place, in order; a rename that fails stops the
 * rest, and no temporary file stays */
static void test_commit_all(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(b, sizeof(b), "%s/b.json", dir);
	snprintf(c, sizeof(c), "%s/c.json", dir);
	wfa_pending pa, pb, pc;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(wfa_begin(&pa, a, "A", 1, 0600, &err), 0);
	assert_int_equal(wfa_begin(&pb, b, "B", 1, 0600, &err), 0);
	assert_int_equal(wfa_begin(&pc, c, "C", 1, 0640, &err), 0);
	assert_int_equal(wfa_commit_all((wfa_pending *const[]){ &pa, &pb, &pc }, 3, &err), 0);
	_cleanup_free_ char *ta = slurp(a), *tb = slurp(b), *tc = slurp(c);
	assert_string_equal(ta, "A");
	assert_string_equal(tb, "B");
	assert_string_equal(tc, "C");
	assert_int_equal(entries(), 3);
	unlink(a), unlink(b), unlink(c);

	assert_int_equal(mkdir(b, 0700), 0); /* a file cannot be renamed over it */
	char inside[PATH_MAX + 8];
	snprintf(inside, sizeof(inside), "%s/x", b);
	assert_int_equal(write_file_atomic(inside, "x", 1, 0600, NULL), 0);
	assert_int_equal(wfa_begin(&pa, a, "A2", 2, 0600, &err), 0);
	assert_int_equal(wfa_begin(&pb, b, "B2", 2, 0600, &err), 0);
	assert_int_equal(wfa_begin(&pc, c, "C2", 2, 0600, &err), 0);
	assert_true(wfa_commit_all((wfa_pending *const[]){ &pa, &pb, &pc }, 3, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "rename"));
	assert_non_null(strstr(cerr_msg(&err), "b.json"));
	_cleanup_free_ char *ta2 = slurp(a);
	assert_string_equal(ta2, "A2");
	assert_int_equal(access(c, F_OK), -1);
	assert_int_equal(entries(), 2); /* a.json and the directory b.json */
	unlink(a);
	assert_int_equal(rm_rf(b), 0);
}

/* WFA_NO_SYNC: replaced whole, with its mode, and no temporary file stays,
 * whether the rename works or not */
static void test_no_sync_write(void **state)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/n.json", dir);
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(write_file_atomic_ex(path, "one", 3, 0600, WFA_NO_SYNC, &err), 0);
	assert_int_equal(write_file_atomic_ex(path, "two", 3, 0600, WFA_NO_SYNC, &err), 0);
	_cleanup_free_ char *t = slurp(path);
	assert_string_equal(t, "two");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(entries(), 1);
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0); /* a file cannot be renamed over it */
	assert_true(write_file_atomic_ex(path, "x", 1, 0600, WFA_NO_SYNC, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "rename"));
	cerr_clear(&err);
	assert_int_equal(entries(), 1);
	rmdir(path);
	assert_true(write_file_atomic_ex("/nonexistent-corral-dir/n", "x", 1, 0600, WFA_NO_SYNC, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "/nonexistent-corral-dir/n.tmp."));
}

static ino_t inode_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st.st_ino;
}

/* A symlink planted at the temporary name the old code used, <path>.tmp.<pid>
 * (a --pid-file in a directory a container writes), is never written
 * through: its target stays as it was, and path gets the data. */
static void test_planted_symlink_not_followed(void **state)
{
	char path[PATH_MAX], victim[PATH_MAX], planted[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/pid", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(planted, sizeof(planted), "%s.tmp.%d", path, (int)getpid());
	assert_int_equal(write_file_atomic(victim, "host file", 9, 0600, NULL), 0);
	assert_int_equal(symlink(victim, planted), 0);
	cerr err = { 0 };
	assert_int_equal(write_file_atomic(path, "1234", 4, 0644, &err), 0);
	assert_int_equal(write_file_atomic_ex(path, "5678", 4, 0644, WFA_NO_SYNC, &err), 0);
	_cleanup_free_ char *v = slurp(victim), *t = slurp(path);
	assert_string_equal(v, "host file");
	assert_string_equal(t, "5678");
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(entries(), 3); /* path, victim, and the planted link, untouched */
	unlink(planted), unlink(victim), unlink(path);
}

/* Two writes of one path pending at once get two temporary files (the
 * pid-named one was shared: the second truncated the first's) */
static void test_tmp_names_unique(void **state)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/u.json", dir);
	wfa_pending a, b;
	cerr err = { 0 };
	assert_int_equal(wfa_begin(&a, path, "first", 5, 0600, &err), 0);
	assert_int_equal(wfa_begin(&b, path, "second", 6, 0600, &err), 0);
	assert_string_not_equal(a.tmp, b.tmp);
	assert_non_null(strstr(a.tmp, "/u.json.tmp."));
	assert_int_equal(entries(), 2);
	assert_int_equal(wfa_commit(&a, &err), 0);
	_cleanup_free_ char *t1 = slurp(path);
	assert_string_equal(t1, "first");
	assert_int_equal(wfa_commit(&b, &err), 0);
	_cleanup_free_ char *t2 = slurp(path);
	assert_string_equal(t2, "second");
	assert_int_equal(entries(), 1);
	unlink(path);
}

/* WFA_PREMADE writes the premade temporary file (that inode becomes path),
 * never follows a symlink there nor writes a file with another name, and
 * falls back to a new file when there is none; without the flag a premade
 * name is left alone. */
static void test_premade_tmp(void **state)
{
	char path[PATH_MAX], premade[PATH_MAX + 32], victim[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", dir);
	snprintf(premade, sizeof(premade), WFA_PREMADE_FORMAT, path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	_cleanup_cerr_ cerr err = { 0 };
	wfa_pending p;

	int fd = open(premade, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "stale-and-longer", 16), 16);
	close(fd);
	ino_t ino = inode_of(premade);
	assert_int_equal(write_file_atomic(path, "plain", 5, 0600, &err), 0);
	assert_true(inode_of(path) != ino); /* not without the flag */
	assert_int_equal(wfa_begin_ex(&p, path, "{}", 2, 0600, WFA_PREMADE, &err), 0);
	assert_int_equal(wfa_commit(&p, &err), 0);
	assert_int_equal(inode_of(path), ino);
	_cleanup_free_ char *t = slurp(path);
	assert_string_equal(t, "{}");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640); /* the premade file's mode */
	assert_int_equal(access(premade, F_OK), -1);

	/* none left: a new file */
	assert_int_equal(wfa_begin_ex(&p, path, "[]", 2, 0600, WFA_PREMADE, &err), 0);
	assert_int_equal(wfa_commit(&p, &err), 0);
	_cleanup_free_ char *t2 = slurp(path);
	assert_string_equal(t2, "[]");

	/* a symlink, or a hard link, at the premade name: refused, target untouched */
	assert_int_equal(write_file_atomic(victim, "host file", 9, 0600, NULL), 0);
	assert_int_equal(symlink(victim, premade), 0);
	assert_int_equal(wfa_begin_ex(&p, path, "x", 1, 0600, WFA_PREMADE, &err), -ELOOP);
	assert_non_null(strstr(cerr_msg(&err), premade));
	cerr_clear(&err);
	unlink(premade);
	assert_int_equal(link(victim, premade), 0);
	assert_int_equal(wfa_begin_ex(&p, path, "x", 1, 0600, WFA_PREMADE, &err), -EEXIST);
	_cleanup_free_ char *v = slurp(victim), *t3 = slurp(path);
	assert_string_equal(v, "host file");
	assert_string_equal(t3, "[]");
	assert_int_equal(entries(), 3); /* path, victim, the planted link */
	unlink(premade), unlink(victim), unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_commit_replaces),
		cmocka_unit_test(test_pending_abort_leaves_nothing),
		cmocka_unit_test(test_pending_begin_fails_cleanly),
		cmocka_unit_test(test_commit_all),
		cmocka_unit_test(test_no_sync_write),
		cmocka_unit_test(test_planted_symlink_not_followed),
		cmocka_unit_test(test_tmp_names_unique),
		cmocka_unit_test(test_premade_tmp),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
