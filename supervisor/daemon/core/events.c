#include "supervisor/daemon/core/events.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/log.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/api/owned_name.h"
#include "supervisor/logs/crilog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct event {
	long long ts;
	event_owner who;
	char *type, *action, *id, *name;
	char *session; /* a session event's name, or its "session" attribute */
	char *json; /* {"event":{...}} */
};

struct event_sub {
	event_bus *bus;
	event_sink sink;
	peer_cred peer;
	bool is_peer; /* else corrald itself: it hears of everything */
	char *type, *action, *id, *name, *container; /* filters; NULL: any */
	/* the session filter as its subscriber names it (owned_name.h), read
	 * once: the session's own name and its owner; session_none: a name no
	 * session of the subscriber's reach has, which matches nothing */
	char *session;
	uid_t session_owner;
	bool session_none;
	long long until;  /* ns; < 0: no end */
	el_source *timer; /* ends the stream at until */
	/* while its since is replayed from the file, a share at a time as its
	 * client reads (a long history is not taken for a client that does
	 * not keep up): the next share's timer, and where the share begins,
	 * past resume_skip lines at resume_ts given already */
	el_source *pace;
	long long resume_ts;
	size_t resume_skip;
	bool until_due; /* until came during the replay */
	struct event_sub *next, *prev;
};

/* a replay pauses past this much queued for its client, and goes on below half */
#define REPLAY_SHARE (EVENTS_MAX_QUEUED / 4)
#define REPLAY_TICK_USEC 10000

struct event_bus {
	struct event *ring;
	size_t keep, head, n;
	struct event_sub *subs;
	size_t n_subs;
	events_listener_fn listener;
	void *listener_data;
	events_log log;
};

static const char *const filter_keys[] = { "type", "action", "event", "id", "name", "container", "session", NULL };

event_bus *events_new(size_t keep)
{
	event_bus *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->keep = keep ? keep : EVENTS_KEEP;
	b->ring = calloc(b->keep, sizeof(*b->ring));
	if (!b->ring) {
		free(b);
		return NULL;
	}
	return b;
}

static void event_clear(struct event *e)
{
	free(e->type);
	free(e->action);
	free(e->id);
	free(e->name);
	free(e->session);
	free(e->json);
	memset(e, 0, sizeof(*e));
}

static void sub_release(struct event_sub *s)
{
	el_remove(s->timer);
	el_remove(s->pace);
	free(s->type);
	free(s->action);
	free(s->id);
	free(s->name);
	free(s->container);
	free(s->session);
	free(s);
}

static void sub_free(struct event_sub *s)
{
	event_bus *b = s->bus;
	if (s->prev)
		s->prev->next = s->next;
	else
		b->subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	b->n_subs--;
	sub_release(s);
}

/* s goes, then its sink hears how. */
static void sub_end(struct event_sub *s, event_end how, const char *why)
{
	event_sink sink = s->sink;
	sub_free(s);
	sink.end(sink.ctx, how, why);
}

void events_free(event_bus *b)
{
	if (!b)
		return;
	while (b->subs)
		sub_end(b->subs, EVENT_END_STOP, NULL);
	for (size_t i = 0; i < b->keep; i++)
		event_clear(&b->ring[i]);
	free(b->ring);
	events_log_close(&b->log);
	free(b);
}

int events_open_log(event_bus *b, const char *path, size_t max_size, cerr *err)
{
	return events_log_open(&b->log, path, max_size ? max_size : EVENTS_LOG_DEFAULT_MAX_SIZE, err);
}

void events_replay_kept(const event_bus *b, events_log_fn fn, void *data)
{
	events_log_replay(&b->log, 0, fn, data);
}

size_t events_n_subscribers(const event_bus *b) { return b->n_subs; }

static bool eq_or_any(const char *filter, const char *v) { return !filter || (v && streq(filter, v)); }

/* filter names e as peer names it: a container's, a volume's or a
 * secret's NAME is peer's own, NAME@UID root's way to a member's
 * (owned_name.h) */
