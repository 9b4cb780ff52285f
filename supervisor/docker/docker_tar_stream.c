/* tar_stream.h: corrald's Streams frames over an upgraded call, as HTTP
 * bodies in and out. */
#include "supervisor/docker/tar_stream.h"
#include "supervisor/docker/docker_tar_stream.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tar_stream_free(tar_stream *s)
{
	if (!s)
		return;
	stream_client_release(&s->sc);
	free(s);
}

tar_stream *tar_stream_open(dk_req *r, const char *method, const char *params, const char *subject)
{
	char full[64];
	snprintf(full, sizeof(full), "io.corral.Supervisor.%s", method);
	vl_reply rep = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	int fd = -1;
	if (!params || vl_client_call_upgrade(r->vl, full, params, &rep, &fd, &err) < 0) {
		dk_error(r, 500, "corrald: %s: %s", method, cerr_msg(&err));
		return NULL;
	}
	if (rep.error) {
		dk_fail(r, &rep, subject);
		return NULL;
	}
	vl_reply_release(&rep);
	tar_stream *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		dk_error(r, 500, "out of memory");
		return NULL;
	}
	stream_client_init(&s->sc, fd);
	return s;
}

int tar_stream_take(tar_stream *s)
{
	ssize_t n = stream_reader_fill(&s->sc.in, s->sc.fd);
	if (n <= 0)
		return n == -EINTR ? 0 : -1;
	stream_frame f;
	int k;
	while ((k = stream_reader_next(&s->sc.in, &f)) > 0) {
		if (stream_client_keep(&s->sc, &f) == 1)
			sb_add(&s->sc.head, f.data, f.len);
	}
	return k < 0 ? -1 : 0;
}

int tar_stream_feed(tar_stream *s, const char *data, size_t n)
{
	if (!s->broken)
		s->broken = stream_send_all(s->sc.fd, STREAM_STDIN, data, n) < 0;
	return s->broken ? -1 : 0;
}

int tar_stream_end(tar_stream *s)
{
	if (!s->broken)
		stream_send(s->sc.fd, STREAM_CLOSE_STDIN, NULL, 0);
	while (s->sc.code < 0 && tar_stream_take(s) == 0)
		;
	return s->sc.code;
}

const char *tar_stream_why(tar_stream *s, const char *dflt, int *len)
{
	const char *msg = s->sc.msg.len ? s->sc.msg.buf : dflt;
	*len = (int)strcspn(msg, "\n");
	return msg;
}

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	tar_stream *s = cls;
	while (!s->sc.head.len) {
		if (s->sc.code >= 0 || tar_stream_take(s) < 0)
			return s->sc.code == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
	}
	size_t n = s->sc.head.len < max ? s->sc.head.len : max;
	memcpy(buf, s->sc.head.buf, n);
	memmove(s->sc.head.buf, s->sc.head.buf + n, s->sc.head.len - n);
	s->sc.head.len -= n;
	return (ssize_t)n;
}

static void body_free(void *cls)
{
	tar_stream_free(cls);
}

void tar_stream_answer(dk_req *r, tar_stream *s, const char *ctype)
{
	dk_stream(r, 200, ctype, body_read, s, body_free);
	if (r->resp)
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
}
