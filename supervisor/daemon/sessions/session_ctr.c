/* A session's containers: their spec, their broker socket, their names and
 * their namespaces in the bundle. */
#include "supervisor/daemon/sessions/session_ctr.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_record.h"
#include "supervisor/api/owned_name.h"
#include "supervisor/daemon/sessions/session_listen.h"
#include "supervisor/daemon/sessions/session_net.h"
#include "supervisor/daemon/sessions/session_ns.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/netfiles/hosts.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int session_ctr_spec(corrald *d, ctr_spec *s, uid_t owner, json_fault *f)
{
	if (!s->session)
		return 0;
	session *ss = session_for(d, owner, s->session);
	if (!ss && session_named_elsewhere(d, s->session)) {
		/* a record of before names were read as their owner's: its
		 * bare name is another's session, not this container's */
		free(s->session);
		s->session = NULL;
	}
	if (!ss)
		return -ENOENT;
	char shown[SESSION_SHOWN_MAX]; /* as its owner names it from here on: NAME, root's NAME@UID */
	owned_name_shown(ss->name, sx_of(ss)->owner, owner, shown, sizeof(shown));
	if (!streq(s->session, shown)) {
		char *name = strdup(shown);
		if (!name)
			return json_fault_set(f, ENOMEM, "spec.session", "out of memory");
		free(s->session);
		s->session = name;
	}
	if (sx_of(ss)->stopped)
		return json_fault_set(f, EINVAL, "spec.session", "session %s is stopped: no new member", ss->name);
	if ((ss->share & SESSION_SHARE_PID) && s->pid_ns == CTR_NS_DEFAULT) {
		/* its own user namespace could not mount the session's /proc */
		if (s->userns_auto || s->userns_ids.size)
			return json_fault_set(f, EINVAL, "spec.userns",
					      "a member of session %s, which shares its PID namespace, has the host's ids",
					      ss->name);
		_cleanup_close_ int init = session_pid_init(ss);
		if (init < 0)
			return json_fault_set(f, EINVAL, "spec.session",
					      "session %s: its PID namespace's init has ended: remove the session", ss->name);
	}
	if (!(ss->share & SESSION_SHARE_NET))
		return 0;
	if (!s->network_default)
		return json_fault_set(f, EINVAL, "spec.network", "a member of session %s is on the session's network",
				      ss->name);
	if (s->n_ports)
		return json_fault_set(f, EINVAL, "spec.ports", "a member of session %s publishes no ports of its own",
				      ss->name);
	if (s->ip_address || s->mac_address)
		return json_fault_set(f, EINVAL, s->ip_address ? "spec.ipAddress" : "spec.macAddress",
				      "a member of session %s has the session's address", ss->name);
	free(s->net_name);
	s->net_name = NULL;
	s->network = CTR_NET_LOOPBACK; /* the session's namespace, attached once (session_net.c) */
	s->session_dns = session_net_cni(d, ss);
	return 0;
}

bool session_ctr_visible(corrald *d, const ctr_spec *s, const peer_cred *peer)
{
	return session_for(d, peer->uid, s->session);
}

const char *session_ctr_hostname(corrald *d, const ctr *c)
{
	session *s = session_of(d, c);
	return s && (s->share & SESSION_SHARE_UTS) && !c->spec.hostname ? session_hostname(s) : c->name;
}

int session_ctr_add(corrald *d, ctr *c, char *broker_dir, size_t n, cerr *err)
{
	session *s = session_of(d, c);
	broker_dir[0] = '\0';
	if (!s)
		return 0;
	return session_tell_ctr_added(d, s, c, broker_dir, n, err);
}

void session_ctr_names(corrald *d, const ctr *c, bool gone)
{
	session *s = session_of(d, c);
	if (!s || !(s->share & SESSION_SHARE_NET))
		return;
	session_x *x = sx_of(s);
	size_t n = 0;
	for (ctr *m = d->ctrs; m; m = m->next)
		n += session_holds(s, m) && !(gone && m == c);
	_cleanup_free_ hosts_peer *peers = calloc(n + 1, sizeof(*peers));
	if (!peers)
		return;
	for (ctr *m = d->ctrs; m; m = m->next) {
		if (!session_holds(s, m) || (gone && m == c))
			continue;
		size_t k = 0; /* the others */
		for (ctr *o = d->ctrs; o && k < n; o = o->next)
			if (o != m && session_holds(s, o) && !(gone && o == c))
				peers[k++] = (hosts_peer){ .ip = x->ip[0] ? x->ip : "127.0.0.1", .names = o->name };
		hosts_in in = { .hostname = (s->share & SESSION_SHARE_UTS) ? session_hostname(s) : m->name, .name = m->name,
				.ip = x->ip[0] ? x->ip : NULL, .gateway = x->gateway[0] ? x->gateway : NULL,
				.extra = m->spec.extra_hosts, .peers = peers, .n_peers = k };
		strbuf text = STRBUF_INIT;
		char path[PATH_MAX];
		_cleanup_cerr_ cerr err = { 0 };
		ctr_dir(d, m, path, sizeof(path));
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/" HOSTS_FILE);
		if ((hosts_render(&in, &text) < 0 && !text.buf) ||
		    hosts_rewrite(path, text.buf ? text.buf : "", text.len, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "session %s: the hosts file of %s", s->name, m->name);
		sb_release(&text);
	}
}

void session_ctr_remove(corrald *d, ctr *c)
{
	if (!c->spec.session)
		return;
	session_ctr_names(d, c, true);
	session_tell_ctr_removed(d, c);
}

void session_ctr_ended(corrald *d, const ctr *c)
{
	session *s = session_of(d, c);
	if (s)
		session_touch(d, s);
}

void sessions_adopt_ctrs(corrald *d)
{
	for (ctr *c = d->ctrs; c; c = c->next) {
		session *s = session_of(d, c);
		if (!s)
			continue;
		char path[PATH_MAX];
		_cleanup_cerr_ cerr err = { 0 };
		if (session_tell_ctr_added(d, s, c, path, sizeof(path), &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "session %s: the broker socket of %s", s->name, c->name);
	}
}

static const struct { const char *type, *kind; unsigned bit; } joined[] = {
	{ "network", "net", SESSION_SHARE_NET }, { "ipc", "ipc", SESSION_SHARE_IPC }, { "uts", "uts", SESSION_SHARE_UTS },
	{ "pid", "pid", SESSION_SHARE_PID },
};

int session_ns_join(const bundle_in *in, const char *type, char *path, size_t n)
{
	const corrald *d = in->d;
	const ctr_spec *s = in->spec;
	session *ss = d ? session_for((corrald *)d, in->owner, s->session) : NULL;
	/* spec.pidNamespace, spec.ipcNamespace: its own, or the host's */
	if ((streq(type, "pid") && s->pid_ns != CTR_NS_DEFAULT) || (streq(type, "ipc") && s->ipc_ns != CTR_NS_DEFAULT) ||
	    (streq(type, "uts") && s->uts_ns != CTR_NS_DEFAULT))
		return 0;
	for (size_t k = 0; ss && k < ARRAY_SIZE(joined); k++)
		if (streq(type, joined[k].type) && (ss->share & joined[k].bit)) {
			session_ns_path(ss, joined[k].kind, path, n);
			return 1;
		}
	return 0;
}