static bool name_is(const char *filter, const struct event *e, const peer_cred *peer)
{
	if (!filter)
		return true;
	if (!e->name)
		return false;
	if (!owned_type(e->type))
		return streq(e->name, filter);
	uid_t owner;
	char name[256];
	return owned_name_parse(filter, peer ? peer->uid : 0, &owner, name, sizeof(name)) && owner == e->who.uid &&
	       streq(e->name, name);
}

static bool container_is(const char *filter, const struct event *e, const peer_cred *peer)
{
	return !filter || (e->id && *e->id && !strncmp(e->id, filter, strlen(filter))) || name_is(filter, e, peer);
}

/* s's session filter names e's session: e's, as e's owner names it (a
 * session's own event its name; a container's its spec.session, root's
 * NAME@UID in a member's session) */
static bool session_is(const struct event_sub *s, const struct event *e)
{
	if (!s->session)
		return true;
	uid_t owner;
	char name[256];
	return !s->session_none && e->session && owned_name_parse(e->session, e->who.uid, &owner, name, sizeof(name)) &&
	       owner == s->session_owner && streq(name, s->session);
}

/* The one rule (owner.h): a subscriber hears only of what it may see. */
static bool may_see(const struct event_sub *s, const struct event *e)
{
	const peer_cred *peer = s->is_peer ? &s->peer : NULL;
	return e->who.shared ? owner_may_use(peer, e->who.uid) : owner_may(peer, e->who.uid);
}

static bool matches(const struct event_sub *s, const struct event *e)
{
	const peer_cred *peer = s->is_peer ? &s->peer : NULL;
	return may_see(s, e) && eq_or_any(s->type, e->type) && eq_or_any(s->action, e->action) && eq_or_any(s->id, e->id) &&
	       name_is(s->name, e, peer) && container_is(s->container, e, peer) &&
	       session_is(s, e) && (s->until < 0 || e->ts <= s->until);
}

/* Returns false when the subscriber was cut off (and freed). */
static bool deliver(struct event_sub *s, const struct event *e)
{
	if (!matches(s, e))
		return true;
	if (s->sink.unread(s->sink.ctx) > EVENTS_MAX_QUEUED) {
		log_warn("events: a subscriber stopped reading; ending its stream");
		sub_end(s, EVENT_END_CUT, "events: the client did not keep up");
		return false;
	}
	s->sink.event(s->sink.ctx, e->json);
	return true;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

int events_publish(event_bus *b, event_owner who, const char *type, const char *action, const char *id,
		   const char *name, const char *const *attrs, long long now_ns)
{
	if (!now_ns) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		now_ns = (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
	}
	char tbuf[48];
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return -ENOMEM;
	int r = yajl_gen_map_open(g) || jg_key(g, "event") || yajl_gen_map_open(g) ||
		jg_key_str(g, "time", crilog_format_time(now_ns, tbuf, sizeof(tbuf))) ||
		jg_key_str(g, "type", type) || jg_key_str(g, "action", action) || jg_key_str(g, "id", id ? id : "");
	if (!r && name)
		r = jg_key_str(g, "name", name);
	if (!r && attrs) {
		r = jg_key(g, "attributes") || yajl_gen_map_open(g);
		for (const char *const *a = attrs; !r && a[0] && a[1]; a += 2)
			r = jg_key_str(g, a[0], a[1]);
		r = r || yajl_gen_map_close(g);
	}
	/* last, so that the file's older lines and newer ones read alike up to here */
	r = r || jg_key_int(g, "owner", (long long)who.uid) || yajl_gen_map_close(g) || yajl_gen_map_close(g);
	char *json = r ? NULL : jg_finish(g, NULL);
	if (!json)
		return -ENOMEM;
	struct event *e = &b->ring[(b->head + b->n) % b->keep];
	if (b->n == b->keep) {
		e = &b->ring[b->head];
		b->head = (b->head + 1) % b->keep;
	} else {
		b->n++;
	}
	event_clear(e);
	e->ts = now_ns;
	e->who = who;
	e->json = json;
	e->type = dup_or_null(type);
	e->action = dup_or_null(action);
	e->id = dup_or_null(id);
	e->name = dup_or_null(name);
	const char *session = streq(type, "session") ? name : NULL;
	for (const char *const *a = attrs; a && a[0] && a[1] && !session; a += 2)
		if (streq(a[0], "session"))
			session = a[1];
	e->session = dup_or_null(session);
	events_log_append(&b->log, now_ns, who, session, json);
	for (struct event_sub *s = b->subs, *next; s; s = next) {
		next = s->next;
		if (!s->pace) /* a replay reaches it in the file */
			deliver(s, e);
	}
	if (b->listener)
		b->listener(b->listener_data, e->type, e->action, e->session);
	return 0;
}

void events_set_listener(event_bus *b, events_listener_fn fn, void *data)
{
	b->listener = fn;
	b->listener_data = data;
}

int events_parse_filters(yajl_val filters, event_filter *out, json_fault *f)
{
	static const char why[] = "filters are type, action (or event), id, name, container and session, each a string";
	const char **slot[] = { &out->type,      &out->action,    &out->action, &out->id,
				&out->name,      &out->container, &out->session };
	_Static_assert(ARRAY_SIZE(slot) + 1 == ARRAY_SIZE(filter_keys), "a slot for each key");
	*out = (event_filter){ 0 };
	if (!filters || YAJL_IS_NULL(filters))
		return 0;
	if (!YAJL_IS_OBJECT(filters))
		return json_fault_set(f, EINVAL, "filters", "%s", why);
	if (json_check_keys(filters, "filters", filter_keys, why, f) < 0)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(slot); i++) {
		const char *v;
		if (json_get_str(filters, "filters", filter_keys[i], 0, &v, f) < 0)
			return json_fault_reword(f, "%s", why);
		if (v && *slot[i] && !streq(v, *slot[i]))
			return json_fault_set(f, EINVAL, "filters.event", "must be the same as filters.action");
		if (v)
			*slot[i] = v;
	}
	return 0;
}

