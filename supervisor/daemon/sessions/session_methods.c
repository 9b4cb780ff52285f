/* SessionCreate, SessionList, SessionInspect and SessionRemove. */
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/sessions/session_methods.h"
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_listen.h"
#include "supervisor/daemon/sessions/session_idle.h"
#include "supervisor/daemon/sessions/session_kept.h"
#include "supervisor/daemon/sessions/session_net.h"
#include "supervisor/daemon/sessions/session_ns.h"
#include "supervisor/daemon/sessions/session_record.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/labels.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/owned_name.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/timefmt.h"
#include "common/units.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reply_session(vl_call *call, corrald *d, const session *s)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "session") || session_gen(g, d, s, vl_call_peer(call)) < 0 ||
	    yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

/* SessionCreate's parameters into x, and a session file's; a fault names
 * the one at fault. */
static int parse_create(yajl_val params, session_x *x, json_fault *f)
{
	session *s = &x->s;
	const char *idle = NULL, *share = NULL;
	int r;
	if ((r = sp_read(params, SP_PARAMS(SP_STR("idleTimeout", false, &idle), SP_STR("share", false, &share)), f)) < 0 ||
	    (r = json_dup_str(params, "", "network", JSON_NAME, &s->network, f)) < 0 ||
	    (r = json_dup_str(params, "", "hostname", JSON_NAME, &s->hostname, f)) < 0 ||
	    (r = json_dup_str(params, "", "brokerPolicy", JSON_BOUNDED, &x->policy_path, f)) < 0 ||
	    (r = sp_read(params, SP_PARAMS(SP_BOOL("rmState", true, &s->rm_state)), f)) < 0)
		return r;
	long long ns = 0;
	if (idle && (parse_duration(idle, &ns) < 0 || ns < 0))
		return json_fault_set(f, EINVAL, "idleTimeout", "\"%s\" is not a duration (30m, 2s, 1h30m)", idle);
	if (idle && ns > 0 && ns < 1000000)
		return json_fault_set(f, EINVAL, "idleTimeout", "at least 1ms");
	s->idle_timeout_usec = (uint64_t)ns / 1000;
	s->share = SESSION_SHARE_NET | SESSION_SHARE_IPC | SESSION_SHARE_UTS;
	if (share && session_share_parse(share, &s->share) < 0)
		return json_fault_set(f, EINVAL, "share", "\"%s\": a comma-separated list of net, ipc, uts and pid", share);
	if (s->network && !(s->share & SESSION_SHARE_NET))
		return json_fault_set(f, EINVAL, "network", "the session does not share net: add net to share");
	if (s->hostname && !(s->share & SESSION_SHARE_UTS))
		return json_fault_set(f, EINVAL, "hostname", "the session does not share uts: add uts to share");
	if (s->hostname && strlen(s->hostname) > 64)
		return json_fault_set(f, EINVAL, "hostname", "at most 64 bytes");
	if (x->policy_path && x->policy_path[0] != '/')
		return json_fault_set(f, EINVAL, "brokerPolicy", "must be an absolute path");
	yajl_val ports = json_get(params, "ports");
	if (ports && (r = ctr_spec_want(ports, yajl_t_array, "ports", "an array of PortMapping", f)) < 0)
		return r;
	if (ports && ports->u.array.len > CNI_MAX_PORTS)
		return json_fault_set(f, EINVAL, "ports", "at most %d", CNI_MAX_PORTS);
	if (ports && (r = cni_ports_parse(ports, "ports", &s->ports, &s->n_ports, f)) < 0)
		return r;
	yajl_val labels = json_get(params, "labels");
	if (labels && !YAJL_IS_OBJECT(labels))
		return json_fault_set(f, EINVAL, "labels", "an object of strings");
	for (size_t i = 0; labels && i < labels->u.object.len; i++) {
		if (!YAJL_IS_STRING(labels->u.object.values[i]) || !labels->u.object.keys[i][0])
			return json_fault_set(f, EINVAL, "labels", "an object of strings with non-empty keys");
		if ((r = json_name_check(labels->u.object.keys[i], JSON_NAME_MAX, JSON_KEY, "labels", f)) < 0)
			return r;
		if (!s->labels && !(s->labels = calloc(2 * labels->u.object.len + 1, sizeof(char *))))
			return json_fault_oom(f);
		if (!(s->labels[2 * i] = strdup(labels->u.object.keys[i])) ||
		    !(s->labels[2 * i + 1] = strdup(labels->u.object.values[i]->u.string)))
			return json_fault_oom(f);
	}
	return 0;
}

