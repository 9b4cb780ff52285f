/* Sessions in memory and in session.json: lookup, membership, visibility,
 * the record, and the Session object of the interface. */
#include "supervisor/api/owned_name.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_listen.h"
#include "supervisor/daemon/sessions/session_record.h"
#include "supervisor/daemon/sessions/session_kv.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; unsigned bit; } shares[] = {
	{ "net", SESSION_SHARE_NET }, { "ipc", SESSION_SHARE_IPC }, { "uts", SESSION_SHARE_UTS }, { "pid", SESSION_SHARE_PID },
};

const char *session_hostname(const session *s) { return s->hostname ? s->hostname : s->name; }

bool session_name_valid(const char *name)
{
	size_t n = strlen(name);
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
	return n && n <= SESSION_NAME_MAX && strchr(ok, name[0]) && name[0] != '_' && name[0] != '.' &&
	       name[0] != '-' && strspn(name, ok) == n;
}

int session_share_parse(const char *text, unsigned *out)
{
	*out = 0;
	if (!*text)
		return 0;
	const char *p = text;
	for (size_t guard = 0; guard < ARRAY_SIZE(shares) + 1; guard++) {
		size_t n = strcspn(p, ",");
		unsigned bit = 0;
		for (size_t i = 0; i < ARRAY_SIZE(shares); i++)
			if (strlen(shares[i].name) == n && !strncmp(p, shares[i].name, n))
				bit = shares[i].bit;
		if (!bit || (*out & bit))
			return -EINVAL;
		*out |= bit;
		if (!p[n])
			return 0;
		p += n + 1;
	}
	return -EINVAL;
}

void session_gen_share(yajl_gen g, unsigned share)
{
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(shares); i++)
		if (share & shares[i].bit)
			jg_str(g, shares[i].name);
	yajl_gen_array_close(g);
}

session *session_find(corrald *d, uid_t owner, const char *name)
{
	for (session *s = d->sessions; s && name; s = s->next)
		if (sx_of(s)->owner == owner && streq(s->name, name))
			return s;
	return NULL;
}

session *session_for(corrald *d, uid_t viewer, const char *ref)
{
	uid_t owner;
	char name[SESSION_NAME_MAX + 1];
	return ref && owned_name_parse(ref, viewer, &owner, name, sizeof(name)) ? session_find(d, owner, name) : NULL;
}

bool session_holds_cni_id(corrald *d, const char *cni_id)
{
	for (session *s = d->sessions; s; s = s->next)
		if (streq(sx_of(s)->cni_id, cni_id))
			return true;
	return false;
}

bool session_named_elsewhere(corrald *d, const char *name)
{
	for (session *s = d->sessions; s; s = s->next)
		if (streq(s->name, name))
			return true;
	return false;
}

bool session_holds(const session *s, const ctr *c)
{
	uid_t owner;
	char name[SESSION_NAME_MAX + 1];
	return c->spec.session && owned_name_parse(c->spec.session, c->owner, &owner, name, sizeof(name)) &&
	       owner == sx_of((session *)s)->owner && streq(name, s->name);
}

const char *session_shown(const session *s, const peer_cred *viewer, char *buf, size_t n)
{
	return owned_name_shown(s->name, sx_of((session *)s)->owner, viewer ? viewer->uid : 0, buf, n);
}

session *session_of(corrald *d, const ctr *c)
{
	return session_for(d, c->owner, c->spec.session);
}

void session_touch(corrald *d, session *s)
{
	(void)d;
	s->last_active_usec = mono_usec();
}

bool session_visible_to(const session *s, const peer_cred *peer)
{
	return owner_may(peer, sx_of((session *)s)->owner);
}

bool session_ctr_busy(const ctr *c)
{
	return ctr_alive(c) || c->status == CS_RESTARTING || ctr_is_starting(c);
}

ctr *session_first_ctr(corrald *d, const session *s, bool running_only)
{
	for (ctr *c = d->ctrs; c; c = c->next)
		if (session_holds(s, c) && (!running_only || session_ctr_busy(c)))
			return c;
	return NULL;
}

session_x *session_x_new(corrald *d, uid_t owner, const char *name)
{
	session_x *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->d = d;
	x->owner = owner;
	snprintf(x->s.name, sizeof(x->s.name), "%s", name);
	snprintf(x->cni_id, sizeof(x->cni_id), SESSION_CNI_PREFIX "%s", name);
	/* a member's of before had root's form: one loaded keeps it (its
	 * lease is by it), and a new one of root's takes a member's form */
	if (owner || session_holds_cni_id(d, x->cni_id))
		snprintf(x->cni_id, sizeof(x->cni_id), "corral-session_%u_%s", (unsigned)owner, name);
	char shown[SESSION_SHOWN_MAX];
	if (asprintf(&x->s.dir, "%s/sessions/%s", d->cfg->state_dir,
		     owned_name_shown(name, owner, 0, shown, sizeof(shown))) < 0) {
		x->s.dir = NULL;
		session_x_free(x);
		return NULL;
	}
	return x;
}

void session_x_free(session_x *x)
{
	if (!x)
		return;
	el_remove(x->idle_timer);
	kv_free(x->s.state);
	session_policy_free(x->s.policy);
	free(x->s.dir);
	free(x->s.network);
	free(x->s.hostname);
	free(x->s.ports);
	strv_free(x->s.labels);
	free(x->policy_path);
	free(x);
}

