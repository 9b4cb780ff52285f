#include "supervisor/daemon/containers/engine/ctr_said.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/events.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdlib.h>
#include <string.h>

struct said {
	char id[CTR_ID_LEN + 1];
	const char *action; /* one of life[] */
	char *name, *session;
	uid_t owner;
};

/* kept short: an entry goes at its container's remove */
struct ctr_said {
	struct said *v;
	size_t n, cap;
};

static const char *const life[] = { "create", "start", "restore", "die", "remove" };

static struct said *find(const ctr_said *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i].id, id))
			return &s->v[i];
	return NULL;
}

static void drop(ctr_said *s, struct said *e)
{
	free(e->name);
	free(e->session);
	*e = s->v[--s->n];
}

static bool on_event(void *data, long long ts, event_owner who, const char *session, yajl_val ev)
{
	(void)ts;
	ctr_said *s = data;
	const char *type = json_str(ev, "type"), *action = json_str(ev, "action");
	const char *id = json_str(ev, "id"), *name = json_str(ev, "name");
	const char *known = NULL;
	for (size_t i = 0; action && i < ARRAY_SIZE(life); i++)
		if (streq(action, life[i]))
			known = life[i];
	if (!known || !type || !streq(type, "container") || !id || strlen(id) != CTR_ID_LEN)
		return true;
	struct said *e = find(s, id);
	if (streq(known, "remove")) {
		if (e)
			drop(s, e);
		return true;
	}
	if (!e) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 64;
			struct said *v = realloc(s->v, cap * sizeof(*v));
			if (!v)
				return false;
			s->v = v, s->cap = cap;
		}
		e = &s->v[s->n++];
		*e = (struct said){ 0 };
		memcpy(e->id, id, CTR_ID_LEN + 1);
	}
	e->action = known;
	e->owner = who.uid;
	free(e->name);
	free(e->session);
	e->name = name ? strdup(name) : NULL;
	e->session = session ? strdup(session) : NULL;
	return true;
}

ctr_said *ctr_said_load(corrald *d)
{
	ctr_said *s = calloc(1, sizeof(*s));
	if (s)
		events_replay_kept(d->events, on_event, s);
	return s;
}

void ctr_said_free(ctr_said *s)
{
	while (s && s->n)
		drop(s, &s->v[s->n - 1]);
	if (s)
		free(s->v);
	free(s);
}

const char *ctr_said_of(const ctr_said *s, const char *id)
{
	const struct said *e = s ? find(s, id) : NULL;
	return e ? e->action : NULL;
}

void ctr_said_gone(corrald *d, const ctr_said *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		const struct said *e = &s->v[i];
		if (ctr_by_id(d, e->id)) /* not ctr_find: a name may look like an id */
			continue;
		const char *const with[] = { "session", e->session, NULL };
		events_publish(d->events, EV_OWNER(e->owner), "container", "remove", e->id, e->name, e->session ? with : NULL, 0);
	}
}
