/* common/detach_keys.c: detach keys as podman and Docker write them, and
 * the filter that takes them out of typed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "common/detach_keys.h"
#include "common/strbuf.h"

static void expect_keys(const char *spec, const char *want, size_t n_want)
{
	detach_keys k;
	assert_int_equal(detach_keys_parse(spec, &k), 0);
	assert_int_equal(k.n, n_want);
	assert_memory_equal(k.keys, want, n_want);
}

static void expect_bad(const char *spec)
{
	detach_keys k;
	if (detach_keys_parse(spec, &k) != -1)
		fail_msg("--detach-keys %s was taken", spec);
}

static void test_detach_keys(void **state)
{
	expect_keys(DETACH_KEYS_DEFAULT, "\x10\x11", 2);
	expect_keys("ctrl-a", "\x01", 1);
	expect_keys("ctrl-X,q", "\x18q", 2);
	expect_keys("ctrl-@,ctrl-[,ctrl-^,ctrl-_", "\x00\x1b\x1e\x1f", 4);
	expect_keys("", "", 0); /* none: detaching is off */
	expect_keys(NULL, "", 0);
	expect_bad("ctrl-pp");
	expect_bad("ctrl-");
	expect_bad("ctrl-1");
	expect_bad("ab");
	expect_bad("ctrl-p,");
	expect_bad(",ctrl-p");
	expect_bad("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q");
}

static int collect(const char *data, size_t n, void *ctx) { return sb_add(ctx, data, n); }

/* what passes of pieces typed in turn; the result of the last */
static int typed(detach_keys *k, strbuf *out, const char *const *pieces)
{
	int r = 0;
	for (; *pieces && r == 0; pieces++)
		r = detach_keys_filter(k, *pieces, strlen(*pieces), collect, out);
	return r;
}

static void test_filter(void **state)
{
	detach_keys k;
	strbuf out = STRBUF_INIT;
	assert_int_equal(detach_keys_parse(DETACH_KEYS_DEFAULT, &k), 0);
	/* the sequence whole: what came before it passes, after it is dropped */
	assert_int_equal(typed(&k, &out, (const char *const[]){ "ls\n\x10\x11rest", NULL }), 1);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.buf, "ls\n", 3);
	/* across two reads */
	sb_release(&out);
	detach_keys_parse(DETACH_KEYS_DEFAULT, &k);
	assert_int_equal(typed(&k, &out, (const char *const[]){ "a\x10", "\x11", NULL }), 1);
	assert_int_equal(out.len, 1);
	/* a start of it that is not it: held back, then given as typed */
	sb_release(&out);
	detach_keys_parse(DETACH_KEYS_DEFAULT, &k);
	assert_int_equal(typed(&k, &out, (const char *const[]){ "\x10", "x\x10\x10\x11", NULL }), 1);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.buf, "\x10x\x10", 3);
	/* none: everything passes */
	sb_release(&out);
	detach_keys_parse("", &k);
	assert_int_equal(typed(&k, &out, (const char *const[]){ "\x10\x11", NULL }), 0);
	assert_int_equal(out.len, 2);
	sb_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detach_keys),
		cmocka_unit_test(test_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
