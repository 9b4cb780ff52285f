/* The relist's store (cri_store.h). Each object is an entry with the read
 * its data came from: reads are numbered as they start, and a reply
 * replaces what a later-started read gave never (replies on corrald's
 * several connections may come in any order). An entry touched while it
 * is read is read once more after, so its last read starts after its last
 * change. A removed object stays a tombstone while any read is in flight,
 * so that an older read cannot bring it back. When the Events stream ends
 * (corrald restarted), the store empties and fills again at the next list. */
#include "supervisor/cri/cri_store.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_items.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/h2.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/h2_conn.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* the events replayed from before the fill: so none between the lists and
 * the subscription is lost (a replayed one is read again, no harm) */
#define STORE_EVENTS_BACK_SEC 2.0

typedef enum { STORE_EMPTY, STORE_FILLING, STORE_FILLED } store_phase;
typedef enum { KIND_POD, KIND_CTR } obj_kind;

typedef struct entry {
	obj_kind kind;
	char id[65];
	uint64_t seq;      /* the read its data is from (0: none yet) */
	bool present;      /* else a tombstone, or not read yet */
	bool reading, again;
	union {
		cri_pod_item pod;
		cri_ctr_item ctr;
	};
	struct entry *next;
} entry;

struct cri_store {
	cri_links *links;
	store_phase phase;
	unsigned lists;    /* lists asked: the store fills at the second */
	uint64_t seq;      /* reads started */
	uint64_t epoch;    /* fills started: a reply of an earlier one is dropped */
	unsigned reading;  /* reads in flight, the fill's included */
	unsigned fill_left; /* the fill's lists in flight */
	bool events_live;  /* corrald's Events stream, for as long as it runs */
	/* corrald refused the fill or its events: this connection's lists
	 * ask corrald, rather than fill again at every list */
	bool refused;
	/* each kind's unfiltered answer (kubelet's relist), packed, until an
	 * entry of that kind changes */
	strbuf packed[2];
	bool packed_ok[2];
	entry *head, **tail;
};

/* what a read's callback needs: its store, what and when */
typedef struct read_ctx {
	cri_store *s;
	obj_kind kind;
	char id[65];
	uint64_t seq, epoch;
} read_ctx;

cri_store *store_new(cri_links *links)
{
	cri_store *s = calloc(1, sizeof(*s));
	if (s) {
		s->links = links;
		s->tail = &s->head;
	}
	return s;
}

static void entry_clear(entry *e)
{
	if (e->present)
		e->kind == KIND_POD ? pod_item_release(&e->pod) : ctr_item_release(&e->ctr);
	e->present = false;
}

static void store_empty(cri_store *s)
{
	s->packed_ok[KIND_POD] = s->packed_ok[KIND_CTR] = false;
	for (entry *e = s->head, *next; e; e = next) {
		next = e->next;
		entry_clear(e);
		free(e);
	}
	s->head = NULL, s->tail = &s->head;
	s->phase = STORE_EMPTY;
	s->reading = 0;
	s->epoch++;
}

void store_free(cri_store *s)
{
	if (!s)
		return;
	store_empty(s);
	sb_release(&s->packed[KIND_POD]);
	sb_release(&s->packed[KIND_CTR]);
	free(s);
}

static entry *find(cri_store *s, obj_kind kind, const char *id)
{
	for (entry *e = s->head; e; e = e->next)
		if (e->kind == kind && streq(e->id, id))
			return e;
	return NULL;
}

static entry *find_or_add(cri_store *s, obj_kind kind, const char *id)
{
	entry *e = find(s, kind, id);
	if (e || strlen(id) >= sizeof(e->id) || !(e = calloc(1, sizeof(*e))))
		return e;
	e->kind = kind;
	snprintf(e->id, sizeof(e->id), "%s", id);
	*s->tail = e;
	s->tail = &e->next;
	return e;
}

/* No read in flight: no older reply can come, so the tombstones go */
static void drop_tombstones(cri_store *s)
{
	entry **pp = &s->head;
	s->tail = &s->head;
	while (*pp) {
		entry *e = *pp;
		if (!e->present && !e->reading) {
			*pp = e->next;
			free(e);
			continue;
		}
		s->tail = &e->next;
		pp = &e->next;
	}
}

/* What a read gave for e (obj NULL: it is not there, or not a CRI one) */
static void apply(cri_store *s, entry *e, uint64_t seq, yajl_val obj)
{
	if (seq <= e->seq)
		return; /* a later read already gave its state */
	s->packed_ok[e->kind] = false;
	e->seq = seq;
	entry_clear(e);
	if (obj)
		e->present = (e->kind == KIND_POD ? pod_item_of(obj, &e->pod) : ctr_item_of(obj, &e->ctr)) == 0;
}

static void read_entry(cri_store *s, entry *e);

