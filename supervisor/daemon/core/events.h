/* The event bus behind io.corral.Supervisor.Events: recent events kept in a
 * ring (for "since"), and streaming subscribers (the Events method's calls,
 * events_methods.h), each told through its sink, optionally filtered. A
 * subscriber that stops reading is cut off rather than letting its queue
 * grow. */
#pragma once
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/daemon/core/events_log.h"

typedef struct event_bus event_bus;

#define EVENTS_KEEP 1024
#define EVENTS_MAX_QUEUED (1u << 20) /* a subscriber this far behind is cut off */

event_bus *events_new(size_t keep);
/* Ends every subscription (EVENT_END_STOP: nothing more is said). */
void events_free(event_bus *b);
/* Keep every event in the file at path too (events_log.h), rotated past
 * max_size bytes: since then reaches back to what corralds before this one
 * published, from the file rather than the ring. */
int events_open_log(event_bus *b, const char *path, size_t max_size, cerr *err);

/* Whose object an event is about (event_owner, events_log.h), which
 * decides who hears of it (owner.h): owner_may(subscriber, uid), or when
 * shared (root's images, networks, corrald itself) owner_may_use(subscriber, uid). */
#define EV_OWNER(u) ((event_owner){ .uid = (u) })
#define EV_SHARED(u) ((event_owner){ .uid = (u), .shared = true })

/* type: container, image, daemon or secret (create, remove: its name, never
 * its value). attrs: key, value, ..., NULL (may be NULL).
 * now_ns 0: the clock. */
int events_publish(event_bus *b, event_owner who, const char *type, const char *action, const char *id,
		   const char *name, const char *const *attrs, long long now_ns);

/* What a subscriber wants to hear of; NULL matches anything. container
 * matches an event's id by prefix, or its name. */
typedef struct event_filter {
	const char *type, *action, *id, *name, *container;
	const char *session; /* a container event's "session" attribute, or a session event's name */
} event_filter;

/* A call's filters ({"type", "action" (or "event", as podman says it),
 * "id", "name", "container", "session"}, each a string, or absent) into *out, which
 * borrows their strings; *f names what is wrong ("filters.bogus"). */
int events_parse_filters(yajl_val filters, event_filter *out, json_fault *f);

/* The stretch of time a subscriber wants, in ns since the epoch: replay
 * kept events from since (none when since < 0), then stream new ones until
 * until (no end when until < 0), when the call ends with a last reply
 * that has no event. */
typedef struct event_window {
	long long since, until;
} event_window;
/* How a subscription ends: until has come (the stream's last reply, with
 * no event); it cannot go on (why: its client stopped reading, or its
 * history could not be paced); corrald stops (nothing more is said). */
typedef enum event_end { EVENT_END_UNTIL, EVENT_END_CUT, EVENT_END_STOP } event_end;
typedef struct event_sub event_sub;
/* A subscriber as the bus sees it, given by the one that subscribes (the
 * Events method, for its call). held: the subscription is s from now on,
 * until its end or events_unsubscribe(s). event: one it hears of ({"event":
 * {...}}). end: once, the subscription freed already. unread: the bytes
 * its client has yet to read (the bus paces a replay by them, and cuts off
 * one that stops reading). */
typedef struct event_sink {
	void (*held)(void *ctx, event_sub *s);
	void (*event)(void *ctx, const char *json);
	void (*end)(void *ctx, event_end how, const char *why);
	size_t (*unread)(void *ctx);
	void *ctx;
} event_sink;
/* Keep sink as a subscriber; loop times the end. It hears of, and is
 * replayed, only the events whose object peer may see (NULL: corrald
 * itself, every one). -ENOMEM, with nothing kept and nothing said. */
int events_subscribe(event_bus *b, el_loop *loop, const event_sink *sink, const peer_cred *peer,
		     const event_window *w, const event_filter *filter);
/* The subscriber has gone: s is freed, its sink told nothing. */
void events_unsubscribe(event_sub *s);
size_t events_n_subscribers(const event_bus *b);
/* Each event the file keeps (nothing without one, events_open_log), oldest
 * first, until fn returns false. */
void events_replay_kept(const event_bus *b, events_log_fn fn, void *data);
/* corrald's own listener (one), told of every event after the subscribers:
 * its type, action and session (NULL when none). It must not publish. */
typedef void (*events_listener_fn)(void *data, const char *type, const char *action, const char *session);
void events_set_listener(event_bus *b, events_listener_fn fn, void *data);
