/* A body made as corrald answers: each time libmicrohttpd wants bytes and
 * none are left, fill is called, and may block on corrald (the client of
 * this process waits for nothing else). */
#include "supervisor/docker/dk.h"
#include "supervisor/docker/docker_pump.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

static ssize_t pump_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	dk_pump *p = cls;
	while (p->off == p->out.len) {
		sb_reset(&p->out);
		p->off = 0;
		if (p->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (p->fill(p) < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	size_t n = p->out.len - p->off;
	if (n > max)
		n = max;
	memcpy(buf, p->out.buf + p->off, n);
	p->off += n;
	return (ssize_t)n;
}

static void pump_free(void *cls)
{
	dk_pump *p = cls;
	sb_release(&p->out);
	if (p->release)
		p->release(p);
	free(p);
}

dk_pump *dk_pump_new(dk_req *r, int (*fill)(dk_pump *p), size_t extra)
{
	dk_pump *p = calloc(1, sizeof(*p) + extra);
	if (!p)
		return NULL;
	p->vl = r->vl;
	p->fill = fill;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	p->client = ci ? ci->connect_fd : -1;
	p->ctx = p + 1;
	return p;
}

void dk_pump_answer(dk_req *r, dk_pump *p, const char *ctype)
{
	dk_stream(r, 200, ctype, pump_read, p, pump_free);
}

void dk_pump_put_json(dk_pump *p, yajl_gen g, const char *eol)
{
	size_t len;
	_cleanup_free_ char *text = jg_finish(g, &len);
	if (text) {
		sb_add(&p->out, text, len);
		sb_adds(&p->out, eol);
	}
}

int dk_pump_await(dk_pump *p)
{
	if (vl_client_buffered(p->vl) > 0)
		return 0;
	for (;;) {
		struct pollfd pf[2] = { { .fd = vl_client_fd(p->vl), .events = POLLIN },
					{ .fd = p->client, .events = POLLRDHUP } };
		if (poll(pf, p->client >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p->client >= 0 && pf[1].revents)
			return -1; /* the client hung up: the body has no reader */
		if (pf[0].revents)
			return 0;
	}
}
