/* POST /containers/{id}/attach: the client's connection hijacked (101,
 * Upgrade: tcp) and joined to corrald's Attach stream. corral's frames
 * (supervisor/varlink/streams.h) become Docker's: a terminal's output raw,
 * else each piece behind the 8-byte header [stream, 0, 0, 0, size BE32];
 * what the client sends becomes STDIN frames. The end of its input is
 * CLOSE_STDIN where the container has StdinOnce (docker run -i, attached)
 * or for an exec, without a terminal; else it ends the attach and stdin
 * stays open for the next client, as dockerd does. On a terminal, the
 * detach keys (detachKeys, ctrl-p,ctrl-q by default) end the attach and
 * leave the container running. The varlink
 * connection is the stream's from then on: the hijacked connection takes
 * no further request, so none needs it. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_attach.h"
#include "supervisor/docker/docker_ctr_streams.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/detach_keys.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "supervisor/varlink/streams.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct attach_ctx {
	int stream; /* corrald's end: Streams frames; -1 with stream=0 */
	bool tty, stdin_on, stdin_once, out, err;
	detach_keys keys; /* on a terminal only, as dockerd reads them */
	strbuf history; /* logs=1: the log so far, as Docker frames it */
} attach_ctx;

/* One of the container's frames to the client; 1 at its EXIT, -errno when the
 * client is gone. */
static int to_client(attach_ctx *a, int sock, const stream_frame *f)
{
	if (f->kind == STREAM_EXIT)
		return 1;
	if (f->kind != STREAM_STDOUT && f->kind != STREAM_STDERR)
		return 0;
	if (f->kind == STREAM_STDERR ? !a->err : !a->out)
		return 0; /* a stream the client did not ask for */
	if (!a->tty) {
		unsigned char h[8] = { f->kind == STREAM_STDERR ? 2 : 1, 0, 0, 0 };
		uint32_t be = htonl(f->len);
		memcpy(h + 4, &be, 4);
		if (write_all(sock, h, sizeof(h)) < 0)
			return -1;
	}
	return write_all(sock, f->data, f->len);
}

static int send_stdin(const char *data, size_t len, void *ctx)
{
	attach_ctx *a = ctx;
	return stream_send(a->stream, STREAM_STDIN, data, len);
}

/* The client's bytes as STDIN frames (dropped when it asked for no stdin),
 * less the detach keys: 1 once they are typed. */
static int to_container(attach_ctx *a, const char *data, size_t len)
{
	if (!a->stdin_on || !len)
		return 0;
	if (!a->tty)
		return send_stdin(data, len, a);
	return detach_keys_filter(&a->keys, data, len, send_stdin, a);
}

/* A write to the client failed: it has gone. What it sent before it went
 * is in the socket still, and is the container's (the monitor, too, reads
 * a hung-up client's input to its end); at its end, as at any other. */