void events_unsubscribe(event_sub *s) { sub_free(s); }

/* until has come: the last reply, with no event, ends the stream. */
static void end_stream(struct event_sub *s) { sub_end(s, EVENT_END_UNTIL, NULL); }

static void on_until(el_source *src, void *data)
{
	struct event_sub *s = data;
	s->timer = NULL; /* a one-shot timer: the loop frees it */
	el_remove(src);
	if (s->pace)
		s->until_due = true; /* once the replay has given what came before */
	else
		end_stream(s);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static struct event_sub *sub_new(event_bus *b, const event_sink *sink, const peer_cred *peer, long long until,
				 const event_filter *filter)
{
	struct event_sub *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->bus = b;
	s->sink = *sink;
	if (peer) {
		s->peer = *peer;
		s->is_peer = true;
	}
	s->until = until;
	s->type = dup_or_null(filter->type);
	s->action = dup_or_null(filter->action);
	s->id = dup_or_null(filter->id);
	s->name = dup_or_null(filter->name);
	s->container = dup_or_null(filter->container);
	char name[256];
	s->session_none = filter->session && !owned_name_parse(filter->session, peer ? peer->uid : 0,
							       &s->session_owner, name, sizeof(name));
	s->session = dup_or_null(filter->session && !s->session_none ? name : filter->session);
	/* a filter lost to a failed copy would match everything */
	if (!s->type != !filter->type || !s->action != !filter->action || !s->id != !filter->id ||
	    !s->name != !filter->name || !s->container != !filter->container || !s->session != !filter->session) {
		sub_release(s);
		return NULL;
	}
	return s;
}

struct replay {
	struct event_sub *s;
	bool cut;    /* it was cut off (and freed) */
	bool paused; /* its client has a share to read first */
	long long ts; /* the last line's time, and its place among those at it */
	size_t at;
};

/* An event read back from the file, for a subscriber's since. */
static bool replay_one(void *data, long long ts, event_owner who, const char *session, yajl_val ev)
{
	struct replay *rp = data;
	struct event_sub *s = rp->s;
	size_t at = ts == rp->ts ? rp->at + 1 : 1;
	if (ts == s->resume_ts && at <= s->resume_skip) { /* given before the pause */
		rp->ts = ts, rp->at = at;
		return true;
	}
	if (s->sink.unread(s->sink.ctx) > REPLAY_SHARE) {
		s->resume_ts = ts, s->resume_skip = at - 1;
		rp->paused = true;
		return false;
	}
	rp->ts = ts, rp->at = at;
	struct event e = { .ts = ts, .who = who, .session = (char *)session };
	e.type = (char *)json_str(ev, "type");
	e.action = (char *)json_str(ev, "action");
	e.id = (char *)json_str(ev, "id");
	e.name = (char *)json_str(ev, "name");
	if (!matches(rp->s, &e))
		return true;
	/* as published, its owner last from the line's uid: a line written
	 * before events had one says it too */
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *json = NULL;
	int r = !g || !YAJL_IS_OBJECT(ev) || yajl_gen_map_open(g) || jg_key(g, "event") || yajl_gen_map_open(g);
	for (size_t i = 0; !r && i < ev->u.object.len; i++)
		if (strcmp(ev->u.object.keys[i], "owner"))
			r = jg_key(g, ev->u.object.keys[i]) || jg_value(g, ev->u.object.values[i]);
	if (r || jg_key_int(g, "owner", (long long)who.uid) || yajl_gen_map_close(g) || yajl_gen_map_close(g) ||
	    !(json = jg_finish(g, NULL)))
		return true;
	e.json = json;
	rp->cut = !deliver(rp->s, &e);
	return !rp->cut;
}

enum replayed { REPLAY_DONE, REPLAY_PAUSED, REPLAY_CUT };

/* The file from s->resume_ts on, until its client has a share to read. */
static enum replayed replay_share(struct event_sub *s)
{
	struct replay rp = { .s = s, .ts = -1 };
	events_log_replay(&s->bus->log, s->resume_ts, replay_one, &rp);
	return rp.cut ? REPLAY_CUT : rp.paused ? REPLAY_PAUSED : REPLAY_DONE;
}

static void on_pace(el_source *src, void *data)
{
	struct event_sub *s = data;
	if (s->sink.unread(s->sink.ctx) > REPLAY_SHARE / 2)
		return;
	enum replayed r = replay_share(s);
	if (r != REPLAY_DONE)
		return;
	/* the history is given: the live events from now on */
	s->pace = NULL;
	el_remove(src);
	if (s->until_due)
		end_stream(s);
}

int events_subscribe(event_bus *b, el_loop *loop, const event_sink *sink, const peer_cred *peer,
		     const event_window *w, const event_filter *filter)
{
	struct event_sub *s = sub_new(b, sink, peer, w->until, filter);
	if (!s)
		return -ENOMEM;
	long long left = w->until < 0 ? -1 : w->until - now_ns();
	_cleanup_cerr_ cerr err = { 0 };
	if (left > 0 && el_add_timer(loop, (uint64_t)left / 1000 + 1, false, on_until, s, &s->timer, &err) < 0) {
		sub_release(s);
		return -ENOMEM;
	}
	s->next = b->subs;
	if (b->subs)
		b->subs->prev = s;
	b->subs = s;
	b->n_subs++;
	sink->held(sink->ctx, s);
	if (b->log.open && w->since >= 0) {
		s->resume_ts = w->since;
		enum replayed r = replay_share(s);
		if (r == REPLAY_CUT)
			return 0;
		if (r == REPLAY_PAUSED) {
			if (el_add_timer(loop, REPLAY_TICK_USEC, true, on_pace, s, &s->pace, &err) < 0) {
				sub_end(s, EVENT_END_CUT, "events: the history could not be paced");
				return 0;
			}
			s->until_due = w->until >= 0 && left <= 0; /* else on_until says when */
			return 0;
		}
	}
	for (size_t i = 0; !b->log.open && w->since >= 0 && i < b->n; i++) {
		struct event *e = &b->ring[(b->head + i) % b->keep];
		if (e->ts >= w->since && !deliver(s, e))
			return 0;
	}
	if (w->until >= 0 && left <= 0)
		end_stream(s);
	return 0;
}
