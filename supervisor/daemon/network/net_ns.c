/* A network namespace that is not a container's (a session's) on a CNI
 * network: one ADD, recorded at ns->record in a container's record's shape
 * (net_record.c), and one DEL from that record. */
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/network/cni_result.h"
#include "supervisor/daemon/network/cni_run.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_record.h"
#include "supervisor/daemon/network/net_globals.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/netconf.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct ns_op {
	corrald *d;
	char *network, *cni_id, *netns, *record, *conf;
	cni_port *ports; /* the ADD's, for the DEL that undoes it */
	size_t n_ports;
	net_ns_done_fn done;
	void *data;
} ns_op;

static void op_free(ns_op *op)
{
	free(op->network);
	free(op->cni_id);
	free(op->netns);
	free(op->record);
	free(op->conf);
	free(op->ports);
	free(op);
}

static ns_op *op_new(corrald *d, const net_ns *ns, net_ns_done_fn done, void *data)
{
	ns_op *op = calloc(1, sizeof(*op));
	if (!op)
		return NULL;
	*op = (ns_op){ .d = d, .done = done, .data = data, .n_ports = ns->n_ports };
	if (!(op->network = strdup(ns->network)) || !(op->cni_id = strdup(ns->cni_id)) ||
	    !(op->netns = strdup(ns->netns)) || !(op->record = strdup(ns->record)) ||
	    (ns->n_ports && !(op->ports = calloc(ns->n_ports, sizeof(*op->ports))))) {
		op_free(op);
		return NULL;
	}
	if (ns->n_ports)
		memcpy(op->ports, ns->ports, ns->n_ports * sizeof(*op->ports));
	return op;
}

static cni_args args_of(const corrald *d, const char *cid, const char *netns, const cni_port *ports, size_t n)
{
	return (cni_args){ .container_id = cid, .netns = netns, .ifname = NET_IFNAME, .path = d->cfg->cni_path,
			   .ports = ports, .n_ports = n };
}

static void address_of(const char *result, net_ns_addr *addr)
{
	_cleanup_json_ yajl_val v = NULL;
	cni_summary sum = { 0 };
	if (result && json_parse(result, "network result", &v, NULL) == 0)
		cni_result_summary(v, &sum);
	snprintf(addr->ip, sizeof(addr->ip), "%s", sum.ip);
	snprintf(addr->gateway, sizeof(addr->gateway), "%s", sum.gateway);
}

static void on_added(int r, const char *result, const cerr *e, void *data)
{
	ns_op *op = data;
	_cleanup_cerr_ cerr err = { 0 };
	net_ns_addr addr = { 0 };
	net_record_of rec = { .network = op->network, .netns = op->netns, .ports = op->ports,
			      .n_ports = op->n_ports, .conf = op->conf, .result = result };
	if (r == 0 && (r = net_record_write(op->record, &rec, &err)) < 0) {
		/* attached, but not recorded: undo it now, while it is known */
		cni_args a = args_of(op->d, op->cni_id, "", op->ports, op->n_ports);
		_cleanup_cerr_ cerr e2 = { 0 };
		if (cni_run_start(&op->d->network->cni, CNI_DEL, op->conf, result, &a, NULL, NULL, NULL, &e2) < 0)
			log_cerr(LOG_LVL_WARN, &e2, "%s: DEL", op->cni_id);
		e = &err;
	}
	if (r == 0)
		address_of(result, &addr);
	if (op->done)
		op->done(op->d, r, r == 0 ? &addr : NULL, e, op->data);
	op_free(op);
}

static int add(ns_op *op, cerr *err)
{
	cni_args a = args_of(op->d, op->cni_id, op->netns, op->ports, op->n_ports);
	return cni_run_start(&op->d->network->cni, CNI_ADD, op->conf, NULL, &a, on_added, op, NULL, err);
}

/* the DEL of the id's last attachment, which waited to be tried again */
static void on_last_deleted(corrald *d, int r, const cerr *e, void *data)
{
	ns_op *op = data;
	_cleanup_cerr_ cerr err = { 0 };
	if (r < 0)
		cerr_set(&err, e && e->code ? e->code : EIO, "its last attachment's DEL: %s", cerr_msg(e));
	else if ((r = add(op, &err)) == 0)
		return;
	if (op->done)
		op->done(d, r, NULL, &err, op->data);
	op_free(op);
}

