/* ADD at Start (eth0; then the further networks, net_connect.c), DEL at
 * the end, from network.json and network-ethN.json. */
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/network/net_connect.h"
#include "supervisor/daemon/network/net_record.h"
#include "supervisor/daemon/network/cni_result.h"
#include "supervisor/daemon/network/cni_conf.h"
#include "supervisor/daemon/network/net_globals.h"
#include "supervisor/daemon/network/cni_run.h"
#include "supervisor/daemon/network/net_names.h"
#include "supervisor/daemon/network/net_announce.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/net_extra.h"
#include "supervisor/daemon/network/net_fixed.h"
#include "supervisor/daemon/network/net_id.h"
#include "supervisor/daemon/netfiles/netns_pin.h"
#include "supervisor/daemon/network/ports_free.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/monitor_iface.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NET_ABORT "abort\n"

static cni_args args_of(const struct corrald *d, const ctr *c, const char *netns)
{
	return (cni_args){ .container_id = c->id, .netns = netns, .ifname = NET_IFNAME, .path = d->cfg->cni_path,
			   .ports = c->spec.ports, .n_ports = c->spec.n_ports };
}

static int write_record(const struct corrald *d, const ctr *c, const char *conf, const char *result, cerr *err)
{
	char pin[PATH_MAX], path[PATH_MAX];
	net_pin_path(d, c->id, pin, sizeof(pin));
	ctr_dir(d, c, path, sizeof(path));
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/" NET_FILE);
	net_record_of rec = net_record_of_ctr(c, pin, conf, result);
	return net_record_write(path, &rec, err);
}

/* The other containers on c's network learn its name (result: its ADD's),
 * or forget it (NULL); a failure costs names, never the network. */
static void names_update(struct corrald *d, const ctr *c, const char *result)
{
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_json_ yajl_val v = NULL;
	cni_summary s = { 0 };
	if (result && json_parse(result, "network result", &v, &err) == 0)
		cni_result_summary(v, &s);
	if (names_network_changed(d, c, c->spec.net_name, c->spec.network_aliases, s.ip[0] ? s.ip : NULL,
				  s.gateway[0] ? s.gateway : NULL, !result, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "container %s: the names of network %s", c->name, c->spec.net_name);
}

/* Before its process runs: its neighbours learn its address's MAC now. */
static void announce(const struct corrald *d, const ctr *c, const char *result)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	char pin[PATH_MAX];
	net_pin_path(d, c->id, pin, sizeof(pin));
	if (json_parse(result, "network result", &v, &err) == 0)
		net_announce(pin, NET_IFNAME, v);
}

/* The ADD is over: start the container, or give up with why. */
static void on_added(int r, const char *result, const cerr *e, void *data)
{
	ctr *c = data;
	ctr_spawn *s = c->spawn;
	s->net_run = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (r == 0 && write_record(c->d, c, s->net_conf, result, &err) == 0) {
		free(TAKE_PTR(s->net_conf));
		announce(c->d, c, result);
		names_update(c->d, c, result);
		ctr_publish(c->d, c, "network-attach", (const char *const[]){ "network", c->spec.net_name, NULL });
		net_extras_start(c);
		return;
	}
	if (r == 0) { /* attached, but not recorded: undo it */
		cni_args a = args_of(c->d, c, "");
		cerr e2 = { 0 };
		if (cni_run_start(&c->d->network->cni, CNI_DEL, s->net_conf, result, &a, NULL, NULL, NULL, &e2) < 0)
			log_cerr(LOG_LVL_WARN, &e2, "container %s: DEL", c->name);
	}
	free(TAKE_PTR(s->net_conf));
	if (r < 0) { /* its DEL has run */
		char pin[PATH_MAX];
		net_pin_path(c->d, c->id, pin, sizeof(pin));
		netns_unpin(pin);
	}
	if (asprintf(&s->net_err, "container %s: network %s: %s", c->name, c->spec.net_name,
		     cerr_msg(r == 0 ? &err : e)) < 0)
		s->net_err = NULL;
	ctr_spawn_say(s, NET_ABORT);
}

/* DELs under way, by container: an ADD for the same container waits for
 * its DEL (a restart), as host-local and portmap find what to delete by
 * container id and interface, and would take the new attachment's. */
typedef struct pending_del {
	struct pending_del *next;
	char *path, *id, *netns, ifname[16];
	ctr *waiter; /* its ADD, to begin once the DEL is over */
	net_del_done_fn done, then; /* then: an ADD of the id's that waits (a session's) */
	void *data, *then_data;
	pid_t pid;
	struct corrald *d;
} pending_del;

