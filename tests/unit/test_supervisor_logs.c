#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "supervisor/audit.h"
#include "supervisor/crilog.h"
#include "supervisor/crilog_reader.h"
#include "supervisor/rotate.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	strcpy(dir, "/tmp/corral-log-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctr.log", dir);
	return 0;
}

static int teardown(void **state)
{
	rm_rf(dir);
	return 0;
}

static char *slurp(const char *p)
{
	char *s = NULL;
	cerr err = { 0 };
	if (read_file(p, 1 << 24, &s, NULL, &err) < 0) {
		cerr_clear(&err);
		return NULL;
	}
	return s;
}

#define T0 1700000000123456789ll

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
	cerr err = { 0 };
	assert_int_equal(crilog_parse_since("1700000000.5", &ns, &err), 0);
	assert_int_equal(ns, 1700000000500000000ll);
	assert_true(crilog_parse_since("yesterday", &ns, &err) < 0);
	assert_non_null(strstr(err.msg, "yesterday"));
	cerr_clear(&err);
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

struct collected {
	char text[64][64];
	int partial[64];
	int stream[64];
	int n;
};

static int collect(const crilog_line *l, void *data)
{
	struct collected *c = data;
	if (c->n < 64) {
		snprintf(c->text[c->n], 64, "%s", l->text);
		c->partial[c->n] = l->partial;
		c->stream[c->n] = l->stream;
		c->n++;
	}
	return 0;
}

static void test_reader_joins_and_tails(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 200, 5, &err), 0);
	for (int i = 0; i < 10; i++) {
		char line[16];
		int n = snprintf(line, sizeof(line), "line-%04d\n", i);
		assert_int_equal(crilog_write(&l, CRILOG_STDOUT, line, (size_t)n, T0 + i, &err), 0);
	}
	/* a line written in three pieces, interleaved with stderr */
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "hel", 3, T0 + 20, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDERR, "oops\n", 5, T0 + 21, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "lo", 2, T0 + 22, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, " world\nend", 10, T0 + 23, &err), 0);
	crilog_close(&l);

	struct collected c = { 0 };
	crilog_read_opts all = { .tail = -1, .keep = 5 };
	assert_int_equal(crilog_read(path, &all, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 13);
	assert_string_equal(c.text[0], "line-0000");
	assert_string_equal(c.text[9], "line-0009");
	assert_string_equal(c.text[10], "oops");
	assert_int_equal(c.stream[10], CRILOG_STDERR);
	assert_string_equal(c.text[11], "hello world");
	assert_string_equal(c.text[12], "end");
	assert_true(c.partial[12]);

	memset(&c, 0, sizeof(c));
	crilog_read_opts tail = { .tail = 3, .keep = 5 };
	assert_int_equal(crilog_read(path, &tail, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.text[0], "oops");
	assert_string_equal(c.text[2], "end");

	memset(&c, 0, sizeof(c));
	crilog_read_opts since = { .tail = -1, .keep = 5, .since_ns = T0 + 8 };
	assert_int_equal(crilog_read(path, &since, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.text[0], "line-0008");
}

static void test_reader_follow_across_rotation(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 100, 5, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "a\n", 2, T0, &err), 0);
	struct collected c = { 0 };
	crilog_cursor cur;
	crilog_read_opts all = { .tail = -1, .keep = 5 };
	assert_int_equal(crilog_read(path, &all, collect, &c, &cur, &err), 0);
	assert_int_equal(c.n, 1);
	/* enough to rotate twice while the follower is not looking */
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "b\nc", 3, T0 + 1, &err), 0);
	assert_int_equal(crilog_cursor_poll(&cur, collect, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "c\n", 2, T0 + 2, &err), 0);
	assert_int_equal(crilog_write(&l, CRILOG_STDERR, "d\n", 2, T0 + 3, &err), 0);
	assert_int_equal(crilog_cursor_poll(&cur, collect, &c, &err), 0);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.text[1], "b");
	assert_string_equal(c.text[2], "cc");
	assert_string_equal(c.text[3], "d");
	assert_int_equal(cur.bad, 0);
	crilog_cursor_close(&cur);
	crilog_close(&l);
}

static void test_reader_skips_garbage(void **state)
{
	cerr err = { 0 };
	const char *text = "garbage\n2023-11-14T22:13:20.1Z stdout X bad-tag\n"
			   "2023-11-14T22:13:20.1Z stdout F good\n2023-11-14T22:13:20.1Z stdin F nope\n";
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0600, &err), 0);
	struct collected c = { 0 };
	crilog_cursor cur;
	crilog_read_opts all = { .tail = -1, .keep = 1 };
	assert_int_equal(crilog_read(path, &all, collect, &c, &cur, &err), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.text[0], "good");
	assert_int_equal(cur.bad, 3);
	crilog_cursor_close(&cur);
}

static void test_audit_lines_and_rotation(void **state)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/audit.log", dir);
	audit_log a = { 0 };
	cerr err = { 0 };
	assert_int_equal(audit_open(&a, p, 400, 2, &err), 0);
	peer_cred peer = { .pid = 42, .uid = 65534, .gid = 65534 };
	assert_int_equal(audit_write(&a, &peer, "io.corral.Supervisor.Remove", "web\"1",
				     "io.corral.Supervisor.PermissionDenied", NULL, &err), 0);
	_cleanup_free_ char *s = slurp(p);
	assert_non_null(strstr(s, "\"uid\":65534,\"gid\":65534,\"pid\":42,"
				  "\"method\":\"io.corral.Supervisor.Remove\",\"target\":\"web\\\"1\","
				  "\"result\":\"io.corral.Supervisor.PermissionDenied\"}\n"));
	yajl_val v = NULL;
	*strchr(s, '\n') = '\0';
	assert_int_equal(json_parse(s, "audit", &v, &err), 0);
	assert_true(YAJL_IS_STRING(json_get(v, "time")));
	yajl_tree_free(v);
	for (int i = 0; i < 10; i++)
		assert_int_equal(audit_write(&a, &peer, "io.corral.Supervisor.Start", "x", "ok", NULL, &err), 0);
	audit_close(&a);
	char p1[170];
	snprintf(p1, sizeof(p1), "%s.1", p);
	assert_int_equal(access(p1, F_OK), 0);
	snprintf(p1, sizeof(p1), "%s.2", p);
	assert_int_equal(access(p1, F_OK), -1);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_true(st.st_size <= 400);
	assert_int_equal(st.st_mode & 0777, 0600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_format_and_parse),
		cmocka_unit_test_setup_teardown(test_writer_full_and_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_long_line_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_joins_and_tails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_follow_across_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_skips_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_lines_and_rotation, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
