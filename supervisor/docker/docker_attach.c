/* POST /containers/{id}/attach: the client's connection hijacked (101,
 * Upgrade: tcp) and joined to corrald's Attach stream. corral's frames
 * (supervisor/varlink/streams.h) become Docker's: a terminal's output raw,
 * else each piece behind the 8-byte header [stream, 0, 0, 0, size BE32];
 * what the client sends becomes STDIN frames, and its half-close
 * CLOSE_STDIN. The varlink connection is the stream's from then on: the
 * hijacked connection takes no further request, so none needs it. */
#include "supervisor/docker/dk.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/streams.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct attach_ctx {
	int stream; /* corrald's end: Streams frames */
	bool tty, stdin_on;
} attach_ctx;

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One of the container's frames to the client; 1 at its EXIT, -1 when the
 * client is gone. */
static int to_client(attach_ctx *a, int sock, const stream_frame *f)
{
	if (f->kind == STREAM_EXIT)
		return 1;
	if (f->kind != STREAM_STDOUT && f->kind != STREAM_STDERR)
		return 0;
	if (!a->tty) {
		unsigned char h[8] = { f->kind == STREAM_STDERR ? 2 : 1, 0, 0, 0 };
		uint32_t be = htonl(f->len);
		memcpy(h + 4, &be, 4);
		if (write_all(sock, h, sizeof(h)) < 0)
			return -1;
	}
	return write_all(sock, f->data, f->len);
}

/* The client's bytes as STDIN frames (dropped when it asked for no stdin). */
static int to_container(attach_ctx *a, const char *data, size_t len)
{
	if (!a->stdin_on || !len)
		return 0;
	return stream_send(a->stream, STREAM_STDIN, data, len);
}

static void pump(attach_ctx *a, int sock, const char *extra, size_t extra_len)
{
	stream_reader rd;
	stream_reader_init(&rd, STREAM_AT_CLIENT);
	bool client_open = true;
	if (to_container(a, extra, extra_len) < 0)
		goto out;
	for (;;) {
		struct pollfd pf[2] = { { .fd = a->stream, .events = POLLIN },
					{ .fd = client_open ? sock : -1, .events = POLLIN } };
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents) {
			char buf[16384];
			ssize_t n = read(sock, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) { /* its half-close: the end of stdin */
				client_open = false;
				if (a->stdin_on && stream_send(a->stream, STREAM_CLOSE_STDIN, NULL, 0) < 0)
					break;
			} else if (to_container(a, buf, (size_t)n) < 0)
				break;
		}
		if (pf[0].revents) {
			char *p;
			size_t room;
			if (stream_reader_reserve(&rd, 16384, &p, &room) < 0)
				break;
			ssize_t n = read(a->stream, p, room);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			stream_reader_commit(&rd, (size_t)n);
			stream_frame f;
			int r = 0, got;
			while (r == 0 && (got = stream_reader_next(&rd, &f)) > 0)
				r = to_client(a, sock, &f);
			if (r != 0 || got < 0)
				break;
		}
	}
out:
	stream_reader_release(&rd);
}

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
		       size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	attach_ctx *a = cls;
	/* libmicrohttpd made it non-blocking; this process serves nothing else */
	int fl = fcntl(sock, F_GETFL);
	if (fl >= 0)
		fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
	pump(a, sock, extra_in, extra_in_size);
	close(a->stream);
	free(a);
	MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

void dk_ctr_attach(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	const char *up = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade");
	if (!up || !*up) {
		dk_error(r, 400, "attach needs an upgraded connection (Upgrade: tcp)");
		return;
	}
	_cleanup_json_gen_ yajl_gen ip = dk_params_id(id);
	_cleanup_free_ char *iparams = dk_params_end(ip);
	vl_reply rep;
	if (dk_call(r, "Inspect", iparams, &rep) < 0) {
		dk_fail(r, &rep, id);
		return;
	}
	yajl_val c = json_get(rep.params, "container");
	yajl_val spec = json_get(c, "config");
	bool tty = dk_bool(spec, "tty"), interactive = dk_bool(spec, "interactive");
	bool exited = streq(dk_str(json_get(c, "state"), "status"), "exited");
	bool want_stdin = dk_query_bool(r, "stdin", false) && interactive;
	_cleanup_json_gen_ yajl_gen p = dk_params_id(dk_str(c, "id"));
	vl_reply_release(&rep);
	if (want_stdin)
		jg_key_bool(p, "stdin", true);
	if (exited) /* docker start -a: from its next start */
		jg_key_bool(p, "nextStart", true);
	_cleanup_free_ char *params = dk_params_end(p);
	_cleanup_cerr_ cerr err = { 0 };
	int fd = -1;
	if (!params || vl_client_call_upgrade(r->vl, "io.corral.Supervisor.Attach", params, &rep, &fd, &err) < 0) {
		dk_error(r, 500, "corrald: Attach: %s", cerr_msg(&err));
		return;
	}
	if (rep.error) {
		dk_fail(r, &rep, id);
		return;
	}
	vl_reply_release(&rep);
	attach_ctx *a = calloc(1, sizeof(*a));
	struct MHD_Response *resp = a ? MHD_create_response_for_upgrade(on_upgrade, a) : NULL;
	if (!resp) {
		free(a);
		close(fd);
		dk_error(r, 500, "out of memory");
		return;
	}
	*a = (attach_ctx){ .stream = fd, .tty = tty, .stdin_on = want_stdin };
	MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
	dk_answer(r, MHD_HTTP_SWITCHING_PROTOCOLS, resp, "application/vnd.docker.raw-stream");
}
