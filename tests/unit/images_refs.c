/* Names and IDs in refs.json, and the image config turned into a runtime
 * config (bundle/from_image.c): command, env, cwd, user, annotations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/from_image.h"
#include "common/fileio.h"
#include "images/refs.h"

#define M1 "sha256:aaaa111111111111111111111111111111111111111111111111111111111111"
#define C1 "sha256:cccc111111111111111111111111111111111111111111111111111111111111"
#define M2 "sha256:aaaa222222222222222222222222222222222222222222222222222222222222"
#define C2 "sha256:dddd222222222222222222222222222222222222222222222222222222222222"

static void test_normalize(void **state)
{
	char *n = ref_normalize("busybox");
	assert_string_equal(n, "busybox:latest");
	free(n);
	n = ref_normalize("reg.example:5000/a/b:v1");
	assert_string_equal(n, "reg.example:5000/a/b:v1");
	free(n);
	n = ref_normalize("reg.example:5000/a/b");
	assert_string_equal(n, "reg.example:5000/a/b:latest");
	free(n);
	assert_null(ref_normalize(""));
	assert_null(ref_normalize("has space"));
	assert_null(ref_normalize("sha256:abcd"));
	assert_null(ref_normalize("trailing:"));
}

static void test_resolve_remove(void **state)
{
	refs_db db = { 0 };
	assert_int_equal(refs_add_image(&db, M1, C1), 0);
	assert_int_equal(refs_add_image(&db, M2, C2), 0);
	assert_int_equal(refs_add_image(&db, M2, C2), 0); /* idempotent */
	assert_int_equal(db.n_images, 2);
	assert_int_equal(refs_set_name(&db, "one", M1), 0);
	assert_int_equal(refs_set_name(&db, "one:v2", M1), 0);
	assert_int_equal(refs_set_name(&db, "two", M2), 0);
	cerr err = { 0 };
	assert_int_equal(refs_resolve(&db, "one", &err), 0);
	assert_int_equal(refs_resolve(&db, "two:latest", &err), 1);
	assert_int_equal(refs_resolve(&db, "cccc", &err), 0);   /* ID prefix */
	assert_int_equal(refs_resolve(&db, C2, &err), 1);       /* full ID */
	assert_int_equal(refs_resolve(&db, "aaaa2", &err), 1);  /* manifest prefix */
	assert_true(refs_resolve(&db, "aaaa", &err) < 0);       /* ambiguous */
	assert_non_null(strstr(err.msg, "ambiguous"));
	cerr_clear(&err);
	assert_true(refs_resolve(&db, "nope", &err) < 0);
	assert_non_null(strstr(err.msg, "not found"));
	cerr_clear(&err);
	/* dropping one of two names keeps the image; the last name drops it */
	assert_int_equal(refs_remove(&db, "one", &err), 0);
	assert_int_equal(db.n_images, 2);
	assert_int_equal(refs_remove(&db, "one:v2", &err), 1);
	assert_int_equal(db.n_images, 1);
	/* by ID: the image and all its names */
	assert_int_equal(refs_remove(&db, "dddd", &err), 1);
	assert_int_equal(db.n_images, 0);
	assert_int_equal(db.n_names, 0);
	refs_free(&db);
}

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/corral-ut-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char p[128];
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/passwd", dir);
	const char *pw = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n";
	assert_int_equal(write_file_atomic(p, pw, strlen(pw), 0644, NULL), 0);
	snprintf(p, sizeof(p), "%s/etc/group", dir);
	const char *gr = "root:x:0:\nwheel:x:10:app,other\napp:x:1001:\naudio:x:29:app\n";
	assert_int_equal(write_file_atomic(p, gr, strlen(gr), 0644, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	rm_rf(dir);
	return 0;
}

static void test_user(void **state)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	struct oci_user u = { 0 };
	cerr err = { 0 };
	assert_int_equal(image_user_resolve(fd, "app", &u, &err), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1001);
	assert_int_equal(u.n_additional_gids, 2); /* wheel and audio list app */
	free(u.additional_gids);
	memset(&u, 0, sizeof(u));
	assert_int_equal(image_user_resolve(fd, "app:wheel", &u, &err), 0);
	assert_int_equal(u.gid, 10);
	assert_int_equal(image_user_resolve(fd, "1000:29", &u, &err), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 29);
	assert_int_equal(image_user_resolve(fd, "4242", &u, &err), 0); /* not in passwd: uid only */
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 0);
	assert_true(image_user_resolve(fd, "nobody", &u, &err) < 0);
	assert_non_null(strstr(err.msg, "no such user"));
	cerr_clear(&err);
	assert_true(image_user_resolve(fd, "app:nogroup", &u, &err) < 0);
	assert_non_null(strstr(err.msg, "no such group"));
	cerr_clear(&err);
	close(fd);
}

