/* SCMP_ACT_NOTIFY end to end: a child loads a filter, sends its listener fd
 * to our socket at listenerPath, and we answer its getppid() with 4242. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <seccomp.h>

#include "bundle/spec.h"
#include "bundle/spec_parse.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/fileio.h"
#include "runtime/seccomp.h"
#include "runtime/seccomp_notify.h"
#include "runtime/seccomp_cache.h"

#define CFG_HEAD "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"," \
		 "\"user\":{\"uid\":0,\"gid\":0}},\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":"

static struct oci_spec *parse_sc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct oci_spec *parse_sc(const char *fmt, ...)
{
	char *sc = NULL, *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	assert_true(vasprintf(&sc, fmt, ap) > 0);
	va_end(ap);
	assert_true(asprintf(&text, CFG_HEAD "%s}}", sc) > 0);
	struct oci_spec *s = NULL;
	cerr err = { 0 };
	if (spec_parse(text, &s, &err) < 0)
		fail_msg("spec_parse: %s", cerr_msg(&err));
	free(sc);
	free(text);
	return s;
}

static const char *jstr(yajl_val v, const char *key)
{
	yajl_val x = json_get(v, key);
	return YAJL_IS_STRING(x) ? x->u.string : NULL;
}

/* Child: filter, hand over the fd, then make the notified call. */
static void child(const struct oci_seccomp *sc)
{
	cerr err = { 0 };
	int fd = -1;
	signal(SIGSYS, SIG_DFL);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (seccomp_apply(sc, &fd, &err) < 0 || fd < 0) {
		fprintf(stderr, "seccomp_apply: %s (fd %d)\n", cerr_msg(&err), fd);
		_exit(10);
	}
	char state[256];
	snprintf(state, sizeof(state),
		 "{\"ociVersion\":\"1.2.0\",\"id\":\"ctr-1\",\"status\":\"creating\",\"pid\":%d,\"bundle\":\"/b\"}",
		 (int)getpid());
	if (seccomp_send_notify(sc, fd, state, &err) < 0) {
		fprintf(stderr, "seccomp_send_notify: %s\n", cerr_msg(&err));
		_exit(11);
	}
	close(fd);
	long r = syscall(SYS_getppid);
	long other = syscall(SYS_getpgid, 0); /* not notified: runs normally */
	_exit(r == 4242 && other == getpgid(0) ? 0 : 12);
}

static void test_notify_roundtrip(void **state)
{
	char dir[] = "/tmp/corral-notify-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/listener.sock", dir);
	_cleanup_spec_ struct oci_spec *s = parse_sc(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"%s\",\"listenerMetadata\":\"meta-1\","
		"\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", path);

	_cleanup_close_ int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 1), 0);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(s->linux_.seccomp);

	struct pollfd pfd = { .fd = ls, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	_cleanup_close_ int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	assert_true(c >= 0);

	/* The JSON, with the fd on its first bytes. */
	char buf[4096];
	size_t len = 0;
	int nfd = -1;
	for (;;) {
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr a;
		} ctl;
		struct iovec iov = { .iov_base = buf + len, .iov_len = sizeof(buf) - 1 - len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
		ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
		assert_true(n >= 0);
		if (n == 0)
			break;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
				memcpy(&nfd, CMSG_DATA(cm), sizeof(int));
		len += (size_t)n;
		assert_true(len < sizeof(buf) - 1);
	}
	buf[len] = '\0';
	assert_true(nfd >= 0);

	_cleanup_json_ yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(buf, "message", &v, &err), 0);
	assert_string_equal(jstr(v, "ociVersion"), OCI_VERSION);
	assert_string_equal(jstr(v, "metadata"), "meta-1");
	yajl_val fds = json_get(v, "fds");
	assert_true(YAJL_IS_ARRAY(fds) && fds->u.array.len == 1);
	assert_string_equal(fds->u.array.values[0]->u.string, "seccompFd");
	long long p = 0;
	assert_true(json_int_in(json_get(v, "pid"), 1, INT32_MAX, &p));
	assert_int_equal(p, pid);
	assert_string_equal(jstr(json_get(v, "state"), "id"), "ctr-1");
	assert_string_equal(jstr(json_get(v, "state"), "status"), "creating");

	/* Answer the child's getppid(). */
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	assert_int_equal(seccomp_notify_alloc(&req, &resp), 0);
	pfd = (struct pollfd){ .fd = nfd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(seccomp_notify_receive(nfd, req), 0);
	assert_int_equal(req->pid, pid);
	assert_int_equal(req->data.nr, seccomp_syscall_resolve_name("getppid"));
	resp->id = req->id;
	resp->val = 4242;
	resp->error = 0;
	resp->flags = 0;
	assert_int_equal(seccomp_notify_respond(nfd, resp), 0);
	seccomp_notify_free(req, resp);
	close(nfd);

	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	unlink(path);
	rmdir(dir);
}

static void test_message_shape(void **state)
{
	_cleanup_spec_ struct oci_spec *s = parse_sc(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"%s\"}", "/run/l.sock");
	_cleanup_free_ char *msg = NULL;
	size_t len = 0;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(seccomp_notify_message(s->linux_.seccomp, "{\"id\":\"a\",\"pid\":12}", &msg, &len, &err), 0);
	assert_int_equal(strlen(msg), len);
	/* No listenerMetadata: no metadata member. */
	assert_string_equal(msg, "{\"ociVersion\":\"" OCI_VERSION "\",\"fds\":[\"seccompFd\"],\"pid\":12,"
				 "\"state\":{\"id\":\"a\",\"pid\":12}}");

	char *bad = NULL;
	assert_int_equal(seccomp_notify_message(s->linux_.seccomp, "[1]", &bad, &len, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "container state: must be an object");
	assert_int_equal(seccomp_notify_message(s->linux_.seccomp, "{\"pid\":-3}", &bad, &len, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "container state: pid: must be a process id");
	assert_true(seccomp_notify_message(s->linux_.seccomp, "{\"pid\":", &bad, &len, &err) < 0);
	assert_null(bad);
}

static void test_send_errors(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_spec_ struct oci_spec *s = parse_sc(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"%s\"}", "/nonexistent/corral/l.sock");
	int fd = dup(0);
	assert_int_equal(seccomp_send_notify(s->linux_.seccomp, fd, "{\"pid\":1}", &err), -ENOENT);
	assert_non_null(strstr(cerr_msg(&err), "linux.seccomp.listenerPath: connecting to /nonexistent/corral/l.sock"));
	assert_int_equal(seccomp_send_notify(s->linux_.seccomp, -1, "{}", &err), -EBADF);
	close(fd);

	char longp[200];
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	_cleanup_spec_ struct oci_spec *l = parse_sc(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"%s\"}", longp);
	assert_int_equal(seccomp_send_notify(l->linux_.seccomp, 0, "{}", &err), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_roundtrip),
		cmocka_unit_test(test_message_shape),
		cmocka_unit_test(test_send_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
