/* Whiteout logic and safe extraction: classification, lexical path
 * cleaning, the device allow-list, whole layers unpacked from tar streams
 * built in memory (overlay whiteouts, opaque directories, same-layer edge
 * cases, containment), and flattening with whiteouts applied by deletion.
 * Tests that create device nodes or trusted xattrs skip without root. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/fileio.h"
#include "images/extract.h"
#include "images/layer.h"
#include "images/rootfs.h"
#include "images/whiteout.h"

static void test_classify(void **state)
{
	const char *t = NULL;
	assert_int_equal(wh_classify("file", &t), WH_NONE);
	assert_int_equal(wh_classify(".wh.foo", &t), WH_FILE);
	assert_string_equal(t, "foo");
	assert_int_equal(wh_classify(".wh..wh..opq", &t), WH_OPAQUE);
	assert_int_equal(wh_classify(".wh..wh.plnk", &t), WH_META);
	assert_int_equal(wh_classify(".wh.", &t), WH_INVALID);
	assert_int_equal(wh_classify(".wh..", &t), WH_INVALID);
	assert_int_equal(wh_classify(".wh...", &t), WH_INVALID);
	assert_int_equal(wh_classify(".whfoo", &t), WH_NONE);
}

static void check_clean(const char *in, const char *want)
{
	char out[256];
	assert_int_equal(path_clean(in, out, sizeof(out)), 0);
	if (strcmp(out, want))
		fail_msg("path_clean(%s) = [%s], want [%s]", in, out, want);
}

static void test_path_clean(void **state)
{
	check_clean("a/b/c", "a/b/c");
	check_clean("./a//b/", "a/b");
	check_clean("/etc/passwd", "etc/passwd");
	check_clean("../../../etc/passwd", "etc/passwd");
	check_clean("a/../../b", "b");
	check_clean("a/b/../c", "a/c");
	check_clean("..", "");
	check_clean("./", "");
	check_clean("", "");
	char small[4];
	assert_int_equal(path_clean("abcdef", small, sizeof(small)), -ENAMETOOLONG);
}

static void test_devices(void **state)
{
	assert_true(device_allowed(true, 1, 3));
	assert_true(device_allowed(true, 1, 9));
	assert_true(device_allowed(true, 5, 0));
	assert_false(device_allowed(true, 1, 1));  /* /dev/mem */
	assert_false(device_allowed(false, 8, 0)); /* a disk */
	assert_false(device_allowed(false, 1, 3)); /* block, even with null's numbers */
	assert_false(device_allowed(true, 0, 0));  /* an overlay whiteout */
}

/* --- whole layers from in-memory tar streams --- */

struct ent {
	const char *path;
	char type; /* f, d, l (symlink), h (hardlink), c (char dev), b (block dev) */
	const char *data; /* file data, or link target */
	unsigned major, minor;
};

