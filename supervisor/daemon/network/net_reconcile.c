/* What a crash left of the networks, undone at start (net_reconcile.h). */
#include "supervisor/daemon/network/net_reconcile.h"
#include "supervisor/daemon/containers/record/ctr_gen.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/network/net_globals.h"
#include "supervisor/daemon/network/check_path.h"
#include "supervisor/daemon/network/cni_run.h"
#include "supervisor/daemon/network/net_names.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_record.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/net_bridges.h"
#include "supervisor/daemon/network/net_extra.h"
#include "supervisor/daemon/netfiles/netns_pin.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
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

#define LEASE_MAX 256

static ctr *by_id(corrald *d, const char *id)
{
	for (ctr *c = d->ctrs; c; c = c->next)
		if (streq(c->id, id))
			return c;
	return NULL;
}

/* id has an attachment of its own (network.json), or a DEL to come. */
static bool in_use(corrald *d, const char *id)
{
	char path[PATH_MAX];
	ctr *c = by_id(d, id);
	if (c) {
		net_record_path(d, c, NULL, path, sizeof(path));
		if (access(path, F_OK) == 0)
			return true;
	}
	return net_del_under_way(d, id) || net_holders_cni_id(d, id);
}

/* Each entry of dir: fn(d, dir, name). */
static void each_entry(corrald *d, const char *dir, void (*fn)(corrald *d, const char *dir, const char *name))
{
	_cleanup_(closedirp) DIR *dh = opendir(dir);
	struct dirent *e;
	while (dh && (e = readdir(dh)))
		if (e->d_name[0] != '.')
			fn(d, dir, e->d_name);
}

/* host-local's lease file: "<id>\r\n<ifname>" (or "<id>" from older ones). */
static void free_lease(corrald *d, const char *dir, const char *name)
{
	if (streq(name, "lock") || !strncmp(name, "last_reserved_ip", 16))
		return;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_free_ char *text = NULL;
	size_t len;
	_cleanup_cerr_ cerr err = { 0 };
	if (read_file(path, LEASE_MAX, &text, &len, &err) < 0)
		return;
	text[strcspn(text, "\r\n")] = '\0';
	if (!text[0] || in_use(d, text))
		return;
	if (unlink(path) == 0)
		log_info("network: the lease of %s by %s, a container gone, is freed", name, text);
}

static void free_leases(corrald *d, const char *dir, const char *net)
{
	char sub[PATH_MAX];
	snprintf(sub, sizeof(sub), "%s/%s", dir, net);
	each_entry(d, sub, free_lease);
}

/* The DEL of an ADD that corrald's end cut short (rec: its attachment,
 * the config read here), recorded as one to run again with no result:
 * net_redo_dels runs it next, in the pinned namespace, where bridge finds
 * the addresses whose masquerade rules go. Freeing the lease and dropping
 * the pin alone left those rules, and the next ADD's DEL failed on the
 * chain they held. */
static void record_cut(corrald *d, const ctr *c, net_record_of rec)
{
	const char *ifname = rec.ifname ? rec.ifname : NET_IFNAME;
	char pend[PATH_MAX];
	net_pending_path(d, c->id, ifname, pend, sizeof(pend));
	if (access(pend, F_OK) == 0) /* a DEL to come covers it */
		return;
	_cleanup_free_ char *conf = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (net_store_text(d->cfg->cni_config_dir, rec.network, &conf, &err) < 0 ||
	    (rec.conf = conf, net_record_write_pending(pend, &rec, &err)) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "container %s: the DEL of its %s ADD cut short", c->name, ifname);
		return;
	}
	log_info("container %s: the ADD of %s (network %s) was cut short by corrald's end: its DEL is run", c->name,
		 ifname, rec.network);
}

/* A container's pin: an ADD cut short left it with no attachment (eth0's,
 * at a start), or with a further network listed and not attached (at a
 * start after eth0, or a connect); a DEL of what it may have made (a veth,
 * a lease, rules) is recorded for each. A running container's further
 * network is its connect's (a start ADDs them all before it runs): that
 * connect failed whole, and goes off the list as a connect that fails does. */
