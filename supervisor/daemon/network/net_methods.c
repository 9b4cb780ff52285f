#include "supervisor/daemon/network/net_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/net_bridges.h"
#include "supervisor/daemon/network/net_extra.h"
#include "supervisor/daemon/network/net_id.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void gen_network(yajl_gen g, const netconf *nc)
{
	char id[NET_ID_LEN + 1] = "";
	_cleanup_cerr_ cerr err = { 0 };
	if (net_id(nc->name, id, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "network %s: its id", nc->name);
	jg_object(g, JG_STR("id", id), JG_STR("name", nc->name), JG_STR("bridge", nc->bridge),
		     JG_STR("subnet", nc->subnet), JG_STR("gateway", nc->gateway), JG_BOOL("internal", nc->internal),
		     JG_END);
}

/* A network's event: its id (the name when there is none), and its name */
static void publish(corrald *d, const char *action, const char *name)
{
	char id[NET_ID_LEN + 1];
	_cleanup_cerr_ cerr err = { 0 };
	events_publish(d->events, EV_SHARED(0), "network", action, net_id(name, id, &err) < 0 ? name : id, name, NULL, 0);
}

static int reply_network(vl_call *call, const netconf *nc)
{
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key(g, "network");
	gen_network(g, nc);
	return sv_reply_close(call, g);
}

int sv_network_create(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	netconf_req req = { 0 };
	if (sp_dispatch(params,
			SP_PARAMS(SP_NAME("name", true, &req.name), SP_STR("subnet", false, &req.subnet),
				  SP_STR("gateway", false, &req.gateway), SP_BOOL("internal", false, &req.internal)),
			&f) < 0)
		return sv_invalid_fault(call, &f);
	/* a network is the host's: bridges and firewall rules */
	if (vl_call_peer(call)->uid != 0)
		return sv_permission_denied(call, "only root may create a network");
	cerr err = { 0 };
	netconf nc;
	const char *field;
	char ipam[PATH_MAX];
	net_ipam_dir(d, ipam, sizeof(ipam));
	if (net_store_create(d->cfg->cni_config_dir, ipam, &req, &nc, &field, &err) < 0)
		return field ? sv_invalid_err(call, field, &err) : sv_internal_err(call, &err);
	publish(d, "create", nc.name);
	return reply_network(call, &nc);
}

int sv_network_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	SV_NO_PARAMS(call, params);
	cerr err = { 0 };
	_cleanup_free_ netconf *v = NULL;
	size_t n;
	if (network_ensure_default(d, &err) < 0 || net_store_list(d->cfg->cni_config_dir, &v, &n, &err) < 0)
		return sv_internal_err(call, &err);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key(g, "networks");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		gen_network(g, &v[i]);
	yajl_gen_array_close(g);
	return sv_reply_close(call, g);
}

/* The network's conflist, or the call's error (returned through *replied). */
static int lookup(vl_call *call, corrald *d, const char *name, netconf *nc, int *replied)
{
	_cleanup_cerr_ cerr err = { 0 };
	int r = streq(name, NET_DEFAULT_NAME) ? network_ensure_default(d, &err) : 0;
	if (r == 0)
		r = net_store_get(d->cfg->cni_config_dir, name, nc, &err);
	if (r == 0)
		return 0;
	if (r == -ENOENT || r == -EINVAL) {
		*replied = sv_no_such_network(call, name);
	} else {
		*replied = sv_internal_err(call, &err);
	}
	return r;
}

int sv_network_inspect(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *name;
	if (sp_dispatch(params, SP_PARAMS(SP_NAME("name", true, &name)), &f) < 0)
		return sv_invalid_fault(call, &f);
	netconf nc;
	int replied;
	if (lookup(call, d, name, &nc, &replied) < 0)
		return replied;
	return reply_network(call, &nc);
}

/* A container whose spec names the network, or that is connected to
 * it, or NULL. */
static ctr *user_of(corrald *d, const char *name)
{
	for (ctr *c = d->ctrs; c; c = c->next) {
		_cleanup_json_ yajl_val cspec_json = NULL;
		_cleanup_cerr_ cerr err = { 0 };
		if (!c->spec_json || json_parse(c->spec_json, "spec", &cspec_json, &err) < 0)
			continue;
		yajl_val net = json_get(cspec_json, "network");
		/* the default network is what a spec without one gets (issue 16);
		 * until Start attaches it, counting them errs on the safe side */
		if ((YAJL_IS_STRING(net) && streq(net->u.string, name)) || (!net && streq(name, NET_DEFAULT_NAME)))
			return c;
		_cleanup_(net_extras_release) net_extras x = { 0 };
		if (net_extras_load(d, c, &x, &err) == 0 && net_extras_find(&x, name))
			return c;
	}
	return NULL;
}

int sv_network_remove(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *name;
	if (sp_dispatch(params, SP_PARAMS(SP_NAME("name", true, &name)), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (vl_call_peer(call)->uid != 0)
		return sv_permission_denied(call, "only root may remove a network");
	netconf nc;
	int replied;
	if (lookup(call, d, name, &nc, &replied) < 0)
		return replied;
	ctr *c = user_of(d, name);
	if (c) {
		char why[2 * CTR_NAME_MAX + 64];
		snprintf(why, sizeof(why), "network %s is in use by container %s: remove it first", name, c->name);
		return sv_invalid_state(call, c->id, "in-use", why);
	}
	cerr err = { 0 };
	if (net_store_remove(d->cfg->cni_config_dir, name, &err) < 0)
		return sv_internal_err(call, &err);
	/* the network is gone either way: a bridge left is swept at the next start */
	if (net_bridge_remove(nc.bridge, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "network %s", name);
	publish(d, "remove", name);
	return vl_call_reply(call, NULL);
}
