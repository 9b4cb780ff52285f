/* A connection, from its first byte to its upgrade (serve.h) */
#include "supervisor/stream/serve.h"
#include "supervisor/stream/spdy_headers.h"
#include "supervisor/stream/port_forward.h"
#include "supervisor/stream/exec_bridge.h"
#include "supervisor/api/stream_asks.h"
#include "common/cleanup.h"
#include "common/outq.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int answer_refusal(int client, int status, const char *why)
{
	_cleanup_(outq_release) outq out = { 0 };
	upgrade_refuse(&out.buf, status, why);
	outq_flush_within(&out, client, SERVE_HEAD_TIMEOUT_MS);
	log_info("refused: %d %s", status, why);
	return 0;
}

/* the head into in, read to its end within the timeout (what follows it
 * stays in in): 1, -1 with the status to answer, -2 when the client went */
static int read_head(int client, strbuf *in, upgrade_req *r, int *status, char *why, size_t why_len)
{
	int64_t deadline = mono_ms() + SERVE_HEAD_TIMEOUT_MS;
	for (;;) {
		int p = upgrade_parse(in->buf ? in->buf : "", in->len, r, status, why, why_len);
		if (p != 0)
			return p;
		int64_t left = deadline - mono_ms();
		struct pollfd pf = { .fd = client, .events = POLLIN };
		if (left <= 0 || poll(&pf, 1, (int)left) != 1)
			return *status = 408, snprintf(why, why_len, "no whole request in 10 s"), -1;
		if (sb_grow(in, 4096) < 0)
			return *status = 500, snprintf(why, why_len, "out of memory"), -1;
		ssize_t n = recv(client, in->buf + in->len, in->cap - in->len - 1, MSG_DONTWAIT);
		if (n == 0)
			return -2; /* gone */
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -2;
		if (n > 0)
			in->len += (size_t)n, in->buf[in->len] = '\0';
	}
}

int serve_connection(int client, int asks, size_t idle_seconds)
{
	fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK);
	stream_conn c = { .client = client, .asks = asks, .idle_usec = (uint64_t)idle_seconds * 1000000 };
	int status = 0;
	char why[256] = "";
	int r = read_head(client, &c.in, &c.req, &status, why, sizeof(why));
	if (r == -2)
		return 0;
	if (r < 0)
		return answer_refusal(client, status, why);
	c.protocol = upgrade_choose(&c.req);
	if (!c.protocol) {
		upgrade_no_protocol(&c.req, why, sizeof(why));
		return answer_refusal(client, 403, why);
	}
	/* the token, redeemed before anything is answered */
	char ask[2 + UPGRADE_TOKEN_MAX];
	static const char kinds[] = { [SERVE_EXEC] = 'e', [SERVE_ATTACH] = 'a', [SERVE_PORTFORWARD] = 'p' };
	size_t tl = strlen(c.req.token);
	ask[0] = STREAM_ASK_REDEEM, ask[1] = kinds[c.req.kind];
	memcpy(ask + 2, c.req.token, tl);
	int fd;
	int got = sc_ask(&c, ask, 2 + tl, why, sizeof(why), &fd);
	if (got <= 0)
		return answer_refusal(client, got == 0 ? 404 : 503, got == 0 ? why : "corrald did not answer");
	c.flags = (unsigned)(why[0] - '@') & 0xf;
	if (c.req.to == UPGRADE_WEBSOCKET && c.req.kind == SERVE_PORTFORWARD)
		return answer_refusal(client, 501, "port-forward is served over SPDY/3.1 alone, not a WebSocket");
	c.wire = c.req.to == UPGRADE_SPDY ? SC_SPDY : strstr(c.protocol, "base64") ? SC_WS_BASE64 : SC_WS;
	_cleanup_(outq_release) outq head = { 0 };
	if (upgrade_accept(&head.buf, &c.req, c.protocol) < 0)
		return answer_refusal(client, 500, "no WebSocket accept key: libcrypto is not there");
	if (outq_flush_within(&head, client, SERVE_HEAD_TIMEOUT_MS) < 0)
		return -1;
	/* what followed the head is the protocol's */
	memmove(c.in.buf, c.in.buf + c.req.head_len, c.in.len - c.req.head_len);
	c.in.len -= c.req.head_len;
	r = c.req.kind == SERVE_PORTFORWARD ? serve_port_forward(&c) : serve_exec(&c, c.req.kind == SERVE_EXEC);
	if (c.why)
		log_info("%s ended: %s", c.req.kind == SERVE_PORTFORWARD ? "port-forward" : "stream", c.why);
	outq_release(&c.out);
	sb_release(&c.in);
	spdy_zlib_release(&c.z);
	sb_release(&c.ws_msg);
	return r;
}