/* A SessionCreate waiting for its ADD; call NULL: its client went. */
typedef struct pending_create {
	vl_call *call;
} pending_create;

static void on_create_gone(vl_call *call, void *data)
{
	(void)call;
	((pending_create *)data)->call = NULL;
}

/* The session is there: its timer, its event, the answer. */
static int created(corrald *d, session *s, vl_call *call)
{
	session_idle_arm(d, s);
	events_publish(d->events, EV_OWNER(sx_of(s)->owner), "session", "create", s->name, s->name, NULL, 0);
	return call ? reply_session(call, d, s) : 0;
}

/* Undo a create: the broker, the namespaces, the directory. */
static void undo(corrald *d, session_x *x, bool opened)
{
	if (opened) {
		session_tell_closed(d, &x->s);
		session_unlink(d, &x->s);
	}
	session_ns_release(&x->s);
	rm_rf(x->s.dir);
	session_x_free(x);
}

static void on_attached(corrald *d, session *s, int r, const cerr *e, void *data)
{
	_cleanup_free_ pending_create *p = data;
	if (p->call)
		vl_call_set_cancel(p->call, NULL, NULL);
	if (r == 0 && s) {
		created(d, s, p->call);
		return;
	}
	_cleanup_cerr_ cerr err = { 0 };
	cerr_set(&err, r < 0 ? -r : EIO, "session %s: network: %s", s ? s->name : "?", e ? cerr_msg(e) : strerror(-r));
	if (s)
		undo(d, sx_of(s), true);
	if (p->call)
		sv_internal_err(p->call, &err);
}

