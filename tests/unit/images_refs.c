/* images/refs.c, refs_find.c and refs_name.c: names and IDs in refs.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "images/refs.h"
#include "images/refs_find.h"
#include "images/refs_name.h"

#define M1 "sha256:aaaa111111111111111111111111111111111111111111111111111111111111"
#define C1 "sha256:cccc111111111111111111111111111111111111111111111111111111111111"
#define M2 "sha256:aaaa222222222222222222222222222222222222222222222222222222222222"
#define C2 "sha256:dddd222222222222222222222222222222222222222222222222222222222222"

static void check_norm(const char *in, const char *want)
{
	char *n = ref_normalize(in);
	if (!want) {
		assert_null(n);
		return;
	}
	assert_non_null(n);
	assert_string_equal(n, want);
	free(n);
}

/* Stored names are full, as podman stores them. */
static void test_normalize(void **state)
{
	check_norm("busybox", "localhost/busybox:latest");
	check_norm("web:1", "localhost/web:1");
	check_norm("tools/ok:1", "localhost/tools/ok:1");
	check_norm("localhost/web:1", "localhost/web:1");
	check_norm("docker.io/busybox:1", "docker.io/library/busybox:1");
	check_norm("index.docker.io/busybox", "docker.io/library/busybox:latest");
	check_norm("docker.io/library/busybox:demo", "docker.io/library/busybox:demo");
	check_norm("reg.example:5000/a/b:v1", "reg.example:5000/a/b:v1");
	check_norm("reg.example:5000/a/b", "reg.example:5000/a/b:latest");
	check_norm("", NULL);
	check_norm("has space", NULL);
	check_norm("sha256:abcd", NULL);
	check_norm("trailing:", NULL);
	check_norm("Upper:1", NULL);
	check_norm("web@sha256:" "1111111111111111111111111111111111111111111111111111111111111111", NULL);
	check_norm("1111111111111111111111111111111111111111111111111111111111111111", NULL);
}

/* A short name finds a full one as podman finds local images. */
static void test_short_names(void **state)
{
	refs_db db = { 0 };
	cerr err = { 0 };
	int ni;
	assert_int_equal(refs_add_image(&db, M1, C1), 0);
	assert_int_equal(refs_add_image(&db, M2, C2), 1);
	assert_int_equal(refs_set_name(&db, 0, "docker.io/library/busybox:demo", M1), 0);
	assert_int_equal(refs_set_name(&db, 0, "quay.io/x/tool:1", M2), 0);
	assert_int_equal(refs_resolve(&db, "busybox:demo", &err), 0);
	assert_int_equal(refs_resolve(&db, "library/busybox:demo", &err), 0);
	assert_int_equal(refs_resolve(&db, "docker.io/busybox:demo", &err), 0);
	assert_int_equal(refs_resolve(&db, "tool:1", &err), 1);
	assert_true(refs_resolve(&db, "tool", &err) < 0); /* tool:latest */
	cerr_clear(&err);
	assert_true(refs_resolve(&db, "localhost/busybox:demo", &err) < 0); /* another name in podman too */
	cerr_clear(&err);
	assert_true(refs_resolve(&db, "box:demo", &err) < 0); /* a whole component, not a suffix */
	cerr_clear(&err);
	/* localhost/ first */
	assert_int_equal(refs_set_name(&db, 0, "busybox:demo", M2), 0);
	assert_string_equal(db.names[2].name, "localhost/busybox:demo");
	assert_int_equal(refs_find(&db, NULL, "busybox:demo", &ni, &err), 1);
	assert_int_equal(ni, 2);
	assert_int_equal(refs_resolve(&db, "docker.io/library/busybox:demo", &err), 0);
	/* two images under two registries: ambiguous, and the error lists them */
	assert_int_equal(refs_set_name(&db, 0, "quay.io/y/busybox:two", M1), 0);
	assert_int_equal(refs_set_name(&db, 0, "docker.io/library/busybox:two", M2), 0);
	assert_int_equal(refs_resolve(&db, "busybox:two", &err), -EEXIST);
	assert_non_null(strstr(err.msg, "quay.io/y/busybox:two"));
	assert_non_null(strstr(err.msg, "docker.io/library/busybox:two"));
	assert_non_null(strstr(err.msg, "give the full name"));
	cerr_clear(&err);
	/* one image under two registries is one image */
	assert_int_equal(refs_set_name(&db, 0, "quay.io/y/busybox:two", M2), 0);
	assert_int_equal(refs_resolve(&db, "busybox:two", &err), 1);
	refs_free(&db);
}

