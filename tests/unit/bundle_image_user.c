/* bundle/image_user.c: user[:group] by names or numbers, additional groups
 * from /etc/group as Docker and podman give them, errors that name what is
 * missing, and files read inside the rootfs only. */
#include "rootfs_fixture.h"

#include <errno.h>
#include <stdlib.h>

#include "bundle/image_user.h"
#include "common/cleanup.h"

/* Resolves spec, which must work, into uid, gid and the additional gids. */
static void expect_user(const char *spec, uint32_t uid, uint32_t gid, size_t n, const uint32_t *gids)
{
	_cleanup_(image_user_release) struct oci_user u = { 0 };
	cerr err = { 0 };
	if (image_user_resolve(root_fd, spec, &u, &err) < 0)
		fail_msg("%s: %s", spec, cerr_msg(&err));
	assert_int_equal(u.uid, uid);
	assert_int_equal(u.gid, gid);
	assert_int_equal(u.n_additional_gids, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(u.additional_gids[i], gids[i]);
}

/* Resolving spec fails with a message holding want, and u is untouched. */
static void expect_error(const char *spec, const char *want)
{
	uint32_t *kept = malloc(sizeof(*kept));
	assert_non_null(kept);
	*kept = 7;
	struct oci_user u = { .uid = 5, .gid = 6, .additional_gids = kept, .n_additional_gids = 1 };
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(image_user_resolve(root_fd, spec, &u, &err) < 0);
	if (!strstr(cerr_msg(&err), want))
		fail_msg("%s: \"%s\" does not say \"%s\"", spec, cerr_msg(&err), want);
	assert_int_equal(u.uid, 5);
	assert_int_equal(u.gid, 6);
	assert_int_equal(u.n_additional_gids, 1);
	assert_ptr_equal(u.additional_gids, kept);
	image_user_release(&u);
}

static void test_names_and_numbers(void **state)
{
	static const uint32_t app_groups[] = { 10, 29 };
	expect_user("app", 1000, 1001, 2, app_groups);
	/* a number that passwd knows is that user, groups and all */
	expect_user("1000", 1000, 1001, 2, app_groups);
	/* one it does not know: that uid, group root, no others */
	expect_user("4242", 4242, 0, 0, NULL);
	expect_user("root", 0, 0, 0, NULL);
}

/* As Docker: a group given replaces the primary one, and then the user
 * has no additional groups. */
static void test_explicit_group(void **state)
{
	expect_user("app:wheel", 1000, 10, 0, NULL);
	expect_user("app:29", 1000, 29, 0, NULL);
	expect_user("1000:99", 1000, 99, 0, NULL); /* a number need not be in /etc/group */
	expect_user("4242:audio", 4242, 29, 0, NULL);
	static const uint32_t app_groups[] = { 10, 29 };
	expect_user("app:", 1000, 1001, 2, app_groups); /* an empty group is none */
}

static void test_empty_is_root(void **state)
{
	expect_user(NULL, 0, 0, 0, NULL);
	expect_user("", 0, 0, 0, NULL);
	/* what a struct held before is replaced, not added to */
	struct oci_user u = { 0 };
	cerr err = { 0 };
	assert_int_equal(image_user_resolve(root_fd, "app", &u, &err), 0);
	assert_int_equal(image_user_resolve(root_fd, "", &u, &err), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.n_additional_gids, 0);
	assert_null(u.additional_gids);
}

static void test_missing_user_or_group(void **state)
{
	expect_error("nobody", "no such user \"nobody\" in the image's /etc/passwd");
	expect_error("app:nogroup", "no such group \"nogroup\" in the image's /etc/group");
	expect_error(":wheel", "no such user \"\"");
	expect_error("4294967295", "user \"4294967295\" is out of range");
	expect_error("app:99999999999", "group \"99999999999\" is out of range");
	/* an image without the files knows numbers only */
	etc_file(rootfs, "passwd", "");
	char p[128];
	snprintf(p, sizeof(p), "%s/etc/group", rootfs);
	unlink(p);
	expect_error("app", "no such user \"app\"");
	expect_error("0:wheel", "no such group \"wheel\"");
	expect_user("1000:10", 1000, 10, 0, NULL);
}

/* Lines that are not entries are skipped; a member list matches names
 * whole; a group is added once, and never the primary one. */
static void test_odd_group_files(void **state)
{
	etc_file(rootfs, "passwd", "garbage\napp:x:1000:1001\nbad:x:-1:0:\n");
	etc_file(rootfs, "group",
		 "no fields\n"
		 "apps:x:5:application,ap,app2\n"
		 "last:x:6:other,app\n"
		 "again:x:6:app\n"
		 "own:x:1001:app\n"
		 "bad:x:nan:app\n"
		 "twice:x:7:app,app\n"
		 "nonl:x:8:app");
	static const uint32_t want[] = { 6, 7, 8 };
	expect_user("app", 1000, 1001, 3, want);
	expect_error("bad", "no such user \"bad\"");
}

static void test_more_groups_than_the_runtime_applies(void **state)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	for (int i = 0; i < IMAGE_USER_MAX_GROUPS; i++)
		fprintf(f, "g%d:x:%d:app\n", i, 2000 + i);
	fflush(f);
	etc_file(rootfs, "group", text);
	_cleanup_(image_user_release) struct oci_user u = { 0 };
	cerr err = { 0 };
	assert_int_equal(image_user_resolve(root_fd, "app", &u, &err), 0);
	assert_int_equal(u.n_additional_gids, IMAGE_USER_MAX_GROUPS);
	fprintf(f, "one-more:x:9999:app\n");
	fclose(f);
	etc_file(rootfs, "group", text);
	expect_error("app", "in more than 256 groups");
}

