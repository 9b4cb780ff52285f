/* images/img_rootfs.c: flattening layers into one tree, whiteouts applied by
 * deletion. Skips without root (whiteouts are device nodes). */
#include "layer_fixture.h"

#include "images/img_rootfs.h"
#include "images/whiteout.h"

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
		cmocka_unit_test_setup_teardown(test_flatten, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
