/* A session's network namespace on its CNI network: one ADD at
 * SessionCreate, recorded in <dir>/network.json (the shape of a
 * container's, network/net_attach.h, so net_record_read reads it), one DEL
 * when the session ends. Its members join ns/net and get no attachment of
 * their own. */
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_member.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SESSION_CNI_PREFIX "corral-session-"

typedef struct session_net_op {
	corrald *d;
	char name[SESSION_NAME_MAX + 1];
	char *conf;
	cni_port *ports; /* the ADD's, for the DEL that undoes it */
	size_t n_ports;
	session_net_done_fn done;
	void *data;
	/* the DEL's: what goes once it is over */
	session copy; /* name, dir and share, for session_ns_release */
	bool drop_dir;
} session_net_op;

bool session_holds_cni_id(corrald *d, const char *cni_id)
{
	size_t n = strlen(SESSION_CNI_PREFIX);
	return !strncmp(cni_id, SESSION_CNI_PREFIX, n) && session_find(d, cni_id + n);
}

static void net_op_free(session_net_op *j)
{
	free(j->conf);
	free(j->ports);
	free(j->copy.dir);
	free(j);
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

static cni_args args_of(const corrald *d, const char *cid, const char *netns, const cni_port *ports, size_t n)
{
	return (cni_args){ .container_id = cid, .netns = netns, .ifname = NET_IFNAME, .path = d->cfg->cni_path,
			   .ports = ports, .n_ports = n };
}

static int write_record(const corrald *d, const session *s, const char *conf, const char *result, cerr *err)
{
	_cleanup_json_ yajl_val cv = NULL, rv = NULL;
	int r;
	if ((r = json_parse(conf, "network config", &cv, err)) < 0 || (r = json_parse(result, "network result", &rv, err)) < 0)
		return r;
	char ns[PATH_MAX], path[PATH_MAX];
	session_ns_path(s, "net", ns, sizeof(ns));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "network", net_of(d, s)) || jg_key_str(g, "interface", NET_IFNAME) ||
	    jg_key_str(g, "netns", ns) || cni_ports_gen(g, "portMappings", s->ports, s->n_ports) ||
	    jg_key(g, "config") || jg_value(g, cv) || jg_key(g, "result") ||
	    jg_value(g, rv) || yajl_gen_map_close(g))
		return cerr_set(err, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/" SESSION_NET_FILE, s->dir);
	return jg_write_file(g, path, 0600, 0, err);
}

static void remember(session *s, const char *result)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	cni_summary sum = { 0 };
	if (result && json_parse(result, "network result", &v, &err) == 0)
		cni_result_summary(v, &sum);
	snprintf(sx_of(s)->ip, sizeof(sx_of(s)->ip), "%s", sum.ip);
	snprintf(sx_of(s)->gateway, sizeof(sx_of(s)->gateway), "%s", sum.gateway);
}

static void on_added(int r, const char *result, const cerr *e, void *data)
{
	session_net_op *j = data;
	session *s = session_find(j->d, j->name);
	_cleanup_cerr_ cerr err = { 0 };
	if (r == 0 && s && (r = write_record(j->d, s, j->conf, result, &err)) == 0)
		remember(s, result);
	else if (r == 0) { /* attached, but not recorded (or the session went): undo it */
		char cid[sizeof(SESSION_CNI_PREFIX) + SESSION_NAME_MAX];
		snprintf(cid, sizeof(cid), SESSION_CNI_PREFIX "%s", j->name);
		cni_args a = args_of(j->d, cid, "", j->ports, j->n_ports);
		cerr e2 = { 0 };
		if (cni_run_start(j->d->loop, CNI_DEL, j->conf, result, &a, NULL, NULL, NULL, &e2) < 0)
			log_cerr(LOG_LVL_WARN, &e2, "session %s: DEL", j->name);
		if (!s)
			r = cerr_set(&err, ENOENT, "session %s went while it was attached", j->name);
	}
	if (j->done)
		j->done(j->d, s, r, r < 0 && err.msg ? &err : e, j->data);
	net_op_free(j);
}

