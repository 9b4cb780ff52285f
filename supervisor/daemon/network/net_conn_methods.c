/* NetworkConnect and NetworkDisconnect: a further network for a container
 * (net_extra.h), ADDed now when it runs, else at its next start; and
 * taken away, DELed now when attached. A member's call reaches only its
 * own containers (CTR_METHOD_TARGET); networks are root's, and any of
 * them may be used, as at Create. */
#include "supervisor/daemon/network/net_methods.h"
#include "supervisor/daemon/containers/record/ctr_gen.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/network/net_conn_methods.h"
#include "supervisor/daemon/network/net_connect.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_record.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/spec/spec_fields.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A call that waits for its CNI run: NULL once its client went. */
typedef struct waiting {
	vl_call *call;
	bool force;
} waiting;

static void on_cancel(vl_call *call, void *data)
{
	(void)call;
	((waiting *)data)->call = NULL;
}

static waiting *wait_on(vl_call *call, bool force)
{
	waiting *w = calloc(1, sizeof(*w));
	if (w) {
		*w = (waiting){ call, force };
		vl_call_set_cancel(call, on_cancel, w);
	}
	return w;
}

/* The run is over: the call hears how it went, when it still waits. */
static void answer(waiting *w, int r, const cerr *err)
{
	if (w->call) {
		vl_call_set_cancel(w->call, NULL, NULL);
		if (r < 0 && !w->force)
			(void)sv_internal(w->call, cerr_msg(err));
		else
			(void)vl_call_reply(w->call, NULL);
	}
	free(w);
}

/* A connect that failed takes its network off the container's list. */
typedef struct connecting {
	waiting *w;
	char id[CTR_ID_LEN + 1], network[NAME_MAX + 1];
} connecting;

static void on_connected(struct corrald *d, int r, const cerr *err, void *data)
{
	connecting *k = data;
	ctr *c = ctr_find(d, k->id);
	if (c)
		ctr_list_stale(c); /* List shows the address now, or no network */
	_cleanup_(net_extras_release) net_extras x = { 0 };
	_cleanup_cerr_ cerr e2 = { 0 };
	if (c && r < 0 && net_extras_load(d, c, &x, &e2) == 0) {
		net_extras_drop(&x, k->network);
		(void)net_extras_save(d, c, &x, &e2);
	}
	answer(k->w, r, err);
	free(k);
}

static int aliases_param(yajl_val params, char ***out, json_fault *f)
{
	char p[JSON_PATH_MAX];
	int r = json_get_strv(params, "", "aliases", 0, out, NULL, f);
	if (r < 0)
		return r;
	if (strv_length(*out) > 32)
		return json_fault_set(f, EINVAL, "aliases", "at most 32 entries");
	for (size_t i = 0; *out && (*out)[i]; i++)
		if (!ctr_alias_valid((*out)[i]))
			return json_fault_set(f, EINVAL, json_path_idx(p, "aliases", i),
					      "must be a host or container name, not \"%s\"", (*out)[i]);
	return 0;
}

/* Why c takes no change of its networks now, or NULL: its network is
 * not a CNI one, or it is starting or going. */
static const char *refusal(const ctr *c)
{
	if (c->spec.network != CTR_NET_CNI)
		return "its network mode (host, none, or another's) takes no further network";
	if (ctr_is_starting(c) || c->status == CS_RESTARTING || c->status == CS_REMOVING)
		return "it is starting or going: try again once it is up";
	return NULL;
}

static bool attached(struct corrald *d, const ctr *c)
{
	char path[PATH_MAX];
	net_record_path(d, c, NULL, path, sizeof(path));
	return ctr_alive(c) && access(path, F_OK) == 0;
}

int sv_network_connect(vl_call *call, yajl_val params, void *ud)
{
	struct corrald *d = ud;
	json_fault f = { 0 };
	const char *net;
	CTR_METHOD_TARGET(c, d, call, params, f, SP_NAME("network", true, &net), SP_KEY("aliases"));
	_cleanup_strv_ char **aliases = NULL;
	if (aliases_param(params, &aliases, &f) < 0)
		return sv_invalid_fault(call, &f);
	const char *no = refusal(c);
	if (no)
		return reply_bad_state(call, c, no);
	int r = 0;
	_cleanup_free_ char *text = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (streq(net, NET_DEFAULT_NAME))
		r = network_ensure_default(d, &err);
	if (r == 0 && (r = net_store_text(d->cfg->cni_config_dir, net, &text, &err)) == -ENOENT)
		return sv_no_such_network(call, net);
	if (r < 0)
		return sv_internal_err(call, &err);
	_cleanup_(net_extras_release) net_extras x = { 0 };
	if (net_extras_load(d, c, &x, &err) < 0)
		return sv_internal_err(call, &err);
	if (streq(net, c->spec.net_name) || net_extras_find(&x, net)) {
		char why[NAME_MAX + 64];
		snprintf(why, sizeof(why), "it is already connected to network %s", net);
		return reply_bad_state(call, c, why);
	}
	if ((r = net_extras_add(d, c, &x, net, aliases, net_del_if_waits, &err)) < 0)
		return r == -ENOSPC ? reply_bad_state(call, c, cerr_msg(&err)) : sv_internal_err(call, &err);
	if (net_extras_save(d, c, &x, &err) < 0)
		return sv_internal_err(call, &err);
	ctr_list_stale(c);
	if (!attached(d, c)) /* at its next start */
		return vl_call_reply(call, NULL);
	connecting *k = calloc(1, sizeof(*k));
	if (!k || !(k->w = wait_on(call, false))) {
		free(k);
		return sv_internal(call, "out of memory");
	}
	snprintf(k->id, sizeof(k->id), "%s", c->id);
	snprintf(k->network, sizeof(k->network), "%s", net);
	if (net_connect_running(d, c, &x.v[x.n - 1], on_connected, k, &err) < 0)
		on_connected(d, -EIO, &err, k); /* answers */
	return 0;
}

static void on_disconnected(struct corrald *d, int r, const cerr *err, void *data)
{
	(void)d;
	answer(data, r, err);
}

int sv_network_disconnect(vl_call *call, yajl_val params, void *ud)
{
	struct corrald *d = ud;
	json_fault f = { 0 };
	const char *net;
	bool force;
	CTR_METHOD_TARGET(c, d, call, params, f, SP_NAME("network", true, &net), SP_BOOL("force", false, &force));
	const char *no = refusal(c);
	if (no)
		return reply_bad_state(call, c, no);
	if (streq(net, c->spec.net_name))
		return reply_bad_state(call, c,
				       "its first network is its spec's, attached at each start: create it on another");
	_cleanup_(net_extras_release) net_extras x = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (net_extras_load(d, c, &x, &err) < 0)
		return sv_internal_err(call, &err);
	const net_extra *e = net_extras_find(&x, net);
	if (!e) {
		char why[NAME_MAX + 64];
		snprintf(why, sizeof(why), "it is not connected to network %s", net);
		return sv_invalid(call, "network", why);
	}
	char path[PATH_MAX];
	net_record_path(d, c, e->ifname, path, sizeof(path));
	bool now = access(path, F_OK) == 0;
	net_extras_drop(&x, net);
	if (net_extras_save(d, c, &x, &err) < 0)
		return sv_internal_err(call, &err);
	ctr_list_stale(c);
	if (!now)
		return vl_call_reply(call, NULL);
	waiting *w = wait_on(call, force);
	if (!w)
		return sv_internal(call, "out of memory");
	if (net_detach_record(d, c, path, on_disconnected, w, &err) < 0)
		answer(w, -EIO, &err);
	return 0;
}
