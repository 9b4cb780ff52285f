/* corralctl's network verbs: network create, ls, inspect, rm, connect,
 * disconnect. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>

static int add_create(const ctl_args *a, yajl_gen g)
{
	int r = 0;
	if (opt_on(a, "subnet"))
		r = jg_key_str(g, "subnet", opt_str(a, "subnet"));
	if (!r && opt_on(a, "gateway"))
		r = jg_key_str(g, "gateway", opt_str(a, "gateway"));
	if (!r && opt_on(a, "internal"))
		r = jg_key_bool(g, "internal", true);
	return r;
}

static int v_create(ctl_args *a)
{
	return ctl_each(a, M("NetworkCreate"), "name", add_create, NULL);
}

static const tmpl_title net_titles[] = {
	{ "Name", "NAME" }, { "Bridge", "BRIDGE" }, { "Subnet", "SUBNET" }, { "Gateway", "GATEWAY" },
	{ "Internal", "INTERNAL" }, { NULL, NULL },
};

static int show_list(yajl_val reply)
{
	yajl_val list = json_get(reply, "networks");
	_cleanup_json_gen_ yajl_gen rows = json_gen_new(false);
	int r = !rows || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val n = list->u.array.values[i];
		r = yajl_gen_map_open(rows) || jg_key_str(rows, "Name", ctl_str(n, "name")) ||
		    jg_key_str(rows, "Bridge", ctl_str(n, "bridge")) || jg_key_str(rows, "Subnet", ctl_str(n, "subnet")) ||
		    jg_key_str(rows, "Gateway", ctl_str(n, "gateway")) ||
		    jg_key_str(rows, "Internal", YAJL_IS_TRUE(json_get(n, "internal")) ? "true" : "false") ||
		    yajl_gen_map_close(rows);
	}
	if (r || yajl_gen_array_close(rows))
		return ctl_fail("network ls", "out of memory");
	_cleanup_json_ yajl_val rw = ctl_gen_tree(rows);
	if (!rw)
		return EXIT_CTL;
	return ctl_output(list, rw, "table {{.Name}}\t{{.Subnet}}\t{{.Gateway}}\t{{.Bridge}}\t{{.Internal}}",
			  net_titles);
}

static int v_ls(ctl_args *a)
{
	return ctl_call_show(M("NetworkList"), "{}", show_list);
}

static int show_one(const ctl_args *a, const char *arg, yajl_val reply)
{
	return ctl_print_json(json_get(reply, "network"));
}

static int v_inspect(ctl_args *a)
{
	return ctl_each(a, M("NetworkInspect"), "name", NULL, show_one);
}

static int v_rm(ctl_args *a)
{
	return ctl_each(a, M("NetworkRemove"), "name", NULL, NULL);
}

/* NET CONTAINER: the call's parameters, and what add puts in. */
static int call_on(const ctl_args *a, const char *method, ctl_add_fn add)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	yajl_gen g = ctl_params(a->argv[1]);
	if (g && (jg_key_str(g, "network", a->argv[0]) || (add && add(a, g)))) {
		yajl_gen_free(g);
		g = NULL;
	}
	if (ctl_call_gen(&c, method, g, false, &rep))
		return EXIT_CTL;
	vl_reply_release(&rep);
	return 0;
}

static int add_aliases(const ctl_args *a, yajl_gen g)
{
	const ctl_optval *v = opt_val(a, "alias");
	if (!v->list)
		return 0;
	int r = jg_key(g, "aliases") || yajl_gen_array_open(g);
	for (char **s = v->list; !r && *s; s++)
		r = jg_str(g, *s);
	return r || yajl_gen_array_close(g);
}

static int v_connect(ctl_args *a) { return call_on(a, M("NetworkConnect"), add_aliases); }

static int v_disconnect(ctl_args *a) { return call_on(a, M("NetworkDisconnect"), ctl_add_force); }

static const ctl_opt connect_opts[] = {
	{ "alias", 0, OPT_LIST, "NAME", "a further name of the container on the network (repeatable)" },
	{ NULL },
};
static const ctl_opt disconnect_opts[] = {
	{ "force", 'f', OPT_FLAG, "", "succeed even when the interface could not be taken down cleanly" },
	{ NULL },
};

static const ctl_opt create_opts[] = {
	{ "subnet", 0, OPT_STR, "CIDR", "its addresses (default: the first free 10.89.N.0/24)" },
	{ "gateway", 0, OPT_STR, "IP", "the bridge's address, inside the subnet (default: its first)" },
	{ "internal", 0, OPT_FLAG, "", "no route out and no masquerade: its containers reach each other only" },
	{ NULL },
};
static const ctl_opt ls_opts[] = { CTL_OPT_FORMAT, { NULL } };

const ctl_cmd ctl_network_cmds[] = {
	{ "network create", "NAME", "Create a bridge network (a CNI conflist in corrald's cni-config-dir)",
	  create_opts, 1, 1, 0, COMPLETE_NONE, v_create },
	{ "network ls", "", "List networks: the default one, corral, is made on first use", ls_opts, 0, 0,
	  CMD_FORMAT, COMPLETE_NONE, v_ls },
	{ "network inspect", "NAME...", "Show networks as JSON", NULL, 1, -1, 0, COMPLETE_NONE, v_inspect },
	{ "network rm", "NAME...", "Remove networks no container names or is connected to", NULL, 1, -1, 0,
	  COMPLETE_NONE, v_rm },
	{ "network connect", "NETWORK CONTAINER",
	  "Connect a container to a further network: now when it runs (eth1, eth2...), else at its next start",
	  connect_opts, 2, 2, 0, COMPLETE_NONE, v_connect },
	{ "network disconnect", "NETWORK CONTAINER", "Take a further network away from a container", disconnect_opts,
	  2, 2, 0, COMPLETE_NONE, v_disconnect },
	{ NULL },
};
