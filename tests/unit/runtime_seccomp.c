/* runtime/seccomp.c: filters are loaded in forked children, whose exit
 * status reports what the probed syscall did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <seccomp.h>
#include <sys/capability.h>

#include "bundle/spec.h"
#include "bundle/spec_parse.h"
#include "common/cleanup.h"
#include "runtime/seccomp.h"
#include "runtime/seccomp_cache.h"

#define CFG_HEAD "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"," \
		 "\"user\":{\"uid\":0,\"gid\":0}},\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":"

static struct oci_spec *parse_seccomp_json(const char *sc)
{
	char *text = NULL;
	assert_true(asprintf(&text, CFG_HEAD "%s}}", sc) > 0);
	struct oci_spec *s = NULL;
	cerr err = { 0 };
	int r = spec_parse(text, &s, &err);
	if (r < 0)
		fail_msg("spec_parse: %s", cerr_msg(&err));
	free(text);
	assert_non_null(s->linux_.seccomp);
	return s;
}

/* What a probe saw, packed into an exit code: 0..199 = errno, 200 = success. */
#define PROBE_OK 200
#define PROBE_APPLY_FAILED 250

typedef long (*probe_fn)(void *arg);

/* Load the filter in a child, run probe, and return the wait status. */
static int run_filtered(const struct oci_seccomp *sc, probe_fn probe, void *arg)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cerr err = { 0 };
		/* cmocka's handlers would catch SIGSYS in the child. */
		signal(SIGSYS, SIG_DFL);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_apply(sc, NULL, &err) < 0) {
			fprintf(stderr, "seccomp_apply: %s\n", cerr_msg(&err));
			_exit(PROBE_APPLY_FAILED);
		}
		errno = 0;
		long r = probe(arg);
		_exit(r < 0 ? (errno < PROBE_OK ? errno : 199) : PROBE_OK);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static int exit_code(int st)
{
	if (!WIFEXITED(st))
		fail_msg("child did not exit (signal %d)", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return WEXITSTATUS(st);
}

static long probe_getppid(void *arg) { (void)arg; return syscall(SYS_getppid); }
static long probe_uname(void *arg) { (void)arg; return syscall(SYS_uname, NULL) == 0 ? 0 : (errno == EFAULT ? 0 : -1); }
static long probe_personality(void *arg) { return syscall(SYS_personality, (unsigned long)(uintptr_t)arg); }
static long probe_getpgid(void *arg) { return syscall(SYS_getpgid, (long)(intptr_t)arg); }

struct prio { long which, who; };
static long probe_getpriority(void *arg)
{
	struct prio *p = arg;
	return syscall(SYS_getpriority, p->which, p->who);
}

static void test_errno_ret(void **state)
{
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42},"
		"{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getppid, NULL)), 42);
	/* errnoRet absent: EPERM */
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_uname, NULL)), EPERM);
}

static void test_default_errno(void **state)
{
	/* Exiting and what a sanitizer runtime needs are allowed; everything
	 * else gets the default ENOSYS. */
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":["
		"{\"names\":[\"exit_group\",\"exit\",\"mmap\",\"munmap\",\"mprotect\",\"madvise\",\"brk\","
		"\"write\",\"read\",\"openat\",\"close\",\"sigaltstack\",\"rt_sigaction\",\"rt_sigprocmask\","
		"\"getpid\",\"gettid\",\"futex\",\"prctl\",\"sched_yield\",\"newfstatat\",\"fstat\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]}");
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getppid, NULL)), ENOSYS);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_uname, NULL)), ENOSYS);
}

static void expect_sigsys(const char *action)
{
	char *sc = NULL;
	assert_true(asprintf(&sc, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
				  "[{\"names\":[\"getppid\"],\"action\":\"%s\"}]}", action) > 0);
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(sc);
	free(sc);
	int st = run_filtered(s->linux_.seccomp, probe_getppid, NULL);
	if (!WIFSIGNALED(st))
		fail_msg("%s: child exited with %d instead of dying of SIGSYS", action, WEXITSTATUS(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void test_kill_actions(void **state)
{
	expect_sigsys("SCMP_ACT_KILL_PROCESS");
	expect_sigsys("SCMP_ACT_KILL_THREAD");
	expect_sigsys("SCMP_ACT_KILL");
	expect_sigsys("SCMP_ACT_TRAP"); /* SIGSYS's default disposition kills */
}

static void test_allow_log_trace(void **state)
{
	/* LOG lets the call through; TRACE with no tracer fails it with ENOSYS. */
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\"},"
		"{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_TRACE\"},"
		"{\"names\":[\"getpgid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getppid, NULL)), PROBE_OK);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_uname, NULL)), ENOSYS);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getpgid, (void *)0)), PROBE_OK);
}

static void test_personality_args(void **state)
{
	/* moby's shape: only the query value and a few personas are allowed. */
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"args\":[{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_NE\"}]}]}");
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_personality, (void *)0xffffffffUL)),
			 PROBE_OK);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_personality, (void *)0x8UL)), EPERM);
}

