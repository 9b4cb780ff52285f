/* a pair with h2_conn.c: it frames the answers that file sends */
/* A call's gRPC framing (h2.h): the request's one message in, the
 * answer's messages out (a 5-byte prefix each: a compressed flag, then the
 * length, big-endian), the status in the trailers. */
#include "supervisor/cri/h2.h"
#include "supervisor/cri/h2_conn.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/pb_utf8.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* protobuf-c allocates through this: a request's unpacked size stays
 * within a bound of its wire size (a repeated field of empty messages
 * costs a struct each) */
#define UNPACK_MAX (64u << 20)
/* what one block costs beyond its size: our header and malloc's (a
 * million 1-byte unknown fields are a million blocks) */
#define UNPACK_BLOCK_COST 32

typedef struct {
	size_t used;
	bool refused; /* since the last unpack began */
} unpack_budget;

static void *budget_alloc(void *data, size_t size)
{
	unpack_budget *b = data;
	if (size > UNPACK_MAX || b->used + size + UNPACK_BLOCK_COST > UNPACK_MAX) {
		b->refused = true;
		return NULL;
	}
	size_t *p = malloc(sizeof(size_t) + size);
	if (!p)
		return NULL;
	*p = size + UNPACK_BLOCK_COST;
	b->used += *p;
	return p + 1;
}

static void budget_free(void *data, void *ptr)
{
	unpack_budget *b = data;
	if (!ptr)
		return;
	size_t *p = (size_t *)ptr - 1;
	b->used -= *p;
	free(p);
}

static unpack_budget the_budget;
static ProtobufCAllocator budget = { .alloc = budget_alloc, .free = budget_free, .allocator_data = &the_budget };

int call_unpack(cri_call *c)
{
	const unsigned char *b = (const unsigned char *)c->body.buf;
	size_t n = c->body.len;
	/* no message at all is the empty one */
	uint32_t len = 0;
	if (n) {
		if (n < 5)
			return cri_fail(c, GRPC_INVALID_ARGUMENT, "%s: a message shorter than its prefix", c->m->name), -1;
		if (b[0] != 0)
			return cri_fail(c, GRPC_UNIMPLEMENTED, "%s: a compressed message (corral-cri takes identity)",
					c->m->name),
			       -1;
		len = (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
		if (len != n - 5)
			return cri_fail(c, GRPC_INVALID_ARGUMENT,
					"%s: one message of %u bytes expected, the stream holds %zu", c->m->name, len, n - 5),
			       -1;
	}
	the_budget.refused = false;
	c->req = protobuf_c_message_unpack(c->in, &budget, len, n ? b + 5 : (const uint8_t *)"");
	if (!c->req && the_budget.refused)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "%s: the request unpacks past the %u bytes requests may hold",
				c->m->name, UNPACK_MAX),
		       -1;
	if (!c->req)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "%s: the request is not a valid %s message", c->m->name,
				c->in->name),
		       -1;
	char where[256];
	if (!pb_strings_utf8(c->req, where, sizeof(where)))
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "%s: %s is not UTF-8", c->m->name, where), -1;
	return 0;
}

void call_drop_request(cri_call *c)
{
	if (c->req)
		protobuf_c_message_free_unpacked(c->req, &budget);
	c->req = NULL;
}

/* The message, framed, onto c's output: gRPC's 5-byte prefix, then the
 * message, packed here (msg) or given packed. -E2BIG past a message's
 * bound, -ENOBUFS past what the connection holds, -ENOMEM. */
static int put_framed(cri_call *c, const ProtobufCMessage *msg, const void *packed, size_t len)
{
	if (msg)
		len = protobuf_c_message_get_packed_size(msg);
	if (len > CRI_MAX_MESSAGE)
		return -E2BIG;
	if (sb_grow(&c->out, len + 5) < 0)
		return -ENOMEM;
	if (!h2_call_hold(c, len + 5))
		return -ENOBUFS;
	unsigned char *p = (unsigned char *)c->out.buf + c->out.len;
	p[0] = 0;
	p[1] = (unsigned char)(len >> 24), p[2] = (unsigned char)(len >> 16), p[3] = (unsigned char)(len >> 8),
	p[4] = (unsigned char)len;
	if (msg)
		protobuf_c_message_pack(msg, p + 5);
	else if (len)
		memcpy(p + 5, packed, len);
	c->out.len += len + 5;
	c->out.buf[c->out.len] = '\0';
	return 0;
}

static int put_message(cri_call *c, const ProtobufCMessage *msg) { return put_framed(c, msg, NULL, 0); }

/* The call fails for what put_framed said */
static void put_failed(cri_call *c, int r)
{
	if (r == -E2BIG)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "%s: the answer is larger than %u bytes", c->m->name,
				CRI_MAX_MESSAGE);
	if (r == -ENOBUFS)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED,
				"%s: the connection holds %u MiB of answers and requests its client has not read",
				c->m->name, H2_MAX_HELD >> 20);
	cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "%s: out of memory", c->m->name);
}

static void answer(cri_call *c, grpc_code code, char *message)
{
	if (c->answered || c->stream_gone) {
		free(message);
		return;
	}
	c->answered = true;
	c->code = code;
	c->message = message;
	el_remove(c->deadline);
	c->deadline = NULL;
	h2_call_wake(c);
}

void cri_reply(cri_call *c, const ProtobufCMessage *resp)
{
	if (c->answered || c->stream_gone)
		return;
	int r = put_message(c, resp);
	if (r < 0)
		return put_failed(c, r);
	answer(c, GRPC_OK, NULL);
}

void cri_reply_packed(cri_call *c, const void *packed, size_t len)
{
	if (c->answered || c->stream_gone)
		return;
	int r = put_framed(c, NULL, packed, len);
	if (r < 0)
		return put_failed(c, r);
	answer(c, GRPC_OK, NULL);
}

void cri_fail(cri_call *c, grpc_code code, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	answer(c, code, msg);
}

int cri_stream_send(cri_call *c, const ProtobufCMessage *msg)
{
	if (c->answered || c->stream_gone)
		return -1;
	/* a client that reads nothing: its stream fails rather than grow */
	if (c->out.len > CRI_MAX_MESSAGE) {
		cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "%s: the client reads too slowly", c->m->name);
		return -1;
	}
	int r = put_message(c, msg);
	if (r < 0) {
		put_failed(c, r);
		return -1;
	}
	h2_call_wake(c);
	return 0;
}

void cri_stream_end(cri_call *c) { answer(c, GRPC_OK, NULL); }

void cri_call_ctx_release(cri_call *c, void (*fn)(void *ctx)) { c->ctx_release = fn; }

void *cri_call_ctx(cri_call *c, size_t size)
{
	if (!c->ctx)
		c->ctx = calloc(1, size);
	return c->ctx;
}

uint64_t grpc_timeout_usec(const char *v, size_t len)
{
	if (len < 2 || len > 9)
		return 0;
	uint64_t n = 0, usec;
	for (size_t i = 0; i + 1 < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	switch (v[len - 1]) {
	case 'H': usec = n * 3600 * 1000000; break;
	case 'M': usec = n * 60 * 1000000; break;
	case 'S': usec = n * 1000000; break;
	case 'm': usec = n * 1000; break;
	case 'u': usec = n; break;
	case 'n': usec = n / 1000; break;
	default: return 0;
	}
	/* "0S" is a deadline already past, not none: the shortest there is */
	return usec ? usec : 1;
}

void grpc_message_encode(const char *msg, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)msg; *p && o + 4 < size; p++) {
		if (*p >= 0x20 && *p <= 0x7e && *p != '%') {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}
