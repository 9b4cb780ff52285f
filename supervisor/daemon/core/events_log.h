/* The events' file, so that Events' since and until reach back across a
 * restart of corrald: every event appended as it is published, the file
 * rotated by size into one older file (at most twice max_size on disk),
 * and read back for a subscriber's since. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/logs/rotate.h"
#include "common/strbuf.h"

typedef struct event_owner {
	uid_t uid;
	bool shared;
} event_owner;

typedef struct events_log {
	rotfile file;
	bool open;
	/* the lines a full disk refused, oldest first: written before the
	 * next one that finds room, replayed after the files meanwhile */
	strbuf held;
} events_log;

#define EVENTS_LOG_HELD_MAX (1u << 20) /* past it, a refused line is lost */

#define EVENTS_LOG_FILE "events.log"
#define EVENTS_LOG_DEFAULT_MAX_SIZE (1u << 20)

int events_log_open(events_log *l, const char *path, size_t max_size, cerr *err);
void events_log_close(events_log *l);
/* json: the event as subscribers get it ({"event":{...}}); session: its
 * session, or NULL. A failure to write is logged, not returned: the event
 * is published anyway, and held to be written later (held). */
void events_log_append(events_log *l, long long ts, event_owner who, const char *session, const char *json);
/* Each kept event at or after since (ns), oldest first, until fn returns
 * false: its time, owner, session (or NULL) and the object under "event". */
typedef bool (*events_log_fn)(void *data, long long ts, event_owner who, const char *session, yajl_val event);
void events_log_replay(const events_log *l, long long since, events_log_fn fn, void *data);
