/* ADD a further network (net_connect.h). */
#include "supervisor/daemon/network/net_connect.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/network/cni_result.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_record.h"
#include "supervisor/daemon/network/net_announce.h"
#include "supervisor/daemon/network/net_names.h"
#include "supervisor/daemon/network/net_globals.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/monitor_iface.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cni_args args_of(const struct corrald *d, const ctr *c, const char *netns, const char *ifname)
{
	return (cni_args){ .container_id = c->id, .netns = netns, .ifname = ifname, .path = d->cfg->cni_path };
}

/* The ADD is over: its record, its neighbours' ARP caches, the names. */
static int added(struct corrald *d, ctr *c, const net_extra *e, const char *conf, const char *result, cerr *err)
{
	char pin[PATH_MAX], path[PATH_MAX];
	net_pin_path(d, c->id, pin, sizeof(pin));
	net_record_path(d, c, e->ifname, path, sizeof(path));
	net_record_of rec = { .network = e->network, .netns = pin, .ifname = e->ifname, .conf = conf, .result = result };
	int r = net_record_write(path, &rec, err);
	if (r < 0)
		return r;
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr e2 = { 0 };
	cni_summary s = { 0 };
	if (json_parse(result, "network result", &v, &e2) == 0) {
		net_announce(pin, e->ifname, v);
		cni_result_summary(v, &s);
	}
	if (names_network_changed(d, c, e->network, e->aliases, s.ip[0] ? s.ip : NULL, s.gateway[0] ? s.gateway : NULL,
				  false, &e2) < 0)
		log_cerr(LOG_LVL_WARN, &e2, "container %s: the names of network %s", c->name, e->network);
	ctr_publish(d, c, "network-attach", (const char *const[]){ "network", e->network, NULL });
	return 0;
}

/* An ADD that cannot be kept is undone; nothing waits for its DEL. */
static void undo(struct corrald *d, const char *id, const char *ifname, const char *conf, const char *result)
{
	char pin[PATH_MAX];
	net_pin_path(d, id, pin, sizeof(pin));
	cni_args a = { .container_id = id, .netns = access(pin, F_OK) == 0 ? pin : "", .ifname = ifname,
		       .path = d->cfg->cni_path };
	_cleanup_cerr_ cerr err = { 0 };
	if (cni_run_start(&d->network->cni, CNI_DEL, conf, result, &a, NULL, NULL, NULL, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "container %s: DEL of %s", id, ifname);
}

/* At start: the first further network without a record, or NULL. */
static const net_extra *next_of(const net_extras *x, const ctr *c)
{
	for (size_t i = 0; i < x->n; i++) {
		char path[PATH_MAX];
		net_record_path(c->d, c, x->v[i].ifname, path, sizeof(path));
		if (access(path, F_OK) < 0)
			return &x->v[i];
	}
	return NULL;
}

static void start_fail(ctr *c, const char *net, const cerr *err)
{
	ctr_spawn *s = c->spawn;
	free(TAKE_PTR(s->net_conf));
	/* what is attached goes with the start's failure (not_started) */
	if (asprintf(&s->net_err, "container %s: network %s: %s", c->name, net, cerr_msg(err)) < 0)
		s->net_err = NULL;
	ctr_spawn_say(s, "abort\n");
}

/* One further network's ADD at start is over; the same one is next_of's
 * still, as neither method changes the list of a starting container. */
static void on_start_added(int r, const char *result, const cerr *e, void *data)
{
	ctr *c = data;
	ctr_spawn *s = c->spawn;
	s->net_run = NULL;
	_cleanup_(net_extras_release) net_extras x = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	const net_extra *ex = net_extras_load(c->d, c, &x, &err) == 0 ? next_of(&x, c) : NULL;
	if (r < 0 || !ex)
		return start_fail(c, ex ? ex->network : "?", r < 0 ? e : &err);
	if (added(c->d, c, ex, s->net_conf, result, &err) < 0) {
		undo(c->d, c->id, ex->ifname, s->net_conf, result);
		return start_fail(c, ex->network, &err);
	}
	free(TAKE_PTR(s->net_conf));
	net_extras_start(c);
}

void net_extras_start(ctr *c)
{
	ctr_spawn *s = c->spawn;
	_cleanup_(net_extras_release) net_extras x = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (net_extras_load(c->d, c, &x, &err) < 0)
		return start_fail(c, "?", &err);
	const net_extra *e = next_of(&x, c);
	if (!e) {
		ctr_spawn_say(s, MONITOR_START);
		return;
	}
	char pin[PATH_MAX];
	net_pin_path(c->d, c->id, pin, sizeof(pin));
	cni_args a = args_of(c->d, c, pin, e->ifname);
	if (net_store_text(c->d->cfg->cni_config_dir, e->network, &s->net_conf, &err) < 0 ||
	    cni_run_start(&c->d->network->cni, CNI_ADD, s->net_conf, NULL, &a, on_start_added, c, &s->net_run, &err) < 0)
		start_fail(c, e->network, &err);
}

/* NetworkConnect's ADD into a running container. */
typedef struct connect_op {
	struct corrald *d;
	char id[CTR_ID_LEN + 1];
	net_extra e; /* its aliases borrowed from the caller's for the ADD, then NULL */
	char **aliases;
	net_connect_fn done;
	void *data;
	char conf[]; /* the conflist */
} connect_op;

static void on_connected(int r, const char *result, const cerr *e, void *data)
{
	connect_op *op = data;
	_cleanup_cerr_ cerr err = { 0 };
	ctr *c = ctr_find(op->d, op->id);
	op->e.aliases = op->aliases;
	if (r == 0 && (!c || !ctr_alive(c))) {
		undo(op->d, op->id, op->e.ifname, op->conf, result);
		r = cerr_set(&err, ESRCH, "the container is no longer running");
		e = &err;
	} else if (r == 0 && (r = added(op->d, c, &op->e, op->conf, result, &err)) < 0) {
		undo(op->d, op->id, op->e.ifname, op->conf, result);
		e = &err;
	}
	op->done(op->d, r, e, op->data);
	strv_free(op->aliases);
	free(op);
}

int net_connect_running(struct corrald *d, ctr *c, const net_extra *e, net_connect_fn done, void *data, cerr *err)
{
	_cleanup_free_ char *conf = NULL;
	int r = net_store_text(d->cfg->cni_config_dir, e->network, &conf, err);
	if (r < 0)
		return r;
	connect_op *op = calloc(1, sizeof(*op) + strlen(conf) + 1);
	if (!op || (e->aliases && !(op->aliases = strv_copy(e->aliases)))) {
		free(op);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*op = (connect_op){ .d = d, .e = *e, .aliases = op->aliases, .done = done, .data = data };
	op->e.aliases = NULL;
	snprintf(op->id, sizeof(op->id), "%s", c->id);
	strcpy(op->conf, conf);
	char pin[PATH_MAX];
	net_pin_path(d, c->id, pin, sizeof(pin));
	cni_args a = args_of(d, c, pin, e->ifname);
	if ((r = cni_run_start(&d->network->cni, CNI_ADD, op->conf, NULL, &a, on_connected, op, NULL, err)) < 0) {
		strv_free(op->aliases);
		free(op);
	}
	return r;
}
