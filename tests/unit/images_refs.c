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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_resolve_remove),
		cmocka_unit_test(test_one_image_per_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