/* the ADD, once the DELs of the id's attachments waiting to be tried
 * again are over: 0, or -errno */
static int dels_then_add(ns_op *op, cerr *err)
{
	int r = net_dels_first(op->d, op->cni_id, on_last_deleted, op, err);
	if (r == 0)
		r = add(op, err);
	return r < 0 ? r : 0;
}

/* the DEL of an ADD cut short is over, whatever came of it (what the ADD
 * never made, a DEL does not find) */
static void on_cut_deleted(int r, const char *result, const cerr *e, void *data)
{
	ns_op *op = data;
	(void)result;
	if (r < 0)
		log_warn("%s: the DEL of an ADD cut short: %s", op->cni_id, e ? cerr_msg(e) : strerror(-r));
	_cleanup_cerr_ cerr err = { 0 };
	if ((r = dels_then_add(op, &err)) == 0)
		return;
	if (op->done)
		op->done(op->d, r, NULL, &err, op->data);
	op_free(op);
}

static int attach(corrald *d, const net_ns *ns, bool cut_short, net_ns_done_fn done, void *data, cerr *err)
{
	ns_op *op = op_new(d, ns, done, data);
	if (!op)
		return cerr_set(err, ENOMEM, "out of memory");
	int r;
	if ((streq(ns->network, NET_DEFAULT_NAME) && (r = network_ensure_default(d, err)) < 0) ||
	    (r = net_store_text(d->cfg->cni_config_dir, ns->network, &op->conf, err)) < 0) {
		op_free(op);
		return r;
	}
	if (cut_short) {
		cni_args a = args_of(d, op->cni_id, op->netns, op->ports, op->n_ports);
		r = cni_run_start(&d->network->cni, CNI_DEL, op->conf, NULL, &a, on_cut_deleted, op, NULL, err);
	} else {
		r = dels_then_add(op, err);
	}
	if (r < 0)
		op_free(op);
	return r < 0 ? r : 0;
}

int net_ns_attach(corrald *d, const net_ns *ns, net_ns_done_fn done, void *data, cerr *err)
{
	return attach(d, ns, false, done, data, err);
}

int net_ns_attach_again(corrald *d, const net_ns *ns, net_ns_done_fn done, void *data, cerr *err)
{
	return attach(d, ns, true, done, data, err);
}

static void on_deleted(corrald *d, int r, const cerr *e, void *data)
{
	ns_op *op = data;
	if (op->done)
		op->done(d, r, NULL, e, op->data);
	op_free(op);
}

int net_ns_detach(corrald *d, const net_ns *ns, net_ns_done_fn done, void *data, cerr *err)
{
	if (access(ns->record, F_OK) < 0)
		return NET_NS_NO_RECORD;
	/* as a container's: in networks/pending until the DEL succeeds, tried
	 * again if it fails (its lease and rules go too), and found there by
	 * an ADD of the same id, which waits for it */
	char pend[PATH_MAX];
	net_pending_path(d, ns->cni_id, NET_IFNAME, pend, sizeof(pend));
	const char *path = net_record_set_aside(ns->record, pend) == 0 ? pend : ns->record;
	ns_op *op = op_new(d, ns, done, data);
	if (!op)
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_(net_record_release) net_record rec = { 0 };
	int r = net_del_record(d, ns->cni_id, path, &rec, on_deleted, op, err);
	if (r < 0)
		op_free(op);
	if (r == -EINVAL && unlink(path) == 0) { /* it can never be run */
		log_cerr(LOG_LVL_WARN, err, "%s: its network record", ns->cni_id);
		return NET_NS_NO_RECORD;
	}
	return r;
}

int net_ns_address(const char *record, net_ns_addr *addr)
{
	net_record rec;
	_cleanup_cerr_ cerr err = { 0 };
	if (net_record_read(record, &rec, &err) < 0)
		return -ENOENT;
	snprintf(addr->ip, sizeof(addr->ip), "%s", rec.sum.ip);
	snprintf(addr->gateway, sizeof(addr->gateway), "%s", rec.sum.gateway);
	net_record_release(&rec);
	return 0;
}