static bool is_verified(const net_globals *ns, const char *conf)
{
	for (size_t i = 0; i < NET_VERIFIED_MAX && ns->verified[i]; i++)
		if (streq(ns->verified[i], conf))
			return true;
	return false;
}

static void set_verified(net_globals *ns, const char *conf)
{
	size_t i = 0;
	while (i < NET_VERIFIED_MAX && ns->verified[i])
		i++;
	if (i < NET_VERIFIED_MAX) /* past the bound, VERSION is asked every time */
		ns->verified[i] = strdup(conf);
}

/* Start fails with why; in_net: a plugin's error, said of the network. */
static void abort_start(ctr *c, const char *what, const cerr *err, bool in_net)
{
	ctr_spawn *s = c->spawn;
	free(TAKE_PTR(s->net_conf));
	if (asprintf(&s->net_err, "container %s: %s%s%s%s%s", c->name, in_net ? "network " : "",
		     in_net ? c->spec.net_name : "", in_net ? ": " : "", what, cerr_msg(err)) < 0)
		s->net_err = NULL;
	ctr_spawn_say(s, NET_ABORT);
}

/* Start fails once its namespace is pinned: the pin goes too. */
static void give_up(ctr *c, const cerr *err, bool in_net)
{
	char netns[PATH_MAX];
	net_pin_path(c->d, c->id, netns, sizeof(netns));
	netns_unpin(netns);
	abort_start(c, "", err, in_net);
}

static int start_add(struct corrald *d, ctr *c, cerr *err)
{
	ctr_spawn *s = c->spawn;
	char netns[PATH_MAX];
	net_pin_path(d, c->id, netns, sizeof(netns));
	cni_args a = args_of(d, c, netns);
	char mac[32];
	if (net_fixed_args(c, s->net_conf, &a, mac, sizeof(mac), err) < 0)
		return -err->code;
	return cni_run_start(&d->network->cni, CNI_ADD, s->net_conf, NULL, &a, on_added, c, &s->net_run, err);
}

static void on_versioned(int r, const char *result, const cerr *e, void *data)
{
	ctr *c = data;
	(void)result;
	c->spawn->net_run = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (r == 0) {
		set_verified(c->d->network, c->spawn->net_conf);
		if (start_add(c->d, c, &err) == 0)
			return;
		e = &err;
	}
	give_up(c, e, true);
}

static int begin_add(struct corrald *d, ctr *c, pid_t pid, cerr *err)
{
	ctr_spawn *s = c->spawn;
	char netns[PATH_MAX];
	net_pin_path(d, c->id, netns, sizeof(netns));
	int r;
	if ((r = ports_free(d, c, err)) < 0 ||
	    (streq(c->spec.net_name, NET_DEFAULT_NAME) && (r = network_ensure_default(d, err)) < 0) ||
	    (r = net_store_text(d->cfg->cni_config_dir, c->spec.net_name, &s->net_conf, err)) < 0 ||
	    (r = netns_pin(netns, pid, err)) < 0)
		return r;
	if (is_verified(d->network, s->net_conf))
		return start_add(d, c, err);
	cni_args a = args_of(d, c, netns);
	return cni_run_start(&d->network->cni, CNI_VERSION, s->net_conf, NULL, &a, on_versioned, c, &s->net_run, err);
}

static void attach_now(struct corrald *d, ctr *c, pid_t pid)
{
	_cleanup_cerr_ cerr err = { 0 };
	if (begin_add(d, c, pid, &err) < 0)
		give_up(c, &err, false);
}

static size_t waiting_dels(struct corrald *d, const char *id, bool redo);

void net_attach(struct corrald *d, ctr *c, pid_t pid)
{
	/* the failed DELs of its last attachment, waiting to be tried again,
	 * run now and its ADD after them: tried later, they would find the
	 * new attachment by the same id and take its pin, veth and lease */
	size_t waiting = waiting_dels(d, c->id, true);
	for (pending_del *p = d->network->pending; p; p = p->next)
		if (streq(p->id, c->id)) {
			p->waiter = c;
			p->pid = pid;
			return;
		}
	if (waiting && waiting_dels(d, c->id, false) > 0) { /* one failed at once */
		_cleanup_cerr_ cerr e = { 0 };
		cerr_set(&e, EAGAIN, "its last attachment's DEL failed (tried again in a while)");
		abort_start(c, "", &e, true);
		return;
	}
	attach_now(d, c, pid);
}

