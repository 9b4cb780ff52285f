/* supervisor/daemon/config.c: corrald.conf, its defaults, and the command
 * line over it; errors that name the line. */
#include "tmpdir.h"

#include <errno.h>
#include <stdio.h>

#include "common/cleanup.h"
#include "supervisor/daemon/core/config.h"

static void write_conf(const char *name, const char *text, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", tmpdir, name);
	cerr err = { 0 };
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644, &err), 0);
}

static void test_config_defaults_file_and_flags(void **state)
{
	corrald_config c;
	cerr err = { 0 };
	assert_int_equal(config_init(&c, &err), 0);
	assert_string_equal(c.socket, "/run/corral/corrald.sock");
	assert_int_equal(c.socket_mode, 0660);
	assert_int_equal(c.max_message_size, 16u << 20);
	assert_int_equal(c.audit_log_max_files, 5);
	char p[128];
	write_conf("a.conf",
		   "# corrald settings\n\n  ; another comment\n"
		   "socket = /tmp/x.sock\n"
		   "max-connections=64\n"
		   "log-max-size = 1M\n"
		   "group = \"wheel\"\n"
		   "default-restart = on-failure:3   \n"
		   "metrics-listen = 127.0.0.1:9323\n"
		   "cgroup-delegate = no\n", p, sizeof(p));
	assert_int_equal(config_load(&c, p, false, &err), 0);
	assert_string_equal(c.socket, "/tmp/x.sock");
	assert_int_equal(c.max_connections, 64);
	assert_int_equal(c.log_max_size, 1u << 20);
	assert_string_equal(c.group, "wheel");
	assert_string_equal(c.default_restart, "on-failure:3");
	assert_int_equal(c.cgroup_delegate, CG_DELEGATE_NO);
	/* a flag applied after the file wins */
	assert_int_equal(config_set(&c, "max-connections", "8", "--max-connections", &err), 0);
	assert_int_equal(c.max_connections, 8);
	_cleanup_free_ char *dump = config_dump(&c);
	assert_non_null(strstr(dump, "max-connections = 8\n"));
	assert_non_null(strstr(dump, "socket-mode = 0660\n"));
	config_release(&c);
}

static void expect_conf_error(const char *text, const char *needle)
{
	corrald_config c;
	_cleanup_cerr_ cerr err = { 0 };
	char p[128];
	assert_int_equal(config_init(&c, &err), 0);
	write_conf("bad.conf", text, p, sizeof(p));
	assert_true(config_load(&c, p, false, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("error [%s] lacks [%s]", err.msg, needle);
	config_release(&c);
}

static void test_config_errors(void **state)
{
	expect_conf_error("\n\nfrobnicate = 1\n", "bad.conf:3: unknown setting frobnicate");
	expect_conf_error("socket\n", "bad.conf:1: expected key = value");
	expect_conf_error("socket = relative.sock\n", "socket: must be an absolute path");
	expect_conf_error("max-connections = 0\n", "max-connections: must be an integer from 1");
	expect_conf_error("max-connections = 12abc\n", "max-connections");
	expect_conf_error("max-message-size = 17M\n", "max-message-size: must be a size");
	expect_conf_error("socket-mode = 0999\n", "socket-mode: must be an octal mode");
	expect_conf_error("log-level = loud\n", "log-level: must be error, warning, info or debug");
	expect_conf_error("default-restart = sometimes\n", "default-restart: restart policy sometimes");
	expect_conf_error("metrics-listen = 9323\n", "metrics-listen: must be HOST:PORT");
	corrald_config c;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(config_init(&c, &err), 0);
	assert_int_equal(config_load(&c, "/nonexistent/corrald.conf", true, &err), 0);
	assert_int_equal(config_load(&c, "/nonexistent/corrald.conf", false, &err), -ENOENT);
	config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_defaults_file_and_flags, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
