/* The Events method of io.corral.Supervisor: its call kept as a subscriber
 * of the event bus (events.h), each event it hears of a notification. */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/daemon/core/events.h"
#include "supervisor/varlink/server.h"

/* Events (service.c's table): {since, until, filters}, a call with "more". */
vl_method_fn sv_events;
/* Keep call (its cancel hook) as b's subscriber, as events_subscribe
 * keeps a sink: each event a notification, until's end the last reply, a
 * cut an InternalError. -ENOMEM, with nothing said. */
int events_subscribe_call(event_bus *b, el_loop *loop, vl_call *call, const peer_cred *peer, const event_window *w,
			  const event_filter *filter);