static void on_abandoned(int r, const char *result, const cerr *e, void *data)
{
	_cleanup_free_ char *pin = data;
	(void)r, (void)result, (void)e;
	netns_unpin(pin);
}

void net_attach_abandon(struct corrald *d, ctr *c)
{
	ctr_spawn *s = c->spawn;
	if (!s->net_run)
		return;
	char pin[PATH_MAX];
	net_pin_path(d, c->id, pin, sizeof(pin));
	char *p = strdup(pin);
	cni_run_detach(TAKE_PTR(s->net_run), p ? on_abandoned : NULL, p);
}

void net_attach_cancel(const ctr *c)
{
	for (pending_del *p = c->d->network->pending; p; p = p->next)
		if (p->waiter == c)
			p->waiter = NULL;
}

static void pending_free(pending_del *p)
{
	free(p->path);
	free(p->id);
	free(p->netns);
	free(p);
}

void net_pending_free_all(net_globals *ns)
{
	for (pending_del *p; (p = ns->pending);) {
		ns->pending = p->next;
		pending_free(p);
	}
}

/* A pin that a mount elsewhere kept busy (netns_unpin's -EBUSY): tried
 * again each second, for 30 s. */
typedef struct unpin_retry {
	int tries;
	char path[PATH_MAX];
} unpin_retry;

static void on_unpin_retry(el_source *src, void *data)
{
	unpin_retry *u = data;
	if (netns_unpin(u->path) == -EBUSY && ++u->tries < 30)
		return;
	el_remove(src);
	free(u);
}

static void unpin(struct corrald *d, const char *path)
{
	if (netns_unpin(path) != -EBUSY)
		return;
	unpin_retry *u = calloc(1, sizeof(*u));
	_cleanup_cerr_ cerr err = { 0 };
	if (!u)
		return;
	snprintf(u->path, sizeof(u->path), "%s", path);
	if (el_add_timer(d->loop, 1000000, true, on_unpin_retry, u, NULL, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "%s", path);
		free(u);
	}
}

/* The namespace's pin stays while id is attached still (eth0's record:
 * a further network went), or another of its DELs needs it. */
static bool pin_held(struct corrald *d, const char *id)
{
	if (net_del_under_way(d, id))
		return true;
	ctr *c = ctr_find(d, id);
	char path[PATH_MAX];
	if (!c)
		return false;
	net_record_path(d, c, NULL, path, sizeof(path));
	return access(path, F_OK) == 0;
}

static void retry_dels(el_source *s, void *data)
{
	struct corrald *d = data;
	d->network->del_retry = NULL; /* a one-shot timer, as on_until's: gone once it fired */
	el_remove(s);
	net_redo_dels(d);
}

/* A failed DEL's record stays in networks/pending, its pin held: it is
 * run again after a backoff (CNI's DEL may be retried), not only at the
 * next start */
