#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "supervisor/loop/child.h"

typedef struct outcome {
	int code;
	char out[64], err[64];
	bool truncated, done;
} outcome;

static void on_done(const el_child_result *r, void *data)
{
	outcome *o = data;
	o->code = r->code;
	o->truncated = r->truncated;
	snprintf(o->out, sizeof(o->out), "%s", r->out[0].buf ? r->out[0].buf : "");
	snprintf(o->err, sizeof(o->err), "%s", r->out[1].buf ? r->out[1].buf : "");
	o->done = true;
}

static int stray_fd = -1;

/* what it says on stdout and stderr, and whether it sees the parent's fd */
static int speaks(void *arg)
{
	printf("%s", (const char *)arg);
	fflush(stdout);
	fprintf(stderr, "why");
	return fcntl(stray_fd, F_GETFD) < 0 ? 3 : 4;
}

static int blocks(void *arg)
{
	pause();
	return 0;
}

static void run_until_done(el_loop *l, const outcome *o)
{
	for (int i = 0; i < 200 && !o->done; i++)
		el_run_once(l, 50);
}

/* a fn runs in a forked child: its output and code come back, and
 * nothing of the parent's open stays open in it */
static void test_fn_child_output_code_and_fds(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* a parent's fd the child must not see */
	stray_fd = fcntl(fd, F_DUPFD, 10); /* not O_CLOEXEC: only the child's closing hides it */
	assert_true(stray_fd >= 10);
	el_child_opts o = { .fn = speaks, .arg = "hello", .fd3 = SPAWN_NULL, .max_output = 3 };
	outcome got = { 0 };
	el_child *c;
	assert_int_equal(el_child_run(l, &o, on_done, &got, &c, &err), 0);
	run_until_done(l, &got);
	close(stray_fd);
	assert_true(got.done);
	assert_int_equal(got.code, 3);
	assert_string_equal(got.out, "hel");
	assert_true(got.truncated);
	assert_string_equal(got.err, "why");
}

/* a path that ends with the loop: exec'd from a fork, its environment
 * and output as a spawned one's, SIGPIPE at its default (corrald ignores
 * it); one that cannot be run says so. (That it dies with corrald:
 * test_supervisor_net_restart.sh, which kills corrald.) */
static void test_path_ending_with_the_loop(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	signal(SIGPIPE, SIG_IGN); /* as corrald has it */
	char *argv[] = { "sh", "-c",
			 "m=$(awk '/^SigIgn/ {print $2}' /proc/self/status); "
			 "printf '%s %s' \"$X\" $(( 0x$m & 0x1000 ))", NULL }; /* SIGPIPE's bit */
	char *envp[] = { "X=given", "PATH=/usr/bin:/bin", NULL };
	el_child_opts o = { .path = "/bin/sh", .argv = argv, .envp = envp, .fd3 = SPAWN_NULL, .max_output = 64,
			    .ends_with_loop = true };
	outcome got = { 0 };
	el_child *c;
	assert_int_equal(el_child_run(l, &o, on_done, &got, &c, &err), 0);
	run_until_done(l, &got);
	assert_true(got.done);
	assert_int_equal(got.code, 0);
	assert_string_equal(got.out, "given 0");
	(void)c;
	char *none[] = { "nothing", NULL };
	el_child_opts gone = { .path = "/nonexistent/plugin", .argv = none, .fd3 = SPAWN_NULL, .max_output = 64,
			       .ends_with_loop = true };
	outcome lost = { 0 };
	assert_int_equal(el_child_run(l, &gone, on_done, &lost, &c, &err), 0);
	run_until_done(l, &lost);
	assert_int_equal(lost.code, 127);
	assert_string_equal(lost.err, "/nonexistent/plugin: cannot be run\n");
	signal(SIGPIPE, SIG_DFL);
}

/* a fn that never ends is killed: done says so */
static void test_fn_child_killed(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	el_child_opts o = { .fn = blocks, .fd3 = SPAWN_NULL, .max_output = 64 };
	outcome got = { 0 };
	el_child *c;
	assert_int_equal(el_child_run(l, &o, on_done, &got, &c, &err), 0);
	el_run_once(l, 10);
	assert_false(got.done);
	el_child_kill(c);
	run_until_done(l, &got);
	assert_true(got.done);
	assert_int_equal(got.code, 128 + SIGKILL);
}