int sv_session_create(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *name;
	if (sp_dispatch(params,
			SP_PARAMS(SP_NAME("name", true, &name), SP_KEY("idleTimeout"), SP_KEY("share"), SP_KEY("network"),
				  SP_KEY("labels"), SP_KEY("brokerPolicy"), SP_KEY("rmState"), SP_KEY("ports"),
				  SP_KEY("hostname")),
			&f) < 0)
		return sv_invalid_fault(call, &f);
	if (!session_name_valid(name))
		return sv_invalid(call, "name", "1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
	/* each owner's names are its own */
	if (session_find(d, vl_call_peer(call)->uid, name))
		return sv_session_exists(call, name);
	size_t mine = 0;
	for (session *o = d->sessions; o; o = o->next)
		mine += sx_of(o)->owner == vl_call_peer(call)->uid;
	policy_violation qv;
	if (quota_admit(d, vl_call_peer(call), QUOTA_SESSIONS, mine, 1, "name", &qv) == POLICY_REFUSED)
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "SessionCreate", &qv, &(sv_fault){ 0 }));
	session_x *x = session_x_new(d, vl_call_peer(call)->uid, name);
	if (!x)
		return sv_internal(call, "out of memory");
	if (parse_create(params, x, &f) < 0 || labels_check_reserved(call, x->s.labels, "labels", &f) < 0) {
		session_x_free(x);
		return sv_invalid_fault(call, &f);
	}
	/* corrald reads the file as root: a member of the group could name one
	 * it may not read itself */
	if (x->policy_path && x->owner != 0) {
		session_x_free(x);
		return sv_permission_denied(call, "brokerPolicy: only root may give corrald a file to read");
	}
	/* made in the host's user namespace, it could not be mounted as /proc
	 * by a member's containers, each in a user namespace of its own */
	if ((x->s.share & SESSION_SHARE_PID) && x->owner != 0) {
		session_x_free(x);
		return sv_permission_denied(call, "share: pid: a member's containers have user namespaces of their own, "
						  "which cannot mount a shared PID namespace's /proc");
	}
	_cleanup_cerr_ cerr err = { 0 };
	policy_violation v;
	if (x->s.n_ports && !session_net_cni(d, &x->s)) {
		session_x_free(x);
		return sv_invalid(call, "ports", "publishing ports needs a network (not none, loopback or host)");
	}
	if (policy_admit_ports(d, vl_call_peer(call), x->s.ports, x->s.n_ports, "ports", &v)) {
		session_x_free(x);
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "SessionCreate", &v, &(sv_fault){ 0 }));
	}
	if (ports_free_of(d, x->s.ports, x->s.n_ports, &x->s, vl_call_peer(call), &err) < 0) {
		session_x_free(x);
		return sv_invalid_err(call, "ports", &err);
	}
	rfc3339_ns(0, x->created, sizeof(x->created));
	int r;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_FILE, x->s.dir);
	if (access(path, F_OK) == 0) { /* a session's leftovers (kept state is no session.json) */
		session_x_free(x);
		return sv_session_exists(call, name);
	}
	if ((r = mkdir_p(x->s.dir, 0700)) < 0) {
		cerr_sys(&err, -r, "%s", x->s.dir);
		session_x_free(x);
		return sv_internal_err(call, &err);
	}
	if (session_kept_claim(x, &err) < 0) { /* before its state is opened */
		session_x_free(x);
		return sv_internal_err(call, &err);
	}
	if (x->policy_path && session_policy_copy(x, &err) < 0) {
		undo(d, x, false);
		return sv_invalid_err(call, "brokerPolicy", &err);
	}
	if ((r = session_ns_make(d, &x->s, &err)) < 0 || (r = session_save(&x->s, &err)) < 0) {
		undo(d, x, false);
		return sv_internal_err(call, &err);
	}
	if ((r = session_open(d, x, &err)) < 0) {
		bool bad_policy = x->policy_path && err.code != ENOMEM; /* asked before undo frees x */
		undo(d, x, false);
		return bad_policy ? sv_invalid_err(call, "brokerPolicy", &err) : sv_internal_err(call, &err);
	}
	if ((r = session_tell_opened(d, &x->s, &err)) < 0) {
		session_unlink(d, &x->s);
		undo(d, x, false);
		return sv_internal_err(call, &err);
	}
	if (!session_net_cni(d, &x->s))
		return created(d, &x->s, call);
	pending_create *p = calloc(1, sizeof(*p));
	if (p) { /* on_attached may answer at once, when no plugin could be run */
		p->call = call;
		vl_call_set_cancel(call, on_create_gone, p);
	}
	if (!p || session_net_attach(d, &x->s, on_attached, p, &err) < 0) {
		bool none = p && err.code == ENOENT;
		if (p)
			vl_call_set_cancel(call, NULL, NULL);
		char net[NAME_MAX + 1];
		snprintf(net, sizeof(net), "%s", x->s.network ? x->s.network : d->cfg->default_network);
		free(p);
		undo(d, x, true);
		if (none)
			return sv_no_such_network(call, net);
		return err.msg ? sv_internal_err(call, &err) : sv_internal(call, "out of memory");
	}
	return 0; /* on_attached answers */
}

session *session_of_params(corrald *d, const peer_cred *peer, yajl_val params, const sp_param *table,
			   const char **name, json_fault *f)
{
	*name = NULL;
	if (sp_known(params, table, f) < 0 || sp_name(params, "name", true, name, f) < 0)
		return NULL;
	return session_for(d, peer->uid, *name);
}

int session_reply_not_found(vl_call *call, const char *name, const json_fault *f)
{
	return f->code ? sv_invalid_fault(call, f) : sv_no_such_session(call, name);
}

