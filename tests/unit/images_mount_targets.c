/* images/mount_targets.c: the engine's own mount points in an upper
 * directory (an empty /etc/hosts the runtime made to bind on, an empty
 * /proc), left out of a layer and a diff; what the container wrote beside
 * or in their place is kept. */
#include "layer_fixture.h"

#include "images/layer_write.h"
#include "images/mount_targets.h"
#include "common/cleanup.h"

#include <string.h>

static bool only(int root, const char *path)
{
	struct stat st;
	assert_int_equal(fstatat(root, path, &st, AT_SYMLINK_NOFOLLOW), 0);
	const char *slash = strrchr(path, '/');
	if (!slash)
		return mount_target_only(root, path, path, &st);
	char dir[64];
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	int dfd = openat(root, dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	bool r = mount_target_only(dfd, slash + 1, path, &st);
	close(dfd);
	return r;
}

static void test_which_are_the_engines(void **state)
{
	int root = mkdir_fd("upper");
	const struct ent e[] = {
		{ "etc/", 'd' },    { "etc/hosts", 'f', "" },   { "etc/hostname", 'f', "" },
		{ "proc/", 'd' },   { "sys/", 'd' },            { "sys/mine", 'f', "x" },
		{ "run/", 'd' },    { "run/hosts", 'f', "" },   { "dev", 'l', "/elsewhere" },
		{ "w/", 'd' },      { "w/etc/", 'd' },          { "w/etc/hosts", 'f', "" },
	};
	cerr err = { 0 };
	assert_int_equal(unpack(root, e, ARRAY_SIZE(e), &err), 0);
	assert_true(only(root, "etc/hosts"));
	assert_true(only(root, "etc/hostname"));
	assert_true(only(root, "etc")); /* made to hold them alone */
	assert_true(only(root, "proc"));
	assert_false(only(root, "sys"));      /* the container wrote in it */
	assert_false(only(root, "run/hosts")); /* not a mount point of the engine's */
	assert_false(only(root, "dev"));       /* a symlink is the container's */
	assert_false(only(root, "w/etc/hosts"));
	struct stat st;
	assert_int_equal(fstatat(root, "etc/hosts", &st, 0), 0);
	assert_true(mount_target_only(root, "etc/hosts", "/etc/hosts", &st)); /* a diff's path */
	close(root);
}

static void test_kept_when_written(void **state)
{
	int root = mkdir_fd("upper");
	const struct ent e[] = {
		{ "etc/", 'd' }, { "etc/hosts", 'f', "" }, { "etc/resolv.conf", 'f', "nameserver 10.0.0.1\n" },
	};
	cerr err = { 0 };
	assert_int_equal(unpack(root, e, ARRAY_SIZE(e), &err), 0);
	assert_true(only(root, "etc/hosts"));
	assert_false(only(root, "etc/resolv.conf")); /* not empty: not a bare mount point */
	assert_false(only(root, "etc"));
	close(root);
}

/* A layer of the upper directory: what the step wrote, nothing of the
 * engine's. */
static void test_layer_leaves_them_out(void **state)
{
	int root = mkdir_fd("upper");
	const struct ent e[] = {
		{ "etc/", 'd' }, { "etc/hosts", 'f', "" }, { "proc/", 'd' }, { "x", 'f', "hi\n" },
	};
	cerr err = { 0 };
	assert_int_equal(unpack(root, e, ARRAY_SIZE(e), &err), 0);
	int out = memfd_create("layer", MFD_CLOEXEC);
	layer_written w;
	assert_int_equal(layer_write_upper(root, NULL, out, &w, &err), 0);
	assert_int_equal(w.entries, 1);
	lseek(out, 0, SEEK_SET);
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_fd(a, out, 10240), ARCHIVE_OK);
	struct archive_entry *ae;
	assert_int_equal(archive_read_next_header(a, &ae), ARCHIVE_OK);
	assert_string_equal(archive_entry_pathname(ae), "x");
	assert_int_equal(archive_read_next_header(a, &ae), ARCHIVE_EOF);
	archive_read_free(a);
	close(out);
	close(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_which_are_the_engines, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_kept_when_written, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_layer_leaves_them_out, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