static void read_done(vl_reply *rep, void *data)
{
	_cleanup_free_ read_ctx *x = data;
	cri_store *s = x->s;
	if (x->epoch != s->epoch)
		return;
	s->reading--;
	if (!rep) { /* corrald not reached: the next fill knows */
		store_empty(s);
		return;
	}
	entry *e = find(s, x->kind, x->id);
	if (!e)
		return;
	e->reading = false;
	if (!rep->error)
		apply(s, e, x->seq, json_get(rep->params, x->kind == KIND_POD ? "session" : "container"));
	else if (strstr(rep->error, "NoSuchSession") || strstr(rep->error, "NoSuchContainer"))
		apply(s, e, x->seq, NULL);
	else
		log_warn("the relist's store: %s %s: %s", x->kind == KIND_POD ? "pod" : "container", x->id, rep->error);
	if (e->again) {
		e->again = false;
		read_entry(s, e);
	}
	if (!s->reading)
		drop_tombstones(s);
}

static void read_entry(cri_store *s, entry *e)
{
	if (e->reading) {
		e->again = true;
		return;
	}
	read_ctx *x = calloc(1, sizeof(*x));
	if (!x) /* the store cannot follow: it empties, and fills again */
		return store_empty(s);
	*x = (read_ctx){ .s = s, .kind = e->kind, .seq = ++s->seq, .epoch = s->epoch };
	snprintf(x->id, sizeof(x->id), "%s", e->id);
	e->reading = true;
	s->reading++;
	char params[128];
	snprintf(params, sizeof(params), e->kind == KIND_POD ? "{\"name\":\"%s\"}" : "{\"id\":\"%s\"}", e->id);
	links_call(s->links, e->kind == KIND_POD ? "SessionInspect" : "Inspect", params, 0, read_done, x);
}

/* the length of a whole id: a pod's (a session's name), a container's */
static size_t id_len(obj_kind kind) { return kind == KIND_POD ? 63 : 64; }

static void touch(cri_store *s, obj_kind kind, const char *id)
{
	if (s->phase == STORE_EMPTY || !id)
		return; /* the fill reads it */
	size_t len = strlen(id);
	if (len != id_len(kind)) { /* a prefix (the CRI takes them): what it names */
		for (entry *e = s->head; e; e = e->next)
			if (e->kind == kind && strncmp(e->id, id, len) == 0)
				read_entry(s, e);
		return;
	}
	entry *e = find_or_add(s, kind, id);
	if (!e)
		return store_empty(s);
	read_entry(s, e);
}

static bool is_pod_id(const char *id) { return id && strlen(id) == 63 && strspn(id, "0123456789abcdef") == 63; }

/* The stream outlives an emptied store (it missed nothing): the next fill
 * keeps it */
static void on_event(vl_reply *rep, void *data)
{
	cri_store *s = data;
	if (!rep || rep->error || !rep->continues) {
		log_warn("the relist's store: corrald's events ended%s%s; it fills again", rep && rep->error ? ": " : "",
			 rep && rep->error ? rep->error : "");
		s->events_live = false;
		s->refused |= rep && rep->error;
		return store_empty(s);
	}
	yajl_val ev = json_get(rep->params, "event");
	const char *type = json_str(ev, "type"), *id = json_str(ev, "id");
	if (!type || !id)
		return;
	/* a CRI container is in its pod's session, named by a pod id */
	if (streq(type, "session") && is_pod_id(id))
		touch(s, KIND_POD, id);
	else if (streq(type, "container") &&
		 (is_pod_id(json_str(json_get(ev, "attributes"), "session")) || find(s, KIND_CTR, id)))
		touch(s, KIND_CTR, id);
}

/* The fill's lists: every pod and container, as of its read's number */
static void fill_done(vl_reply *rep, void *data)
{
	_cleanup_free_ read_ctx *x = data;
	cri_store *s = x->s;
	if (x->epoch != s->epoch)
		return;
	s->reading--;
	if (!rep || rep->error) {
		if (rep)
			log_warn("the relist's store: %s", rep->error);
		s->refused |= rep != NULL;
		return store_empty(s);
	}
	const char *key = x->kind == KIND_POD ? "sessions" : "containers";
	yajl_val list = json_get(rep->params, key);
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val o = list->u.array.values[i];
		const char *id = json_str(o, x->kind == KIND_POD ? "name" : "id");
		if (!id || (x->kind == KIND_POD && !is_pod_id(id)))
			continue;
		entry *e = find_or_add(s, x->kind, id);
		if (!e)
			return store_empty(s);
		apply(s, e, x->seq, o);
	}
	/* what the list did not name, and no later read gave, is gone */
	for (entry *e = s->head; e; e = e->next)
		if (e->kind == x->kind && e->seq < x->seq && e->present) {
			bool named = false;
			for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len && !named; i++)
				named = streq(json_str(list->u.array.values[i], x->kind == KIND_POD ? "name" : "id") ?: "", e->id);
			if (!named)
				apply(s, e, x->seq, NULL);
		}
	if (--s->fill_left == 0)
		s->phase = STORE_FILLED;
	if (!s->reading)
		drop_tombstones(s);
}

static read_ctx *ctx_new(cri_store *s, obj_kind kind, uint64_t seq)
{
	read_ctx *x = calloc(1, sizeof(*x));
	if (x)
		*x = (read_ctx){ .s = s, .kind = kind, .seq = seq, .epoch = s->epoch };
	return x;
}

