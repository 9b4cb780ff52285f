/* What a corral-stream helper may ask, on its fd 3, for the connection it
 * serves: nothing until it brings a token; then, once, what the token
 * grants. The exec or attach is dispatched here as the token's owner's
 * call on a socket whose other end goes to the helper: the helper never
 * holds a varlink connection it could make other calls on. */
#include "supervisor/daemon/stream/stream.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/daemon/stream/stream_grant.h"
#include "supervisor/daemon/stream/netns_socket.h"
#include "supervisor/daemon/compat/handoff.h"
#include "supervisor/daemon/core/config.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/api/sv_fault.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void answer(int sock, char what, const void *p, size_t n, int fd)
{
	char msg[256];
	msg[0] = what;
	n = n < sizeof(msg) - 1 ? n : sizeof(msg) - 1;
	memcpy(msg + 1, p, n);
	(void)fd_send(sock, msg, n + 1, &fd, fd >= 0 ? 1 : 0, MSG_DONTWAIT);
}

static void refuse(int sock, const char *why) { answer(sock, STREAM_NO, why, strlen(why), -1); }

static void redeem(int sock, const char *msg, size_t n, stream_grant **held)
{
	char token[STREAM_TOKEN_LEN + 1];
	if (*held)
		return refuse(sock, "a token is redeemed once per connection");
	if (n != 2 + STREAM_TOKEN_LEN)
		return refuse(sock, "no such token");
	memcpy(token, msg + 2, STREAM_TOKEN_LEN), token[STREAM_TOKEN_LEN] = '\0';
	const char *why;
	*held = stream_grant_take((enum stream_grant_kind)msg[1], token, &why);
	if (!*held)
		return refuse(sock, why);
	char flags = (char)('@' + (*held)->flags); /* printable: STREAM_F_* are 4 bits */
	answer(sock, STREAM_OK, &flags, 1, -1);
}

/* The exec or attach, as its owner's call: its Streams connection, which
 * the helper reads the call's reply on */
static void start(corrald *d, int sock, stream_grant *g)
{
	if (!g || g->kind == GRANT_PORTFORWARD || !g->params)
		return refuse(sock, "nothing to start");
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return refuse(sock, "socketpair failed");
	_cleanup_close_ int theirs = sp[1];
	const char *method = g->kind == GRANT_EXEC ? SV_ERR("Exec") : SV_ERR("Attach");
	vl_call *call;
	_cleanup_cerr_ cerr err = { 0 };
	/* used: the helper gets one start */
	_cleanup_free_ char *params = TAKE_PTR(g->params);
	if (vl_server_adopt_call(d->srv, sp[0], &g->owner, method, params, VL_CALL_UPGRADE, &call, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "stream: %s", method);
		return refuse(sock, "corrald could not take the call");
	}
	vl_server_dispatch_adopted(call);
	answer(sock, STREAM_OK, "", 0, theirs);
}

/* A connection to port inside the grant's session's network namespace */
static void forward(corrald *d, int sock, const char *msg, size_t n, stream_grant *g)
{
	if (!g || g->kind != GRANT_PORTFORWARD)
		return refuse(sock, "no port-forward was granted");
	if (++g->n_asked > STREAM_MAX_PORT_ASKS)
		return refuse(sock, "this port-forward has asked for its 4096 connections");
	if (n != 4 || (msg[3] != '4' && msg[3] != '6'))
		return refuse(sock, "a port ask is a port and a family");
	uint16_t port = (uint16_t)((unsigned char)msg[1] << 8 | (unsigned char)msg[2]);
	bool allowed = g->n_ports == 0;
	for (size_t i = 0; i < g->n_ports; i++)
		allowed |= g->ports[i] == port;
	char why[256];
	if (!port || !allowed) {
		snprintf(why, sizeof(why), "port %u was not asked for in PortForward", (unsigned)port);
		return refuse(sock, why);
	}
	session *s = session_for(d, 0, g->id);
	if (!s || !session_visible_to(s, &g->owner)) {
		snprintf(why, sizeof(why), "pod %s is gone", g->id);
		return refuse(sock, why);
	}
	_cleanup_close_ int ns = -1;
	if (s->share & SESSION_SHARE_NET) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/ns/net", s->dir);
		if ((ns = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
			snprintf(why, sizeof(why), "pod %s has no network namespace: %s", g->id, strerror(errno));
			return refuse(sock, why);
		}
	}
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_close_ int fd = netns_connect_loopback(ns, port, msg[3] == '6', &err);
	if (fd < 0) {
		snprintf(why, sizeof(why), "%s", cerr_msg(&err));
		return refuse(sock, why);
	}
	answer(sock, STREAM_OK, "", 0, fd);
}

static void on_ask(corrald *d, int sock, const char *msg, size_t n, void **state)
{
	stream_grant **held = (stream_grant **)state;
	switch (msg[0]) {
	case STREAM_ASK_REDEEM:
		return redeem(sock, msg, n, held);
	case STREAM_ASK_START:
		return start(d, sock, *held);
	case STREAM_ASK_PORT:
		return forward(d, sock, msg, n, *held);
	default:
		return refuse(sock, "an ask corrald does not know");
	}
}

static void forget(void *state) { stream_grant_free(state); }

int stream_start(corrald *d, cerr *err)
{
	const corrald_config *cfg = d->cfg;
	const char *addr = config_stream_address(cfg);
	if (!addr[0])
		return 0;
	handoff_opts o = { .name = "stream", .title = "the CRI's streaming server", .noun = "streaming",
			   .path = "", .tcp = addr, .bin = d->stream_bin, .user = cfg->stream_user,
			   .idle_timeout = cfg->stream_idle_timeout, .ask = on_ask, .forget = forget };
	if (handoff_start(d, &o, 0, -1, &d->stream, err) < 0)
		return -1;
	stream_grant_set_addr(handoff_tcp_addr(d->stream));
	return 0;
}

void stream_stop(corrald *d)
{
	handoff_stop(&d->stream);
	stream_grant_set_addr("");
}
