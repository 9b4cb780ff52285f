/* supervisor/logs/crilog_reader.c and crilog_files.c: reading the CRI log
 * back, joined, tailed across rotated files, followed, in bounded pieces. */
#include "crilog_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/logs/crilog_files.h"
#include "supervisor/logs/crilog_reader.h"
#include "supervisor/logs/rotate.h"

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

	/* a tail counts records, as kubelet's does: a line written in pieces
	 * is several, and the first may be the end of a line */
	memset(&c, 0, sizeof(c));
	crilog_read_opts tail = { .tail = 5, .keep = 5 };
	assert_int_equal(crilog_read(path, &tail, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.text[0], "oops");
	assert_string_equal(c.text[1], "hello world");
	assert_string_equal(c.text[2], "end");
	memset(&c, 0, sizeof(c));
	tail.tail = 3;
	assert_int_equal(crilog_read(path, &tail, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.text[0], "lo world");
	assert_false(c.partial[0]);
	assert_string_equal(c.text[1], "end");
	assert_true(c.partial[1]);

	memset(&c, 0, sizeof(c));
	crilog_read_opts since = { .tail = -1, .keep = 5, .since_ns = T0 + 8 };
	assert_int_equal(crilog_read(path, &since, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.text[0], "line-0008");

	/* until: up to that time, itself included; with since, the lines between */
	memset(&c, 0, sizeof(c));
	crilog_read_opts until = { .tail = -1, .keep = 5, .until_ns = T0 + 2 };
	assert_int_equal(crilog_read(path, &until, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.text[2], "line-0002");
	memset(&c, 0, sizeof(c));
	crilog_read_opts between = { .tail = -1, .keep = 5, .since_ns = T0 + 4, .until_ns = T0 + 5 };
	assert_int_equal(crilog_read(path, &between, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.text[0], "line-0004");
	assert_string_equal(c.text[1], "line-0005");
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

#define REC "2023-11-14T22:13:20.1Z stdout F " /* 32 bytes */

/* Records of every length (one ends exactly at a block's end), in a file
 * of 60 blocks: the offset of where the last N begin, for every kind of N */
static void test_tail_offset_across_blocks(void **state)
{
	enum { N = 20000 };
	static off_t at[N + 1]; /* where each record begins; at[N]: the end */
	strbuf sb = { 0 };
	for (int i = 0; i < N; i++) {
		at[i] = (off_t)sb.len;
		size_t pad = (size_t)(i * 7919) % 300;
		size_t len = strlen(REC) + 10 + pad + 1;
		if (sb.len < CRILOG_TAIL_BLOCK && sb.len + len > CRILOG_TAIL_BLOCK)
			pad += CRILOG_TAIL_BLOCK - (sb.len + len); /* ends at the block's end */
		if (sb.len < CRILOG_TAIL_BLOCK && sb.len + strlen(REC) + 10 + pad + 1 > CRILOG_TAIL_BLOCK)
			pad = 0; /* does not fit: let it cross */
		assert_int_equal(sb_addf(&sb, REC "rec-%05d:%*s\n", i, (int)pad, ""), 0);
	}
	at[N] = (off_t)sb.len;
	cerr err = { 0 };
	assert_int_equal(write_file_atomic(path, sb.buf, sb.len, 0600, &err), 0);
	assert_true(sb.len > 50 * CRILOG_TAIL_BLOCK);
	bool boundary = false;
	for (int i = 0; i <= N; i++)
		boundary |= at[i] == CRILOG_TAIL_BLOCK;
	assert_true(boundary);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	const long wants[] = { 0, 1, 2, 3, 57, 777, 9999, N - 1, N, N + 1, 100000 };
	for (size_t k = 0; k < sizeof(wants) / sizeof(wants[0]); k++) {
		off_t start = -1;
		long found = -1;
		assert_int_equal(crilog_tail_offset(fd, wants[k], &start, &found), 0);
		long expect = wants[k] < N ? wants[k] : N;
		assert_int_equal(found, expect);
		assert_int_equal(start, at[N - expect]);
	}
	/* every record that begins at a block's end, too */
	for (int i = 1; i < N; i++) {
		if (at[i] % CRILOG_TAIL_BLOCK)
			continue;
		off_t start;
		long found;
		assert_int_equal(crilog_tail_offset(fd, N - i, &start, &found), 0);
		assert_int_equal(start, at[i]);
	}
	close(fd);
	sb_release(&sb);
	/* and through crilog_read, from the right record on */
	struct collected c = { 0 };
	crilog_read_opts tail = { .tail = 3, .keep = 1 };
	assert_int_equal(crilog_read(path, &tail, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 3);
	assert_memory_equal(c.text[0], "rec-19997:", 10);
	assert_memory_equal(c.text[2], "rec-19999:", 10);
}

/* A record still being written is no record yet: not counted, not read;
 * a follower gets it once its newline is there */
static void test_tail_without_trailing_newline(void **state)
{
	const char *text = REC "A\n" REC "B\n" REC "C-is-being-wr";
	cerr err = { 0 };
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0600, &err), 0);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	off_t start;
	long found;
	assert_int_equal(crilog_tail_offset(fd, 1, &start, &found), 0);
	assert_int_equal(found, 1);
	assert_int_equal(start, strlen(REC "A\n"));
	assert_int_equal(crilog_tail_offset(fd, 0, &start, &found), 0);
	assert_int_equal(found, 0);
	assert_int_equal(start, strlen(REC "A\n" REC "B\n"));
	assert_int_equal(crilog_tail_offset(fd, 5, &start, &found), 0);
	assert_int_equal(found, 2);
	assert_int_equal(start, 0);
	close(fd);
	struct collected c = { 0 };
	crilog_cursor cur;
	crilog_read_opts tail = { .tail = 1, .keep = 1 };
	assert_int_equal(crilog_read(path, &tail, collect, &c, &cur, &err), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.text[0], "B");
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_int_equal(write(fd, "itten\n", 6), 6);
	close(fd);
	assert_int_equal(crilog_cursor_poll(&cur, collect, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.text[1], "C-is-being-written");
	assert_int_equal(cur.bad, 0);
	crilog_cursor_close(&cur);
}

/* A tail across rotated files opens only those it needs; one larger than
 * the log is all of it */
static void test_tail_across_files_and_fewer_than_asked(void **state)
{
	crilog l;
	cerr err = { 0 };
	/* 50-byte records, four to a 200-byte file: ctr.log.2 holds 0-3, .1
	 * 4-7, and ctr.log 8 and 9 */
	assert_int_equal(crilog_open(&l, path, 200, 3, &err), 0);
	for (int i = 0; i < 10; i++) {
		char line[16];
		int n = snprintf(line, sizeof(line), "line-%04d\n", i);
		assert_int_equal(crilog_write(&l, CRILOG_STDOUT, line, (size_t)n, T0 + i, &err), 0);
	}
	crilog_close(&l);
	crilog_files f;
	assert_int_equal(crilog_files_open(&f, path, 3, 2, &err), 0);
	assert_int_equal(f.n, 1);
	assert_true(f.live);
	assert_int_equal(f.start, 0);
	crilog_files_close(&f);
	assert_int_equal(crilog_files_open(&f, path, 3, 5, &err), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.start, 50);
	crilog_files_close(&f);
	struct collected c = { 0 };
	crilog_read_opts tail = { .tail = 5, .keep = 3 };
	assert_int_equal(crilog_read(path, &tail, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.text[0], "line-0005");
	assert_string_equal(c.text[4], "line-0009");
	memset(&c, 0, sizeof(c));
	tail.tail = 100;
	assert_int_equal(crilog_read(path, &tail, collect, &c, NULL, &err), 0);
	assert_int_equal(c.n, 10);
	assert_string_equal(c.text[0], "line-0000");
	assert_string_equal(c.text[9], "line-0009");
	assert_int_equal(crilog_files_open(&f, path, 3, 100, &err), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.start, 0);
	crilog_files_close(&f);
	/* with no live file yet (the container has not written), the rotated
	 * ones still count */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(crilog_files_open(&f, path, 3, 5, &err), 0);
	assert_int_equal(f.n, 2);
	assert_false(f.live);
	assert_int_equal(f.start, 3 * 50);
	crilog_files_close(&f);
}

struct tally {
	size_t n, bytes, max, n_partial;
	bool only_x;
	char last_text[8];
};

static int count(const crilog_line *l, void *data)
{
	struct tally *t = data;
	t->n++;
	t->bytes += l->len;
	t->max = l->len > t->max ? l->len : t->max;
	t->n_partial += l->partial;
	for (size_t i = 0; i < l->len; i++)
		t->only_x &= l->text[i] == 'x';
	snprintf(t->last_text, sizeof(t->last_text), "%s", l->len > 6 ? l->text + l->len - 6 : l->text);
	return 0;
}

#ifdef __SANITIZE_ADDRESS__
#define BOUND_DATA false /* its allocator maps memory of its own */
#else
#define BOUND_DATA true
#endif

static long vm_data_kb(void)
{
	_cleanup_free_ char *s = slurp("/proc/self/status");
	const char *p = s ? strstr(s, "VmData:") : NULL;
	return p ? strtol(p + 7, NULL, 10) : -1;
}

/* A 50 MB line without a newline, written as the monitor writes it (64 KiB
 * reads): P records of at most 16 KiB, rotated; its tail of 2 is two of
 * them, read within 16 MiB more memory than before the read. */
static void test_tail_of_a_50mb_line(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 0, 0, &err), 0);
	static char chunk[65536];
	memset(chunk, 'x', sizeof(chunk));
	for (size_t left = 50000000; left;) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
		assert_int_equal(crilog_write(&l, CRILOG_STDOUT, chunk, n, T0, &err), 0);
		left -= n;
	}
	crilog_close(&l);
	/* every record of every file is a P piece of at most 16 KiB */
	for (unsigned i = 0; i < CRILOG_DEFAULT_KEEP; i++) {
		char p[160];
		if (i)
			snprintf(p, sizeof(p), "%s.%u", path, i);
		else
			snprintf(p, sizeof(p), "%s", path);
		FILE *f = fopen(p, "re");
		assert_non_null(f);
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, f)) > 0) {
			assert_true((size_t)n <= strlen("2023-11-14T22:13:20.123456789Z stdout P ") + CRILOG_DEFAULT_MAX_LINE + 1);
			assert_non_null(strstr(line, " stdout P x"));
		}
		free(line);
		fclose(f);
	}
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit data = { (rlim_t)(vm_data_kb() + 16 * 1024) * 1024, RLIM_INFINITY };
		if (BOUND_DATA && (vm_data_kb() < 0 || setrlimit(RLIMIT_DATA, &data) < 0))
			_exit(100);
		struct tally t = { .only_x = true };
		crilog_read_opts tail = { .tail = 2, .keep = CRILOG_DEFAULT_KEEP };
		cerr e = { 0 };
		if (crilog_read(path, &tail, count, &t, NULL, &e) < 0)
			_exit(101);
		/* two records, joined (P, P): one line, unfinished; the last
		 * 64 KiB read was 61,568 bytes, its last piece 12,416 */
		_exit(t.n == 1 && t.bytes == CRILOG_DEFAULT_MAX_LINE + 12416 && t.n_partial == 1 && t.only_x ? 0 : 102);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Read whole, a line longer than CRILOG_READ_MAX_LINE goes out in pieces of
 * that size, marked partial but the last; a record too long to be ours is
 * skipped as malformed */
static void test_long_lines_in_bounded_pieces(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 0, 0, &err), 0);
	size_t total = 3 * CRILOG_READ_MAX_LINE + 12345;
	char *big = malloc(total + 1);
	assert_non_null(big);
	memset(big, 'x', total);
	big[total] = '\n';
	assert_int_equal(crilog_write(&l, CRILOG_STDOUT, big, total + 1, T0, &err), 0);
	crilog_close(&l);
	struct tally t = { .only_x = true };
	crilog_read_opts all = { .tail = -1, .keep = 1 };
	assert_int_equal(crilog_read(path, &all, count, &t, NULL, &err), 0);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.bytes, total);
	assert_int_equal(t.max, CRILOG_READ_MAX_LINE);
	assert_int_equal(t.n_partial, 3);
	assert_true(t.only_x);

	/* a foreign writer's 2 MiB record, then a good one */
	size_t huge = 2 * CRILOG_READ_MAX_RECORD;
	char *text = malloc(huge + 128);
	assert_non_null(text);
	memcpy(text, REC, strlen(REC));
	memset(text + strlen(REC), 'y', huge);
	strcpy(text + strlen(REC) + huge, "\n" REC "after\n");
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0600, &err), 0);
	struct collected c = { 0 };
	crilog_cursor cur;
	assert_int_equal(crilog_read(path, &all, collect, &c, &cur, &err), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.text[0], "after");
	assert_int_equal(cur.bad, 1);
	crilog_cursor_close(&cur);
	free(text);
	free(big);
}

