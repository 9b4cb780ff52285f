/* supervisor/logs/crilog_mask.c: --secret NAME,mask=true. A record that
 * holds a masked value is written as [REDACTED]; others as they are; the
 * values come through an fd, as the monitor gets them. */
#include "crilog_fixture.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "supervisor/logs/crilog.h"

/* values written as corrald writes the mask file, read back from an fd */
static void load(crilog_mask *m, const char *const *values)
{
	secbuf b = { 0 };
	for (; *values; values++)
		assert_int_equal(crilog_mask_add(&b, *values, strlen(*values)), 0);
	int fd = memfd_create("mask", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b.p, b.len), (ssize_t)b.len);
	lseek(fd, 0, SEEK_SET);
	secbuf_release(&b);
	cerr err = { 0 };
	assert_int_equal(crilog_mask_load(m, fd, &err), 0);
	close(fd);
}

static void test_masked_lines_are_redacted(void **state)
{
	crilog_mask m = { 0 };
	load(&m, (const char *const[]){ "s3cr3t-value", "other-one", NULL });
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 0, 0, &err), 0);
	l.mask = &m;
	const char out[] = "before\nthe key is s3cr3t-value, ok\nplain\nother-one\ns3cr3t-valu\n";
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, out, strlen(out), T0, &err), 0);
	crilog_close(&l);
	crilog_mask_release(&m);
	assert_null(m.buf.p);
	_cleanup_free_ char *got = slurp(path);
	assert_string_equal(got, "2023-11-14T22:13:20.123456789Z stdout F before\n"
				 "2023-11-14T22:13:20.123456789Z stdout F [REDACTED]\n"
				 "2023-11-14T22:13:20.123456789Z stdout F plain\n"
				 "2023-11-14T22:13:20.123456789Z stdout F [REDACTED]\n"
				 "2023-11-14T22:13:20.123456789Z stdout F s3cr3t-valu\n");
}

static void test_no_mask_no_change(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 0, 0, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDERR, "s3cr3t\n", 7, T0, &err), 0);
	crilog_close(&l);
	_cleanup_free_ char *got = slurp(path);
	assert_string_equal(got, "2023-11-14T22:13:20.123456789Z stderr F s3cr3t\n");
}

static void test_truncated_mask_is_safe(void **state)
{
	crilog_mask m = { 0 };
	load(&m, (const char *const[]){ "abcd", NULL });
	m.buf.p[0] = 200; /* a length past the end: the rest is ignored, nothing read beyond */
	assert_false(crilog_mask_hit(&m, "abcd", 4));
	m.buf.p[0] = 4;
	assert_true(crilog_mask_hit(&m, "xxabcdxx", 8));
	assert_false(crilog_mask_hit(&m, "abc", 3));
	crilog_mask_release(&m);
}

/* the live stream: the lines that hold a value, as the log's records; a
 * tty's \r and the newlines kept; bytes with none go as they are */
static void test_stream_is_redacted_line_by_line(void **state)
{
	crilog_mask m = { 0 };
	load(&m, (const char *const[]){ "s3cr3t-value", NULL });
	_cleanup_strbuf_ strbuf out = STRBUF_INIT;
	const char plain[] = "nothing here\n";
	assert_int_equal(crilog_mask_redact(&m, plain, strlen(plain), &out), 0);
	assert_int_equal(crilog_mask_redact(NULL, plain, strlen(plain), &out), 0);
	const char chunk[] = "before\r\nkey=s3cr3t-value\r\nafter\ns3cr3t-value";
	assert_int_equal(crilog_mask_redact(&m, chunk, strlen(chunk), &out), 1);
	assert_int_equal(out.len, strlen("before\r\n[REDACTED]\r\nafter\n[REDACTED]"));
	assert_memory_equal(out.buf, "before\r\n[REDACTED]\r\nafter\n[REDACTED]", out.len);
	crilog_mask_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_masked_lines_are_redacted, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_no_mask_no_change, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_truncated_mask_is_safe, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_stream_is_redacted_line_by_line, ctr_log_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