static void del_cut_adds(corrald *d, const char *dir, const char *id)
{
	ctr *c = by_id(d, id);
	char pin[PATH_MAX], path[PATH_MAX];
	if (!c || c->spec.network != CTR_NET_CNI || net_del_under_way(d, id) || net_holders_cni_id(d, id))
		return;
	snprintf(pin, sizeof(pin), "%s/%s", dir, id);
	if (!net_attached(d, id))
		return record_cut(d, c, net_record_of_ctr(c, pin, NULL, NULL));
	_cleanup_(net_extras_release) net_extras x = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (net_extras_load(d, c, &x, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "container %s: its further networks", c->name);
	size_t listed = x.n;
	for (size_t i = 0; i < x.n;) {
		net_extra *e = &x.v[i];
		net_record_path(d, c, e->ifname, path, sizeof(path));
		if (access(path, F_OK) == 0) {
			i++;
			continue;
		}
		record_cut(d, c, (net_record_of){ .network = e->network, .netns = pin, .ifname = e->ifname });
		if (c->status != CS_RUNNING) {
			i++;
			continue;
		}
		log_info("container %s: its connect to network %s was cut short: it is not connected", c->name,
			 e->network);
		char net[sizeof(e->network)];
		snprintf(net, sizeof(net), "%s", e->network);
		net_extras_drop(&x, net);
	}
	if (x.n == listed)
		return;
	ctr_list_stale(c);
	if (net_extras_save(d, c, &x, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "container %s: its further networks", c->name);
}

static void drop_pin(corrald *d, const char *dir, const char *id)
{
	if (in_use(d, id))
		return;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, id);
	netns_unpin(path);
}

/* The running containers' attachments (eth0, then each further network's
 * ethN), CHECKed one after another. */
typedef struct check_queue {
	corrald *d;
	char (*ids)[CTR_ID_LEN + 1];
	size_t n, i;
	int eth;        /* the interface of ids[i] to CHECK next */
	size_t checked; /* attachments whose CHECK started */
} check_queue;

static void check_next(check_queue *q);

static void on_checked(int r, const char *result, const cerr *e, void *data)
{
	check_queue *q = data;
	(void)result;
	ctr *c = by_id(q->d, q->ids[q->i]);
	if (r < 0 && c) {
		log_warn("container %s: network CHECK of eth%d: %s", c->name, q->eth, cerr_msg(e));
		ctr_publish(q->d, c, "network-check-failed", (const char *const[]){ "error", cerr_msg(e), NULL });
	}
	q->eth++;
	check_next(q);
}

/* CHECK c's attachment on ethN (q->eth), when it has one: true when
 * started (on_checked goes on). */
static bool check_one(check_queue *q, ctr *c)
{
	char ifname[8], path[PATH_MAX], pin[PATH_MAX];
	snprintf(ifname, sizeof(ifname), "eth%d", q->eth);
	net_record_path(q->d, c, ifname, path, sizeof(path));
	if (q->eth > 0 && access(path, F_OK) < 0)
		return false; /* not on that many networks */
	net_pin_path(q->d, c->id, pin, sizeof(pin));
	_cleanup_(net_record_release) net_record rec = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (net_record_read(path, &rec, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "container %s: network CHECK of %s", c->name, ifname);
		return false;
	}
	_cleanup_json_ yajl_val result = NULL;
	char portmap_path[PATH_MAX];
	cni_args a = { .container_id = c->id, .netns = pin, .ifname = ifname, .path = q->d->cfg->cni_path,
		       .ports = rec.ports, .n_ports = rec.n_ports };
	if (rec.result && json_parse(rec.result, "network result", &result, NULL) == 0)
		a.portmap_env_path = check_path_for(q->d, result, portmap_path, sizeof(portmap_path));
	if (cni_run_start(&q->d->network->cni, CNI_CHECK, rec.conf, rec.result, &a, on_checked, q, NULL, &err) == 0) {
		q->checked++;
		return true;
	}
	log_cerr(LOG_LVL_WARN, &err, "container %s: network CHECK of %s", c->name, ifname);
	return false;
}

static void check_next(check_queue *q)
{
	for (; q->i < q->n; q->i++, q->eth = 0) {
		ctr *c = by_id(q->d, q->ids[q->i]);
		if (!c || c->status != CS_RUNNING)
			continue;
		for (; q->eth < NET_ATTACH_MAX; q->eth++)
			if (check_one(q, c))
				return;
	}
	log_debug("network: the CHECK of %zu attachments is over", q->checked);
	q->d->network->checking = NULL;
	free(q->ids);
	free(q);
}

void net_checks_free(net_globals *ns)
{
	check_queue *q = ns->checking;
	if (q) {
		free(q->ids);
		free(q);
		ns->checking = NULL;
	}
}

static void check_running(corrald *d)
{
	size_t n = 0;
	for (ctr *c = d->ctrs; c; c = c->next)
		n += c->status == CS_RUNNING && net_attached(d, c->id);
	check_queue *q = n ? calloc(1, sizeof(*q)) : NULL;
	if (!q || !(q->ids = calloc(n, sizeof(*q->ids)))) {
		free(q);
		return;
	}
	q->d = d;
	d->network->checking = q;
	for (ctr *c = d->ctrs; c && q->n < n; c = c->next)
		if (c->status == CS_RUNNING && net_attached(d, c->id))
			snprintf(q->ids[q->n++], sizeof(q->ids[0]), "%s", c->id);
	check_next(q);
}

static void sweep_bridges(corrald *d)
{
	_cleanup_free_ netconf *have = NULL;
	size_t n;
	cerr err = { 0 };
	if (net_store_list(d->cfg->cni_config_dir, &have, &n, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "network: bridges left as they are");
		return;
	}
	net_bridges_sweep(have, n);
}

void net_reconcile(corrald *d)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/networks/netns", d->cfg->state_dir);
	each_entry(d, dir, del_cut_adds);
	net_redo_dels(d);
	net_ipam_dir(d, dir, sizeof(dir));
	each_entry(d, dir, free_leases);
	snprintf(dir, sizeof(dir), "%s/networks/netns", d->cfg->state_dir);
	each_entry(d, dir, drop_pin);
	names_prune(d, net_attached);
	sweep_bridges(d);
	check_running(d);
}
