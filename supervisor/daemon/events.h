/* The event bus behind io.corral.Supervisor.Events: recent events kept in a
 * ring (for "since"), and streaming subscribers, each a varlink call with
 * "more", optionally filtered. A subscriber that stops reading is cut off
 * rather than letting its queue grow. */
#pragma once
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/varlink/server.h"

typedef struct event_bus event_bus;

#define EVENTS_KEEP 1024
#define EVENTS_MAX_QUEUED (8u << 20)

event_bus *events_new(size_t keep);
/* Ends every subscription (with no further reply). */
void events_free(event_bus *b);

/* type: container, image or daemon. attrs: key, value, ..., NULL (may be NULL).
 * now_ns 0: the clock. */
int events_publish(event_bus *b, const char *type, const char *action, const char *id,
		   const char *name, const char *const *attrs, long long now_ns);

/* What a subscriber wants to hear of; NULL matches anything. */
typedef struct event_filter {
	const char *type, *action, *id, *name;
} event_filter;

/* A call's filters ({"type": "...", "action": "...", "id": "...", "name":
 * "..."}, or absent) into *out, which borrows their strings; *f names what
 * is wrong ("filters", "filters.bogus"). */
int events_parse_filters(yajl_val filters, event_filter *out, json_fault *f);
/* Keep call (its cancel hook) as a subscriber: replay kept events from
 * since_ns on (none when since_ns < 0), then stream new ones to it. */
int events_subscribe(event_bus *b, vl_call *call, long long since_ns, const event_filter *filter);
size_t events_n_subscribers(const event_bus *b);