static void test_user_symlink_contained(void **state)
{
	/* an /etc/passwd that points at the host's resolves inside the rootfs */
	char p[128];
	snprintf(p, sizeof(p), "%s/etc/passwd", dir);
	unlink(p);
	assert_int_equal(symlink("/etc/shadow-not-here/../../../etc/passwd-x", p), 0);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	struct oci_user u = { 0 };
	cerr err = { 0 };
	assert_true(image_user_resolve(fd, "root", &u, &err) < 0);
	cerr_clear(&err);
	close(fd);
}

static void test_spec(void **state)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	char *ep[] = { "/bin/ep", NULL }, *cmd[] = { "default", NULL }, *env[] = { "A=1", NULL };
	img_label labels[] = { { "k", "v" } };
	img_config cfg = { .entrypoint = ep, .cmd = cmd, .env = env, .workdir = "/work", .user = "app",
			   .stop_signal = "SIGINT", .labels = labels, .n_labels = 1 };
	struct oci_spec *sp = NULL;
	cerr err = { 0 };
	assert_int_equal(spec_from_image(&cfg, fd, NULL, &sp, &err), 0);
	assert_string_equal(sp->process.args[0], "/bin/ep");
	assert_string_equal(sp->process.args[1], "default");
	assert_string_equal(sp->process.env[0], "A=1");
	assert_non_null(strstr(sp->process.env[1], "PATH="));
	assert_string_equal(sp->process.cwd, "/work");
	assert_int_equal(sp->process.user.uid, 1000);
	assert_true(sp->process.no_new_privileges);
	assert_int_equal(sp->process.caps.n[CAPSET_BOUNDING], 14);
	assert_true(sp->process.has_oom_score_adj);
	assert_int_equal(sp->process.oom_score_adj, 0);
	assert_string_equal(spec_annotation(sp, "k"), "v");
	assert_string_equal(spec_annotation(sp, ANNOT_STOP_SIGNAL), "SIGINT");
	assert_true(spec_has_namespace(sp, NS_NETWORK));
	spec_free(sp);
	/* CLI args replace Cmd, not Entrypoint */
	char *args[] = { "x", "y", NULL };
	assert_int_equal(spec_from_image(&cfg, fd, args, &sp, &err), 0);
	assert_string_equal(sp->process.args[1], "x");
	assert_string_equal(sp->process.args[2], "y");
	assert_null(sp->process.args[3]);
	spec_free(sp);
	/* a WorkingDir that is relative or names ".." */
	static const char *const bad_wd[] = { "work", "/work/../..", "/a//b" };
	for (size_t i = 0; i < sizeof(bad_wd) / sizeof(*bad_wd); i++) {
		img_config c2 = cfg;
		c2.workdir = (char *)bad_wd[i];
		assert_true(spec_from_image(&c2, fd, NULL, &sp, &err) < 0);
		assert_non_null(strstr(err.msg, "WorkingDir"));
		cerr_clear(&err);
	}
	/* nothing to run */
	img_config empty = { 0 };
	assert_true(spec_from_image(&empty, fd, NULL, &sp, &err) < 0);
	assert_non_null(strstr(err.msg, "no Entrypoint or Cmd"));
	cerr_clear(&err);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_resolve_remove),
		cmocka_unit_test_setup_teardown(test_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_symlink_contained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spec, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