#define D9 "sha256:9999999999999999999999999999999999999999999999999999999999999999"

/* REPO@DIGEST: the digest it was pulled as, or a name's manifest. */
static void test_repo_digests(void **state)
{
	refs_db db = { 0 };
	cerr err = { 0 };
	assert_int_equal(refs_add_image(&db, M1, C1), 0);
	assert_int_equal(refs_add_image(&db, M2, C2), 1);
	assert_int_equal(refs_set_name(&db, 0, "docker.io/library/busybox:1", M1), 0);
	assert_int_equal(refs_set_name(&db, 0, "web:1", M2), 0);
	assert_int_equal(refs_add_repo_digest(&db, 0, "docker.io/library/busybox@" D9), 0);
	assert_int_equal(refs_resolve(&db, "docker.io/library/busybox@" D9, &err), 0);
	assert_int_equal(refs_resolve(&db, "busybox@" D9, &err), 0);
	assert_int_equal(refs_resolve(&db, "busybox:1@" D9, &err), 0);
	assert_true(refs_resolve(&db, "quay.io/busybox@" D9, &err) < 0);
	cerr_clear(&err);
	assert_int_equal(refs_resolve(&db, "localhost/web@" M2, &err), 1);
	assert_int_equal(refs_resolve(&db, "web@" M2, &err), 1);
	assert_true(refs_resolve(&db, "web@" M1, &err) < 0);
	cerr_clear(&err);
	refs_free(&db);
}

/* podman's images REPO[:TAG] and reference= filter. */
static void test_filter(void **state)
{
	const char *n = "docker.io/library/busybox:demo";
	assert_true(ref_filter_matches(n, "busybox"));
	assert_true(ref_filter_matches(n, "busybox:demo"));
	assert_true(ref_filter_matches(n, "library/busybox"));
	assert_true(ref_filter_matches(n, "docker.io/busybox:demo"));
	assert_true(ref_filter_matches(n, n));
	assert_true(ref_filter_matches(n, "busy*"));
	assert_true(ref_filter_matches(n, "busybox:d*"));
	assert_true(ref_filter_matches(n, "docker.io/*"));
	assert_false(ref_filter_matches(n, "busybox:1"));
	assert_false(ref_filter_matches(n, "box"));
	assert_false(ref_filter_matches(n, "localhost/busybox"));
	assert_false(ref_filter_matches(n, "quay.io/*"));
}