void net_retry_dels_later(struct corrald *d)
{
	net_globals *ns = d->network;
	ns->del_retry_s = ns->del_retry_s ? (ns->del_retry_s >= 30 ? 60 : ns->del_retry_s * 2) : 1;
	uint64_t usec = (uint64_t)ns->del_retry_s * 1000000;
	_cleanup_cerr_ cerr err = { 0 };
	if (ns->del_retry ? el_timer_set(ns->del_retry, usec, false) < 0 /* a try already due: later */
			  : el_add_timer(d->loop, usec, false, retry_dels, d, &ns->del_retry, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "network: a failed DEL waits for corrald's next start");
}

static void on_deleted(int r, const char *result, const cerr *e, void *data)
{
	pending_del *p = data;
	(void)result;
	for (pending_del **q = &p->d->network->pending; *q; q = &(*q)->next)
		if (*q == p) {
			*q = p->next;
			break;
		}
	if (r < 0) {
		log_warn("%s: DEL: %s (tried again in a while)", p->path, cerr_msg(e));
		net_retry_dels_later(p->d);
		if (p->waiter) /* its ADD would share the failed one's id */
			abort_start(TAKE_PTR(p->waiter), "its last attachment's DEL: ", e, true);
	} else {
		p->d->network->del_retry_s = 0;
		if (!pin_held(p->d, p->id))
			unpin(p->d, p->netns);
		if (unlink(p->path) < 0 && errno != ENOENT)
			log_debug("%s: %s", p->path, strerror(errno));
	}
	if (p->done)
		p->done(p->d, r, e, p->data);
	if (p->then)
		p->then(p->d, r, e, p->then_data);
	pending_del *next = NULL; /* the ADD waits for the last DEL of its container */
	for (pending_del *q = p->d->network->pending; q && !next; q = q->next)
		if (streq(q->id, p->id))
			next = q;
	if (p->waiter && next) {
		next->waiter = p->waiter;
		next->pid = p->pid;
	} else if (p->waiter) /* as a start does: a DEL of its that waits runs first */
		net_attach(p->d, p->waiter, p->pid);
	pending_free(p);
}

bool net_attached(struct corrald *d, const char *id)
{
	char path[PATH_MAX];
	ctr *c = ctr_by_id(d, id);
	if (!c)
		return false;
	net_record_path(d, c, NULL, path, sizeof(path));
	return access(path, F_OK) == 0;
}

/* path's name: <id>.json, or <id>.<ifname>.json (a further network's, or
 * any of a session's id, which may hold dots); 1: its DEL runs, done to
 * hear how it went */
static int redo_del(struct corrald *d, const char *path, net_del_done_fn done, void *data, cerr *err)
{
	static const char suffix[] = ".json";
	const char *name = strrchr(path, '/') + 1;
	size_t n = strlen(name);
	char id[NAME_MAX + 1];
	if (n <= strlen(suffix) || strcmp(name + n - strlen(suffix), suffix))
		return 0;
	snprintf(id, sizeof(id), "%.*s", (int)(n - strlen(suffix)), name);
	char *dot = strrchr(id, '.');
	if (dot)
		*dot = '\0';
	if (dot && net_del_if_under_way(d, id, dot + 1))
		return 0;
	if (!dot && (net_attached(d, id) || net_del_under_way(d, id))) { /* the DEL to come covers it */
		if (!net_del_under_way(d, id) && unlink(path) < 0)
			log_warn("%s: %s", path, strerror(errno));
		return 0;
	}
	_cleanup_(net_record_release) net_record rec = { 0 };
	int r = net_del_record(d, id, path, &rec, done, data, err);
	if (r == -EINVAL && unlink(path) == 0) {
		/* a record that does not parse can never be run: kept, it
		 * would hold back its container's starts (net_attach) */
		log_cerr(LOG_LVL_WARN, err, "network: the DEL of %s cannot be run; its record is dropped", id);
		return 0;
	}
	if (r == 0)
		log_info("network: the DEL of %s, not done yet, is run again", id);
	return r < 0 ? r : 1;
}

/* The records of failed DELs in networks/pending (id's: <id>.json,
 * <id>.<ifname>.json; all for NULL); redo: each run again. */
static size_t waiting_dels(struct corrald *d, const char *id, bool redo)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/networks/pending", d->cfg->state_dir);
	_cleanup_(closedirp) DIR *dh = opendir(dir);
	struct dirent *e;
	size_t n = 0, len = id ? strlen(id) : 0;
	while (dh && (e = readdir(dh)))
		if (e->d_name[0] != '.' && (!id || (!strncmp(e->d_name, id, len) && e->d_name[len] == '.'))) {
			n++;
			char path[PATH_MAX];
			cerr err = { 0 };
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (redo && redo_del(d, path, NULL, NULL, &err) < 0)
				log_cerr(LOG_LVL_WARN, &err, "network: the DEL of %s", e->d_name);
		}
	return n;
}

int net_dels_first(struct corrald *d, const char *id, net_del_done_fn done, void *data, cerr *err)
{
	for (pending_del *q = d->network->pending; q; q = q->next)
		if (streq(q->id, id) && !q->then) {
			q->then = done;
			q->then_data = data;
			return 1;
		} else if (streq(q->id, id))
			return cerr_set(err, EBUSY, "%s: an ADD already waits for the DEL under way", id);
	char path[PATH_MAX];
	net_pending_path(d, id, NET_IFNAME, path, sizeof(path));
	if (access(path, F_OK) < 0)
		return 0;
	return redo_del(d, path, done, data, err);
}

void net_redo_dels(struct corrald *d)
{
	waiting_dels(d, NULL, true);
}

bool net_del_under_way(const struct corrald *d, const char *id)
{
	for (pending_del *q = d->network->pending; q; q = q->next)
		if (streq(q->id, id))
			return true;
	return false;
}

bool net_del_if_under_way(const struct corrald *d, const char *id, const char *ifname)
{
	for (pending_del *q = d->network->pending; q; q = q->next)
		if (streq(q->id, id) && streq(q->ifname, ifname))
			return true;
	return false;
}

