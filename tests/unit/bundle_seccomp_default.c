/* bundle/seccomp_default.c: the profile parses inside a config, maps the
 * syscalls it should, and a process under it can still fork, exec and do
 * ordinary file I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sched.h>

#include "bundle/seccomp_default.h"
#include "bundle/spec.h"
#include "bundle/spec_json.h"
#include "bundle/spec_default.h"
#include "bundle/spec_parse.h"
#include "common/cleanup.h"
#include "runtime/seccomp.h"
#include "runtime/seccomp_cache.h"

static inline void profile_freep(struct oci_seccomp **p) { seccomp_profile_free(*p); }
#define _cleanup_profile_ _cleanup_(profile_freep)

/* The entry (action, errnoRet, no args) that names syscall, or NULL. */
static const struct oci_seccomp_syscall *plain_rule(const struct oci_seccomp *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_syscalls; i++)
		for (size_t j = 0; sc->syscalls[i].names[j]; j++)
			if (streq(sc->syscalls[i].names[j], name) && sc->syscalls[i].n_args == 0)
				return &sc->syscalls[i];
	return NULL;
}

static void expect_errno(const struct oci_seccomp *sc, const char *name, uint32_t e)
{
	const struct oci_seccomp_syscall *s = plain_rule(sc, name);
	if (!s)
		fail_msg("%s: not in the profile", name);
	assert_string_equal(s->action, "SCMP_ACT_ERRNO");
	assert_true(s->has_errno_ret);
	assert_int_equal(s->errno_ret, e);
}

static void test_parses_in_config(void **state)
{
	_cleanup_free_ char *profile = seccomp_default_profile_json();
	assert_non_null(profile);
	_cleanup_free_ char *base = spec_default_json(false);
	assert_non_null(base);
	/* Put it into the default config's linux object. */
	char *lnx = strstr(base, "\"linux\": {");
	assert_non_null(lnx);
	lnx += strlen("\"linux\": {");
	_cleanup_free_ char *text = NULL;
	assert_true(asprintf(&text, "%.*s\"seccomp\": %s, %s", (int)(lnx - base), base, profile, lnx) > 0);
	_cleanup_spec_ struct oci_spec *s = NULL;
	cerr err = { 0 };
	if (spec_parse(text, &s, &err) < 0)
		fail_msg("spec_parse: %s", cerr_msg(&err));
	const struct oci_seccomp *sc = s->linux_.seccomp;
	assert_non_null(sc);
	assert_string_equal(sc->default_action, "SCMP_ACT_ERRNO");
	assert_true(sc->has_default_errno_ret);
	assert_int_equal(sc->default_errno_ret, ENOSYS);
	/* And the serialiser keeps it: a second parse agrees. */
	_cleanup_free_ char *again = spec_to_json(s, false);
	_cleanup_spec_ struct oci_spec *s2 = NULL;
	assert_int_equal(spec_parse(again, &s2, &err), 0);
	assert_int_equal(s2->linux_.seccomp->n_syscalls, sc->n_syscalls);
}

static void test_mapping(void **state)
{
	_cleanup_profile_ struct oci_seccomp *sc = NULL;
	cerr err = { 0 };
	assert_int_equal(seccomp_default_profile(&sc, &err), 0);
	expect_errno(sc, "clone3", ENOSYS);
	const char *eperm[] = { "unshare", "mount", "umount2", "keyctl", "add_key", "request_key", "setns",
				"pivot_root", "kexec_load", "open_by_handle_at", "init_module", "finit_module",
				"delete_module", "bpf", "perf_event_open", "swapon", "swapoff", "reboot" };
	for (size_t i = 0; i < ARRAY_SIZE(eperm); i++)
		expect_errno(sc, eperm[i], EPERM);
	const char *allowed[] = { "read", "write", "openat", "execve", "fork", "wait4", "ptrace", "newfstatat" };
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		const struct oci_seccomp_syscall *s = plain_rule(sc, allowed[i]);
		assert_non_null(s);
		assert_string_equal(s->action, "SCMP_ACT_ALLOW");
	}
	/* clone3 must not be allowed anywhere, nor clone without conditions. */
	for (size_t i = 0; i < sc->n_syscalls; i++)
		for (size_t j = 0; sc->syscalls[i].names[j]; j++) {
			const struct oci_seccomp_syscall *s = &sc->syscalls[i];
			if (streq(s->names[j], "clone3") || streq(s->names[j], "personality") || streq(s->names[j], "clone"))
				assert_false(streq(s->action, "SCMP_ACT_ALLOW") && s->n_args == 0);
		}
}

/* Run under the profile; each failed check exits with its own code. */
static void *thread_fn(void *arg) { return arg; }

static int child_checks(void)
{
	char buf[64];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
		return 2;
	close(fd);
	struct stat st;
	if (stat("/bin/busybox", &st) < 0)
		return 3;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0 || write(p[1], "x", 1) != 1 || read(p[0], buf, 1) != 1)
		return 4;
	pid_t c = fork();
	if (c == 0)
		_exit(7);
	int ws;
	if (c < 0 || waitpid(c, &ws, 0) != c || !WIFEXITED(ws) || WEXITSTATUS(ws) != 7)
		return 5;
	/* glibc tries clone3 first; ENOSYS makes it fall back to clone. */
	pthread_t t;
	void *ret = NULL;
	if (pthread_create(&t, NULL, thread_fn, (void *)0x5) != 0 || pthread_join(t, &ret) != 0 || ret != (void *)0x5)
		return 6;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 7;
	if (unshare(CLONE_NEWUTS) != -1 || errno != EPERM)
		return 8;
	if (mount("none", "/", NULL, MS_REMOUNT, NULL) != -1 || errno != EPERM)
		return 9;
	if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) != -1 || errno != EPERM)
		return 10;
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	if (r != -1 || errno != EPERM)
		return 11;
	if (syscall(SYS_personality, 0xffffffffUL) < 0)
		return 12;
	if (syscall(SYS_personality, 0x0400000UL) != -1 || errno != ENOSYS) /* ADDR_COMPAT_LAYOUT */
		return 13;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 14;
	close(s);
	if (socket(40 /* AF_VSOCK */, SOCK_STREAM, 0) != -1 || errno != EPERM)
		return 15;
	return 0;
}

static void test_process_runs_under_profile(void **state)
{
	if (access("/bin/busybox", X_OK) != 0) {
		print_message("skipped: /bin/busybox is not installed\n");
		skip();
	}
	_cleanup_profile_ struct oci_seccomp *sc = NULL;
	cerr err = { 0 };
	assert_int_equal(seccomp_default_profile(&sc, &err), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSYS, SIG_DFL);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_apply(sc, NULL, &err) < 0) {
			fprintf(stderr, "seccomp_apply: %s\n", cerr_msg(&err));
			_exit(1);
		}
		int rc = child_checks();
		if (rc)
			_exit(rc);
		char *argv[] = { "sh", "-c", "cat /proc/self/stat >/dev/null && ls / >/dev/null && "
					     "echo hi | wc -c | grep -q 3 && busybox true", NULL };
		char *envp[] = { "PATH=/bin:/usr/bin", NULL };
		execve("/bin/busybox", argv, envp);
		_exit(40);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st))
		fail_msg("child died of signal %d", WTERMSIG(st));
	if (WEXITSTATUS(st) != 0)
		fail_msg("check %d failed under the default profile", WEXITSTATUS(st));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_in_config),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_process_runs_under_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