struct op_case {
	const char *op;
	unsigned long long value, value_two;
	long probe;
	bool hit;
};

static void test_all_operators(void **state)
{
	/* getpgid(pid) of a pid that does not exist fails with ESRCH; a hit
	 * returns the rule's errno (77) instead. */
	static const struct op_case cases[] = {
		{ "SCMP_CMP_EQ", 900001, 0, 900001, true },   { "SCMP_CMP_EQ", 900001, 0, 900002, false },
		{ "SCMP_CMP_NE", 900001, 0, 900002, true },   { "SCMP_CMP_NE", 900001, 0, 900001, false },
		{ "SCMP_CMP_LT", 900001, 0, 900000, true },   { "SCMP_CMP_LT", 900001, 0, 900001, false },
		{ "SCMP_CMP_LE", 900001, 0, 900001, true },   { "SCMP_CMP_LE", 900001, 0, 900002, false },
		{ "SCMP_CMP_GT", 900001, 0, 900002, true },   { "SCMP_CMP_GT", 900001, 0, 900001, false },
		{ "SCMP_CMP_GE", 900001, 0, 900001, true },   { "SCMP_CMP_GE", 900001, 0, 900000, false },
		{ "SCMP_CMP_MASKED_EQ", 0xff00, 0x1200, 0x1234, true },
		{ "SCMP_CMP_MASKED_EQ", 0xff00, 0x1200, 0x1334, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct op_case *c = &cases[i];
		char *sc = NULL;
		assert_true(asprintf(&sc, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpgid\"],"
					  "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77,\"args\":[{\"index\":0,"
					  "\"value\":%llu,\"valueTwo\":%llu,\"op\":\"%s\"}]}]}",
				     c->value, c->value_two, c->op) > 0);
		_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(sc);
		free(sc);
		int got = exit_code(run_filtered(s->linux_.seccomp, probe_getpgid, (void *)(intptr_t)c->probe));
		if (got != (c->hit ? 77 : ESRCH))
			fail_msg("case %zu: %s %llu on %ld: got %d", i, c->op, c->value, c->probe, got);
	}
}

static void test_same_index_is_or(void **state)
{
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpgid\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":78,\"args\":["
		"{\"index\":0,\"value\":900005,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":0,\"value\":900006,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getpgid, (void *)900005)), 78);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getpgid, (void *)900006)), 78);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getpgid, (void *)900007)), ESRCH);
}

static void test_different_index_is_and(void **state)
{
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpriority\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":79,\"args\":["
		"{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":1,\"value\":900009,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	struct prio both = { PRIO_PROCESS, 900009 }, first = { PRIO_PROCESS, 900008 }, second = { PRIO_PGRP, 900009 };
	assert_int_equal(PRIO_PROCESS, 0);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getpriority, &both)), 79);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getpriority, &first)), ESRCH);
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getpriority, &second)), ESRCH);
}

static void test_unknown_names_skipped(void **state)
{
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"no_such_syscall_corral\","
		"\"getppid\",\"another_fake_one\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42},"
		"{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getppid, NULL)), 42);
	/* A rule repeating the default action is dropped, not an error. */
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_uname, NULL)), PROBE_OK);
}

static void test_arches_and_flags(void **state)
{
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\","
		"\"SCMP_ARCH_X32\",\"SCMP_ARCH_AARCH64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\","
		"\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
		"\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":43}]}");
	assert_int_equal(exit_code(run_filtered(s->linux_.seccomp, probe_getppid, NULL)), 43);
}

static void test_wait_killable_flag(void **state)
{
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
		"\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":44}]}");
	int code = exit_code(run_filtered(s->linux_.seccomp, probe_getppid, NULL));
