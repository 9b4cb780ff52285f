#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "supervisor/daemon/cgroup_self.h"
#include "supervisor/daemon/config.h"
#include "common/units.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/daemon/listenfds.h"
#include "supervisor/daemon/metrics.h"
#include "supervisor/daemon/metrics_http.h"
#include "supervisor/daemon/sdnotify.h"

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/corral-cfg-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	rm_rf(dir);
	return 0;
}

static void write_conf(const char *name, const char *text, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", dir, name);
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
	cerr err = { 0 };
	char p[128];
	assert_int_equal(config_init(&c, &err), 0);
	write_conf("bad.conf", text, p, sizeof(p));
	assert_true(config_load(&c, p, false, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("error [%s] lacks [%s]", err.msg, needle);
	cerr_clear(&err);
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
	cerr err = { 0 };
	assert_int_equal(config_init(&c, &err), 0);
	assert_int_equal(config_load(&c, "/nonexistent/corrald.conf", true, &err), 0);
	assert_int_equal(config_load(&c, "/nonexistent/corrald.conf", false, &err), -ENOENT);
	cerr_clear(&err);
	config_release(&c);
}

static void test_sizes(void **state)
{
	size_t n;
	assert_int_equal(parse_size("4096", &n), 0);
	assert_int_equal(n, 4096);
	assert_int_equal(parse_size("10M", &n), 0);
	assert_int_equal(n, 10u << 20);
	assert_int_equal(parse_size("2KiB", &n), 0);
	assert_int_equal(n, 2048);
	assert_int_equal(parse_size("1G", &n), 0);
	assert_int_equal(parse_size("-1", &n), -EINVAL);
	assert_int_equal(parse_size("5X", &n), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999G", &n), -ERANGE);
}

static void test_metrics_render(void **state)
{
	metrics *m = metrics_new();
	metrics_rpc(m, "io.corral.Supervisor.Ping", NULL, 50);       /* 50 us */
	metrics_rpc(m, "io.corral.Supervisor.Ping", NULL, 2000);     /* 2 ms */
	metrics_rpc(m, "io.corral.Supervisor.Ping", "x.Y", 20000000); /* 20 s */
	metrics_rpc(m, "evil\"\n\\", NULL, 1);
	metrics_set_containers(m, "running", 3);
	metrics_add_restarts(m, 2);
	metrics_add_oom_kills(m, 1);
	metrics_set_store_bytes(m, 12345);
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(metrics_render(m, &sb), 0);
	const char *want[] = {
		"# TYPE corral_containers gauge\n",
		"corral_containers{state=\"running\"} 3\n",
		"corral_containers{state=\"stopped\"} 0\n",
		"corral_container_restarts_total 2\n",
		"corral_container_oom_kills_total 1\n",
		"corral_store_bytes 12345\n",
		"corral_rpc_requests_total{method=\"io.corral.Supervisor.Ping\",result=\"ok\"} 2\n",
		"corral_rpc_requests_total{method=\"io.corral.Supervisor.Ping\",result=\"error\"} 1\n",
		"# TYPE corral_rpc_duration_seconds histogram\n",
		"corral_rpc_duration_seconds_bucket{method=\"io.corral.Supervisor.Ping\",le=\"0.0001\"} 1\n",
		"corral_rpc_duration_seconds_bucket{method=\"io.corral.Supervisor.Ping\",le=\"0.0025\"} 2\n",
		"corral_rpc_duration_seconds_bucket{method=\"io.corral.Supervisor.Ping\",le=\"10\"} 2\n",
		"corral_rpc_duration_seconds_bucket{method=\"io.corral.Supervisor.Ping\",le=\"+Inf\"} 3\n",
		"corral_rpc_duration_seconds_count{method=\"io.corral.Supervisor.Ping\"} 3\n",
		"method=\"evil\\\"\\n\\\\\"",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(sb.buf, want[i]))
			fail_msg("metrics lack [%s]", want[i]);
	metrics_free(m);
}

static void test_metrics_method_cap(void **state)
{
	metrics *m = metrics_new();
	for (int i = 0; i < 200; i++) {
		char name[32];
		snprintf(name, sizeof(name), "m%d", i);
		metrics_rpc(m, name, NULL, 1);
	}
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(metrics_render(m, &sb), 0);
	assert_non_null(strstr(sb.buf, "{method=\"other\",result=\"ok\"} 136\n"));
	assert_null(strstr(sb.buf, "\"m64\""));
	metrics_free(m);
}

static int render_fixed(strbuf *out, void *data) { return sb_adds(out, "corral_up 1\n"); }

static char *http_get(el_loop *l, int port, const char *req)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	for (int i = 0; i < 20; i++)
		el_run_once(l, 2);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 200; i++) {
		el_run_once(l, 2);
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0)
			break;
		if (n > 0)
			sb_add(&sb, buf, (size_t)n);
	}
	close(fd);
	return sb_detach(&sb);
}