static int make_tar(const struct ent *e, size_t n)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	assert_true(fd >= 0);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax(a);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *x = archive_entry_new();
		archive_entry_set_pathname(x, e[i].path);
		archive_entry_set_mtime(x, 1700000000, 0);
		size_t len = 0;
		switch (e[i].type) {
		case 'f':
			len = e[i].data ? strlen(e[i].data) : 0;
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_perm(x, 0644);
			archive_entry_set_size(x, (la_int64_t)len);
			break;
		case 'd':
			archive_entry_set_filetype(x, AE_IFDIR);
			archive_entry_set_perm(x, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(x, AE_IFLNK);
			archive_entry_set_perm(x, 0777);
			archive_entry_set_symlink(x, e[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_perm(x, 0644);
			archive_entry_set_hardlink(x, e[i].data);
			break;
		case 'c':
		case 'b':
			archive_entry_set_filetype(x, e[i].type == 'c' ? AE_IFCHR : AE_IFBLK);
			archive_entry_set_perm(x, 0600);
			archive_entry_set_rdevmajor(x, e[i].major);
			archive_entry_set_rdevminor(x, e[i].minor);
			break;
		}
		assert_int_equal(archive_write_header(a, x), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(x);
	}
	archive_write_close(a);
	archive_write_free(a);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static char tmpl[64];

static int setup_dir(void **state)
{
	snprintf(tmpl, sizeof(tmpl), "/tmp/corral-ut-XXXXXX");
	assert_non_null(mkdtemp(tmpl));
	return 0;
}

static int teardown_dir(void **state)
{
	rm_rf(tmpl);
	return 0;
}

static int mkdir_fd(const char *name)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", tmpl, name);
	assert_int_equal(mkdir(p, 0755), 0);
	int fd = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static int unpack(int root, const struct ent *e, size_t n, cerr *err)
{
	int tfd = make_tar(e, n);
	layer_job j = { .src_fd = tfd, .blob_out_fd = -1, .root_fd = root, .what = "layer",
			.expect_size = -1, .expect_comp = COMP_NONE };
	extract_limits_default(&j.lim);
	int r = layer_unpack(&j, err);
	close(tfd);
	return r;
}

static bool is_whiteout(int dfd, const char *p)
{
	struct stat st;
	return fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && wh_is_overlay(&st);
}

static bool opaque(int dfd, const char *p)
{
	int fd = openat(dfd, p, O_RDONLY | O_DIRECTORY);
	bool o = fd >= 0 && wh_is_opaque(fd);
	if (fd >= 0)
		close(fd);
	return o;
}

static char *slurp(int dfd, const char *p)
{
	char *s = NULL;
	cerr e = { 0 };
	if (read_file_at(dfd, p, 4096, &s, NULL, &e) < 0)
		cerr_clear(&e);
	return s;
}

static void test_layer_whiteouts(void **state)
{
	if (geteuid() != 0)
		skip();
	int root = mkdir_fd("l2");
	const struct ent e[] = {
		{ "d/", 'd' },
		{ "d/.wh.old", 'f' },         /* lower file goes */
		{ ".wh.same", 'f' },          /* whiteout, then a new entry of the same name */
		{ "same", 'f', "new" },
		{ "keep", 'f', "k" },
		{ ".wh.keep", 'f' },          /* new entry first, whiteout after: entry stays */
		{ ".wh.never", 'f' },         /* a path that never existed */
		{ "o/.wh..wh..opq", 'f' },    /* opaque, parent created on the fly */
		{ "o/mine", 'f', "m" },
		{ ".wh.sd", 'f' },            /* a directory replaced within the layer */
		{ "sd/new", 'f', "n" },
		{ ".wh..wh.plnk", 'f' },      /* aufs metadata: ignored */
	};
	cerr err = { 0 };
	assert_int_equal(unpack(root, e, sizeof(e) / sizeof(e[0]), &err), 0);
	assert_true(is_whiteout(root, "d/old"));
	char *s = slurp(root, "same");
	assert_string_equal(s, "new");
	free(s);
	s = slurp(root, "keep");
	assert_string_equal(s, "k");
	free(s);
	assert_true(is_whiteout(root, "never"));
	assert_true(opaque(root, "o"));
	assert_true(opaque(root, "sd")); /* lower sd/ hidden, new content kept */
	assert_false(opaque(root, "d"));
	struct stat st;
	assert_int_equal(fstatat(root, "sd/new", &st, 0), 0);
	assert_int_equal(fstatat(root, ".wh..wh.plnk", &st, AT_SYMLINK_NOFOLLOW), -1);
	close(root);
}

static void test_layer_containment(void **state)
{
	if (geteuid() != 0)
		skip();
	int root = mkdir_fd("c");
	char victim[128], esc[128];
	snprintf(victim, sizeof(victim), "%s/victim", tmpl);
	snprintf(esc, sizeof(esc), "%s/escaped", tmpl);
	assert_int_equal(write_file_atomic(victim, "orig", 4, 0644, NULL), 0);
	char climb[256], abs_esc[256];
	snprintf(climb, sizeof(climb), "../../../../..%s", esc);
	snprintf(abs_esc, sizeof(abs_esc), "%s-abs", esc);
	char through[256];
	snprintf(through, sizeof(through), "root%s", esc);
	const struct ent e[] = {
		{ climb, 'f', "dotdot" },
		{ abs_esc, 'f', "abs" },
		{ "root", 'l', "/" },
		{ through, 'f', "through" },
		{ "up", 'l', "../../../../../../.." },
		{ "up/tmp/x", 'f', "climb" },
		{ "f", 'l', victim },
		{ "f", 'f', "pwned" },
		{ "dev/mem", 'c', NULL, 1, 1 },
		{ "dev/sda", 'b', NULL, 8, 0 },
		{ "dev/null", 'c', NULL, 1, 3 },
		{ "hl", 'h', "f" },
	};
	cerr err = { 0 };
	int r = unpack(root, e, sizeof(e) / sizeof(e[0]), &err);
	if (r < 0)
		fail_msg("unpack: %s", err.msg);
	struct stat st;
	assert_int_equal(stat(esc, &st), -1);
	assert_int_equal(stat(abs_esc, &st), -1);
	char *s = slurp(AT_FDCWD, victim);
	assert_string_equal(s, "orig");
	free(s);
	/* everything landed inside the root */
	assert_int_equal(fstatat(root, esc + 1, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(root, "tmp/x", &st, AT_SYMLINK_NOFOLLOW), 0);
	s = slurp(root, "f");
	assert_string_equal(s, "pwned");
	free(s);
	assert_int_equal(fstatat(root, "dev/mem", &st, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(fstatat(root, "dev/sda", &st, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(fstatat(root, "dev/null", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISCHR(st.st_mode));
	struct stat a, b;
	assert_int_equal(fstatat(root, "hl", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(root, "f", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	close(root);
}

static void test_layer_hardlink_outside(void **state)
{
	if (geteuid() != 0)
		skip();
	int root = mkdir_fd("h");
	const struct ent e[] = { { "hl", 'h', "/etc/passwd" } };
	cerr err = { 0 };
	assert_true(unpack(root, e, 1, &err) < 0);
	assert_non_null(strstr(err.msg, "hardlink target /etc/passwd"));
	cerr_clear(&err);
	close(root);
}

static void test_limits(void **state)
{
	int root = mkdir_fd("lim");
	const struct ent e[] = { { "a", 'f', "1" }, { "b", 'f', "2" }, { "c", 'f', "3" } };
	int tfd = make_tar(e, 3);
	layer_job j = { .src_fd = tfd, .blob_out_fd = -1, .root_fd = root, .what = "layer",
			.expect_size = -1, .expect_comp = COMP_UNKNOWN };
	extract_limits_default(&j.lim);
	j.lim.max_entries = 2;
	cerr err = { 0 };
	assert_true(layer_unpack(&j, &err) < 0);
	assert_non_null(strstr(err.msg, "more than 2 entries"));
	cerr_clear(&err);
	close(tfd);
	/* a path longer than allowed */
	char longp[300];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	const struct ent e2[] = { { longp, 'f', "x" } };
	tfd = make_tar(e2, 1);
	j.src_fd = tfd;
	j.lim.max_entries = 10;
	j.lim.max_path = 200;
	assert_true(layer_unpack(&j, &err) < 0);
	assert_non_null(strstr(err.msg, "exceeds the limit"));
	cerr_clear(&err);
	close(tfd);
	/* an uncompressed size limit */
	const struct ent e3[] = { { "big", 'f', "0123456789012345678901234567890123456789" } };
	tfd = make_tar(e3, 1);
	j.src_fd = tfd;
	j.lim.max_path = 4095;
	j.lim.max_bytes = 512;
	assert_true(layer_unpack(&j, &err) < 0);
	assert_non_null(strstr(err.msg, "uncompressed size limit"));
	cerr_clear(&err);
	close(tfd);
	close(root);
}

static void test_flatten(void **state)
{
	if (geteuid() != 0)
		skip();
	int l1 = mkdir_fd("f1"), l2 = mkdir_fd("f2"), dst = mkdir_fd("rootfs");
	const struct ent e1[] = {
		{ "a/gone", 'f', "g" }, { "a/stay", 'f', "s" }, { "o/old", 'f', "o" }, { "lnk", 'l', "/" },
		{ "file2dir", 'f', "f" },
	};
	const struct ent e2[] = {
		{ "a/.wh.gone", 'f' }, { "o/.wh..wh..opq", 'f' }, { "o/new", 'f', "n" },
		{ "lnk/inside", 'f', "i" }, /* lands in l2's own root: a dir named lnk */
		{ ".wh.file2dir", 'f' }, { "file2dir/x", 'f', "x" },
	};
	cerr err = { 0 };
	assert_int_equal(unpack(l1, e1, 5, &err), 0);
	assert_int_equal(unpack(l2, e2, 6, &err), 0);
	assert_int_equal(flatten_layer(l1, dst, &err), 0);
	assert_int_equal(flatten_layer(l2, dst, &err), 0);
	struct stat st;
	assert_int_equal(fstatat(dst, "a/gone", &st, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(fstatat(dst, "a/stay", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(dst, "o/old", &st, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(fstatat(dst, "o/new", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(dst, "file2dir/x", &st, AT_SYMLINK_NOFOLLOW), 0);
	/* no whiteout device and no opaque xattr leaks into the flat tree */
	int o = openat(dst, "o", O_RDONLY | O_DIRECTORY);
	assert_true(o >= 0);
	assert_false(wh_is_opaque(o));
	close(o);
	/* the symlink of layer 1 was replaced by layer 2's directory, not followed */
	assert_int_equal(fstatat(dst, "lnk", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat("/inside", &st), -1);
	close(l1);
	close(l2);
	close(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_devices),
		cmocka_unit_test_setup_teardown(test_layer_whiteouts, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_layer_containment, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_layer_hardlink_outside, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_limits, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_flatten, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
