/* supervisor/ctl/envfile.c: -e and --env-file as podman takes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "supervisor/ctl/envfile.h"

static void test_env_args(void **state)
{
	_cleanup_strv_ char **env = NULL;
	setenv("CTL_ENV_TEST_MINE", "mine", 1);
	unsetenv("CTL_ENV_TEST_UNSET");
	assert_int_equal(ctl_env_add(&env, "A=1"), 0);
	assert_int_equal(ctl_env_add(&env, "B="), 0);
	assert_int_equal(ctl_env_add(&env, "CTL_ENV_TEST_MINE"), 0);
	assert_int_equal(ctl_env_add(&env, "CTL_ENV_TEST_UNSET"), 0); /* left out */
	assert_int_equal(strv_length(env), 3);
	assert_string_equal(env[0], "A=1");
	assert_string_equal(env[1], "B=");
	assert_string_equal(env[2], "CTL_ENV_TEST_MINE=mine");
	assert_int_equal(ctl_env_add(&env, "=x"), 1);
	assert_int_equal(ctl_env_add(&env, "A B=x"), 1);
}

static void test_env_file(void **state)
{
	char path[] = "/tmp/corral-envfile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "# comment\n\n  X=1\nY=a b=c\r\nCTL_ENV_TEST_MINE\nlast=no newline";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	setenv("CTL_ENV_TEST_MINE", "mine", 1);
	_cleanup_strv_ char **env = NULL;
	assert_int_equal(ctl_env_file(&env, path), 0);
	assert_int_equal(strv_length(env), 4);
	assert_string_equal(env[0], "X=1");
	assert_string_equal(env[1], "Y=a b=c");
	assert_string_equal(env[2], "CTL_ENV_TEST_MINE=mine");
	assert_string_equal(env[3], "last=no newline");
	/* a bad line is named */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "OK=1\nBAD NAME=1\n", 16), 16);
	close(fd);
	assert_int_equal(ctl_env_file(&env, path), 1);
	unlink(path);
	assert_int_equal(ctl_env_file(&env, path), 1); /* missing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_args),
		cmocka_unit_test(test_env_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