static void fill(cri_store *s)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char params[64];
	snprintf(params, sizeof(params), "{\"since\":\"%.3f\"}", (double)now.tv_sec + now.tv_nsec / 1e9 - STORE_EVENTS_BACK_SEC);
	uint64_t seq = ++s->seq;
	read_ctx *pods = ctx_new(s, KIND_POD, seq), *ctrs = ctx_new(s, KIND_CTR, seq);
	if (!pods || !ctrs) {
		free(pods), free(ctrs);
		return;
	}
	s->phase = STORE_FILLING;
	s->reading += 2;
	s->fill_left = 2;
	if (!s->events_live) {
		s->events_live = true;
		links_call(s->links, "Events", params, VL_CALL_MORE, on_event, s);
	}
	links_call(s->links, "SessionList", NULL, 0, fill_done, pods);
	links_call(s->links, "List", "{\"all\":true}", 0, fill_done, ctrs);
}

/* Whether the store can answer now; a fill starts at the second list */
static cri_store *answering(cri_call *c)
{
	cri_store *s = h2_call_store(c);
	if (!s || s->refused)
		return NULL;
	if (s->phase == STORE_EMPTY && ++s->lists >= 2)
		fill(s);
	return s->phase == STORE_FILLED && !s->reading ? s : NULL;
}

/* The present entries of kind, in order (*n of them) */
static entry **present(cri_store *s, obj_kind kind, size_t *n)
{
	*n = 0;
	for (entry *e = s->head; e; e = e->next)
		*n += e->kind == kind && e->present;
	entry **es = calloc(*n + 1, sizeof(*es));
	size_t k = 0;
	for (entry *e = s->head; es && e; e = e->next)
		if (e->kind == kind && e->present)
			es[k++] = e;
	return es;
}

/* kind's answer (the packed cache, where unfiltered): false when out of
 * memory, c unanswered */
static bool answer(cri_call *c, cri_store *s, obj_kind kind, const void *f)
{
	bool all = kind == KIND_POD ? pod_filter_empty(f) : ctr_filter_empty(f);
	if (all && s->packed_ok[kind]) {
		cri_reply_packed(c, s->packed[kind].buf, s->packed[kind].len);
		return true;
	}
	size_t n;
	_cleanup_free_ entry **es = present(s, kind, &n);
	/* the items' own pointer types, one array of each */
	_cleanup_free_ cri_pod_item **pods = kind == KIND_POD ? calloc(n + 1, sizeof(*pods)) : NULL;
	_cleanup_free_ cri_ctr_item **ctrs = kind == KIND_CTR ? calloc(n + 1, sizeof(*ctrs)) : NULL;
	if (!es || (!pods && !ctrs))
		return false;
	for (size_t i = 0; i < n; i++)
		kind == KIND_POD ? (void)(pods[i] = &es[i]->pod) : (void)(ctrs[i] = &es[i]->ctr);
	_cleanup_strbuf_ strbuf one = STRBUF_INIT;
	strbuf *out = all ? &s->packed[kind] : &one;
	if ((kind == KIND_POD ? pod_items_pack(f, pods, n, out) : ctr_items_pack(f, ctrs, n, out)) < 0)
		return false;
	s->packed_ok[kind] = all;
	cri_reply_packed(c, out->buf, out->len);
	return true;
}

bool store_list_pods(cri_call *c, const Runtime__V1__PodSandboxFilter *f)
{
	cri_store *s = answering(c);
	return s && answer(c, s, KIND_POD, f);
}

bool store_list_ctrs(cri_call *c, const Runtime__V1__ContainerFilter *f)
{
	cri_store *s = answering(c);
	return s && answer(c, s, KIND_CTR, f);
}

void store_touch_pod(cri_call *c, const char *id)
{
	cri_store *s = h2_call_store(c);
	if (s)
		touch(s, KIND_POD, id);
}

void store_touch_ctr(cri_call *c, const char *id)
{
	cri_store *s = h2_call_store(c);
	if (s)
		touch(s, KIND_CTR, id);
}

void store_touch_pod_ctrs(cri_call *c, const char *pod_id)
{
	cri_store *s = h2_call_store(c);
	for (entry *e = s ? s->head : NULL; e; e = e->next)
		if (e->kind == KIND_CTR && e->present && streq(e->ctr.pod, pod_id))
			read_entry(s, e);
}

void store_saw_pod(cri_call *c, const char *id, Runtime__V1__PodSandboxState st)
{
	cri_store *s = h2_call_store(c);
	entry *e = s && s->phase != STORE_EMPTY ? find(s, KIND_POD, id) : NULL;
	if (s && s->phase != STORE_EMPTY && (!e || !e->present || e->pod.item.state != st))
		touch(s, KIND_POD, id);
}

void store_saw_ctr(cri_call *c, const char *id, Runtime__V1__ContainerState st)
{
	cri_store *s = h2_call_store(c);
	entry *e = s && s->phase != STORE_EMPTY ? find(s, KIND_CTR, id) : NULL;
	if (s && s->phase != STORE_EMPTY && (!e || !e->present || e->ctr.item.state != st))
		touch(s, KIND_CTR, id);
}