#if SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR < 6
	/* This libseccomp cannot set it: apply must fail, naming the flag. */
	assert_int_equal(code, PROBE_APPLY_FAILED);
	cerr err = { 0 };
	pid_t pid = fork();
	if (pid == 0)
		_exit(seccomp_apply(s->linux_.seccomp, NULL, &err) == -EOPNOTSUPP &&
		      strstr(cerr_msg(&err), "linux.seccomp.flags[0]") ? 0 : 1);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(exit_code(st), 0);
#else
	assert_int_equal(code, 44);
#endif
}

static void test_refused_notify(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_spec_ struct oci_spec *def = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/run/x.sock\"}");
	assert_int_equal(seccomp_apply(def->linux_.seccomp, NULL, &err), -EINVAL);
	assert_non_null(strstr(cerr_msg(&err), "linux.seccomp.defaultAction"));
	cerr_clear(&err);
	_cleanup_spec_ struct oci_spec *wr = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x.sock\",\"syscalls\":["
		"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		"{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
	assert_int_equal(seccomp_apply(wr->linux_.seccomp, NULL, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err),
			    "linux.seccomp.syscalls[1].names[1]: SCMP_ACT_NOTIFY cannot be used for \"write\"");
}

static void test_action_values(void **state)
{
	uint32_t v;
	assert_int_equal(seccomp_action_value("SCMP_ACT_ERRNO", false, 0, &v), 0);
	assert_int_equal(v, SCMP_ACT_ERRNO(EPERM));
	assert_int_equal(seccomp_action_value("SCMP_ACT_ERRNO", true, 0, &v), 0);
	assert_int_equal(v, SCMP_ACT_ERRNO(0));
	assert_int_equal(seccomp_action_value("SCMP_ACT_TRACE", true, 5, &v), 0);
	assert_int_equal(v, SCMP_ACT_TRACE(5));
	assert_int_equal(seccomp_action_value("SCMP_ACT_KILL", false, 0, &v), 0);
	assert_int_equal(v, SCMP_ACT_KILL_THREAD);
	assert_int_equal(seccomp_action_value("SCMP_ACT_KILL_PROCESS", false, 0, &v), 0);
	assert_int_equal(v, SCMP_ACT_KILL_PROCESS);
	assert_int_equal(seccomp_action_value("SCMP_ACT_NOTIFY", false, 0, &v), 0);
	assert_int_equal(v, SCMP_ACT_NOTIFY);
	assert_int_equal(seccomp_action_value("SCMP_ACT_ERRNO", true, 70000, &v), -ERANGE);
	assert_int_equal(seccomp_action_value("SCMP_ACT_BOGUS", false, 0, &v), -EINVAL);
	/* Every name the parser accepts maps to a value. */
	for (size_t i = 0; oci_seccomp_actions[i]; i++)
		assert_int_equal(seccomp_action_value(oci_seccomp_actions[i], false, 0, &v), 0);
}

static void test_nnp_left_to_caller(void **state)
{
	/* Without no_new_privs and without CAP_SYS_ADMIN the kernel refuses the
	 * filter: proof that seccomp_apply does not set NNP by itself. */
	_cleanup_spec_ struct oci_spec *s = parse_seccomp_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cap_t none = cap_init();
		if (!none || cap_set_proc(none) < 0)
			_exit(2);
		cerr err = { 0 };
		int r = seccomp_apply(s->linux_.seccomp, NULL, &err);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
			_exit(3);
		_exit(r == -EACCES && streq(cerr_msg(&err), "linux.seccomp: loading the filter: Permission denied") ? 0 : 1);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(exit_code(st), 0);
}

static void test_null_is_noop(void **state)
{
	int fd = 7;
	cerr err = { 0 };
	assert_int_equal(seccomp_apply(NULL, &fd, &err), 0);
	assert_int_equal(fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_ret),
		cmocka_unit_test(test_default_errno),
		cmocka_unit_test(test_kill_actions),
		cmocka_unit_test(test_allow_log_trace),
		cmocka_unit_test(test_personality_args),
		cmocka_unit_test(test_all_operators),
		cmocka_unit_test(test_same_index_is_or),
		cmocka_unit_test(test_different_index_is_and),
		cmocka_unit_test(test_unknown_names_skipped),
		cmocka_unit_test(test_arches_and_flags),
		cmocka_unit_test(test_wait_killable_flag),
		cmocka_unit_test(test_refused_notify),
		cmocka_unit_test(test_action_values),
		cmocka_unit_test(test_nnp_left_to_caller),
		cmocka_unit_test(test_null_is_noop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
