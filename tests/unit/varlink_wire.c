/* supervisor/varlink/wire.c: framing, message and reply parsing, encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/wire.h"

static void test_framer_split_and_joined(void **state)
{
	vl_framer f;
	vl_framer_init(&f, 0);
	const char in[] = "{\"method\":\"a.B\"}\0{\"method\":\"a.C\"}";
	char *m;
	size_t len;
	/* byte by byte: nothing until the first NUL */
	for (size_t i = 0; i < 16; i++) {
		assert_int_equal(vl_framer_feed(&f, in + i, 1), 0);
		assert_int_equal(vl_framer_next(&f, &m, &len), 0);
	}
	assert_int_equal(vl_framer_feed(&f, in + 16, sizeof(in) - 16), 0); /* incl. final NUL */
	assert_int_equal(vl_framer_next(&f, &m, &len), 1);
	assert_string_equal(m, "{\"method\":\"a.B\"}");
	assert_int_equal(vl_framer_next(&f, &m, &len), 1);
	assert_string_equal(m, "{\"method\":\"a.C\"}");
	assert_int_equal(len, 16);
	assert_int_equal(vl_framer_next(&f, &m, &len), 0);
	assert_int_equal(vl_framer_pending(&f), 0);
	vl_framer_release(&f);
}

static void test_framer_bound(void **state)
{
	vl_framer f;
	vl_framer_init(&f, 100);
	char big[101];
	memset(big, 'x', sizeof(big));
	char *m;
	size_t len;
	assert_int_equal(vl_framer_feed(&f, big, 100), 0);
	assert_int_equal(vl_framer_next(&f, &m, &len), 0); /* exactly the bound: may still end */
	assert_int_equal(vl_framer_feed(&f, big, 1), 0);
	assert_int_equal(vl_framer_next(&f, &m, &len), -EMSGSIZE);
	vl_framer_release(&f);

	vl_framer_init(&f, 100);
	assert_int_equal(vl_framer_feed(&f, big, 100), 0);
	assert_int_equal(vl_framer_feed(&f, "", 1), 0);
	assert_int_equal(vl_framer_next(&f, &m, &len), 1);
	assert_int_equal(len, 100);
	vl_framer_release(&f);
}

/* a deeply nested message (or reply) is refused before yajl builds, and
 * recursively frees, it: json_parse's bound */
static void test_depth_guard(void **state)
{
	const char head[] = "{\"method\":\"a.B\",\"parameters\":{\"x\":";
	size_t n = 2000000, h = sizeof(head) - 1;
	_cleanup_free_ char *msg = malloc(h + 2 * n + 3);
	assert_non_null(msg);
	memcpy(msg, head, h);
	memset(msg + h, '[', n);
	memset(msg + h + n, ']', n);
	memcpy(msg + h + 2 * n, "}}", 3);
	size_t len = strlen(msg);
	vl_message vm;
	cerr err = { 0 };
	assert_int_equal(vl_message_parse(msg, len, &vm, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "message: nested deeper than 64 levels");
	cerr_clear(&err);
	vl_reply rep;
	assert_int_equal(vl_reply_parse(msg, len, &rep, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "reply: nested deeper than 64 levels");
	cerr_clear(&err);
}

static void expect_bad(const char *text, const char *needle)
{
	vl_message m;
	cerr err = { 0 };
	assert_true(vl_message_parse(text, strlen(text), &m, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("error [%s] lacks [%s]", err.msg, needle);
	cerr_clear(&err);
}

static void test_message_parse(void **state)
{
	vl_message m;
	cerr err = { 0 };
	const char *ok = "{\"method\":\"io.corral.Supervisor.Ping\",\"more\":true}";
	assert_int_equal(vl_message_parse(ok, strlen(ok), &m, &err), 0);
	assert_string_equal(m.method, "io.corral.Supervisor.Ping");
	assert_true(m.more);
	assert_false(m.oneway);
	assert_true(YAJL_IS_OBJECT(m.params));
	vl_message_release(&m);
	expect_bad("[1]", "not a JSON object");
	expect_bad("{\"method\":1}", "method: must be a non-empty string");
	expect_bad("{\"method\":\"\"}", "method");
	expect_bad("{\"method\":\"a.B\",\"parameters\":[]}", "parameters: must be an object");
	expect_bad("{\"method\":\"a.B\",\"more\":\"yes\"}", "more: must be a boolean");
	expect_bad("{\"method\":\"a.B\",\"more\":true,\"oneway\":true}", "exclude");
	expect_bad("{\"method\":", "invalid JSON");
	expect_bad("{\"method\":\"a\xff\"}", "invalid JSON");
}

static void test_encode(void **state)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(vl_encode_error(&sb, "a.B\"", "{\"x\":1}"), 0);
	assert_int_equal(sb.len, strlen(sb.buf) + 1);
	assert_string_equal(sb.buf, "{\"error\":\"a.B\\\"\",\"parameters\":{\"x\":1}}");
	vl_reply rep;
	cerr err = { 0 };
	assert_int_equal(vl_reply_parse(sb.buf, sb.len - 1, &rep, &err), 0);
	assert_string_equal(rep.error, "a.B\"");
	vl_reply_release(&rep);
}

/* A call flagged for upgrade parses back with the flag. */
static void test_encode_upgrade_call(void **state)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(vl_encode_call_flags(&sb, "a.B", "{\"id\":\"x\"}", VL_CALL_UPGRADE), 0);
	assert_string_equal(sb.buf, "{\"method\":\"a.B\",\"parameters\":{\"id\":\"x\"},\"upgrade\":true}");
	vl_message m;
	cerr err = { 0 };
	assert_int_equal(vl_message_parse(sb.buf, sb.len - 1, &m, &err), 0);
	assert_true(m.upgrade);
	assert_false(m.more);
	vl_message_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framer_split_and_joined),
		cmocka_unit_test(test_framer_bound),
		cmocka_unit_test(test_depth_guard),
		cmocka_unit_test(test_message_parse),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_encode_upgrade_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