int sv_session_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	SV_NO_PARAMS(call, params);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "sessions") || yajl_gen_array_open(g))
		return sv_internal(call, "out of memory");
	for (session *s = d->sessions; s; s = s->next)
		if (session_visible_to(s, vl_call_peer(call)) && session_gen(g, d, s, vl_call_peer(call)) < 0)
			return sv_internal(call, "out of memory");
	if (yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

int sv_session_inspect(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	SESSION_METHOD_TARGET(s, d, call, params, f);
	return reply_session(call, d, s);
}

int sv_session_remove(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	bool force;
	SESSION_METHOD_TARGET(s, d, call, params, f, SP_BOOL("force", false, &force));
	if (!force && session_first_ctr(d, s, true)) {
		_cleanup_(sb_releasep) strbuf why = STRBUF_INIT;
		strbuf *wp = &why;
		sb_addf(wp, "session %s has running members:", s->name);
		size_t n = 0;
		const peer_cred *peer = vl_call_peer(call);
		char name[256];
		for (ctr *c = d->ctrs; c && n < 16; c = c->next)
			if (session_holds(s, c) && session_ctr_busy(c))
				sb_addf(wp, "%s %s", n++ ? "," : "",
					ctr_visible_to(c, peer) ? ctr_shown_name(c, peer, name, sizeof(name))
								: "another user's container");
		sb_addf(wp, ": stop them first, or force");
		return sv_invalid_state(call, s->name, "in-use", why.buf ? why.buf : "members running");
	}
	for (ctr *c = d->ctrs; c; c = c->next) /* its start would outlive the session */
		if (session_holds(s, c) && ctr_is_starting(c))
			return sv_invalid_state(call, s->name, "starting", "its member is starting: try again");
	session_end(d, s, false);
	return vl_call_reply(call, NULL);
}

/* The session's containers stopped already (InvalidState "in-use" names a
 * running one): its network released, its namespaces kept till it is
 * removed, and no new member. A CRI pod's StopPodSandbox. */
int sv_session_stop(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	SESSION_METHOD_TARGET(s, d, call, params, f);
	session_x *x = sx_of(s);
	if (x->stopped)
		return vl_call_reply(call, NULL);
	ctr *busy = session_first_ctr(d, s, true);
	if (busy) {
		char why[256];
		snprintf(why, sizeof(why), "session %s has a running member, %s: stop it first", s->name, busy->name);
		return sv_invalid_state(call, s->name, "in-use", why);
	}
	for (ctr *c = d->ctrs; c; c = c->next)
		if (session_holds(s, c) && ctr_is_starting(c))
			return sv_invalid_state(call, s->name, "starting", "its member is starting: try again");
	x->stopped = true;
	_cleanup_cerr_ cerr err = { 0 };
	if (session_save(s, &err) < 0) {
		x->stopped = false;
		return sv_internal_err(call, &err);
	}
	session_net_detach(d, s);
	events_publish(d->events, EV_OWNER(x->owner), "session", "stop", s->name, s->name, NULL, 0);
	return vl_call_reply(call, NULL);
}

/* One owner's session from its directory, at start. */
static int load_one(corrald *d, uid_t uid, const char *name, cerr *err)
{
	session_x *x = session_x_new(d, uid, name);
	if (!x)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_FILE, x->s.dir);
	_cleanup_json_ yajl_val v = NULL;
	int r = json_parse_file_at(AT_FDCWD, path, 256 * 1024, &v, err);
	json_fault f = JSON_FAULT_CHAIN(err);
	const char *created = NULL;
	long long idle_ms = 0, owner = 0;
	const char *cni_id = json_str(v, "cniId");
	if (r == 0 && (json_get_str(v, "", "created", 0, &created, &f) < 0 ||
		       json_get_int_in(v, "", "idleTimeoutMs", 0, 0, LLONG_MAX / 1000, &idle_ms, NULL, &f) < 0 ||
		       json_get_int_in(v, "", "owner", 0, 0, UINT32_MAX, &owner, NULL, &f) < 0 || parse_create(v, x, &f) < 0))
		r = cerr_wrap(err, "%s", path);
	else if (r == 0 && owner != (long long)uid)
		r = cerr_set(err, EINVAL, "%s: it names uid %lld, its directory uid %u", path, owner, (unsigned)uid);
	else if (r == 0 && cni_id && strlen(cni_id) >= sizeof(x->cni_id)) /* its DEL would not be by its ADD's id */
		r = cerr_set(err, EINVAL, "%s: cniId: longer than %zu bytes", path, sizeof(x->cni_id) - 1);
	if (r < 0) {
		session_x_free(x);
		return r;
	}
	x->s.idle_timeout_usec = (uint64_t)idle_ms * 1000;
	if (!cni_id) /* a session of before: its attachment's id was corral-session-NAME */
		snprintf(x->cni_id, sizeof(x->cni_id), SESSION_CNI_PREFIX "%s", name);
	else
		snprintf(x->cni_id, sizeof(x->cni_id), "%s", cni_id);
	yajl_val stopped = json_get(v, "stopped");
	x->stopped = stopped && YAJL_IS_TRUE(stopped);
	snprintf(x->created, sizeof(x->created), "%s", created ? created : "");
	bool remade = !session_ns_present(&x->s);
	if ((remade && (r = session_ns_make(d, &x->s, err)) < 0) || (r = session_open(d, x, err)) < 0) {
		session_x_free(x);
		return r;
	}
	_cleanup_cerr_ cerr warn = { 0 }; /* what goes wrong from here is said, and the session is back */
	if ((r = session_tell_opened(d, &x->s, &warn)) < 0)
		log_cerr(LOG_LVL_WARN, &warn, "session %s: its broker", name);
	session_net_load(&x->s);
	/* namespaces made again (a reboot), or a create cut short before its
	 * ADD was recorded: attach now */
	char rec[PATH_MAX];
	snprintf(rec, sizeof(rec), "%s/" SESSION_NET_FILE, x->s.dir);
	r = 0;
	if (x->stopped)
		; /* its network was released: it stays so */
	else if (session_net_cni(d, &x->s) && remade)
		r = session_net_reattach(d, &x->s, &warn);
	else if (session_net_cni(d, &x->s) && access(rec, F_OK) < 0)
		r = session_net_attach_again(d, &x->s, &warn);
	if (r < 0)
		log_cerr(LOG_LVL_WARN, &warn, "session %s: its network", name);
	session_idle_arm(d, &x->s);
	return 0;
}

