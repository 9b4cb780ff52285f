/* a pair with grpc_call.c: the calls this file keeps are framed there */
/* The client's HTTP/2 connection (h2.h): nghttp2 parses and frames, this
 * file moves the bytes in corral-cri's epoll loop and keeps one call for
 * each request stream. Everything the client sends is bounded: streams at
 * once, header bytes, a message's size and the bytes held for all of them,
 * requests and answers the client has not read (its window may be 0);
 * past a bound, that stream fails (RESOURCE_EXHAUSTED) and the others go
 * on; bytes nghttp2 cannot parse end the connection. */
#include "supervisor/cri/h2.h"
#include "supervisor/cri/h2_conn.h"
#include "supervisor/cri/grpc_call.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define H2_MAX_STREAMS 128         /* streams at once (SETTINGS_MAX_CONCURRENT_STREAMS) */
#define H2_MAX_HEADER_BYTES 65536  /* of one request's header names and values */
#define H2_READ_CHUNK 65536
#define H2_SEND_CHUNK 65536
/* frames nghttp2 may hold for a client that reads none of them: its own
 * bound is on acks (SETTINGS, PING), not on refused streams' RST_STREAM */
#define H2_MAX_QUEUED 4096

struct cri_conn {
	el_loop *loop;
	int fd;
	el_source *src;
	nghttp2_session *h2;
	cri_links *links;
	cri_store *store;
	const cri_service *services;
	uid_t peer; /* the client's uid, as corrald saw it */
	/* bytes nghttp2 gave, gathered for one send; those from wsent on the
	 * socket has not taken yet */
	strbuf wbuf;
	size_t wsent;
	size_t held; /* request bytes and answer bytes not sent, all streams */
	size_t header_bytes; /* of the request header block coming in (blocks never interleave) */
	bool receiving; /* inside nghttp2_session_mem_recv: no mem_send from its callbacks */
	bool over;
};

static void conn_end(cri_conn *k) { k->over = true, el_exit(k->loop, 0); }

/* Hand nghttp2's output to the socket until it has none or the socket is
 * full (then EPOLLOUT brings us back): its frames gathered, up to
 * H2_SEND_CHUNK, into one send, so that an answer wakes the client once
 * rather than once a frame. */
static void conn_flush(cri_conn *k)
{
	for (;;) {
		if (k->wsent == k->wbuf.len) { /* all sent: gather the next frames */
			sb_reset(&k->wbuf);
			k->wsent = 0;
			while (k->wbuf.len < H2_SEND_CHUNK) {
				const uint8_t *data;
				ssize_t n = nghttp2_session_mem_send(k->h2, &data);
				if (n < 0) {
					log_warn("HTTP/2: %s", nghttp2_strerror((int)n));
					return conn_end(k);
				}
				if (n == 0)
					break;
				if (sb_add(&k->wbuf, data, (size_t)n) < 0)
					return conn_end(k);
			}
			if (!k->wbuf.len)
				break;
		}
		ssize_t w = send(k->fd, k->wbuf.buf + k->wsent, k->wbuf.len - k->wsent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0)
			return conn_end(k);
		k->wsent += (size_t)w;
	}
	bool pending = k->wsent < k->wbuf.len;
	el_io_set_events(k->src, EPOLLIN | (pending ? EPOLLOUT : 0));
	if (!nghttp2_session_want_read(k->h2) && !nghttp2_session_want_write(k->h2) && !pending)
		conn_end(k);
}

static void on_io(el_source *src, int fd, uint32_t events, void *data)
{
	cri_conn *k = data;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		uint8_t buf[H2_READ_CHUNK];
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			goto out;
		if (n <= 0)
			return conn_end(k);
		k->receiving = true;
		ssize_t r = nghttp2_session_mem_recv(k->h2, buf, (size_t)n);
		k->receiving = false;
		if (r < 0) {
			log_warn("HTTP/2 from the client: %s", nghttp2_strerror((int)r));
			/* a GOAWAY is queued for the error: sent, then the end */
			nghttp2_session_terminate_session(k->h2, NGHTTP2_PROTOCOL_ERROR);
		}
	}
