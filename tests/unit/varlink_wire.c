/* supervisor/varlink/wire.c: framing, message and reply parsing, encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
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
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(vl_message_parse(msg, len, &vm, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "message: nested deeper than 64 levels");
	cerr_clear(&err);
	vl_reply rep;
	assert_int_equal(vl_reply_parse(msg, len, &rep, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "reply: nested deeper than 64 levels");
}

static void expect_bad(const char *text, const char *needle)
{
	vl_message m;
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(vl_message_parse(text, strlen(text), &m, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("error [%s] lacks [%s]", err.msg, needle);
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
	/* UTF-8 that yajl lets through, and the scanner refuses: not JSON, and
	 * a broker message's data would carry it on to subscribers */
	const char *not_utf8[] = { "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xed\xbf\xbf",
				   "\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xc3", "\x80" };
	for (size_t i = 0; i < ARRAY_SIZE(not_utf8); i++) {
		char t[128];
		snprintf(t, sizeof(t), "{\"method\":\"a.B\",\"parameters\":{\"data\":\"x%sy\"}}", not_utf8[i]);
		expect_bad(t, "invalid JSON");
		snprintf(t, sizeof(t), "{\"method\":\"a.B\"/* %s */}", not_utf8[i]);
		expect_bad(t, "invalid JSON");
	}
	/* valid UTF-8 at each length's bounds is taken */
	const char *utf8 = "{\"method\":\"a.B\",\"parameters\":{\"data\":\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf"
			   "\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"}}";
	assert_int_equal(vl_message_parse(utf8, strlen(utf8), &m, &err), 0);
	vl_message_release(&m);
}

/* A parameter's NUL (issue 43): the call is whole, to be answered with
 * InvalidParameter naming it, and its method sees no parameter at all.
 * A NUL anywhere else is the message's fault. The scanner declines it. */
