/* supervisor/stream/spdy_frame.c and spdy_headers.c: SPDY/3.1's frames and
 * its compressed name/value blocks, and their bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/cleanup.h"
#include "supervisor/stream/spdy.h"
#include "supervisor/stream/spdy_headers.h"
#include "supervisor/stream/spdy_frame.h"

static void test_dictionary_is_spdy3s(void **state)
{
	size_t n;
	const uint8_t *d = spdy_dictionary(&n);
	assert_int_equal(n, 1423);
	assert_int_equal(adler32(adler32(0, Z_NULL, 0), d, (uInt)n), 0xe3c6a7c2);
}

static void test_frames_round_trip(void **state)
{
	_cleanup_strbuf_ strbuf b = STRBUF_INIT;
	assert_int_equal(spdy_put_data(&b, 5, SPDY_FLAG_FIN, "hello", 5), 0);
	assert_int_equal(spdy_put_rst(&b, 7, SPDY_CANCEL), 0);
	assert_int_equal(spdy_put_window_update(&b, 9, 1000), 0);
	spdy_frame f;
	_cleanup_cerr_ cerr err = { 0 };
	const uint8_t *p = (const uint8_t *)b.buf;
	ssize_t n = spdy_frame_parse(p, b.len, 1 << 20, &f, &err);
	assert_int_equal(n, 13);
	assert_false(f.control);
	assert_int_equal(f.stream_id, 5);
	assert_int_equal(f.flags, SPDY_FLAG_FIN);
	assert_memory_equal(f.payload, "hello", 5);
	p += n;
	n = spdy_frame_parse(p, b.len - 13, 1 << 20, &f, &err);
	assert_int_equal(n, 16);
	assert_true(f.control);
	assert_int_equal(f.type, SPDY_RST_STREAM);
	assert_int_equal(f.len, 8);
	assert_int_equal(f.payload[3], 7);
	assert_int_equal(f.payload[7], SPDY_CANCEL);
	p += n;
	assert_int_equal(spdy_frame_parse(p, 16, 1 << 20, &f, &err), 16);
	assert_int_equal(f.type, SPDY_WINDOW_UPDATE);
}

static void test_frames_need_more_and_bounds(void **state)
{
	_cleanup_strbuf_ strbuf b = STRBUF_INIT;
	char big[100] = { 0 };
	assert_int_equal(spdy_put_data(&b, 1, 0, big, sizeof(big)), 0);
	spdy_frame f;
	_cleanup_cerr_ cerr err = { 0 };
	/* a head alone, or a payload in part: more is needed */
	assert_int_equal(spdy_frame_parse((const uint8_t *)b.buf, 7, 1000, &f, &err), 0);
	assert_int_equal(spdy_frame_parse((const uint8_t *)b.buf, 50, 1000, &f, &err), 0);
	/* a length past the bound is refused from its head alone */
	assert_true(spdy_frame_parse((const uint8_t *)b.buf, 8, 99, &f, &err) < 0);
	assert_int_equal(err.code, EMSGSIZE);
	cerr_clear(&err);
	/* a control frame of another version */
	const uint8_t v2[8] = { 0x80, 2, 0, 1, 0, 0, 0, 0 };
	assert_true(spdy_frame_parse(v2, 8, 1000, &f, &err) < 0);
	assert_int_equal(err.code, EPROTO);
}

static void test_headers_round_trip_on_one_stream(void **state)
{
	spdy_zlib client = { 0 }, server = { 0 };
	for (int round = 0; round < 3; round++) { /* each block on the same zlib streams */
		spdy_header h[] = { { "streamtype", "stdout" }, { "port", "8080" }, { "requestid", round ? "1" : "0" } };
		_cleanup_strbuf_ strbuf z = STRBUF_INIT;
		assert_int_equal(spdy_headers_encode(&client, h, 3, &z), 0);
		spdy_headers hs;
		_cleanup_cerr_ cerr err = { 0 };
		assert_int_equal(spdy_headers_decode(&server, (const uint8_t *)z.buf, z.len, 65536, 100, &hs, &err), 0);
		assert_int_equal(hs.n, 3);
		assert_string_equal(spdy_header_get(&hs, "streamtype"), "stdout");
		assert_string_equal(spdy_header_get(&hs, "requestid"), round ? "1" : "0");
		assert_null(spdy_header_get(&hs, "nope"));
		spdy_headers_release(&hs);
	}
	spdy_zlib_release(&client);
	spdy_zlib_release(&server);
}