bool net_del_if_waits(const struct corrald *d, const char *id, const char *ifname)
{
	char path[PATH_MAX];
	net_pending_path(d, id, ifname, path, sizeof(path));
	return net_del_if_under_way(d, id, ifname) || access(path, F_OK) == 0;
}

int net_del_record(struct corrald *d, const char *id, const char *path, net_record *rec, net_del_done_fn done,
		   void *data, cerr *err)
{
	char pin[PATH_MAX];
	net_pin_path(d, id, pin, sizeof(pin));
	pending_del *p = calloc(1, sizeof(*p));
	if (p)
		p->d = d;
	if (!p || !(p->path = strdup(path)) || !(p->id = strdup(id)) || !(p->netns = strdup(pin))) {
		if (p)
			pending_free(p);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	int r = net_record_read(path, rec, err);
	if (r < 0) {
		pending_free(p);
		return r;
	}
	snprintf(p->ifname, sizeof(p->ifname), "%s", rec->ifname);
	p->done = done;
	p->data = data;
	/* the pinned namespace, or none when a crash took the pin or left a
	 * file never bound or already unbound (DEL then does what it can
	 * without: a plugin fails on a path that is not a namespace, and the
	 * DEL would be tried again for ever); the ports, for portmap to find
	 * its rules */
	int bound = ns_bound(pin);
	if (bound == 0)
		netns_unpin(pin);
	/* (bound < 0: not known, so the path as it is; the plugin says). A
	 * session's namespace is its own, not a pin: a stopped one's stays */
	const char *netns = bound != 0 ? pin : ns_bound(rec->netns) == 1 ? rec->netns : "";
	cni_args a = { .container_id = id, .netns = netns, .ifname = rec->ifname,
		       .path = d->cfg->cni_path, .ports = rec->ports, .n_ports = rec->n_ports };
	/* listed first: a DEL that cannot exec a plugin reports (on_deleted)
	 * before cni_run_start returns */
	p->next = d->network->pending;
	d->network->pending = p;
	if ((r = cni_run_start(&d->network->cni, CNI_DEL, rec->conf, rec->result, &a, on_deleted, p, NULL, err)) < 0) {
		d->network->pending = p->next; /* not taken */
		pending_free(p);
	}
	return r;
}

int net_detach_record(struct corrald *d, ctr *c, const char *path, net_del_done_fn done, void *data, cerr *err)
{
	const char *base = strrchr(path, '/') + 1;
	char ifname[16] = NET_IFNAME, pend[PATH_MAX];
	if (sscanf(base, "network-%15[a-z0-9].json", ifname) != 1)
		snprintf(ifname, sizeof(ifname), NET_IFNAME);
	/* the record leaves the container's directory first: a corrald gone
	 * before the DEL is over finds it there (net_reconcile), also when
	 * the container was removed */
	net_pending_path(d, c->id, ifname, pend, sizeof(pend));
	if (net_record_set_aside(path, pend) < 0)
		snprintf(pend, sizeof(pend), "%s", path);
	_cleanup_(net_record_release) net_record rec = { 0 };
	int r = net_del_record(d, c->id, pend, &rec, done, data, err);
	if (r < 0)
		return r;
	bool first = streq(rec.ifname, NET_IFNAME);
	if (first)
		snprintf(c->net_last_ip, sizeof(c->net_last_ip), "%s", rec.sum.ip);
	_cleanup_cerr_ cerr e = { 0 };
	const char *net = first ? c->spec.net_name : rec.network;
	if (net[0] && names_network_changed(d, c, net, NULL, NULL, NULL, true, &e) < 0)
		log_cerr(LOG_LVL_WARN, &e, "container %s: the names of network %s", c->name, net);
	ctr_publish(d, c, "network-detach", (const char *const[]){ "network", net, NULL });
	return 0;
}

void net_detach(struct corrald *d, ctr *c)
{
	/* eth0 and every further attachment */
	for (int i = 0; i < NET_ATTACH_MAX; i++) {
		char path[PATH_MAX], ifname[16];
		snprintf(ifname, sizeof(ifname), "eth%d", i);
		net_record_path(d, c, ifname, path, sizeof(path));
		/* nothing attached, or its DEL is under way (it ended, and now goes) */
		if (access(path, F_OK) < 0 || net_del_if_under_way(d, c->id, ifname))
			continue;
		cerr err = { 0 };
		if (net_detach_record(d, c, path, NULL, NULL, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "container %s: DEL of %s", c->name, ifname);
	}
}
