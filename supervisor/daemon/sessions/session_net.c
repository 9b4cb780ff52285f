/* A session's network namespace on its CNI network: one ADD at
 * SessionCreate, recorded in <dir>/network.json (the network's net_ns),
 * one DEL when the session ends. Its members join ns/net and get no
 * attachment of their own. */
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_kept.h"
#include "supervisor/daemon/sessions/session_net.h"
#include "supervisor/daemon/sessions/session_ns.h"
#include "supervisor/daemon/sessions/session_ctr.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a session's ADD or DEL needs once it is over: the session by its
 * owner and name (it may go meanwhile), its attachment's id, and for a
 * DEL, what goes after it. */
typedef struct session_net_op {
	uid_t owner;
	char name[SESSION_NAME_MAX + 1];
	char cni_id[SESSION_CNI_ID_MAX];
	session_net_done_fn done;
	void *data;
	session copy; /* name, dir and share, for session_ns_release */
	bool drop_dir;
	bool keep; /* a stop: the namespaces stay, the record goes */
} session_net_op;

static void op_names(session_net_op *op, session *s)
{
	op->owner = sx_of(s)->owner;
	snprintf(op->name, sizeof(op->name), "%s", s->name);
	snprintf(op->cni_id, sizeof(op->cni_id), "%s", sx_of(s)->cni_id);
}

static void net_op_free(session_net_op *op)
{
	free(op->copy.dir);
	free(op);
}

static const char *net_of(const corrald *d, const session *s)
{
	return s->network ? s->network : d->cfg->default_network;
}

bool session_net_cni(const corrald *d, const session *s)
{
	const char *n = net_of(d, s);
	return (s->share & SESSION_SHARE_NET) && !streq(n, "none") && !streq(n, "loopback") && !streq(n, "host");
}

/* The session's namespace, attached as cni_id, as the network sees it;
 * the buffers hold its names. netns false: the DEL of an attachment whose
 * namespace is gone. */
static net_ns ns_of(const corrald *d, const session *s, const char *cni_id, bool netns, char ns[PATH_MAX],
		    char record[PATH_MAX])
{
	if (netns)
		session_ns_path(s, "net", ns, PATH_MAX);
	else
		ns[0] = '\0';
	snprintf(record, PATH_MAX, "%s/" SESSION_NET_FILE, s->dir);
	return (net_ns){ .network = net_of(d, s), .cni_id = cni_id, .netns = ns, .ports = s->ports,
			 .n_ports = s->n_ports, .record = record };
}

static void remember(session *s, const net_ns_addr *addr)
{
	snprintf(sx_of(s)->ip, sizeof(sx_of(s)->ip), "%s", addr->ip);
	snprintf(sx_of(s)->gateway, sizeof(sx_of(s)->gateway), "%s", addr->gateway);
}

static void on_added(corrald *d, int r, const net_ns_addr *addr, const cerr *e, void *data)
{
	session_net_op *op = data;
	session *s = session_find(d, op->owner, op->name);
	_cleanup_cerr_ cerr err = { 0 };
	if (r == 0 && s)
		remember(s, addr);
	else if (!s) { /* attached, and the session went meanwhile: its record says what to undo */
		char ns[PATH_MAX], record[PATH_MAX];
		session gone = { .dir = op->copy.dir };
		snprintf(gone.name, sizeof(gone.name), "%s", op->name);
		net_ns n = ns_of(d, &gone, op->cni_id, false, ns, record);
		_cleanup_cerr_ cerr e2 = { 0 };
		if (r == 0 && net_ns_detach(d, &n, NULL, NULL, &e2) < 0)
			log_cerr(LOG_LVL_WARN, &e2, "session %s: DEL", op->name);
		r = cerr_set(&err, ENOENT, "session %s went while it was attached", op->name);
		e = &err;
	}
	if (op->done)
		op->done(d, s, r, e, op->data);
	else if (r < 0) /* an attach of corrald's own (a load): nobody else hears of it */
		log_warn("session %s: its network: %s", op->name, e ? cerr_msg(e) : strerror(-r));
	net_op_free(op);
}

