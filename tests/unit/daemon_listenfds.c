/* supervisor/daemon/listenfds.c: sockets from systemd's socket activation. */
#include "tmpdir.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervisor/daemon/host/listenfds.h"

static void test_listen_fds(void **state)
{
	cerr err = { 0 };
	unsetenv("LISTEN_PID");
	assert_int_equal(listen_fds(true, &err), 0);
	setenv("LISTEN_PID", "1", 1);
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(listen_fds(false, &err), 0); /* not for us */
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "x", 1);
	assert_true(listen_fds(false, &err) < 0);
	assert_non_null(strstr(err.msg, "LISTEN_FDS"));
	cerr_clear(&err);
	/* a real listening socket at fd 3 */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/act.sock", tmpdir);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 4), 0);
	int saved3 = dup(3);
	assert_int_equal(dup2(s, 3), 3);
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(listen_fds(true, &err), 1);
	assert_null(getenv("LISTEN_PID"));
	assert_true(fcntl(3, F_GETFD) & FD_CLOEXEC);
	assert_true(listen_fd_is_unix_stream(3));
	int sp[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	assert_false(listen_fd_is_unix_stream(sp[0])); /* connected, not listening */
	close(sp[0]);
	close(sp[1]);
	if (saved3 >= 0) {
		dup2(saved3, 3);
		close(saved3);
	}
	close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_listen_fds, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
