/* The streams' calls, Subscribe's, Serve's and StateWatch's: kept open, and
 * sent what the routing (route.c) queues for them, as fast as their peers
 * read. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/broker/broker_message_methods.h"
#include "supervisor/daemon/broker/broker_stream_methods.h"
#include "supervisor/daemon/broker/route.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>

/* One notification: the message, with what was missed before it; at most
 * BSTREAM_SEND_SLACK bytes more than its body. */
static int render(strbuf *sb, const bstream *st, const bmsg *m, uint64_t missed)
{
	if (st->kind == BSTREAM_WATCH)
		return sb_add(sb, m->body, m->len);
	const char *body = m->body;
	if (st->kind == BSTREAM_SERVE) {
		/* a request is queued as {"id":"...","message":{...}} already */
		return sb_add(sb, m->body, m->len);
	}
	if (sb_adds(sb, "{\"message\":") || sb_add(sb, body, m->len - 1))
		return -ENOMEM;
	return missed ? sb_addf(sb, ",\"missed\":%llu}}", (unsigned long long)missed) : sb_adds(sb, "}}");
}

static int send_message(bstream *st, const bmsg *m, uint64_t missed)
{
	strbuf *sb = &st->bs->b->render; /* kept: no allocation per message */
	sb_reset(sb);
	if (render(sb, st, m, missed) < 0)
		return -ENOMEM;
	return vl_call_notify_n(st->end, sb->buf, sb->len);
}

static size_t unread(const bstream *st) { return vl_call_out_pending(st->end); }

static void hang_up(void *end, const char *why) { vl_call_disconnect(end, why); }

static const bstream_sink call_sink = { .send = send_message, .unread = unread, .hang_up = hang_up };

static void on_stream_cancel(vl_call *call, void *data) { bstream_free(data); }

int broker_stream_call(bparty *m, vl_call *call, enum bstream_kind kind, char **patterns, bstream **out)
{
	_cleanup_strv_ char **pats = patterns;
	if (out)
		*out = NULL;
	if (!vl_call_wants_more(call))
		return vl_call_error(call, VL_ERR_EXPECTED_MORE, NULL);
	bstream *st = bstream_open(m, kind, TAKE_PTR(pats), &call_sink, call);
	if (!st)
		return vl_call_disconnect(call, "out of memory"), 0;
	vl_call_set_cancel(call, on_stream_cancel, st);
	if (out)
		*out = st;
	return 0;
}

int broker_subscribe_call(bparty *m, vl_call *call, broker_args *a, enum bstream_kind kind)
{
	_cleanup_broker_fault_ broker_fault f = { 0 };
	if (broker_may_listen(m, vl_call_peer(call), kind, a->patterns, &f) < 0)
		return broker_reply_fault(call, &f);
	return broker_stream_call(m, call, kind, TAKE_PTR(a->patterns), NULL);
}