static void test_resolve_remove(void **state)
{
	refs_db db = { 0 };
	assert_int_equal(refs_add_image(&db, M1, C1), 0);
	assert_int_equal(refs_add_image(&db, M2, C2), 1);
	assert_int_equal(refs_add_image(&db, M2, C2), 1); /* idempotent */
	assert_int_equal(db.n_images, 2);
	assert_int_equal(refs_set_name(&db, 0, "one", M1), 0);
	assert_int_equal(refs_set_name(&db, 0, "one:v2", M1), 0);
	assert_int_equal(refs_set_name(&db, 0, "two", M2), 0);
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
	assert_string_equal(db.names[0].name, "localhost/one:latest");
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

/* An OCI and a docker archive of one image: two manifests, one config. */
#define M3 "sha256:aaaa333333333333333333333333333333333333333333333333333333333333"

static void test_one_image_per_config(void **state)
{
	refs_db db = { 0 };
	assert_int_equal(refs_add_image(&db, M1, C1), 0);
	assert_int_equal(refs_add_image(&db, M3, C1), 0);
	assert_int_equal(db.n_images, 1);
	assert_string_equal(db.images[0].manifest, M1);
	assert_int_equal(refs_set_name(&db, 0, "oci", db.images[0].manifest), 0);
	assert_int_equal(refs_set_name(&db, 0, "docker", db.images[0].manifest), 0);
	cerr err = { 0 };
	assert_int_equal(refs_resolve(&db, "cccc1", &err), 0); /* an ID prefix is not ambiguous */
	assert_int_equal(refs_resolve(&db, C1, &err), 0);
	/* by ID: both names go with the one image */
	assert_int_equal(refs_remove(&db, C1, &err), 1);
	assert_int_equal(db.n_names, 0);
	refs_free(&db);
}

/* Names per owner: a member's bb:1 is not root's; a view sees its own
 * names first, then root's, and images only where an owner it may see
 * holds them. */
static bool member_may(uid_t owner, const void *ctx)
{
	return owner == 0 || owner == *(const uid_t *)ctx;
}

static bool only_mine(uid_t owner, const void *ctx)
{
	return owner == *(const uid_t *)ctx;
}

static void test_owners(void **state)
{
	refs_db db = { 0 };
	cerr err = { 0 };
	uid_t m = 4242, other = 4343;
	refs_view mv = { .uid = m, .may = member_may, .ctx = &m };
	refs_view ov = { .uid = other, .may = member_may, .ctx = &other };
	assert_int_equal(refs_add_image(&db, M1, C1), 0);
	assert_int_equal(refs_add_image(&db, M2, C2), 1);
	assert_int_equal(refs_set_name(&db, 0, "bb:1", M1), 0);
	assert_int_equal(refs_set_name(&db, m, "bb:1", M2), 0);
	assert_int_equal(db.n_names, 2);
	int ni;
	assert_int_equal(refs_resolve(&db, "bb:1", &err), 0);   /* root's, as ever */
	assert_int_equal(refs_find(&db, &mv, "bb:1", &ni, &err), 1); /* the member's own */
	assert_int_equal(db.names[ni].owner, m);
	assert_int_equal(refs_find(&db, &ov, "bb:1", NULL, &err), 0); /* another member: root's */
	assert_true(refs_find(&db, &ov, "dddd", NULL, &err) < 0);     /* not the member's image by ID */
	cerr_clear(&err);
	assert_true(refs_find(&db, &ov, "~4242/bb:1", NULL, &err) < 0); /* nor its qualified name */
	cerr_clear(&err);
	assert_int_equal(refs_resolve(&db, "~4242/bb:1", &err), 1); /* root reaches it */
	char *q = ref_qualified(m, "bb:1");
	assert_string_equal(q, "~4242/bb:1");
	free(q);
	assert_null(ref_normalize("~4242/bb:1")); /* no image name collides */
	/* both hold M1: the member letting go leaves it root's */
	assert_int_equal(refs_set_name(&db, m, "mine:1", M1), 0);
	assert_true(refs_held_by(&db, 0, m));
	assert_int_equal(refs_release(&db, 0, only_mine, &m), 0);
	assert_false(refs_held_by(&db, 0, m));
	assert_int_equal(refs_resolve(&db, "bb:1", &err), 0);
	/* the member's last name of M2 goes, and M2 with it */
	assert_int_equal(refs_find(&db, &mv, "bb:1", &ni, &err), 1);
	assert_int_equal(refs_unname(&db, (size_t)ni), 1);
	assert_int_equal(db.n_images, 1);
	assert_int_equal(db.n_names, 1);
	refs_free(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_short_names),
		cmocka_unit_test(test_repo_digests),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_resolve_remove),
		cmocka_unit_test(test_one_image_per_config),
		cmocka_unit_test(test_owners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