out:
	conn_flush(k);
	size_t queued = nghttp2_session_get_outbound_queue_size(k->h2);
	if (!k->over && queued > H2_MAX_QUEUED) {
		log_warn("HTTP/2: the client reads none of the %zu frames for it; the connection ends", queued);
		conn_end(k);
	}
}

static cri_call *call_of(cri_conn *k, int32_t id) { return nghttp2_session_get_stream_user_data(k->h2, id); }

void h2_call_release(cri_call *c)
{
	if (!c->stream_gone || c->in_corrald)
		return;
	el_remove(c->deadline);
	call_drop_request(c);
	c->conn->held -= c->body.len + (c->out.len - c->out_off);
	sb_release(&c->body);
	sb_release(&c->out);
	free(c->message);
	if (c->ctx && c->ctx_release)
		c->ctx_release(c->ctx);
	free(c->ctx);
	free(c);
}

bool h2_call_hold(cri_call *c, size_t n)
{
	if (c->conn->held + n > H2_MAX_HELD)
		return false;
	c->conn->held += n;
	return true;
}

cri_links *h2_call_links(cri_call *c) { return c->conn->links; }
cri_store *h2_call_store(cri_call *c) { return c->conn->store; }
bool cri_peer_is_root(const cri_call *c) { return c->conn->peer == 0; }
el_loop *cri_loop(cri_call *c) { return c->conn->loop; }

/* The answer's bytes, as the stream may take them; at their end, the
 * status as trailers (or a wait for the next message of a stream). */
static ssize_t read_out(nghttp2_session *h2, int32_t id, uint8_t *buf, size_t length, uint32_t *flags,
			nghttp2_data_source *source, void *user_data)
{
	cri_call *c = source->ptr;
	size_t left = c->out.len - c->out_off;
	size_t n = left < length ? left : length;
	if (n) {
		memcpy(buf, c->out.buf + c->out_off, n);
		c->out_off += n;
		c->conn->held -= n;
		if (c->out_off == c->out.len)
			sb_reset(&c->out), c->out_off = 0;
		return (ssize_t)n;
	}
	if (!c->answered)
		return NGHTTP2_ERR_DEFERRED;
	char status[16], msg[1024];
	snprintf(status, sizeof(status), "%d", c->code);
	grpc_message_encode(c->message ? c->message : "", msg, sizeof(msg));
	nghttp2_nv trailers[] = {
		{ (uint8_t *)"grpc-status", (uint8_t *)status, 11, strlen(status), NGHTTP2_NV_FLAG_NONE },
		{ (uint8_t *)"grpc-message", (uint8_t *)msg, 12, strlen(msg), NGHTTP2_NV_FLAG_NONE },
	};
	*flags |= NGHTTP2_DATA_FLAG_EOF;
	if (nghttp2_submit_trailer(h2, id, trailers, msg[0] ? 2 : 1) == 0)
		*flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
	return 0;
}

/* The response's headers: with the status when it is all there is
 * (gRPC's Trailers-Only), else before the messages. */
