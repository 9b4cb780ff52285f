#include "supervisor/daemon/core/events_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/params.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/api/sv_errors.h"
#include "common/json.h"

static void on_cancel(vl_call *call, void *data) { events_unsubscribe(data); }

static void held(void *ctx, event_sub *s) { vl_call_set_cancel(ctx, on_cancel, s); }

static void notify(void *ctx, const char *json) { vl_call_notify(ctx, json); }

static void ended(void *ctx, event_end how, const char *why)
{
	vl_call *call = ctx;
	vl_call_set_cancel(call, NULL, NULL);
	if (how == EVENT_END_UNTIL)
		vl_call_reply(call, NULL);
	else if (how == EVENT_END_CUT)
		sv_internal(call, why);
}

static size_t unread(void *ctx) { return vl_call_out_pending(ctx); }

int events_subscribe_call(event_bus *b, el_loop *loop, vl_call *call, const peer_cred *peer, const event_window *w,
			  const event_filter *filter)
{
	const event_sink sink = { .held = held, .event = notify, .end = ended, .unread = unread, .ctx = call };
	return events_subscribe(b, loop, &sink, peer, w, filter);
}

int sv_events(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *since, *until;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_STR("since", false, &since), SP_STR("until", false, &until), SP_KEY("filters")),
			&f) < 0)
		return sv_invalid_fault(call, &f);
	event_window w = { .since = -1, .until = -1 }; /* no replay unless asked, no end */
	if (since && crilog_parse_since(since, &w.since, NULL) < 0)
		return sv_invalid(call, "since", CRILOG_SINCE_WORDS);
	if (until && crilog_parse_since(until, &w.until, NULL) < 0)
		return sv_invalid(call, "until", CRILOG_SINCE_WORDS);
	event_filter filter;
	if (events_parse_filters(json_get(params, "filters"), &filter, &f) < 0)
		return sv_invalid_fault(call, &f);
	if (!vl_call_wants_more(call))
		return vl_call_error(call, VL_ERR_EXPECTED_MORE, NULL);
	/* the subscription keeps the call */
	if (events_subscribe_call(d->events, d->loop, call, vl_call_peer(call), &w, &filter) < 0)
		return sv_internal(call, NULL);
	return 0;
}