int session_net_attach(corrald *d, session *s, session_net_done_fn done, void *data, cerr *err)
{
	const char *net = net_of(d, s);
	session_net_op *j = calloc(1, sizeof(*j));
	if (!j)
		return cerr_set(err, ENOMEM, "out of memory");
	*j = (session_net_op){ .d = d, .done = done, .data = data };
	snprintf(j->name, sizeof(j->name), "%s", s->name);
	if (s->n_ports && !(j->ports = calloc(s->n_ports, sizeof(*j->ports)))) {
		net_op_free(j);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (s->n_ports)
		memcpy(j->ports, s->ports, s->n_ports * sizeof(*j->ports));
	j->n_ports = s->n_ports;
	int r;
	if ((streq(net, NET_DEFAULT_NAME) && (r = network_ensure_default(d, err)) < 0) ||
	    (r = net_store_text(d->cfg->cni_config_dir, net, &j->conf, err)) < 0) {
		net_op_free(j);
		return r;
	}
	char ns[PATH_MAX], cid[sizeof(SESSION_CNI_PREFIX) + SESSION_NAME_MAX];
	session_ns_path(s, "net", ns, sizeof(ns));
	snprintf(cid, sizeof(cid), SESSION_CNI_PREFIX "%s", s->name);
	cni_args a = args_of(d, cid, ns, s->ports, s->n_ports);
	if ((r = cni_run_start(d->loop, CNI_ADD, j->conf, NULL, &a, on_added, j, NULL, err)) < 0)
		net_op_free(j);
	return r;
}

static void on_stale_deleted(int r, const char *result, const cerr *e, void *data)
{
	session_net_op *j = data;
	(void)result;
	if (r < 0)
		log_warn("session %s: DEL of its attachment from before the reboot: %s", j->name, cerr_msg(e));
	session *s = session_find(j->d, j->name);
	char path[PATH_MAX];
	_cleanup_cerr_ cerr err = { 0 };
	if (s) {
		snprintf(path, sizeof(path), "%s/" SESSION_NET_FILE, s->dir);
		unlink(path);
		if (session_net_attach(j->d, s, NULL, NULL, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "session %s: its network", j->name);
	}
	net_op_free(j);
}

int session_net_reattach(corrald *d, session *s, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_NET_FILE, s->dir);
	_cleanup_(net_record_release) net_record rec = { 0 };
	if (access(path, F_OK) < 0 || net_record_read(path, &rec, err) < 0) {
		cerr_clear(err);
		unlink(path);
		return session_net_attach(d, s, NULL, NULL, err);
	}
	/* the lease (and whatever else) of the attachment the reboot cut off
	 * goes first: host-local frees by id, and the new ADD has the same */
	session_net_op *j = calloc(1, sizeof(*j));
	if (!j)
		return cerr_set(err, ENOMEM, "out of memory");
	*j = (session_net_op){ .d = d };
	snprintf(j->name, sizeof(j->name), "%s", s->name);
	char cid[sizeof(SESSION_CNI_PREFIX) + SESSION_NAME_MAX];
	snprintf(cid, sizeof(cid), SESSION_CNI_PREFIX "%s", s->name);
	cni_args a = args_of(d, cid, "", rec.ports, rec.n_ports);
	int r = cni_run_start(d->loop, CNI_DEL, rec.conf, rec.result, &a, on_stale_deleted, j, NULL, err);
	if (r < 0)
		net_op_free(j);
	return r;
}

void session_net_load(session *s)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_NET_FILE, s->dir);
	net_record rec;
	_cleanup_cerr_ cerr err = { 0 };
	if (net_record_read(path, &rec, &err) < 0)
		return;
	snprintf(sx_of(s)->ip, sizeof(sx_of(s)->ip), "%s", rec.sum.ip);
	snprintf(sx_of(s)->gateway, sizeof(sx_of(s)->gateway), "%s", rec.sum.gateway);
	net_record_release(&rec);
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

static void on_deleted(int r, const char *result, const cerr *e, void *data)
{
	session_net_op *j = data;
	(void)result;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_NET_FILE, j->copy.dir);
	if (r < 0)
		log_warn("session %s: DEL: %s", j->name, cerr_msg(e));
	unlink(path);
	release(&j->copy, j->drop_dir);
	net_op_free(j);
}

void session_net_detach_and_release(corrald *d, session *s, bool drop_dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_NET_FILE, s->dir);
	net_record rec;
	_cleanup_cerr_ cerr err = { 0 };
	session_net_op *j = NULL;
	if (access(path, F_OK) < 0 || net_record_read(path, &rec, &err) < 0 || !(j = calloc(1, sizeof(*j)))) {
		if (err.msg)
			log_cerr(LOG_LVL_WARN, &err, "session %s: its network record", s->name);
		if (j == NULL && access(path, F_OK) == 0)
			net_record_release(&rec);
		return release(s, drop_dir);
	}
	*j = (session_net_op){ .d = d, .drop_dir = drop_dir };
	snprintf(j->name, sizeof(j->name), "%s", s->name);
	snprintf(j->copy.name, sizeof(j->copy.name), "%s", s->name);
	j->copy.share = s->share;
	char ns[PATH_MAX], cid[sizeof(SESSION_CNI_PREFIX) + SESSION_NAME_MAX];
	session_ns_path(s, "net", ns, sizeof(ns));
	snprintf(cid, sizeof(cid), SESSION_CNI_PREFIX "%s", s->name);
	cni_args a = args_of(d, cid, ns, rec.ports, rec.n_ports);
	int r = (j->copy.dir = strdup(s->dir)) ? cni_run_start(d->loop, CNI_DEL, rec.conf, rec.result, &a, on_deleted, j,
							      NULL, &err)
					       : cerr_set(&err, ENOMEM, "out of memory");
	net_record_release(&rec);
	if (r < 0) {
		log_cerr(LOG_LVL_WARN, &err, "session %s: DEL", s->name);
		release(s, drop_dir);
		net_op_free(j);
	}
}
