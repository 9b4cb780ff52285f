/* supervisor/varlink/streams.c: Streams frames, encoded and cut back out,
 * split anywhere; and garbage refused at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "supervisor/varlink/streams.h"

static void feed(stream_reader *r, const void *data, size_t n)
{
	char *p;
	size_t room;
	assert_int_equal(stream_reader_reserve(r, n, &p, &room), 0);
	memcpy(p, data, n);
	stream_reader_commit(r, n);
}

static void test_frames_round_trip(void **state)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(stream_put(&sb, STREAM_STDOUT, "hello", 5), 0);
	assert_int_equal(stream_put(&sb, STREAM_STDERR, NULL, 0), 0);
	assert_int_equal(stream_put_u32(&sb, STREAM_EXIT, 130), 0);
	assert_int_equal(sb.len, 5 + 5 + 5 + 9);
	assert_memory_equal(sb.buf, "\x01\x00\x00\x00\x05hello", 10);
	assert_memory_equal(sb.buf + 15, "\x05\x00\x00\x00\x04\x00\x00\x00\x82", 9);
	/* cut back out, fed one byte at a time */
	stream_reader r;
	stream_reader_init(&r, STREAM_AT_CLIENT);
	stream_frame f;
	int got = 0;
	for (size_t i = 0; i < sb.len; i++) {
		feed(&r, sb.buf + i, 1);
		while (stream_reader_next(&r, &f) == 1) {
			if (got == 0) {
				assert_int_equal(f.kind, STREAM_STDOUT);
				assert_int_equal(f.len, 5);
				assert_memory_equal(f.data, "hello", 5);
			} else if (got == 1) {
				assert_int_equal(f.kind, STREAM_STDERR);
				assert_int_equal(f.len, 0);
			} else {
				assert_int_equal(f.kind, STREAM_EXIT);
				assert_int_equal(stream_frame_u32(&f), 130);
			}
			got++;
		}
	}
	assert_int_equal(got, 3);
	assert_int_equal(stream_reader_pending(&r), 0);
	stream_reader_release(&r);
}

static void test_client_kinds(void **state)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(stream_put(&sb, STREAM_STDIN, "ls\n", 3), 0);
	assert_int_equal(stream_put_resize(&sb, 40, 132), 0);
	assert_int_equal(stream_put(&sb, STREAM_CLOSE_STDIN, NULL, 0), 0);
	assert_int_equal(stream_put_u32(&sb, STREAM_SIGNAL, 2), 0);
	stream_reader r;
	stream_reader_init(&r, STREAM_AT_CONTAINER);
	feed(&r, sb.buf, sb.len);
	stream_frame f;
	assert_int_equal(stream_reader_next(&r, &f), 1);
	assert_int_equal(f.kind, STREAM_STDIN);
	assert_memory_equal(f.data, "ls\n", 3);
	assert_int_equal(stream_reader_next(&r, &f), 1);
	unsigned rows, cols;
	stream_frame_size(&f, &rows, &cols);
	assert_int_equal(rows, 40);
	assert_int_equal(cols, 132);
	assert_int_equal(stream_reader_next(&r, &f), 1);
	assert_int_equal(f.kind, STREAM_CLOSE_STDIN);
	assert_int_equal(stream_reader_next(&r, &f), 1);
	assert_int_equal(f.kind, STREAM_SIGNAL);
	assert_int_equal(stream_frame_u32(&f), 2);
	assert_int_equal(stream_reader_next(&r, &f), 0);
	stream_reader_release(&r);
}

static void expect_garbage(enum stream_side side, const char *bytes, size_t n)
{
	stream_reader r;
	stream_reader_init(&r, side);
	feed(&r, bytes, n);
	stream_frame f;
	assert_int_equal(stream_reader_next(&r, &f), -EPROTO);
	stream_reader_release(&r);
}

/* Each side refuses what it never takes, and sizes that cannot be right,
 * before the payload comes: a peer cannot make us buffer garbage. */
static void test_garbage_refused(void **state)
{
	expect_garbage(STREAM_AT_CONTAINER, "\x08", 1);                           /* unknown kind */
	expect_garbage(STREAM_AT_CLIENT, "\x08", 1);
	expect_garbage(STREAM_AT_CONTAINER, "\x07\x00\x00\x00\x01x", 6);          /* STAT from a client */
	expect_garbage(STREAM_AT_CONTAINER, "G", 1);                              /* text, e.g. HTTP */
	expect_garbage(STREAM_AT_CONTAINER, "\x01\x00\x00\x00\x01x", 6);          /* STDOUT from a client */
	expect_garbage(STREAM_AT_CONTAINER, "\x05\x00\x00\x00\x04\x00\x00\x00\x00", 9); /* EXIT from a client */
	expect_garbage(STREAM_AT_CONTAINER, "\x03\x00\x00\x00\x02xx", 7);         /* RESIZE of 2 bytes */
	expect_garbage(STREAM_AT_CONTAINER, "\x04\x00\x00\x00\x01x", 6);          /* CLOSE_STDIN with data */
	expect_garbage(STREAM_AT_CONTAINER, "\x00\x7f\xff\xff\xff", 5);           /* 2 GiB of stdin */
	expect_garbage(STREAM_AT_CLIENT, "\x00\x00\x00\x00\x00", 5);              /* STDIN to a client */
	expect_garbage(STREAM_AT_CLIENT, "\x06\x00\x00\x00\x04\x00\x00\x00\x09", 9); /* SIGNAL to a client */
	/* the bound itself is fine */
	stream_reader r;
	stream_reader_init(&r, STREAM_AT_CONTAINER);
	feed(&r, "\x00\x00\x10\x00\x00", 5);
	stream_frame f;
	assert_int_equal(stream_reader_next(&r, &f), 0);
	stream_reader_release(&r);
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(stream_put(&sb, STREAM_STDOUT, "", STREAM_MAX_PAYLOAD + 1), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_round_trip),
		cmocka_unit_test(test_client_kinds),
		cmocka_unit_test(test_garbage_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
