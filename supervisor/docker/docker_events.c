/* GET /events: corrald's Events stream as Docker's event lines, until the
 * client hangs up (or until ?until=). Docker's filters are matched here:
 * corrald takes one value a key, Docker any of several. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_events.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_filters.h"
#include "supervisor/docker/docker_pump.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/timefmt.h"
#include "supervisor/api/owned_name.h"

#include <stdio.h>
#include <string.h>

typedef struct events_ctx {
	char *params;
	yajl_val filters; /* Docker's, parsed */
	uid_t viewer;
} events_ctx;

/* Docker's word for corral's action: a removed image is "delete"d, a
 * removed container, volume or network "destroy"ed. */
static const char *docker_action(const char *type, const char *action)
{
	if (streq(action, "remove"))
		return streq(type, "image") ? "delete" : "destroy";
	return action;
}

static bool match(yajl_val filters, const char *key, const char *id, const char *name, const char *value)
{
	const char *f = dk_filter_value(filters, key, 0);
	for (size_t i = 0; f; f = dk_filter_value(filters, key, ++i))
		if ((value && streq(f, value)) || (id && *f && strncmp(id, f, strlen(f)) == 0) ||
		    (name && streq(dk_ctr_name(f), name)))
			return true;
	return !dk_filter_value(filters, key, 0);
}

/* image=, network= and volume=: an event of that type by its ID or name,
 * and for image= a container's of that image too */
static bool match_objects(yajl_val filters, const char *type, const char *id, const char *name, yajl_val attrs)
{
	static const char *const types[] = { "image", "network", "volume" };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (!dk_filter_value(filters, types[i], 0))
			continue;
		bool own = streq(type, types[i]);
		const char *image = streq(types[i], "image") && streq(type, "container") ? dk_str(attrs, "image") : NULL;
		if (!own && !image)
			return false;
		if (!match(filters, types[i], own ? id : NULL, NULL, own ? name : image))
			return false;
	}
	return true;
}

/* The types a Docker client knows: corrald's own start and stop, its jobs,
 * sessions, workloads and secrets are none of Docker's. */
static bool docker_type(const char *type)
{
	return streq(type, "container") || streq(type, "image") || streq(type, "volume") || streq(type, "network");
}

static void put_event(dk_pump *p, events_ctx *x, yajl_val ev)
{
	const char *type = dk_str(ev, "type"), *id = dk_str(ev, "id"), *name = dk_str(ev, "name");
	const char *action = docker_action(type, dk_str(ev, "action"));
	yajl_val attrs = json_get(ev, "attributes");
	char shown[512];
	if (owned_type(type)) /* root is shown a member's as NAME@UID */
		name = owned_event_name(ev, x->viewer, shown, sizeof(shown));
	if (streq(type, "volume"))
		id = name;
	if (!docker_type(type) || !match(x->filters, "type", NULL, NULL, type) || !match(x->filters, "event", NULL, NULL, action) ||
	    !match(x->filters, "container", streq(type, "container") ? id : "", streq(type, "container") ? name : "",
		   NULL) ||
	    !dk_filter_owned_labels(x->filters, attrs, x->viewer, (uid_t)dk_int(ev, "owner", 0)) ||
	    !match_objects(x->filters, type, id, name, attrs))
		return;
	long long ns = 0;
	const char *t = dk_str(ev, "time");
	rfc3339_parse(t, strlen(t), &ns);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	if (streq(type, "container")) { /* the fields Docker kept from before Actor */
		jg_key_str(g, "status", action);
		jg_key_str(g, "id", id);
	}
	jg_key_str(g, "Type", type);
	jg_key_str(g, "Action", action);
	jg_key(g, "Actor");
	yajl_gen_map_open(g);
	jg_key_str(g, "ID", id);
	jg_key(g, "Attributes");
	yajl_gen_map_open(g);
	for (size_t i = 0; YAJL_IS_OBJECT(attrs) && i < attrs->u.object.len; i++)
		if (!streq(attrs->u.object.keys[i], "name") && YAJL_IS_STRING(attrs->u.object.values[i]) &&
		    !(streq(type, "volume") && streq(attrs->u.object.keys[i], "owner")))
			jg_key_str(g, attrs->u.object.keys[i], attrs->u.object.values[i]->u.string);
	if (streq(type, "volume"))
		jg_key_str(g, "driver", "local");
	if (*name)
		jg_key_str(g, "name", name);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	jg_key_str(g, "scope", "local");
	jg_key_int(g, "time", ns / 1000000000LL);
	jg_key_int(g, "timeNano", ns);
	yajl_gen_map_close(g);
	dk_pump_put_json(p, g, "\n");
}

static int events_fill(dk_pump *p)
{
	events_ctx *x = p->ctx;
	_cleanup_cerr_ cerr e = { 0 };
	if (!p->started) {
		p->started = true;
		if (vl_client_send(p->vl, "io.corral.Supervisor.Events", x->params, true, false, &e) < 0)
			return -1;
	}
	vl_reply rep = { 0 };
	if (dk_pump_await(p) < 0 || vl_client_recv(p->vl, &rep, &e) < 0)
		return -1;
	if (json_get(rep.params, "event"))
		put_event(p, x, json_get(rep.params, "event"));
	p->done = rep.error || !rep.continues;
	vl_reply_release(&rep);
	return 0;
}

static void events_release(dk_pump *p)
{
	events_ctx *x = p->ctx;
	free(x->params);
	if (x->filters)
		yajl_tree_free(x->filters);
}

/* ?since= and ?until= are seconds, maybe with a fraction: corrald takes
 * whole ones. */
static void add_time(dk_req *r, yajl_gen g, const char *key)
{
	const char *v = dk_query(r, key);
	if (!v || !*v)
		return;
	char s[32];
	snprintf(s, sizeof(s), "%.*s", (int)strcspn(v, "."), v);
	jg_key_str(g, key, s);
}

void dk_events(dk_req *r, const char *arg)
{
	static const char *const known[] = { "type", "event", "container", "label", "image", "network", "volume", NULL };
	yajl_val filters = NULL;
	if (dk_filters(r, known, &filters) < 0)
		return;
	_cleanup_json_gen_ yajl_gen g = dk_params_id(NULL);
	add_time(r, g, "since");
	add_time(r, g, "until");
	dk_pump *p = dk_pump_new(r, events_fill, sizeof(events_ctx));
	events_ctx *x = p ? p->ctx : NULL;
	if (!p || !(x->params = dk_params_end(g))) {
		free(p);
		if (filters)
			yajl_tree_free(filters);
		dk_error(r, 500, "out of memory");
		return;
	}
	x->filters = filters;
	x->viewer = r->viewer;
	p->release = events_release;
	dk_pump_answer(r, p, "application/json");
}