static void submit_headers(cri_call *c, bool trailers_only)
{
	char status[16], msg[1024];
	snprintf(status, sizeof(status), "%d", c->code);
	grpc_message_encode(c->message ? c->message : "", msg, sizeof(msg));
	nghttp2_nv nva[] = {
		{ (uint8_t *)":status", (uint8_t *)"200", 7, 3, NGHTTP2_NV_FLAG_NONE },
		{ (uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, NGHTTP2_NV_FLAG_NONE },
		{ (uint8_t *)"grpc-status", (uint8_t *)status, 11, strlen(status), NGHTTP2_NV_FLAG_NONE },
		{ (uint8_t *)"grpc-message", (uint8_t *)msg, 12, strlen(msg), NGHTTP2_NV_FLAG_NONE },
	};
	nghttp2_data_provider dp = { .source.ptr = c, .read_callback = read_out };
	c->headers_sent = true;
	if (trailers_only)
		nghttp2_submit_response(c->conn->h2, c->stream_id, nva, msg[0] ? 4 : 3, NULL);
	else
		nghttp2_submit_response(c->conn->h2, c->stream_id, nva, 2, &dp);
}

void h2_call_wake(cri_call *c)
{
	if (c->stream_gone)
		return;
	if (!c->headers_sent)
		submit_headers(c, c->answered && !c->out.len);
	else
		nghttp2_session_resume_data(c->conn->h2, c->stream_id);
	/* a handler answers inside nghttp2's callbacks too: on_io sends then
	 * (nghttp2 must not be entered again from its own callbacks) */
	if (!c->conn->receiving)
		conn_flush(c->conn);
}

static void on_deadline(el_source *s, void *data)
{
	cri_call *c = data;
	el_remove(c->deadline);
	c->deadline = NULL;
	cri_fail(c, GRPC_DEADLINE_EXCEEDED, "%s: deadline exceeded", c->m ? c->m->name : c->path);
}

static const cri_method *find_method(cri_call *c)
{
	for (const cri_service *svc = c->conn->services; svc->prefix; svc++) {
		size_t n = strlen(svc->prefix);
		if (strncmp(c->path, svc->prefix, n) != 0)
			continue;
		const char *name = c->path + n;
		const ProtobufCMethodDescriptor *md = protobuf_c_service_descriptor_get_method_by_name(svc->desc, name);
		if (!md)
			return NULL;
		c->in = md->input, c->out_type = md->output;
		for (const cri_method *m = svc->methods; m->name; m++)
			if (streq(m->name, name))
				return m;
		return NULL;
	}
	return NULL;
}

/* The request is whole: its method runs. */
static void dispatch(cri_call *c)
{
	if (c->answered)
		return; /* refused while it came in */
	if (!c->post)
		return cri_fail(c, GRPC_UNIMPLEMENTED, ":method: a gRPC call is a POST");
	if (!c->grpc)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "content-type: not application/grpc");
	if (c->compressed)
		return cri_fail(c, GRPC_UNIMPLEMENTED, "grpc-encoding: corral-cri takes identity only");
	c->m = find_method(c);
	if (!c->m)
		return cri_fail(c, GRPC_UNIMPLEMENTED, "%s: no such method in corral-cri", c->path);
	if (c->timeout_usec) {
		_cleanup_cerr_ cerr err = { 0 };
		if (el_add_timer(c->conn->loop, c->timeout_usec, false, on_deadline, c, &c->deadline, &err) < 0)
			return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "no timer for grpc-timeout");
	}
	if (call_unpack(c) < 0)
		return;
	c->m->fn(c, c->req);
}

static int on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame, void *user_data)
{
	cri_conn *k = user_data;
	if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	cri_call *c = calloc(1, sizeof(*c));
	if (!c)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	c->conn = k, c->stream_id = frame->hd.stream_id;
	k->header_bytes = 0;
	nghttp2_session_set_stream_user_data(h2, frame->hd.stream_id, c);
	return 0;
}

