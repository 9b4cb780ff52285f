/* supervisor/logs/crilog.c: the CRI log writer, its timestamps, long lines,
 * and rotation that loses nothing. */
#include "crilog_fixture.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "supervisor/logs/crilog.h"

static void test_time_format_and_parse(void **state)
{
	char buf[48];
	assert_string_equal(crilog_format_time(T0, buf, sizeof(buf)), "2023-11-14T22:13:20.123456789Z");
	long long ns;
	assert_int_equal(crilog_parse_time(buf, strlen(buf), &ns), 0);
	assert_int_equal(ns, T0);
	const char *off = "2023-11-15T00:13:20.5+02:00";
	assert_int_equal(crilog_parse_time(off, strlen(off), &ns), 0);
	assert_int_equal(ns, 1700000000500000000ll);
	const char *bad[] = { "2023-11-14", "2023-13-14T22:13:20Z", "2023-11-14T22:13:20", "2023-11-14T22:13:20.Z",
			      "2023-11-14T22:13:20Zjunk", "2023-11-14 22:13:20Z" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(crilog_parse_time(bad[i], strlen(bad[i]), &ns), -22);
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(crilog_parse_since("1700000000.5", &ns, &err), 0);
	assert_int_equal(ns, 1700000000500000000ll);
	assert_true(crilog_parse_since("yesterday", &ns, &err) < 0);
	assert_non_null(strstr(err.msg, "yesterday"));
}

static void test_writer_full_and_partial(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 0, 0, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "one\ntwo\nthr", 11, T0, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDERR, "ee\n\n", 4, T0 + 1, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "ee\n", 3, T0 + 2, &err), 0);
	crilog_close(&l);
	_cleanup_free_ char *s = slurp(path);
	assert_string_equal(s,
		"2023-11-14T22:13:20.123456789Z stdout F one\n"
		"2023-11-14T22:13:20.123456789Z stdout F two\n"
		"2023-11-14T22:13:20.123456789Z stdout P thr\n"
		"2023-11-14T22:13:20.123456790Z stderr F ee\n"
		"2023-11-14T22:13:20.123456790Z stderr F \n"
		"2023-11-14T22:13:20.123456791Z stdout F ee\n");
}

static void test_writer_long_line_split(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 0, 0, &err), 0);
	l.max_line = 4;
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "abcdefghij\n", 11, T0, &err), 0);
	crilog_close(&l);
	_cleanup_free_ char *s = slurp(path);
	assert_non_null(strstr(s, "stdout P abcd\n"));
	assert_non_null(strstr(s, "stdout P efgh\n"));
	assert_non_null(strstr(s, "stdout F ij\n"));
}

static void test_rotation_keeps_everything(void **state)
{
	crilog l;
	cerr err = { 0 };
	/* each record is 44 bytes; 200-byte files hold four of them */
	assert_int_equal(crilog_open(&l, path, 200, 3, &err), 0);
	int fd_before = open(path, O_RDONLY);
	for (int i = 0; i < 10; i++) {
		char line[16];
		int n = snprintf(line, sizeof(line), "line-%04d\n", i);
		assert_int_equal(crilog_write(&l, CRILOG_STDOUT, line, (size_t)n, T0 + i, &err), 0);
	}
	crilog_close(&l);
	/* the reader of the first file still sees it whole: renamed, not truncated */
	char buf[512];
	ssize_t n = read(fd_before, buf, sizeof(buf) - 1);
	close(fd_before);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "line-0000"));
	assert_non_null(strstr(buf, "line-0003"));
	/* keep 3: ctr.log, .1 and .2; the oldest went away */
	char p[160];
	snprintf(p, sizeof(p), "%s.3", path);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s.2", path);
	_cleanup_free_ char *two = slurp(p);
	snprintf(p, sizeof(p), "%s.1", path);
	_cleanup_free_ char *one = slurp(p);
	_cleanup_free_ char *live = slurp(path);
	assert_non_null(two);
	assert_non_null(one);
	assert_non_null(strstr(two, "line-0001"));
	assert_non_null(strstr(one, "line-0004"));
	assert_non_null(strstr(live, "line-0009"));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size <= 200);
}

/* A burst read in one go is many records: they go into files of at most
 * max_size each, rotated between records, none lost that the files keep */
static void test_a_burst_rotates_between_its_records(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 200, 3, &err), 0);
	char burst[200];
	size_t len = 0;
	for (int i = 0; i < 16; i++)
		len += (size_t)snprintf(burst + len, sizeof(burst) - len, "line-%04d\n", i);
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, burst, len, T0, &err), 0);
	crilog_close(&l);
	const char *names[] = { "", ".1", ".2" };
	for (size_t i = 0; i < 3; i++) {
		char p[160];
		struct stat st;
		snprintf(p, sizeof(p), "%s%s", path, names[i]);
		assert_int_equal(stat(p, &st), 0);
		assert_true(st.st_size > 0 && st.st_size <= 200);
	}
	_cleanup_free_ char *live = slurp(path);
	assert_non_null(strstr(live, "line-0015\n"));
	size_t record = (size_t)(strchr(live, '\n') - live) + 1; /* all alike */
	assert_true(strlen(live) % record == 0); /* whole records */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_format_and_parse),
		cmocka_unit_test_setup_teardown(test_writer_full_and_partial, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_writer_long_line_split, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_rotation_keeps_everything, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_a_burst_rotates_between_its_records, ctr_log_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