static void forward_rest(attach_ctx *a, int sock)
{
	char buf[16384];
	ssize_t n;
	while ((n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (to_container(a, buf, (size_t)n) != 0)
			return;
	if (n == 0 && a->stdin_on && a->stdin_once && !a->tty)
		(void)stream_send(a->stream, STREAM_CLOSE_STDIN, NULL, 0);
}

static void pump(attach_ctx *a, int sock, const char *extra, size_t extra_len)
{
	stream_reader rd;
	stream_reader_init(&rd, STREAM_AT_CLIENT);
	bool client_open = true;
	if ((a->history.len && write_all(sock, a->history.buf, a->history.len) < 0) || a->stream < 0 ||
	    to_container(a, extra, extra_len) != 0)
		goto out;
	for (;;) {
		/* once it has half-closed, only its hang-up is waited for */
		struct pollfd pf[2] = { { .fd = a->stream, .events = POLLIN },
					{ .fd = sock, .events = client_open ? POLLIN : 0 } };
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!client_open && (pf[1].revents & (POLLHUP | POLLERR)))
			break;
		if (client_open && pf[1].revents) {
			char buf[16384];
			ssize_t n = read(sock, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) { /* the end of its input */
				client_open = false;
				if (!a->stdin_on)
					continue; /* never the container's: its hang-up ends it */
				/* as dockerd: StdinOnce without a terminal closes stdin and
				 * the output goes on; else the attach ends here, and stdin
				 * stays open (the docker CLI's detach ends its input) */
				if (!a->stdin_once || a->tty || stream_send(a->stream, STREAM_CLOSE_STDIN, NULL, 0) < 0)
					break;
			} else if (to_container(a, buf, (size_t)n) != 0) {
				break; /* detached (its stdin stays open), or corrald gone */
			}
		}
		if (pf[0].revents) {
			ssize_t n = stream_reader_fill(&rd, a->stream);
			if (n == -EINTR)
				continue;
			if (n <= 0)
				break;
			stream_frame f;
			int r = 0, got;
			while (r == 0 && (got = stream_reader_next(&rd, &f)) > 0)
				r = to_client(a, sock, &f);
			if (r < 0 && client_open)
				forward_rest(a, sock);
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
	if (a->stream >= 0)
		close(a->stream);
	sb_release(&a->history);
	free(a);
	MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

/* logs=1: the log so far, before the live output (a line written between
 * this and the Attach that follows is in neither); 0, or -1 with r
 * answered. */
static int log_history(dk_req *r, const char *id, attach_ctx *a)
{
	char params[256];
	snprintf(params, sizeof(params), "{\"id\":\"%s\"}", id);
	vl_reply rep = { 0 };
	_cleanup_cerr_ cerr e = { 0 };
	if (vl_client_send(r->vl, "io.corral.Supervisor.Logs", params, true, false, &e) < 0) {
		dk_error(r, 500, "corrald: Logs: %s", cerr_msg(&e));
		return -1;
	}
	for (bool more = true; more;) {
		if (vl_client_recv(r->vl, &rep, &e) < 0) {
			dk_error(r, 500, "corrald: Logs: %s", cerr_msg(&e));
			return -1;
		}
		if (rep.error) {
			dk_fail(r, &rep, id);
			return -1;
		}
		yajl_val lines = json_get(rep.params, "lines");
		for (size_t i = 0; YAJL_IS_ARRAY(lines) && i < lines->u.array.len; i++) {
			yajl_val l = lines->u.array.values[i];
			if (streq(dk_str(l, "stream"), "stderr") ? a->err : a->out)
				dk_log_frame(&a->history, l, a->tty, false);
		}
		more = rep.continues;
		vl_reply_release(&rep);
	}
	return 0;
}

/* Attach, upgraded: its stream's socket, or -1 with r answered. */
static int attach_stream(dk_req *r, const char *id, yajl_val c, bool want_stdin)
{
	bool exited = streq(dk_str(json_get(c, "state"), "status"), "exited");
	_cleanup_json_gen_ yajl_gen p = dk_params_id(dk_str(c, "id"));
	if (p && want_stdin)
		jg_key_bool(p, "stdin", true);
	if (p && exited) /* docker start -a: from its next start */
		jg_key_bool(p, "nextStart", true);
	_cleanup_free_ char *params = dk_params_end(p);
	_cleanup_cerr_ cerr err = { 0 };
	vl_reply rep = { 0 };
	int fd = -1;
	if (!params || vl_client_call_upgrade(r->vl, "io.corral.Supervisor.Attach", params, &rep, &fd, &err) < 0) {
		dk_error(r, 500, "corrald: Attach: %s", cerr_msg(&err));
		return -1;
	}
	if (rep.error) {
		dk_fail(r, &rep, id);
		return -1;
	}
	vl_reply_release(&rep);
	return fd;
}

void dk_hijack_stream(dk_req *r, int stream, bool tty, bool stdin_on)
{
	/* an exec's input ends with its client's */
	attach_ctx *a = calloc(1, sizeof(*a));
	struct MHD_Response *resp = a ? MHD_create_response_for_upgrade(on_upgrade, a) : NULL;
	if (!resp) {
		free(a);
		close(stream);
		dk_error(r, 500, "out of memory");
		return;
	}
	*a = (attach_ctx){ .stream = stream, .tty = tty, .stdin_on = stdin_on, .stdin_once = true, .out = true, .err = true };
	detach_keys_parse(DETACH_KEYS_DEFAULT, &a->keys);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
	dk_answer(r, MHD_HTTP_SWITCHING_PROTOCOLS, resp, "application/vnd.docker.raw-stream");
}

void dk_ctr_attach(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	const char *up = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade");
	if (!up || !*up) {
		dk_error(r, 400, "attach needs an upgraded connection (Upgrade: tcp)");
		return;
	}
	const char *keys = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "detachKeys");
	detach_keys parsed;
	if (detach_keys_parse(keys ? keys : DETACH_KEYS_DEFAULT, &parsed) < 0) {
		dk_error(r, 400, "Invalid detach keys (%s) provided: keys like ctrl-p,ctrl-q (a-z, @, [, \\, ], ^, _)",
			 keys);
		return;
	}
	vl_reply rep;
	yajl_val c = dk_ctr_record(r, id, &rep);
	if (!c)
		return;
	attach_ctx *a = calloc(1, sizeof(*a));
	if (!a) {
		vl_reply_release(&rep);
		dk_error(r, 500, "out of memory");
		return;
	}
	yajl_val cspec_json = json_get(c, "config");
	*a = (attach_ctx){ .stream = -1, .tty = dk_bool(cspec_json, "tty"), .out = dk_query_bool(r, "stdout", false),
			   .err = dk_query_bool(r, "stderr", false), .stdin_once = dk_bool(cspec_json, "stdinOnce"), .keys = parsed };
	a->stdin_on = dk_query_bool(r, "stdin", false) && dk_bool(cspec_json, "interactive");
	/* Docker's stream defaults to false: the log alone (logs=1), or nothing */
	if ((dk_query_bool(r, "logs", false) && log_history(r, dk_str(c, "id"), a) < 0) ||
	    (dk_query_bool(r, "stream", false) && (a->stream = attach_stream(r, id, c, a->stdin_on)) < 0)) {
		vl_reply_release(&rep);
		sb_release(&a->history);
		free(a);
		return;
	}
	vl_reply_release(&rep);
	struct MHD_Response *resp = MHD_create_response_for_upgrade(on_upgrade, a);
	if (!resp) {
		if (a->stream >= 0)
			close(a->stream);
		sb_release(&a->history);
		free(a);
		dk_error(r, 500, "out of memory");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
	dk_answer(r, MHD_HTTP_SWITCHING_PROTOCOLS, resp, "application/vnd.docker.raw-stream");
}
