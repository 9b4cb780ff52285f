/* images/whiteout.c: whiteout names, and a layer's whiteouts and opaque
 * directories as overlayfs takes them (overlay whiteouts, same-layer edge
 * cases). Tests that create device nodes or trusted xattrs skip without
 * root. */
#include "layer_fixture.h"

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
	char *s = read_at(root, "same");
	assert_string_equal(s, "new");
	free(s);
	s = read_at(root, "keep");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test_setup_teardown(test_layer_whiteouts, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