/* A block that inflates past the bound: refused, and what inflated stops there */
static void test_headers_compression_bomb(void **state)
{
	size_t raw_len = 64u << 20;
	uint8_t *raw = calloc(1, raw_len);
	assert_non_null(raw);
	raw[3] = 1; /* count 1, then a name of length 0x00ffffff... past its block */
	raw[4] = 0, raw[5] = 0xff, raw[6] = 0xff, raw[7] = 0xff;
	size_t dn;
	const uint8_t *d = spdy_dictionary(&dn);
	z_stream z = { 0 };
	assert_int_equal(deflateInit(&z, Z_BEST_COMPRESSION), Z_OK);
	assert_int_equal(deflateSetDictionary(&z, d, (uInt)dn), Z_OK);
	uLong bound = deflateBound(&z, raw_len);
	uint8_t *out = malloc(bound);
	z.next_in = raw, z.avail_in = (uInt)raw_len, z.next_out = out, z.avail_out = (uInt)bound;
	assert_int_equal(deflate(&z, Z_SYNC_FLUSH), Z_OK);
	size_t n = bound - z.avail_out;
	deflateEnd(&z);
	free(raw);
	assert_true(n < 100000); /* 64 MiB of zeros in well under 100 kB */
	spdy_zlib server = { 0 };
	spdy_headers hs;
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(spdy_headers_decode(&server, out, n, 65536, 100, &hs, &err) < 0);
	assert_int_equal(err.code, EMSGSIZE);
	assert_true(server.in.total_out <= 65536 + 4096 + 1);
	spdy_zlib_release(&server);
	free(out);
}

static void expect_refused(const uint8_t *raw, size_t len, size_t max_pairs, int code)
{
	size_t dn;
	const uint8_t *d = spdy_dictionary(&dn);
	z_stream z = { 0 };
	assert_int_equal(deflateInit(&z, Z_DEFAULT_COMPRESSION), Z_OK);
	assert_int_equal(deflateSetDictionary(&z, d, (uInt)dn), Z_OK);
	uint8_t out[4096];
	z.next_in = (Bytef *)raw, z.avail_in = (uInt)len, z.next_out = out, z.avail_out = sizeof(out);
	assert_int_equal(deflate(&z, Z_SYNC_FLUSH), Z_OK);
	size_t n = sizeof(out) - z.avail_out;
	deflateEnd(&z);
	spdy_zlib server = { 0 };
	spdy_headers hs;
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(spdy_headers_decode(&server, out, n, 65536, max_pairs, &hs, &err) < 0);
	assert_int_equal(err.code, code);
	spdy_zlib_release(&server);
}

static void test_headers_malformed(void **state)
{
	/* 2 pairs said, 1 there */
	const uint8_t short_block[] = { 0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'b' };
	expect_refused(short_block, sizeof(short_block), 100, EPROTO);
	/* a value's length past its block */
	const uint8_t long_value[] = { 0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 9, 'b' };
	expect_refused(long_value, sizeof(long_value), 100, EPROTO);
	/* an empty name */
	const uint8_t empty_name[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 'b' };
	expect_refused(empty_name, sizeof(empty_name), 100, EPROTO);
	/* more pairs than taken (the count alone says so) */
	const uint8_t many[] = { 0, 0, 0, 200 };
	expect_refused(many, sizeof(many), 100, EMSGSIZE);
	/* bytes that are not zlib's */
	spdy_zlib server = { 0 };
	spdy_headers hs;
	_cleanup_cerr_ cerr err = { 0 };
	const uint8_t junk[] = "not zlib at all";
	assert_true(spdy_headers_decode(&server, junk, sizeof(junk), 65536, 100, &hs, &err) < 0);
	assert_int_equal(err.code, EPROTO);
	spdy_zlib_release(&server);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dictionary_is_spdy3s),
		cmocka_unit_test(test_frames_round_trip),
		cmocka_unit_test(test_frames_need_more_and_bounds),
		cmocka_unit_test(test_headers_round_trip_on_one_stream),
		cmocka_unit_test(test_headers_compression_bomb),
		cmocka_unit_test(test_headers_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