/* one killed after its exit was seen, its output still unread: done
 * runs all the same, at the end of the loop's turn, not inside the kill */
static void test_killed_after_its_exit_still_done(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	el_child_opts o = { .fn = speaks, .arg = "unread", .fd3 = SPAWN_NULL, .max_output = 64, .caller_reaps = true };
	outcome got = { 0 };
	el_child *c;
	assert_int_equal(el_child_run(l, &o, on_done, &got, &c, &err), 0);
	int status;
	assert_true(waitpid(-1, &status, 0) > 0);
	el_child_exited(c, status); /* its output not yet read */
	assert_false(got.done);
	el_child_kill(c);
	assert_false(got.done);
	el_run_once(l, 0);
	assert_true(got.done);
	assert_int_equal(got.code, 3); /* speaks: no stray fd to see */
}

/* its CPU niceness and I/O priority, as it sees them */
static int says_priority(void *arg)
{
	printf("nice %d ioprio %ld", getpriority(PRIO_PROCESS, 0), syscall(SYS_ioprio_get, 1, 0));
	fflush(stdout);
	return 0;
}

/* a member has at most el_member_max at work: the next is refused with
 * EUSERS, root's and another member's still run, and one ended makes room;
 * a member's run at nice 19 and best-effort I/O level 7 */
static void test_member_children_bounded_and_lowest(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	el_set_member_max(l, 2);
	el_child_opts o = { .fn = blocks, .fd3 = SPAWN_NULL, .max_output = 64, .member = 4141 };
	outcome held[2] = { 0 }, other = { 0 }, root = { 0 };
	el_child *c[2], *c3;
	for (int i = 0; i < 2; i++)
		assert_int_equal(el_child_run(l, &o, on_done, &held[i], &c[i], &err), 0);
	assert_int_equal(el_child_member_room(l, 4141, &err), -EUSERS);
	assert_int_equal(err.code, EUSERS);
	cerr_clear(&err);
	assert_true(el_child_run(l, &o, on_done, &other, &c3, &err) < 0);
	assert_int_equal(err.code, EUSERS);
	assert_non_null(strstr(cerr_msg(&err), "uid 4141 has 2 of corrald's helpers at work already"));
	cerr_clear(&err);
	el_child_opts r = { .fn = says_priority, .fd3 = SPAWN_NULL, .max_output = 64 };
	assert_int_equal(el_child_run(l, &r, on_done, &root, &c3, &err), 0);
	run_until_done(l, &root);
	char ours[64]; /* root's runs as the loop does */
	snprintf(ours, sizeof(ours), "nice %d ioprio %ld", getpriority(PRIO_PROCESS, 0), syscall(SYS_ioprio_get, 1, 0));
	assert_string_equal(root.out, ours);
	el_child_opts m = { .fn = says_priority, .fd3 = SPAWN_NULL, .max_output = 64, .member = 4242 };
	assert_int_equal(el_child_run(l, &m, on_done, &other, &c3, &err), 0);
	run_until_done(l, &other);
	assert_string_equal(other.out, "nice 19 ioprio 16391"); /* IOPRIO_CLASS_BE << 13 | 7 */
	el_child_kill(c[0]);
	run_until_done(l, &held[0]);
	assert_int_equal(el_child_member_room(l, 4141, &err), 0);
	outcome again = { 0 };
	assert_int_equal(el_child_run(l, &o, on_done, &again, &c3, &err), 0);
	el_child_kill(c3);
	el_child_kill(c[1]);
	run_until_done(l, &again);
	run_until_done(l, &held[1]);
	assert_true(again.done && held[1].done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fn_child_output_code_and_fds),
		cmocka_unit_test(test_fn_child_killed),
		cmocka_unit_test(test_path_ending_with_the_loop),
		cmocka_unit_test(test_member_children_bounded_and_lowest),
		cmocka_unit_test(test_killed_after_its_exit_still_done),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