/* A member's directory of before each owner's names were its own,
 * <name>/, moved to <name>@<uid>/ (its kept state too): its record's
 * owner; 0 when it is root's; (uid_t)-1 when it could not be moved. */
static uid_t moved_to_owner(const char *top, const char *name)
{
	char from[PATH_MAX], to[PATH_MAX];
	snprintf(from, sizeof(from), "%s/%s", top, name);
	long long owner = session_record_owner(from, SESSION_FILE);
	if (owner < 0)
		owner = session_record_owner(from, SESSION_KEPT_FILE);
	if (owner <= 0)
		return 0;
	snprintf(to, sizeof(to), "%s/%s@%lld", top, name, owner);
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0) {
		log_warn("session %s of uid %lld: its move to %s: %s; skipped", name, owner, to, strerror(errno));
		return (uid_t)-1;
	}
	log_info("session %s of uid %lld: moved to %s", name, owner, to);
	return (uid_t)owner;
}

void sessions_load(corrald *d)
{
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%s/sessions", d->cfg->state_dir);
	_cleanup_closedir_ DIR *dp = opendir(top);
	struct dirent *e;
	for (size_t n = 0; dp && n < SESSIONS_MAX && (e = readdir(dp));) {
		uid_t uid;
		char name[SESSION_NAME_MAX + 1], path[PATH_MAX];
		if (!owned_name_parse(e->d_name, 0, &uid, name, sizeof(name)) || !session_name_valid(name))
			continue;
		if (uid == 0 && (uid = moved_to_owner(top, name)) == (uid_t)-1)
			continue;
		char shown[SESSION_SHOWN_MAX]; /* its directory's name, once moved */
		snprintf(path, sizeof(path), "%s/%s/" SESSION_FILE, top, owned_name_shown(name, uid, 0, shown, sizeof(shown)));
		if (access(path, F_OK) < 0 || session_find(d, uid, name))
			continue; /* an expired session's kept state; or one met again, once moved */
		n++;
		_cleanup_cerr_ cerr err = { 0 };
		if (load_one(d, uid, name, &err) < 0)
			log_cerr(LOG_LVL_ERROR, &err, "session %s of uid %u", name, (unsigned)uid);
	}
}

void sessions_shutdown(corrald *d)
{
	while (d->sessions) {
		session *s = d->sessions;
		d->sessions = s->next;
		session_tell_closed(d, s);
		session_x_free(sx_of(s));
	}
}