/* /etc/passwd and /etc/group that are links to the host's files resolve
 * inside the rootfs, where there is nothing: the host's are never read. */
static void test_links_do_not_lead_out(void **state)
{
	char host[128], p[128];
	snprintf(host, sizeof(host), "%s/host-passwd", tmpdir);
	assert_int_equal(write_file_atomic(host, "evil:x:0:0::/:/bin/sh\n", 22, 0644, NULL), 0);
	snprintf(p, sizeof(p), "%s/host-group", tmpdir);
	assert_int_equal(write_file_atomic(p, "evil:x:4321:app\n", 16, 0644, NULL), 0);
	snprintf(p, sizeof(p), "%s/etc/passwd", rootfs);
	unlink(p);
	assert_int_equal(symlink(host, p), 0);
	expect_error("evil", "no such user \"evil\"");
	unlink(p);
	assert_int_equal(symlink("../../../host-passwd", p), 0);
	expect_error("evil", "no such user \"evil\"");
	unlink(p);
	etc_file(rootfs, "passwd", ETC_PASSWD);
	snprintf(p, sizeof(p), "%s/etc/group", rootfs);
	unlink(p);
	assert_int_equal(symlink("/../../host-group", p), 0);
	expect_user("app", 1000, 1001, 0, NULL);
	expect_error("app:evil", "no such group \"evil\"");
}

/* A /etc/group that is a FIFO is not waited on, and a /etc/passwd past the
 * bound is not read: both count as absent. */
static void test_odd_files_are_not_read(void **state)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/etc/group", rootfs);
	unlink(p);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_user("app", 1000, 1001, 0, NULL);
	expect_error("app:wheel", "no such group \"wheel\"");
	size_t n = (4u << 20) + 1;
	_cleanup_free_ char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, '\n', n);
	memcpy(big, ETC_PASSWD, strlen(ETC_PASSWD));
	big[n] = '\0';
	etc_file(rootfs, "passwd", big);
	expect_error("app", "no such user \"app\"");
	big[n - 1] = '\0'; /* at the bound it is read */
	etc_file(rootfs, "passwd", big);
	expect_user("app", 1000, 1001, 0, NULL);
}

static void test_by_path(void **state)
{
	_cleanup_(image_user_release) struct oci_user u = { 0 };
	cerr err = { 0 };
	assert_int_equal(image_user_resolve_path(rootfs, "app:wheel", &u, &err), 0);
	assert_int_equal(u.gid, 10);
	char gone[128];
	snprintf(gone, sizeof(gone), "%s/gone", tmpdir);
	assert_true(image_user_resolve_path(gone, "app", &u, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), gone));
	cerr_clear(&err);
	/* root needs no files */
	assert_int_equal(image_user_resolve_path(gone, NULL, &u, &err), 0);
	assert_int_equal(u.gid, 0);
}

/* docker run --group-add NAME: each name's gid after the user's, in the
 * order asked; a name the image lacks is named, and nothing is added */
static void test_group_add(void **state)
{
	_cleanup_(image_user_release) struct oci_user u = { 0 };
	cerr err = { 0 };
	assert_int_equal(image_user_resolve(root_fd, "app", &u, &err), 0);
	assert_int_equal(image_group_add(rootfs, (const char *const[]){ "audio", "root", "app", NULL }, &u, &err), 0);
	static const uint32_t want[] = { 10, 29, 29, 0, 1001 };
	assert_int_equal(u.n_additional_gids, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(u.additional_gids[i], want[i]);
	_cleanup_cerr_ cerr e2 = { 0 };
	assert_true(image_group_add(rootfs, (const char *const[]){ "wheel", "nosuch", NULL }, &u, &e2) < 0);
	assert_non_null(strstr(cerr_msg(&e2), "no such group \"nosuch\" in the image's /etc/group"));
	assert_int_equal(u.n_additional_gids, 5);
}

static void expect_home(uint32_t uid, int want_r, const char *want)
{
	_cleanup_free_ char *home = NULL;
	assert_int_equal(image_user_home(root_fd, uid, &home), want_r);
	if (want)
		assert_string_equal(home, want);
	else
		assert_null(home);
}

/* The home field of the uid's first entry, as runc reads it: an entry
 * cut short has an empty home; a later entry with the same uid is not
 * looked at. */
static void test_home(void **state)
{
	expect_home(0, 0, "/root");
	expect_home(1000, 0, "/home/app");
	expect_home(4242, -ENOENT, NULL);
	etc_file(rootfs, "passwd", "short:x:7:7\nnohome:x:8:8:gecos\nempty:x:9:9:g::/bin/sh\n"
				   "first:x:10:10::/one\nsecond:x:10:10::/two:/bin/sh\nnoshell:x:11:11::/h\n");
	expect_home(7, 0, "");
	expect_home(8, 0, "");
	expect_home(9, 0, "");
	expect_home(10, 0, "/one");
	expect_home(11, 0, "/h");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, rootfs_setup, rootfs_teardown)
	const struct CMUnitTest tests[] = {
		T(test_names_and_numbers),
		T(test_explicit_group),
		T(test_empty_is_root),
		T(test_missing_user_or_group),
		T(test_odd_group_files),
		T(test_more_groups_than_the_runtime_applies),
		T(test_links_do_not_lead_out),
		T(test_odd_files_are_not_read),
		T(test_by_path),
		T(test_home),
		T(test_group_add),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