static void test_message_parse_nul(void **state)
{
	vl_message m;
	_cleanup_cerr_ cerr err = { 0 };
	const char *t = "{\"method\":\"io.corral.Supervisor.Login\",\"parameters\":{\"registry\":"
			"\"127.0.0.1:5800\\u0000x\",\"username\":\"u\"},\"more\":true}";
	assert_int_equal(vl_message_parse(t, strlen(t), &m, &err), -EILSEQ);
	assert_string_equal(m.method, "io.corral.Supervisor.Login");
	assert_true(m.more);
	assert_string_equal(m.nul_param, "registry");
	assert_true(YAJL_IS_OBJECT(m.params));
	assert_int_equal(m.params->u.object.len, 0);
	assert_string_equal(cerr_msg(&err), "message: parameters.registry: holds a NUL (\\u0000)");
	vl_message_release(&m);
	cerr_clear(&err);
	const char *bad[] = {
		"{\"method\":\"a.B\\u0000\",\"parameters\":{}}",
		"{\"method\":1,\"parameters\":{\"a\":\"\\u0000\"}}",
		"{\"method\":\"a.B\",\"more\":true,\"oneway\":true,\"parameters\":{\"a\":\"\\u0000\"}}",
		"[\"\\u0000\"]",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = vl_message_parse(bad[i], strlen(bad[i]), &m, &err);
		if (r >= 0 || r == -EILSEQ || m.tree || m.nul_param[0])
			fail_msg("%s: %d, kept", bad[i], r);
		cerr_clear(&err);
	}
	vl_message_text mt;
	const char *scan = "{\"method\":\"a.B\",\"parameters\":{\"a\":\"\\u0000\"}}";
	assert_false(vl_message_scan(scan, strlen(scan), &mt));
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

/* vl_message_scan takes a call only as vl_message_parse would read it: the
 * same method and flags, the parameters' text the tree's object. */
static void scan_ok(const char *text, const char *method, const char *params, bool more, bool oneway, bool upgrade)
{
	vl_message_text mt;
	if (!vl_message_scan(text, strlen(text), &mt))
		fail_msg("not scanned: %s", text);
	assert_int_equal(mt.method_len, strlen(method));
	assert_memory_equal(mt.method, method, mt.method_len);
	if (mt.params_len != strlen(params) || memcmp(mt.params, params, mt.params_len))
		fail_msg("params [%.*s], not [%s]", (int)mt.params_len, mt.params, params);
	assert_int_equal(mt.more, more);
	assert_int_equal(mt.oneway, oneway);
	assert_int_equal(mt.upgrade, upgrade);
	vl_message m;
	cerr err = { 0 };
	if (vl_message_parse(text, strlen(text), &m, &err) < 0)
		fail_msg("scanned, but the tree's way refuses %s: %s", text, cerr_msg(&err));
	assert_string_equal(m.method, method);
	assert_int_equal(m.more, more);
	assert_int_equal(m.oneway, oneway);
	assert_int_equal(m.upgrade, upgrade);
	assert_true(YAJL_IS_OBJECT(m.params));
	vl_message_release(&m);
}

static void scan_declined(const char *text)
{
	vl_message_text mt;
	if (vl_message_scan(text, strlen(text), &mt))
		fail_msg("scanned: %s", text);
}

static void test_message_scan(void **state)
{
	const char *P = "io.corral.Broker.Publish";
	scan_ok("{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":1}}", P,
		"{\"topic\":\"t\",\"data\":1}", false, false, false);
	/* space around every token, and inside the parameters */
	scan_ok(" {\n\t\"method\" :\"io.corral.Broker.Publish\" ,\r\n \"parameters\" : { \"topic\" : \"t\" } , "
		"\"more\" : true } \n",
		P, "{ \"topic\" : \"t\" }", true, false, false);
	/* absent or null parameters are {} */
	scan_ok("{\"method\":\"a.B\"}", "a.B", "{}", false, false, false);
	scan_ok("{\"parameters\":null,\"method\":\"a.B\"}", "a.B", "{}", false, false, false);
	/* flags: booleans or null, in any order */
	scan_ok("{\"oneway\":true,\"method\":\"a.B\",\"more\":false,\"upgrade\":null}", "a.B", "{}", false, true, false);
	scan_ok("{\"method\":\"a.B\",\"more\":null,\"oneway\":false,\"upgrade\":true}", "a.B", "{}", false, false, true);
	/* a method with UTF-8 and space is a string like any */
	scan_ok("{\"method\":\"a.caf\xc3\xa9 x\"}", "a.caf\xc3\xa9 x", "{}", false, false, false);

	/* declined: each goes the tree's way, which answers it */
	scan_declined("{\"method\":\"a.B\",\"method\":\"io.corral.Broker.Publish\"}");
	scan_declined("{\"method\":\"io.corral.Broker.Publish\",\"method\":\"a.B\"}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":{},\"parameters\":{\"topic\":\"t\"}}");
	scan_declined("{\"method\":\"a.B\",\"more\":true,\"more\":false}");
	scan_declined("{\"method\":\"a.B\",\"oneway\":false,\"oneway\":false}");
	scan_declined("{\"method\":\"a.B\",\"upgrade\":false,\"upgrade\":true}");
	scan_declined("{\"method\":\"a.B\",\"from\":\"host\"}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":{\"data\":1},\"from\":\"host\"}");
	scan_declined("{\"method\":\"a.B\",\"more\":true,\"oneway\":true}");
	scan_declined("{\"method\":\"io.corral.Broker.Publis\\u0068\"}");
	scan_declined("{\"method\":\"a\\/B\"}");
	scan_declined("{\"m\\u0065thod\":\"a.B\"}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":\"{}\"}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":[]}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":1}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":true}");
	scan_declined("{\"method\":\"a.B\",\"more\":1}");
	scan_declined("{\"method\":\"a.B\",\"more\":\"true\"}");
	scan_declined("{\"method\":\"a.B\",\"oneway\":[]}");
	scan_declined("{\"method\":\"\"}");
	scan_declined("{\"method\":1}");
	scan_declined("{\"method\":null}");
	scan_declined("{\"parameters\":{}}");
	scan_declined("{}");
	scan_declined("[]");
	scan_declined("");
	/* not JSON at all: comments, garbage, invalid UTF-8 anywhere */
	scan_declined("{\"method\":\"a.B\"/* \" */}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":{\"topic\":\"t\",/*\"*/\"data\":1}}");
	scan_declined("{\"method\":\"a.B\"}x");
	scan_declined("{\"method\":\"a.B\"} {}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":{\"data\":\"\xc0\x80\"}}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":{\"data\":\"\xed\xa0\x80\"}}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":{\"data\":01}}");
	scan_declined("{\"method\":\"a.B\",\"parameters\":{\"data\":1,}}");
}

/* The whole call's depth is what json_parse bounds: 64 with the call. */
static void test_message_scan_depth(void **state)
{
	for (int extra = 60; extra <= 66; extra++) {
		/* call (1) + parameters (1) + data's levels */
		int data_levels = extra - 2;
		_cleanup_free_ char *s = malloc(200 + 2 * (size_t)data_levels);
		assert_non_null(s);
		char *p = s + sprintf(s, "{\"method\":\"a.B\",\"parameters\":{\"data\":");
		memset(p, '[', (size_t)data_levels);
		p += data_levels;
		memset(p, ']', (size_t)data_levels);
		p += data_levels;
		strcpy(p, "}}");
		vl_message_text mt;
		vl_message m;
		_cleanup_cerr_ cerr err = { 0 };
		bool scanned = vl_message_scan(s, strlen(s), &mt);
		int parsed = vl_message_parse(s, strlen(s), &m, &err);
		if (parsed == 0)
			vl_message_release(&m);
		assert_int_equal(scanned, extra <= JSON_MAX_DEPTH);
		assert_int_equal(parsed == 0, extra <= JSON_MAX_DEPTH);
	}
	/* 65 */
	char s[256];
	char *p = s + sprintf(s, "{\"method\":\"a.B\",\"parameters\":{\"data\":");
	memset(p, '[', 63);
	memset(p + 63, ']', 63);
	strcpy(p + 126, "}}");
	vl_message_text mt;
	assert_false(vl_message_scan(s, strlen(s), &mt));
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
		cmocka_unit_test(test_message_scan),
		cmocka_unit_test(test_message_parse_nul),
		cmocka_unit_test(test_message_scan_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