/* What SessionCreate was given, and who asked. */
static int gen_record(yajl_gen g, const session *s)
{
	const session_x *x = sx_of((session *)s);
	char share[16] = "";
	for (size_t i = 0; i < ARRAY_SIZE(shares); i++)
		if (s->share & shares[i].bit)
			snprintf(share + strlen(share), sizeof(share) - strlen(share), "%s%s", share[0] ? "," : "",
				 shares[i].name);
	/* as SessionCreate takes it: the loader reads it back the same way */
	if (yajl_gen_map_open(g) || jg_key_str(g, "name", s->name) || jg_key_str(g, "share", share) ||
	    (s->network && jg_key_str(g, "network", s->network)) || (s->hostname && jg_key_str(g, "hostname", s->hostname)) ||
	    jg_key(g, "labels") || yajl_gen_map_open(g))
		return -ENOMEM;
	for (char **l = s->labels; l && l[0] && l[1]; l += 2)
		if (jg_key_str(g, l[0], l[1]))
			return -ENOMEM;
	if (yajl_gen_map_close(g) || (s->n_ports && cni_ports_gen(g, "ports", s->ports, s->n_ports)) ||
	    jg_key_int(g, "idleTimeoutMs", (long long)(s->idle_timeout_usec / 1000)) ||
	    (x->policy_path && jg_key_str(g, "brokerPolicy", x->policy_path)) || jg_key_bool(g, "rmState", s->rm_state) ||
	    jg_key_int(g, "owner", x->owner) || jg_key_str(g, "cniId", x->cni_id) || jg_key_str(g, "created", x->created) ||
	    (x->stopped && jg_key_bool(g, "stopped", true)) || yajl_gen_map_close(g))
		return -ENOMEM;
	return 0;
}

int session_save(const session *s, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g || gen_record(g, s) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_FILE, s->dir);
	return jg_write_file(g, path, 0600, 0, err);
}

int session_policy_copy(const session_x *x, cerr *err)
{
	_cleanup_close_ int fd = open(x->policy_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", x->policy_path);
	_cleanup_free_ char *text = NULL;
	size_t n;
	int r = read_fd(fd, x->policy_path, SESSION_POLICY_MAX + 1, &text, &n, err);
	if (r < 0)
		return r;
	if (n > SESSION_POLICY_MAX)
		return cerr_set(err, EFBIG, "%s: over %d KiB", x->policy_path, SESSION_POLICY_MAX / 1024);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_POLICY_FILE, x->s.dir);
	return write_file_atomic(path, text, n, 0600, err);
}

int session_open(corrald *d, session_x *x, cerr *err)
{
	session *s = &x->s;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SESSION_STATE_FILE, s->dir);
	int r;
	if ((r = kv_open(path, &s->state, err)) < 0)
		return r;
	snprintf(path, sizeof(path), "%s/" SESSION_POLICY_FILE, s->dir);
	if (!s->policy && access(path, F_OK) == 0 && (r = session_policy_load(path, &s->policy, err)) < 0)
		return r;
	s->last_active_usec = mono_usec();
	s->next = d->sessions;
	d->sessions = s;
	return 0;
}

void session_unlink(corrald *d, session *s)
{
	for (session **p = &d->sessions; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			return;
		}
}

int session_gen(yajl_gen g, corrald *d, const session *s, const peer_cred *peer)
{
	const session_x *x = sx_of((session *)s);
	char shown[SESSION_SHOWN_MAX];
	if (yajl_gen_map_open(g) || jg_key_str(g, "name", session_shown(s, peer, shown, sizeof(shown))) ||
	    jg_key_str(g, "created", x->created) || jg_key(g, "share"))
		return -ENOMEM;
	session_gen_share(g, s->share);
	if ((s->share & SESSION_SHARE_NET) && jg_key_str(g, "network", s->network ? s->network : d->cfg->default_network))
		return -ENOMEM;
	if ((s->share & SESSION_SHARE_UTS) && jg_key_str(g, "hostname", session_hostname(s)))
		return -ENOMEM;
	if (x->ip[0] && jg_key_str(g, "ipAddress", x->ip))
		return -ENOMEM;
	if (s->n_ports && cni_ports_gen(g, "ports", s->ports, s->n_ports))
		return -ENOMEM;
	if (jg_key(g, "labels") || yajl_gen_map_open(g))
		return -ENOMEM;
	for (char **l = s->labels; l && l[0] && l[1]; l += 2)
		if (jg_key_str(g, l[0], l[1]))
			return -ENOMEM;
	if (yajl_gen_map_close(g) || jg_key_int(g, "idleTimeoutMs", (long long)(s->idle_timeout_usec / 1000)) ||
	    (x->policy_path && jg_key_str(g, "brokerPolicy", x->policy_path)) || jg_key_bool(g, "rmState", s->rm_state) ||
	    jg_key(g, "members") || yajl_gen_array_open(g))
		return -ENOMEM;
	size_t running = 0;
	for (ctr *c = d->ctrs; c; c = c->next)
		if (session_holds(s, c)) {
			running += ctr_alive(c);
			/* root may join anyone's session: its containers stay its own */
			char name[256];
			if (ctr_visible_to(c, peer) && jg_str(g, ctr_shown_name(c, peer, name, sizeof(name))))
				return -ENOMEM;
		}
	if (yajl_gen_array_close(g) || jg_key_int(g, "running", (long long)running) ||
	    jg_key_bool(g, "stopped", x->stopped) ||
	    jg_key_int(g, "stateKeys", (long long)(s->state ? kv_count(s->state) : 0)) || yajl_gen_map_close(g))
		return -ENOMEM;
	return 0;
}

uid_t session_owner(const session *s) { return sx_of((session *)s)->owner; }
