/* supervisor/daemon/sdnotify.c: READY, STATUS and WATCHDOG to systemd's socket, path or abstract. */
#include "tmpdir.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervisor/daemon/host/sdnotify.h"

static void test_sd_notify(void **state)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/notify", tmpdir);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdn_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdn_notify("READY=1\nSTATUS=serving"), 1);
	char buf[128] = "";
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 22);
	assert_string_equal(buf, "READY=1\nSTATUS=serving");
	close(fd);

	/* the abstract namespace form */
	char name[64];
	snprintf(name, sizeof(name), "@corral-test-%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	memcpy(ab.sun_path + 1, name + 1, strlen(name) - 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&ab, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name))), 0);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdn_notify("WATCHDOG=1"), 1);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 10);
	assert_string_equal(buf, "WATCHDOG=1");
	close(fd);
	setenv("NOTIFY_SOCKET", "relative", 1);
	assert_int_equal(sdn_notify("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");

	setenv("WATCHDOG_USEC", "3000000", 1);
	unsetenv("WATCHDOG_PID");
	assert_int_equal(sdn_watchdog_usec(), 3000000);
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(sdn_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sd_notify, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