static int attach(corrald *d, session *s, bool cut_short, session_net_done_fn done, void *data, cerr *err)
{
	session_net_op *op = calloc(1, sizeof(*op));
	if (!op || !(op->copy.dir = strdup(s->dir))) {
		free(op);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	op->done = done;
	op->data = data;
	op_names(op, s);
	char ns[PATH_MAX], record[PATH_MAX];
	net_ns n = ns_of(d, s, op->cni_id, true, ns, record);
	int r = (cut_short ? net_ns_attach_again : net_ns_attach)(d, &n, on_added, op, err);
	if (r < 0)
		net_op_free(op);
	return r;
}

int session_net_attach(corrald *d, session *s, session_net_done_fn done, void *data, cerr *err)
{
	return attach(d, s, false, done, data, err);
}

int session_net_attach_again(corrald *d, session *s, cerr *err)
{
	return attach(d, s, true, NULL, NULL, err);
}

static void on_stale_deleted(corrald *d, int r, const net_ns_addr *addr, const cerr *e, void *data)
{
	session_net_op *op = data;
	(void)r, (void)addr, (void)e; /* net_ns said how it went */
	session *s = session_find(d, op->owner, op->name);
	_cleanup_cerr_ cerr err = { 0 };
	if (s && session_net_attach(d, s, NULL, NULL, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "session %s: its network", op->name);
	net_op_free(op);
}

int session_net_reattach(corrald *d, session *s, cerr *err)
{
	/* the lease (and whatever else) of the attachment the reboot cut off
	 * goes first: host-local frees by id, and the new ADD has the same */
	session_net_op *op = calloc(1, sizeof(*op));
	if (!op)
		return cerr_set(err, ENOMEM, "out of memory");
	op_names(op, s);
	char ns[PATH_MAX], record[PATH_MAX];
	net_ns n = ns_of(d, s, op->cni_id, false, ns, record);
	int r = net_ns_detach(d, &n, on_stale_deleted, op, err);
	if (r != 0)
		net_op_free(op);
	return r == NET_NS_NO_RECORD ? session_net_attach_again(d, s, err) : r;
}

void session_net_load(session *s)
{
	char record[PATH_MAX];
	net_ns_addr addr;
	snprintf(record, sizeof(record), "%s/" SESSION_NET_FILE, s->dir);
	if (net_ns_address(record, &addr) == 0)
		remember(s, &addr);
}

/* What is left once the DEL is over: the namespaces, and the directory
 * (all of it, or all but the state kept for its owner). */
static void release(const session *s, bool drop_dir)
{
	session_ns_release(s);
	if (drop_dir)
		rm_rf(s->dir);
	else
		session_kept_leave(s->dir);
}

static void on_deleted(corrald *d, int r, const net_ns_addr *addr, const cerr *e, void *data)
{
	session_net_op *op = data;
	(void)d, (void)r, (void)addr, (void)e; /* net_ns said how it went */
	if (op->keep) {
		char record[PATH_MAX];
		snprintf(record, sizeof(record), "%s/" SESSION_NET_FILE, op->copy.dir);
		unlink(record);
	} else {
		release(&op->copy, op->drop_dir);
	}
	net_op_free(op);
}

static void detach(corrald *d, session *s, bool keep, bool drop_dir);

/* a stopped session's DEL was done at its stop: only the rest goes */
void session_net_detach_and_release(corrald *d, session *s, bool drop_dir)
{
	if (sx_of(s)->stopped)
		return release(s, drop_dir);
	detach(d, s, false, drop_dir);
}

void session_net_detach(corrald *d, session *s)
{
	session_x *x = sx_of(s);
	x->ip[0] = x->gateway[0] = '\0';
	if (session_net_cni(d, s))
		detach(d, s, true, false);
}

static void detach(corrald *d, session *s, bool keep, bool drop_dir)
{
	_cleanup_cerr_ cerr err = { 0 };
	session_net_op *op = calloc(1, sizeof(*op));
	if (!op || !(op->copy.dir = strdup(s->dir))) {
		free(op);
		return keep ? (void)0 : release(s, drop_dir);
	}
	op->drop_dir = drop_dir;
	op->keep = keep;
	op->copy.share = s->share;
	op_names(op, s);
	snprintf(op->copy.name, sizeof(op->copy.name), "%s", s->name);
	char ns[PATH_MAX], record[PATH_MAX];
	net_ns n = ns_of(d, s, op->cni_id, true, ns, record);
	int r = net_ns_detach(d, &n, on_deleted, op, &err);
	if (r != 0) {
		if (r < 0)
			log_cerr(LOG_LVL_WARN, &err, "session %s: DEL", s->name);
		if (!keep)
			release(s, drop_dir);
		net_op_free(op);
	}
}
