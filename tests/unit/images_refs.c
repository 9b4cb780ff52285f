/* images/refs.c: names and IDs in refs.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

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
		cmocka_unit_test(test_resolve_remove),
		cmocka_unit_test(test_one_image_per_config),
		cmocka_unit_test(test_owners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
