/* images/extract.c: safe extraction of a layer's entries: lexical path
 * cleaning, the device allow-list, containment of every path and link, and
 * the limits; a copy's owners (extract_stream.h). Tests that create device
 * nodes or give owners skip without root. */
#include "layer_fixture.h"
#include "images/extract_stream.h"

#include <errno.h>
#include <string.h>

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

static void test_layer_containment(void **state)
{
	if (geteuid() != 0)
		skip();
	int root = mkdir_fd("c");
	char victim[128], esc[128];
	snprintf(victim, sizeof(victim), "%s/victim", tmpdir);
	snprintf(esc, sizeof(esc), "%s/escaped", tmpdir);
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
	char *s = read_at(AT_FDCWD, victim);
	assert_string_equal(s, "orig");
	free(s);
	/* everything landed inside the root */
	assert_int_equal(fstatat(root, esc + 1, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(root, "tmp/x", &st, AT_SYMLINK_NOFOLLOW), 0);
	s = read_at(root, "f");
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
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(unpack(root, e, 1, &err) < 0);
	assert_non_null(strstr(err.msg, "hardlink target /etc/passwd"));
	close(root);
}

static void test_limits(void **state)
{
	int root = mkdir_fd("lim");
	const struct ent e[] = { { "a", 'f', "1" }, { "b", 'f', "2" }, { "c", 'f', "3" } };
	int tfd = make_tar(e, 3);
	layer_extraction j = { .src_fd = tfd, .blob_out_fd = -1, .root_fd = root, .what = "layer",
			.expect_size = -1, .expect_comp = COMP_UNKNOWN };
	extract_limits_default(&j.lim);
	j.lim.max_entries = 2;
	_cleanup_cerr_ cerr err = { 0 };
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
	close(tfd);
	close(root);
}
/* extract_stream's source: the tar's fd, a piece at a time */
static long next_piece(void *ctx, const void **out, cerr *err)
{
	static char buf[512];
	ssize_t n = read(*(int *)ctx, buf, sizeof(buf));
	*out = buf;
	return n < 0 ? cerr_sys(err, errno, "read") : (long)n;
}

/* The owners of what a copy of e makes under name, as "uid:gid" each. */
static void copy_owners(const char *name, const extract_how *how, const char *want)
{
	const struct ent e[] = { { "d", 'd', NULL, 0, 0, 1234 },
				 { "d/f", 'f', "x", 0, 0, 1234 },
				 { "d/l", 'l', "f", 0, 0, 1234 } };
	int root = mkdir_fd(name), tfd = make_tar(e, 3);
	_cleanup_cerr_ cerr err = { 0 };
	if (extract_stream(root, "", how, name, next_piece, &tfd, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
	char got[128] = "";
	for (size_t i = 0; i < 3; i++) {
		struct stat st;
		assert_int_equal(fstatat(root, e[i].path, &st, AT_SYMLINK_NOFOLLOW), 0);
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u:%u", i ? " " : "", st.st_uid, st.st_gid);
	}
	if (strcmp(got, want))
		fail_msg("%s: owners [%s], want [%s]", name, got, want);
	close(tfd);
	close(root);
}

static void test_copy_owners(void **state)
{
	if (geteuid() != 0)
		skip();
	copy_owners("root", &(extract_how){ .mode = EXTRACT_COPY }, "0:0 0:0 0:0");
	copy_owners("tar", &(extract_how){ .mode = EXTRACT_COPY_OWNED }, "1234:1234 1234:1234 1234:1234");
	copy_owners("user", &(extract_how){ .mode = EXTRACT_COPY_OWNED, .chown = true, .uid = 4321, .gid = 8765 },
		    "4321:8765 4321:8765 4321:8765");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_devices),
		cmocka_unit_test_setup_teardown(test_layer_containment, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_layer_hardlink_outside, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_limits, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_copy_owners, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
