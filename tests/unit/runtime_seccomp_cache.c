/* runtime/seccomp_cache.c: compiled programs are reused only for the very
 * same profile, and a damaged or foreign cache entry is never loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "bundle/spec_parse.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "runtime/seccomp.h"
#include "runtime/seccomp_cache.h"

static char dir[] = "/tmp/corral-sccache-XXXXXX";

static struct oci_spec *spec_with(const char *seccomp)
{
	char *text = NULL;
	assert_true(asprintf(&text, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":%s}}",
			     seccomp) > 0);
	struct oci_spec *s = NULL;
	cerr err = { 0 };
	assert_int_equal(spec_parse(text, &s, &err), 0);
	free(text);
	return s;
}

static const char *profile_a = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
			       "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42}]}";
static const char *profile_b = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
			       "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":43}]}";

static char *only_entry(void)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	char *found = NULL;
	int n = 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			n++;
			free(found);
			assert_true(asprintf(&found, "%s/%s", dir, de->d_name) > 0);
		}
	closedir(d);
	assert_int_equal(n, 1);
	return found;
}

/* Load p in a child and return what getppid() gives there (-errno on error). */
static int errno_in_child(const struct seccomp_prog *p)
{
	pid_t pid = fork();
	if (pid == 0) {
		cerr err = { 0 };
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_load_prog(p, NULL, &err) < 0)
			_exit(250);
		/* under the filter getppid fails with the profile's errnoRet */
		long r = syscall(SYS_getppid);
		_exit(r == -1 && errno == 42 ? 200 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	return WEXITSTATUS(st);
}

static void test_hit_is_the_same_program(void **state)
{
	struct oci_spec *s = spec_with(profile_a);
	struct seccomp_prog p1, p2;
	cerr err = { 0 };
	assert_int_equal(seccomp_compile(s->linux_.seccomp, dir, &p1, &err), 0);
	char *entry = only_entry();
	assert_int_equal(seccomp_compile(s->linux_.seccomp, dir, &p2, &err), 0);
	assert_int_equal(p1.len, p2.len);
	assert_memory_equal(p1.filter, p2.filter, p1.len * 8u);
	/* the loaded program refuses getppid in a child */
	assert_int_equal(errno_in_child(&p2), 200);
	seccomp_prog_release(&p1);
	seccomp_prog_release(&p2);
	unlink(entry);
	free(entry);
	spec_free(s);
}

static void test_foreign_entry_is_not_used(void **state)
{
	struct oci_spec *a = spec_with(profile_a), *b = spec_with(profile_b);
	struct seccomp_prog pa, pb;
	cerr err = { 0 };
	assert_int_equal(seccomp_compile(a->linux_.seccomp, dir, &pa, &err), 0);
	char *entry = only_entry();
	/* overwrite a's entry with garbage: the next compile must not trust it */
	assert_int_equal(write_file_atomic(entry, "corral-seccomp-1\n\x05\x00\x00\x00\x00junkjunk", 29, 0600, &err), 0);
	struct seccomp_prog again;
	assert_int_equal(seccomp_compile(a->linux_.seccomp, dir, &again, &err), 0);
	assert_int_equal(again.len, pa.len);
	assert_memory_equal(again.filter, pa.filter, pa.len * 8u);
	/* b is a different profile: a different program */
	assert_int_equal(seccomp_compile(b->linux_.seccomp, dir, &pb, &err), 0);
	assert_true(pb.len != pa.len || memcmp(pb.filter, pa.filter, pa.len * 8u) != 0);
	seccomp_prog_release(&pa);
	seccomp_prog_release(&pb);
	seccomp_prog_release(&again);
	free(entry);
	spec_free(a);
	spec_free(b);
}

static void test_no_profile_is_an_empty_program(void **state)
{
	struct seccomp_prog p;
	cerr err = { 0 };
	assert_int_equal(seccomp_compile(NULL, dir, &p, &err), 0);
	assert_null(p.filter);
	assert_int_equal(seccomp_load_prog(&p, NULL, &err), 0);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	rm_rf(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_is_the_same_program),
		cmocka_unit_test(test_foreign_entry_is_not_used),
		cmocka_unit_test(test_no_profile_is_an_empty_program),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
