/* Hand the seccomp listener fd to the agent at linux.seccomp.listenerPath:
 * one containerProcessState JSON message on a SOCK_STREAM unix socket, the
 * fd riding along as SCM_RIGHTS (runtime-spec, "Seccomp" / listenerPath). */
#include "seccomp.h"
#include "runtime/seccomp_notify.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int seccomp_notify_message(const struct oci_seccomp *sc, const char *state_json, char **out, size_t *len, cerr *err)
{
	_cleanup_json_ yajl_val state = NULL;
	int r = json_parse(state_json ? state_json : "", "container state", &state, err);
	if (r < 0)
		return r;
	if (!YAJL_IS_OBJECT(state))
		return cerr_set(err, EINVAL, "container state: must be an object");
	long long pid = 0;
	yajl_val p = json_get(state, "pid");
	if (p && !json_int_in(p, 0, INT32_MAX, &pid))
		return cerr_set(err, EINVAL, "container state: pid: must be a process id");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	r = yajl_gen_map_open(g) || jg_key_str(g, "ociVersion", OCI_VERSION) || jg_key(g, "fds") ||
	    yajl_gen_array_open(g) || jg_str(g, "seccompFd") || yajl_gen_array_close(g) ||
	    jg_key_int(g, "pid", pid);
	if (!r && sc && sc->listener_metadata)
		r = jg_key_str(g, "metadata", sc->listener_metadata);
	if (!r)
		r = jg_key(g, "state") || jg_value(g, state) || yajl_gen_map_close(g);
	if (r)
		return cerr_set(err, EINVAL, "container state: cannot serialise the notify message");
	*out = jg_finish(g, len);
	if (!*out)
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

int seccomp_send_notify(const struct oci_seccomp *sc, int notify_fd, const char *state_json, cerr *err)
{
	if (!sc || !sc->listener_path)
		return cerr_set(err, EINVAL, "linux.seccomp.listenerPath: not set");
	if (notify_fd < 0)
		return cerr_set(err, EBADF, "linux.seccomp: no notify fd to send");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sc->listener_path) >= sizeof(sa.sun_path))
		return cerr_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath: \"%s\" is too long for a unix socket",
				sc->listener_path);
	strcpy(sa.sun_path, sc->listener_path);
	_cleanup_free_ char *msg = NULL;
	size_t len = 0;
	int r = seccomp_notify_message(sc, state_json, &msg, &len, err);
	if (r < 0)
		return cerr_wrap(err, "linux.seccomp.listenerPath");
	_cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return cerr_sys(err, errno, "linux.seccomp.listenerPath: socket");
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return cerr_sys(err, errno, "linux.seccomp.listenerPath: connecting to %s", sc->listener_path);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = { .iov_base = msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));
	/* The fd goes with the first byte; the rest of the text follows. */
	size_t off = 0;
	while (off < len) {
		ssize_t n = sendmsg(s, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cerr_sys(err, n < 0 ? errno : EPIPE, "linux.seccomp.listenerPath: sending to %s",
					sc->listener_path);
		off += (size_t)n;
		iov.iov_base = msg + off;
		iov.iov_len = len - off;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	return 0;
}