struct pauser {
	size_t calls, bytes, lines_ended;
	bool ordered;
	char next; /* the letter the next byte must be */
};

/* Pauses the reader at every other line it is given. */
static int pause_often(const crilog_line *l, void *data)
{
	struct pauser *p = data;
	for (size_t i = 0; i < l->len; i++) {
		if (l->text[i] != p->next)
			p->ordered = false;
		p->next = p->next == 'z' ? 'a' : p->next + 1;
	}
	p->bytes += l->len;
	p->lines_ended += !l->partial;
	return ++p->calls % 2 == 0;
}

/* A reader paused by its caller, at any line (pieces of a long line
 * included), goes on from the next one: nothing is lost nor repeated,
 * across rotated files */
static void test_pause_and_resume_loses_nothing(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, path, 1u << 20, 10, &err), 0);
	size_t total = 0;
	char next = 'a';
	static char chunk[65536];
	for (int line = 0; line < 4; line++) {
		/* lines of 3.2 MiB, 10 bytes, 1.5 MiB and 100 kB */
		size_t len = line == 0 ? 3 * CRILOG_READ_MAX_LINE + 200000 : line == 1 ? 10 : line == 2 ? 1572864 : 100000;
		for (size_t left = len; left;) {
			size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
			for (size_t i = 0; i < n; i++) {
				chunk[i] = next;
				next = next == 'z' ? 'a' : next + 1;
			}
			assert_int_equal(crilog_write(&l, CRILOG_STDOUT, chunk, n, T0, &err), 0);
			left -= n;
		}
		assert_int_equal(crilog_write(&l, CRILOG_STDOUT, "\n", 1, T0, &err), 0);
		total += len;
	}
	crilog_close(&l);
	char p[160];
	snprintf(p, sizeof(p), "%s.4", path);
	assert_int_equal(access(p, F_OK), 0); /* rotated files are read too */
	crilog_cursor cur;
	crilog_read_opts all = { .tail = -1, .keep = 10 };
	assert_int_equal(crilog_cursor_start(&cur, path, &all, &err), 0);
	struct pauser ps = { .ordered = true, .next = 'a' };
	int r, polls = 0;
	while ((r = crilog_cursor_poll(&cur, pause_often, &ps, &err)) > 0)
		polls++;
	assert_int_equal(r, 0);
	assert_int_equal(crilog_cursor_flush(&cur, pause_often, &ps), 0);
	assert_true(polls > 3);
	assert_true(ps.ordered);
	assert_int_equal(ps.bytes, total);
	assert_int_equal(ps.lines_ended, 4);
	assert_int_equal(cur.bad, 0);
	crilog_cursor_close(&cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reader_joins_and_tails, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_reader_follow_across_rotation, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_reader_skips_garbage, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tail_offset_across_blocks, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tail_without_trailing_newline, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tail_across_files_and_fewer_than_asked, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tail_of_a_50mb_line, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_long_lines_in_bounded_pieces, ctr_log_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_pause_and_resume_loses_nothing, ctr_log_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