static void test_metrics_http(void **state)
{
	el_loop *l;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	metrics_http *h;
	assert_int_equal(metrics_http_listen(l, "127.0.0.1:0", render_fixed, NULL, &h, &err), 0);
	int port = metrics_http_port(h);
	assert_true(port > 0);
	_cleanup_free_ char *ok = http_get(l, port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(ok, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(ok, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(ok, "Content-Length: 12\r\n"));
	assert_non_null(strstr(ok, "\r\n\r\ncorral_up 1\n"));
	_cleanup_free_ char *nf = http_get(l, port, "GET / HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(nf, "HTTP/1.1 404"));
	_cleanup_free_ char *na = http_get(l, port, "POST /metrics HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(na, "HTTP/1.1 405"));
	_cleanup_free_ char *bad = http_get(l, port, "garbage\r\n\r\n");
	assert_non_null(strstr(bad, "HTTP/1.1 400"));
	metrics_http_free(h);
	el_free(l);
	assert_true(metrics_http_listen(NULL, "nonsense", render_fixed, NULL, &h, &err) < 0);
	assert_non_null(strstr(err.msg, "metrics-listen nonsense"));
	cerr_clear(&err);
}

static void test_sd_notify(void **state)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/notify", dir);
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
	snprintf(path, sizeof(path), "%s/act.sock", dir);
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

static void test_cgroup_self(void **state)
{
	cerr err = { 0 };
	char *p = NULL;
	assert_int_equal(cgself_parse("12:pids:/x\n0::/system.slice/corrald.service\n", &p, &err), 0);
	assert_string_equal(p, "/system.slice/corrald.service");
	free(p);
	assert_int_equal(cgself_parse("4:memory:/\n", &p, &err), -ENOENT);
	cerr_clear(&err);
	setenv("INVOCATION_ID", "abc", 1);
	assert_true(cgself_should_delegate(CG_DELEGATE_AUTO, "/system.slice/corrald.service"));
	assert_false(cgself_should_delegate(CG_DELEGATE_AUTO, "/user.slice/session-1.scope"));
	assert_false(cgself_should_delegate(CG_DELEGATE_YES, "/"));
	assert_false(cgself_should_delegate(CG_DELEGATE_NO, "/system.slice/corrald.service"));
	unsetenv("INVOCATION_ID");
	assert_false(cgself_should_delegate(CG_DELEGATE_AUTO, "/system.slice/corrald.service"));
	assert_true(cgself_should_delegate(CG_DELEGATE_YES, "/x"));

	/* a fake cgroupfs: the service cgroup offers cpu, memory, pids */
	char svc[160], f[200];
	snprintf(svc, sizeof(svc), "%s/system.slice/corrald.service", dir);
	assert_int_equal(mkdir_p(svc, 0755), 0);
	snprintf(f, sizeof(f), "%s/cgroup.procs", svc);
	assert_int_equal(write_file_atomic(f, "", 0, 0644, &err), 0);
	snprintf(f, sizeof(f), "%s/cgroup.controllers", svc);
	assert_int_equal(write_file_atomic(f, "cpu memory pids\n", 16, 0644, &err), 0);
	snprintf(f, sizeof(f), "%s/cgroup.subtree_control", svc);
	assert_int_equal(write_file_atomic(f, "", 0, 0644, &err), 0);
	assert_int_equal(cgself_enter_leaf(dir, "/system.slice/corrald.service", CGSELF_LEAF, &err), 0);
	_cleanup_free_ char *sub = NULL;
	assert_int_equal(read_file(f, 4096, &sub, NULL, &err), 0);
	assert_string_equal(sub, "+cpu +memory +pids");
	snprintf(f, sizeof(f), "%s/supervisor", svc);
	struct stat st;
	assert_int_equal(stat(f, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	_cleanup_free_ char *a = cgself_containers_parent("", "/system.slice/corrald.service", true);
	_cleanup_free_ char *b = cgself_containers_parent("/machine.slice", "/x", true);
	_cleanup_free_ char *c = cgself_containers_parent(NULL, "/", false);
	assert_string_equal(a, "/system.slice/corrald.service");
	assert_string_equal(b, "/machine.slice");
	assert_string_equal(c, "/corral");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_defaults_file_and_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_metrics_render),
		cmocka_unit_test(test_metrics_method_cap),
		cmocka_unit_test(test_metrics_http),
		cmocka_unit_test_setup_teardown(test_sd_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_self, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
