/* supervisor/shape/net_id.c and sha256.c: a network's Docker Id from its
 * name, and the digest under it (FIPS 180-4's vectors, at each padding
 * case: the tail in one block, in two, and past one block). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "supervisor/shape/shape.h"
#include "supervisor/shape/sha256.h"

static void hex_of(const char *text, size_t n, char out[65])
{
	unsigned char md[DK_SHA256_LEN];
	dk_sha256(text, n, md);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_sha256(void **state)
{
	char a[131], hex[65];
	memset(a, 'a', sizeof(a));
	hex_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of(a, 55, hex);
	assert_string_equal(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	hex_of(a, 56, hex);
	assert_string_equal(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	hex_of(a, 130, hex);
	assert_string_equal(hex, "1e3c4f4750c8c29bbfa9ced317788176b156d342e57f7777f62fd7221a44312f");
}

/* the Id is the name's alone: the same at each call, another for another */
static void test_net_id(void **state)
{
	char id[DK_NET_ID_LEN + 1], other[DK_NET_ID_LEN + 1];
	dk_net_id("corral", id);
	assert_string_equal(id, "9d2f450b055e1e5810ae26849513fdec1c7175d457f8b1c1956ebb00542716a7");
	dk_net_id("n1", other);
	assert_string_not_equal(id, other);
	assert_int_equal(strlen(other), DK_NET_ID_LEN);
	assert_true(dk_net_id_hex(other));
	assert_true(dk_net_id_hex("9d2f"));
	assert_false(dk_net_id_hex(""));
	assert_false(dk_net_id_hex("n1"));
	assert_false(dk_net_id_hex("9D2F"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_net_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