static int on_header(nghttp2_session *h2, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
		     const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data)
{
	cri_conn *k = user_data;
	cri_call *c = call_of(k, frame->hd.stream_id);
	if (!c || frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0; /* trailers of a request: nothing in them is ours */
	/* the whole block's: nghttp2 bounds one field, not the list it is
	 * told in SETTINGS (past it, the stream is reset, the connection goes on) */
	k->header_bytes += namelen + valuelen;
	if (k->header_bytes > H2_MAX_HEADER_BYTES)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
#define IS(s) (namelen == sizeof(s) - 1 && memcmp(name, s, namelen) == 0)
#define VAL_IS(s) (valuelen == sizeof(s) - 1 && memcmp(value, s, valuelen) == 0)
	if (IS(":method")) {
		c->post = VAL_IS("POST");
	} else if (IS(":path")) {
		if (valuelen >= sizeof(c->path))
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
		memcpy(c->path, value, valuelen);
		c->path[valuelen] = '\0';
	} else if (IS("content-type")) {
		c->grpc = (valuelen >= 16 && memcmp(value, "application/grpc", 16) == 0 &&
			   (valuelen == 16 || value[16] == '+' || value[16] == ';'));
	} else if (IS("grpc-encoding")) {
		c->compressed = !VAL_IS("identity");
	} else if (IS("grpc-timeout")) {
		c->timeout_usec = grpc_timeout_usec((const char *)value, valuelen);
	}
#undef IS
#undef VAL_IS
	return 0;
}

static int on_data(nghttp2_session *h2, uint8_t flags, int32_t id, const uint8_t *data, size_t len, void *user_data)
{
	cri_conn *k = user_data;
	cri_call *c = call_of(k, id);
	if (!c || c->answered)
		return 0; /* refused already: its bytes go unread */
	if (c->body.len + len > CRI_MAX_MESSAGE + 5 || k->held + len > H2_MAX_HELD) {
		cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "the request is larger than %u bytes, or the connection holds too much",
			 CRI_MAX_MESSAGE);
		return 0;
	}
	if (sb_add(&c->body, data, len) < 0) {
		cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
		return 0;
	}
	k->held += len;
	/* the prefix says the message's length: one past the bound is refused
	 * then, not after the client has sent 16 MiB (or never does) */
	const unsigned char *b = (const unsigned char *)c->body.buf;
	uint32_t claimed = c->body.len < 5 ? 0 : (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
	if (claimed > CRI_MAX_MESSAGE)
		cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "a message of %u bytes, past the bound of %u", claimed, CRI_MAX_MESSAGE);
	return 0;
}

static int on_frame(nghttp2_session *h2, const nghttp2_frame *frame, void *user_data)
{
	if ((frame->hd.type != NGHTTP2_DATA && frame->hd.type != NGHTTP2_HEADERS) ||
	    !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	cri_call *c = call_of(user_data, frame->hd.stream_id);
	if (c)
		dispatch(c);
	return 0;
}

static int on_close(nghttp2_session *h2, int32_t id, uint32_t error_code, void *user_data)
{
	cri_call *c = call_of(user_data, id);
	if (!c)
		return 0;
	nghttp2_session_set_stream_user_data(h2, id, NULL);
	c->stream_gone = true;
	h2_call_release(c);
	return 0;
}

int cri_serve(el_loop *loop, int fd, cri_links *links, cri_store *store, const cri_service *services, uid_t peer,
	      cerr *err)
{
	cri_conn k = { .loop = loop, .fd = fd, .links = links, .store = store, .services = services, .peer = peer };
	nghttp2_session_callbacks *cb;
	nghttp2_option *opt;
	if (nghttp2_session_callbacks_new(&cb) != 0 || nghttp2_option_new(&opt) != 0)
		return cerr_set(err, ENOMEM, "out of memory");
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	/* a client that sends SETTINGS or PINGs without reading the acks */
	nghttp2_option_set_max_outbound_ack(opt, 1000);
	/* no HTTP semantics checked by nghttp2: it resets a stream whose
	 * :authority is a socket's path, which kubelet and critest send (Go's
	 * gRPC dialing a path); what a call needs is checked here (on_header,
	 * dispatch), and nothing else of a request is read */
	nghttp2_option_set_no_http_messaging(opt, 1);
	nghttp2_option_set_max_settings(opt, 32);
	int r = nghttp2_session_server_new2(&k.h2, cb, &k, opt);
	nghttp2_session_callbacks_del(cb);
	nghttp2_option_del(opt);
	if (r != 0)
		return cerr_set(err, ENOMEM, "HTTP/2: %s", nghttp2_strerror(r));
	nghttp2_settings_entry settings[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, H2_MAX_STREAMS },
		{ NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, H2_MAX_HEADER_BYTES },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20 },
	};
	nghttp2_submit_settings(k.h2, NGHTTP2_FLAG_NONE, settings, ARRAY_SIZE(settings));
	if (el_add_io(loop, fd, EPOLLIN, on_io, &k, &k.src, err) < 0) {
		nghttp2_session_del(k.h2);
		return -1;
	}
	conn_flush(&k);
	while (!k.over)
		el_run(loop);
	el_remove(k.src);
	nghttp2_session_del(k.h2); /* closes its streams: their calls go (on_close) */
	sb_release(&k.wbuf);
	return 0;
}
